from __future__ import annotations

import shutil

import pytest

from atlas.directory.distance import to_frame
from atlas.directory.request import carry, check_params
from atlas.ingest.build import DataDirError, open_data_dir, signature
from atlas.outputs.cards import organization_card, table_rows
from tests.conftest import DATA, PAGES, SOURCE


def test_valid_parameters_give_no_notice():
    check = check_params({"focus": ["torticollis", "speech"], "state": ["CA"], "q": ["x"], "general": ["false"]},
                         states=["CA"], page="directory")
    assert check.notices == [] and check.ignored == set()


@pytest.mark.parametrize("raw, name", [
    ({"focus": ["necks"]}, "focus"), ({"state": ["ZZ"]}, "state"), ({"general": ["maybe"]}, "general"),
    ({"radius": ["-5"]}, "radius"), ({"radius": ["nan"]}, "radius"), ({"radius": ["99999"]}, "radius"),
    ({"org": ["nobody"]}, "org"),
])
def test_invalid_parameters_are_named(raw, name):
    page = "nearby" if name == "radius" else "directory"
    check = check_params(raw, states=["CA"], org_ids=["a"], page=page)
    assert check.ignored == {name} and len(check.notices) == 1


def test_parameters_for_other_pages_are_not_checked():
    assert check_params({"radius": ["x"]}, page="directory").notices == []


def test_carry_keeps_what_the_target_page_understands():
    raw = {"focus": ["torticollis", "speech"], "state": ["CA"], "near": ["60601"], "radius": ["100"], "org": ["a"]}
    assert carry(raw, "nearby") == {"focus": ["torticollis", "speech"], "state": ["CA"], "near": ["60601"],
                                    "radius": ["100"]}
    assert carry(raw, "directory") == {"focus": ["torticollis", "speech"], "state": ["CA"], "org": ["a"]}
    assert carry(raw, "about") == {}


def test_card_for_a_clean_listing(orgs_by_name):
    card = organization_card(orgs_by_name["Dystonia Medical Research Foundation"])
    assert card.address_lines == ["1 East Wacker Drive, Suite 2810", "Chicago, IL 60601-1905"]
    assert [(c.label, c.href) for c in card.contacts] == [
        ("Phone", "tel:+1-312-755-0198"), ("Fax", None), ("Email", "mailto:dystonia@dystonia-foundation.org"),
        ("Website (from the email address)", "https://www.dystonia-foundation.org")]
    assert card.notes == [] and card.precision == "postal_code"
    assert card.service_area_text.startswith("Serves people nationwide")


def test_card_for_a_flagged_listing(orgs_by_name):
    card = organization_card(orgs_by_name["WE MOVE (Worldwide Education & Awareness for Movement Disorders)"])
    assert [n.code for n in card.notes] == ["zip-city-mismatch"]
    assert "10024" in card.notes[0].detail and card.precision == "city"


def test_table_rows(directory):
    rows = table_rows(to_frame(directory.organizations))
    assert list(rows.columns)[:3] == ["id", "Organization", "Focus"]
    asha = rows[rows["Organization"].str.startswith("American Speech")].iloc[0]
    assert asha["Phone"] == "tel:+1-800-638-8255"  # toll-free when there is no other phone
    assert rows.loc[rows["Organization"] == "American Dystonia Society", "Data notes"].item() == \
        "Phone area code in another state"


def test_open_data_dir_prefers_built_files_and_builds_lone_pages(tmp_path):
    assert len(open_data_dir(DATA).organizations) == 8
    shutil.copy(PAGES / "minimal.txt", tmp_path / "minimal.txt")
    assert len(open_data_dir(tmp_path).organizations) == 3


def test_open_data_dir_uses_overrides_beside_a_lone_page(tmp_path):
    shutil.copy(SOURCE, tmp_path / "dystonias.txt")
    (tmp_path / "overrides.csv").write_text("organization,focus,service_area,reason\n"
                                           "American Dystonia Society,speech,regional,test\n")
    ads = next(o for o in open_data_dir(tmp_path).organizations if o.name == "American Dystonia Society")
    assert ads.focus == ("speech",) and ads.service_area == "regional"


@pytest.mark.parametrize("setup, problem", [
    (lambda d: None, "holds no data"),
    (lambda d: (d / "page.json").write_text("{}"), "only half"),
    (lambda d: (d / "x.txt").write_text("nothing useful"), "could not be read"),
    (lambda d: ((d / "a.txt").write_text("x"), (d / "b.txt").write_text("y")), "several source pages"),
])
def test_open_data_dir_errors_say_what_and_how(tmp_path, setup, problem):
    setup(tmp_path)
    with pytest.raises(DataDirError) as error:
        open_data_dir(tmp_path)
    assert problem in error.value.problem and error.value.fix


def test_signature_changes_when_a_file_changes(tmp_path):
    (tmp_path / "page.txt").write_text("a")
    before = signature(tmp_path)
    (tmp_path / "page.txt").write_text("ab")
    assert signature(tmp_path) != before
