from __future__ import annotations

import pytest

from atlas.ingest.tags import (
    FOCI,
    Override,
    Overrides,
    OverridesError,
    assign_focus,
    assign_service_area,
    focus_from_name,
)


def test_focus_on_the_committed_page(orgs_by_name):
    expected = {
        "National Spasmodic Torticollis Association": ("torticollis",),
        "Spasmodic Torticollis Dystonia/ST Dystonia": ("torticollis",),
        "Benign Essential Blepharospasm Research Foundation": ("blepharospasm",),
        "American Speech-Language-Hearing Association (ASHA)": ("speech",),
        "Dystonia Medical Research Foundation": ("general",),
        "WE MOVE (Worldwide Education & Awareness for Movement Disorders)": ("general",),
        "Bachmann-Strauss Dystonia & Parkinson Foundation": ("general",),
        "American Dystonia Society": ("general",),
    }
    assert {name: org.focus for name, org in orgs_by_name.items()} == expected


def test_every_organization_on_the_page_is_national(orgs_by_name):
    assert {org.service_area for org in orgs_by_name.values()} == {"national"}


def test_vocabulary():
    assert list(FOCI) == ["torticollis", "blepharospasm", "speech", "general"]


@pytest.mark.parametrize("name, tags", [
    ("Cervical Dystonia Alliance", ("torticollis",)),
    ("Meige and Blepharospasm Friends", ("blepharospasm",)),
    ("National Spasmodic Dysphonia Association", ("speech",)),
    ("Voice and Blepharospasm Circle", ("blepharospasm", "speech")),
    ("Movement Disorders Society", ("general",)),
])
def test_rules_over_names(name, tags):
    assert focus_from_name(name) == tags


def test_override_replaces_the_rule_and_is_validated():
    override = Override("X", ("torticollis", "general"), "", "covers both")
    assert assign_focus("Movement Disorders Society", override) == ("torticollis", "general")
    with pytest.raises(OverridesError, match="unknown focus"):
        assign_focus("X", Override("X", ("necks",), "", "typo"))


def test_override_file_matches_by_name_or_id_and_needs_reasons():
    overrides = Overrides.parse("organization,focus,service_area,reason\n"
                                "movement disorders society,speech,regional,curated\n"
                                "abc-group,,local,curated\n")
    assert overrides.for_organization("zzz", "Movement  Disorders Society").focus == ("speech",)
    assert overrides.for_organization("abc-group", "ABC").service_area == "local"
    assert overrides.for_organization("none", "None") is None
    with pytest.raises(OverridesError, match="reason"):
        Overrides.parse("organization,focus,service_area,reason\nX,speech,,\n")
    with pytest.raises(OverridesError, match="missing column"):
        Overrides.parse("name,focus\nX,speech\n")


def test_committed_override_file_is_used(directory):
    assert Overrides.load("data/overrides.csv").rows, "the curated file must exist and hold rows"
    assert Overrides.load("does/not/exist.csv").rows == []


def test_service_area_rules():
    assert assign_service_area("Ohio Dystonia Support Group") == "regional"
    assert assign_service_area("American Dystonia Society") == "national"
    assert assign_service_area("X", Override("X", (), "local", "one city")) == "local"


def test_an_override_file_saved_by_excel_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_bytes("organization,focus,service_area,reason\nX Group,speech,,curated\n".encode("utf-8-sig"))
    assert Overrides.load(path).for_organization("x-group", "X Group").focus == ("speech",)


def test_a_value_too_long_for_csv_is_an_overrides_error_naming_the_line():
    text = "organization,focus,service_area,reason\nX,speech,,curated\nY,speech,," + "r" * 3_000_000 + "\n"
    with pytest.raises(OverridesError, match="line 3"):
        Overrides.parse(text, origin="overrides.csv")
