from __future__ import annotations

import json

import pytest
from geopy.distance import geodesic

from atlas.directory.load import prepare
from atlas.outputs.mapview import (
    FOCUS_COLORS,
    MAP_COLUMNS,
    OUTLINES_FILE,
    OUTLINES_URL,
    Origin,
    build_deck,
    describe,
    fit_view,
    focus_codes,
    legend,
    map_points,
    point_style,
    radius_ring,
    state_outlines,
)


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_legend_covers_every_focus_with_a_letter_and_a_distinct_colour():
    entries = legend()
    assert [e.code for e in entries] == ["torticollis", "blepharospasm", "speech", "general"]
    assert len({e.hex_color for e in entries}) == 4 and len({e.letter for e in entries}) == 4


def test_letters_are_readable_on_every_point_colour():
    for rgb in FOCUS_COLORS.values():  # dark (#111) letters on the fill: WCAG contrast at least 4.5:1
        assert (_luminance(rgb) + 0.05) / (_luminance((17, 17, 17)) + 0.05) >= 4.5


def test_point_style_marks_several_foci():
    colour, letters = point_style(("blepharospasm", "speech"))
    assert colour[:3] == list(FOCUS_COLORS["blepharospasm"]) and letters == "B+S"
    assert point_style(())[1] == "G"


def test_map_points_hold_only_what_the_map_draws(directory):
    frame = prepare(directory.page, directory.organizations).frame
    frame.loc[0, ["latitude", "longitude"]] = float("nan")
    points = map_points(frame)
    assert list(points.columns) == MAP_COLUMNS and len(points) == 7


def test_deck_is_offline_with_plain_text_tooltips(directory):
    deck = json.loads(build_deck(map_points(prepare(directory.page, directory.organizations).frame)).to_json())
    assert not deck.get("mapProvider")
    assert deck["mapStyle"] == "__MAP_STYLE__"  # pydeck's default, which Streamlit drops; None would mean Carto
    assert [layer["id"] for layer in deck["layers"]] == ["state-outlines", "organizations", "organization-letters"]
    assert deck["layers"][1]["radiusUnits"] == "pixels"  # a quoted constant, not a field lookup
    assert deck["layers"][0]["data"] == "app/static/us_states.geojson"  # served by the app itself
    tooltip = build_deck(map_points(prepare(directory.page, directory.organizations).frame))._tooltip
    assert "text" in tooltip and "html" not in tooltip


def test_national_view_shows_the_contiguous_states(directory):
    view = json.loads(build_deck(map_points(prepare(directory.page, directory.organizations).frame), width=560).to_json())["initialViewState"]
    assert 2.0 <= view["zoom"] <= 3.2 and -105 < view["longitude"] < -90


def test_origin_ring_is_at_the_radius():
    ring = radius_ring(41.88, -87.62, 100)
    assert ring[0] == ring[-1]
    for lon, lat in ring[::10]:
        assert geodesic((41.88, -87.62), (lat, lon)).miles == pytest.approx(100, rel=0.001)


def test_fit_view_single_point_is_capped():
    assert fit_view([41.9], [-87.6]).zoom <= 6.5


def test_selected_and_origin_layers(directory):
    points = map_points(prepare(directory.page, directory.organizations).frame)
    deck = json.loads(build_deck(points, origin=Origin("Chicago", 41.88, -87.62, 100),
                                 selected_id=points["id"][0]).to_json())
    assert [layer["id"] for layer in deck["layers"]] == [
        "state-outlines", "radius-ring", "origin", "selected-ring", "organizations", "organization-letters"]


def test_text_alternative_lists_every_point(directory):
    points = map_points(prepare(directory.page, directory.organizations).frame)
    text = describe(points, Origin("Chicago, IL", 41.88, -87.62))
    assert text.startswith("Map of 8 organizations around Chicago, IL:") and "American Dystonia Society" in text


def test_outlines_fall_back_to_empty_when_the_file_is_missing(tmp_path):
    assert state_outlines(tmp_path / "missing.geojson") == {"type": "FeatureCollection", "features": []}


def test_the_outlines_are_loaded_by_url_from_the_bundled_file(directory):
    """The chart carries the outlines' address, not their 13,000 points; the address is the bundled file."""
    spec = json.loads(build_deck(map_points(prepare(directory.page, directory.organizations).frame)).to_json())
    url = spec["layers"][0]["data"]
    assert url == OUTLINES_URL and url.startswith("app/static/")
    served = OUTLINES_FILE.parent / url.removeprefix("app/static/")
    assert json.loads(served.read_text(encoding="utf-8")) == state_outlines() and state_outlines()["features"]
    assert len(json.dumps(spec)) < 10_000


def test_organizations_at_one_spot_carry_a_count(directory):
    atlas = prepare(directory.page, directory.organizations)
    frame = atlas.frame.copy()
    frame.loc[1, ["latitude", "longitude"]] = frame.loc[0, ["latitude", "longitude"]].to_numpy()
    frame.loc[2, ["latitude", "longitude"]] = frame.loc[0, ["latitude", "longitude"]].to_numpy()
    deck = json.loads(build_deck(map_points(frame)).to_json())
    counts = next(layer for layer in deck["layers"] if layer["id"] == "stacked-counts")
    assert [row["count"] for row in counts["data"]] == ["×3"]
    assert "stacked-counts" not in [layer["id"] for layer in json.loads(
        build_deck(map_points(atlas.frame)).to_json())["layers"]]


def test_the_legend_explains_only_the_foci_on_the_map(directory):
    atlas = prepare(directory.page, directory.organizations)
    speech_only = atlas.frame[atlas.frame["is_speech"] & ~atlas.frame["is_general"]]
    assert focus_codes(speech_only) == {"speech"}
    assert [e.code for e in legend(focus_codes(speech_only))] == ["speech"]
