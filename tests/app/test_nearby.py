"""The Nearby page: ranking, radius, empty results and bad places."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle

from atlas.ingest.files import load_built
from tests.app.conftest import run_page, table, texts
from tests.conftest import DATA


def test_near_60601_ranks_the_dystonia_medical_research_foundation_first():
    at = run_page("nearby", {"near": "60601", "radius": "3000"})
    assert not at.exception
    frame = table(at)
    assert frame["Organization"].iloc[0] == "Dystonia Medical Research Foundation"
    assert frame["Miles"].iloc[0] == 0.0


def test_distances_match_an_independent_computation():
    at = run_page("nearby", {"near": "60601", "radius": "3000"})
    frame = table(at)
    _, organizations = load_built(DATA)
    where = {o.name: (o.latitude, o.longitude) for o in organizations}
    origin = (41.8858, -87.6181)  # ZIP 60601's centroid
    expected = sorted(where, key=lambda name: great_circle(origin, where[name]).miles)
    assert list(frame["Organization"]) == expected
    for row in frame.itertuples():
        miles = great_circle(origin, where[row.Organization]).miles
        assert abs(row.Miles - miles) <= 0.1 + miles * 0.001
        assert abs(row.Km - miles * 1.609344) <= 0.2 + miles * 0.002


def test_radius_limits_the_results_and_the_map_shows_origin_and_ring():
    import json

    at = run_page("nearby", {"near": "Chicago, IL", "radius": "100"})
    assert list(table(at)["Organization"]) == ["Dystonia Medical Research Foundation",
                                               "Spasmodic Torticollis Dystonia/ST Dystonia"]
    assert "2 organizations within 100 miles" in texts(at)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    ids = [layer["id"] for layer in spec["layers"]]
    assert "radius-ring" in ids and "origin" in ids


def test_national_organizations_notice():
    at = run_page("nearby", {"near": "60601"})
    assert "Every organization listed here is national" in texts(at)


def test_nothing_within_the_radius_offers_to_widen_and_lists_the_nearest():
    at = run_page("nearby", {"near": "99501", "radius": "100"})  # Anchorage
    body = texts(at)
    assert "No organization has an office within 100 miles of Anchorage" in body
    assert len(table(at)) == 3 and "The nearest offices" in body
    widen = [b for b in at.button if b.label.startswith("Widen the search to")]
    assert widen
    widen[0].click().run()
    assert at.slider(key="radius").value > 100
    assert "within" in texts(at) and len(table(at)) >= 1


@pytest.mark.parametrize("near, fragment", [
    ("abcde", 'No US place matches "abcde"'),
    ("00000", "00000 is not a US ZIP code"),
    ("<script>alert(1)</script>", "No US place matches"),
    ("Toronto, ON M5V 2T6", "outside the United States"),
    ("Springfield", "Add the state"),
])
def test_bad_places_get_a_clear_message(near, fragment):
    at = run_page("nearby", {"near": near})
    assert not at.exception
    assert fragment in texts(at)
    assert at.error, "shown as an error message"


def test_empty_place_prompts_for_one():
    at = run_page("nearby", {"near": ""})
    assert not at.exception and not at.error
    assert "Enter a place" in texts(at)


def test_a_5000_character_place_gets_a_message_not_an_exception():
    at = run_page("nearby", {"near": "x" * 5000})
    assert not at.exception
    assert "That entry is 5,000 characters long" in texts(at)  # the whole value reaches the locator: no truncation
    at = run_page("nearby")
    at.text_input(key="near").set_value("y" * 5000).run()
    assert not at.exception
    assert "characters long" in texts(at)


def test_invalid_radius_is_ignored_with_a_notice():
    at = run_page("nearby", {"near": "60601", "radius": "a lot"})
    assert 'Ignored radius "a lot"' in texts(at)
    assert at.slider(key="radius").value == 250


def test_focus_narrows_nearby_results():
    at = run_page("nearby", {"near": "60601", "radius": "3000", "focus": "blepharospasm", "general": "false"})
    assert list(table(at)["Organization"]) == ["Benign Essential Blepharospasm Research Foundation"]


def test_filter_panel_is_drawn_only_when_open_and_keeps_its_filters_when_closed():
    at = run_page("nearby", {"near": "60601"})
    assert not at.multiselect and not at.selectbox, "no filter is on, so the panel stays closed and empty"
    assert len(table(at)) == 8

    at = run_page("nearby", {"near": "60601", "focus": "blepharospasm", "general": "false"})
    assert at.multiselect(key="focus").value == ["blepharospasm"], "a link that brings a filter opens the panel"
    assert at.toggle(key="general").value is False
    at.session_state["nearby-filters"] = False  # the user closes it
    at.run()
    assert not at.multiselect
    assert list(table(at)["Organization"]) == ["Benign Essential Blepharospasm Research Foundation"]
    assert at.query_params["focus"] == "blepharospasm" and at.query_params["general"] == "false"
    at.session_state["nearby-filters"] = True  # and opens it again: the filters are as they were
    at.run()
    assert at.multiselect(key="focus").value == ["blepharospasm"] and at.toggle(key="general").value is False
