from __future__ import annotations

import pytest

from atlas.directory.request import carry, check_params
from atlas.outputs.cards import organization_card


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


def test_quality_spec_counts_every_note_and_lists_every_point(directory):
    from collections import Counter

    from atlas.directory.load import prepare
    from atlas.ingest.quality import FLAGS
    from atlas.outputs.cards import PRECISION_TEXT, quality_spec

    spec = quality_spec(prepare(directory.page, directory.organizations).frame)
    organizations = list(directory.organizations)
    noted = [i for i, org in enumerate(organizations) if org.quality_flags]
    assert noted, "the committed page has listings with notes, so the check has teeth"
    assert list(spec.flagged_rows) == noted and spec.clean == len(organizations) - len(noted)
    flags = Counter(code for org in organizations for code in org.quality_flags if code in FLAGS)
    assert spec.counts == sorted(flags.items(), key=lambda item: -item[1])
    points = spec.points.to_pylist()
    assert [p["Organization"] for p in points] == [org.name for org in organizations]
    for point, org in zip(points, organizations):
        assert point["Meaning"] == PRECISION_TEXT.get(org.location_precision, "")
        assert (point["Latitude"], point["Longitude"]) == (org.latitude, org.longitude)
