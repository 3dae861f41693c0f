"""The bundled US state outlines (static/us_states.geojson) and the tool that builds them."""

from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import ROOT
from tools.build_state_outlines import (
    DEFAULT_SOURCE,
    TopologyError,
    build_feature_collection,
    clean_ring,
    decode_arcs,
    decode_topology,
    dump,
    main,
    signed_area,
    simplify_line,
    wind,
)

OUTLINES = ROOT / "static" / "us_states.geojson"
MAX_BYTES = 400_000

STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
)
NON_CONTIGUOUS = {"02", "15", "60", "66", "69", "72", "78"}  # Alaska, Hawaii and the territories

# Two unit squares side by side sharing one border (arc 0), plus an island with a lake (arcs 3, 4).
# Grid units are scaled by (0.5, 0.25) and shifted to (-100, 40); arcs are delta-encoded.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [-100, 40]},
    "objects": {
        "states": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "20", "properties": {"name": "East", "extra": 1}, "arcs": [[2, ~0]]},
                {"type": "Polygon", "id": "10", "properties": {"name": "West"}, "arcs": [[0, 1]]},
                {"type": "MultiPolygon", "id": "30", "properties": {"name": "Islands"},
                 "arcs": [[[3], [4]], [[5]]]},
            ],
        },
    },
    "arcs": [
        [[4, 0], [0, 4]],                              # 0: (4,0) -> (4,4), the shared border
        [[4, 4], [-4, 0], [0, -4], [4, 0]],            # 1: (4,4) -> (0,4) -> (0,0) -> (4,0)
        [[4, 0], [4, 0], [0, 4], [-4, 0]],             # 2: (4,0) -> (8,0) -> (8,4) -> (4,4)
        [[20, 0], [8, 0], [0, 8], [-8, 0], [0, -8]],   # 3: island, counterclockwise
        [[22, 2], [0, 4], [4, 0], [0, -4], [-4, 0]],   # 4: lake inside the island, clockwise
        [[40, 0], [0, 1], [0, -1]],                    # 5: a sliver that collapses to nothing
    ],
}


def grid(x: float, y: float) -> list[float]:
    """The coordinates of a grid point of TOPOLOGY."""
    return [x * 0.5 - 100, y * 0.25 + 40]


# --- helpers over GeoJSON -----------------------------------------------------------------------


def polygons_of(feature: dict) -> list:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def rings_of(feature: dict):
    for polygon in polygons_of(feature):
        yield from polygon


def ring_contains(ring, lon: float, lat: float) -> bool:
    """Ray casting: does a ray from the point towards +longitude cross the ring an odd number of times?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def feature_contains(feature: dict, lat: float, lon: float) -> bool:
    """Inside one of the polygons' exteriors and outside all of that polygon's holes."""
    for exterior, *holes in polygons_of(feature):
        if ring_contains(exterior, lon, lat) and not any(ring_contains(hole, lon, lat) for hole in holes):
            return True
    return False


def bbox(feature: dict) -> tuple[float, float, float, float]:
    positions = [position for ring in rings_of(feature) for position in ring]
    lons = [lon for lon, _ in positions]
    lats = [lat for _, lat in positions]
    return min(lons), min(lats), max(lons), max(lats)


@pytest.fixture(scope="module")
def outlines() -> dict:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_name(outlines) -> dict[str, dict]:
    return {feature["properties"]["name"]: feature for feature in outlines["features"]}


def states_at(outlines: dict, lat: float, lon: float) -> list[str]:
    return [f["properties"]["name"] for f in outlines["features"] if feature_contains(f, lat, lon)]


# --- the committed file -------------------------------------------------------------------------


def test_file_is_small_enough_to_bundle():
    assert OUTLINES.stat().st_size < MAX_BYTES


def test_file_is_compact_deterministic_json_with_a_trailing_newline(outlines):
    text = OUTLINES.read_text(encoding="utf-8")
    assert text == dump(outlines)
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_is_a_feature_collection_of_polygons(outlines):
    assert set(outlines) == {"type", "features"}
    assert outlines["type"] == "FeatureCollection"
    assert len(outlines["features"]) == 56
    for feature in outlines["features"]:
        assert set(feature) == {"type", "properties", "geometry"}
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert set(feature["geometry"]) == {"type", "coordinates"}
        assert polygons_of(feature), feature["properties"]


def test_properties_are_name_and_two_digit_fips_only_sorted_by_fips(outlines):
    fips = []
    for feature in outlines["features"]:
        properties = feature["properties"]
        assert set(properties) == {"name", "fips"}
        assert isinstance(properties["name"], str) and properties["name"].strip() == properties["name"] != ""
        assert len(properties["fips"]) == 2 and properties["fips"].isdigit()
        fips.append(properties["fips"])
    assert fips == sorted(fips)
    assert len(set(fips)) == len(fips)


def test_all_fifty_states_and_dc_are_present(by_name):
    missing = [name for name in (*STATES, "District of Columbia") if name not in by_name]
    assert missing == []
    assert by_name["Illinois"]["properties"]["fips"] == "17"
    assert by_name["District of Columbia"]["properties"]["fips"] == "11"
    assert by_name["Puerto Rico"]["properties"]["fips"] == "72"


def test_rings_are_closed_with_at_least_four_positions_and_valid_coordinates(outlines):
    for feature in outlines["features"]:
        for ring in rings_of(feature):
            assert len(ring) >= 4, feature["properties"]
            assert ring[0] == ring[-1], feature["properties"]
            for position in ring:
                assert len(position) == 2
                lon, lat = position
                assert -180 <= lon <= 180 and -90 <= lat <= 90, (feature["properties"], position)
                assert round(lon, 3) == lon and round(lat, 3) == lat
            assert all(a != b for a, b in zip(ring, ring[1:])), "repeated consecutive position"


def test_no_ring_jumps_across_the_antimeridian(outlines):
    for feature in outlines["features"]:
        for ring in rings_of(feature):
            assert all(abs(b[0] - a[0]) < 180 for a, b in zip(ring, ring[1:])), feature["properties"]


def test_rings_follow_the_rfc_7946_right_hand_rule(outlines):
    for feature in outlines["features"]:
        for exterior, *holes in polygons_of(feature):
            assert signed_area(exterior) > 0, feature["properties"]
            assert all(signed_area(hole) < 0 for hole in holes), feature["properties"]


def test_coordinates_are_longitude_then_latitude(outlines, by_name):
    west, south, east, north = bbox(by_name["Illinois"])
    assert west <= -87.6 <= east and south <= 41.9 <= north
    assert -92 < west < -90 and -88 < east < -87 and 36.5 < south < 37.5 and 42 < north < 43
    for feature in outlines["features"]:
        if feature["properties"]["fips"] in NON_CONTIGUOUS:
            continue
        west, south, east, north = bbox(feature)
        assert -125 < west and east < -66, feature["properties"]
        assert 24 < south and north < 50, feature["properties"]
    west, south, east, north = bbox(by_name["Alaska"])
    assert 51 < south and north < 72


def test_cities_fall_in_their_states(outlines):
    assert states_at(outlines, 41.8781, -87.6298) == ["Illinois"]  # Chicago, not Indiana
    assert states_at(outlines, 30.08, -94.13) == ["Texas"]  # Beaumont, near the Louisiana line
    assert states_at(outlines, 39.7684, -86.1581) == ["Indiana"]  # Indianapolis
    assert states_at(outlines, 38.8977, -77.0365) == ["District of Columbia"]
    assert states_at(outlines, 21.3069, -157.8583) == ["Hawaii"]  # Honolulu
    assert states_at(outlines, 61.2181, -149.9003) == ["Alaska"]  # Anchorage
    assert states_at(outlines, 40.0, -40.0) == []  # the Atlantic


def test_neighbours_share_their_border_exactly(by_name):
    """Borders are simplified once for both sides, so neighbours keep common vertices."""
    illinois = {tuple(p) for ring in rings_of(by_name["Illinois"]) for p in ring}
    indiana = {tuple(p) for ring in rings_of(by_name["Indiana"]) for p in ring}
    shared = illinois & indiana
    assert len(shared) >= 10
    assert all(-88.2 < lon < -87.4 for lon, _ in shared)


def test_rebuilding_reproduces_the_committed_file(tmp_path, capsys):
    out = tmp_path / "out" / "us_states.geojson"
    if DEFAULT_SOURCE.exists():
        assert main(["--source", str(DEFAULT_SOURCE), "--out", str(out)]) == 0
        assert out.read_bytes() == OUTLINES.read_bytes()
    else:  # without node_modules, check the same path end to end on the hand-written topology
        source = tmp_path / "topology.json"
        source.write_text(json.dumps(TOPOLOGY), encoding="utf-8")
        assert main(["--source", str(source), "--out", str(out)]) == 0
        first = out.read_bytes()
        assert main(["--source", str(source), "--out", str(out)]) == 0
        assert out.read_bytes() == first
        assert json.loads(first) == build_feature_collection(TOPOLOGY)
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("wrote ") and " features, " in line for line in lines)
    assert not list(out.parent.glob("*.tmp"))


def test_a_missing_source_fails_without_writing(tmp_path, capsys):
    out = tmp_path / "us_states.geojson"
    assert main(["--source", str(tmp_path / "absent.json"), "--out", str(out)]) == 1
    assert "npm install" in capsys.readouterr().err
    assert not out.exists()


# --- decoding and simplification on a hand-written topology -------------------------------------


def test_arcs_are_delta_decoded_and_transformed():
    arcs = decode_arcs(TOPOLOGY)
    assert len(arcs) == 6
    assert arcs[0] == [grid(4, 0), grid(4, 4)]
    assert arcs[1] == [grid(4, 4), grid(0, 4), grid(0, 0), grid(4, 0)]
    assert arcs[2] == [[-98.0, 40.0], [-96.0, 40.0], [-96.0, 41.0], [-98.0, 41.0]]


def test_arcs_without_a_transform_are_absolute():
    topology = {"type": "Topology", "arcs": [[[-90.5, 30.25], [-90.0, 30.5]]], "objects": {}}
    assert decode_arcs(topology) == [[[-90.5, 30.25], [-90.0, 30.5]]]


def test_rings_are_stitched_and_a_negative_index_reverses_the_arc():
    records = decode_topology(TOPOLOGY)
    assert [record["id"] for record in records] == ["20", "10", "30"]
    assert records[0]["properties"] == {"name": "East", "extra": 1}
    # East is arc 2 then arc ~0 (arc 0 reversed, running north to south), joined without repeats.
    assert records[0]["polygons"] == [[[grid(4, 0), grid(8, 0), grid(8, 4), grid(4, 4), grid(4, 0)]]]
    assert records[1]["polygons"] == [[[grid(4, 0), grid(4, 4), grid(0, 4), grid(0, 0), grid(4, 0)]]]
    island, sliver = records[2]["polygons"]
    assert [len(ring) for ring in island] == [5, 5]
    assert sliver == [[grid(40, 0), grid(40, 1), grid(40, 0)]]


def test_unsupported_input_is_rejected():
    with pytest.raises(TopologyError):
        decode_arcs({"type": "FeatureCollection", "features": []})
    with pytest.raises(TopologyError):
        decode_topology(TOPOLOGY, "counties")
    lines = copy.deepcopy(TOPOLOGY)
    lines["objects"]["states"]["geometries"][0] = {"type": "LineString", "id": "40", "arcs": [0]}
    with pytest.raises(TopologyError):
        decode_topology(lines)


def test_feature_collection_from_the_topology():
    collection = build_feature_collection(TOPOLOGY)
    features = collection["features"]
    assert [f["properties"] for f in features] == [
        {"name": "West", "fips": "10"}, {"name": "East", "fips": "20"}, {"name": "Islands", "fips": "30"}]
    west, east, islands = features
    assert west["geometry"] == {"type": "Polygon", "coordinates": [
        [[-98.0, 40.0], [-98.0, 41.0], [-100.0, 41.0], [-100.0, 40.0], [-98.0, 40.0]]]}
    # The sliver collapses and is dropped; the island keeps its lake, wound clockwise.
    assert islands["geometry"]["type"] == "Polygon"
    exterior, lake = islands["geometry"]["coordinates"]
    assert signed_area(exterior) > 0 > signed_area(lake)
    assert feature_contains(islands, 40.5, -89.5) and not feature_contains(islands, 41.0, -88.0)
    assert feature_contains(east, 40.5, -97.0) and not feature_contains(west, 40.5, -97.0)


def test_a_state_left_with_no_ring_is_an_error():
    topology = copy.deepcopy(TOPOLOGY)
    topology["objects"]["states"]["geometries"].append(
        {"type": "Polygon", "id": "50", "properties": {"name": "Sliver"}, "arcs": [[5]]})
    with pytest.raises(TopologyError, match="Sliver"):
        build_feature_collection(topology)


def test_douglas_peucker_keeps_ends_and_far_points_only():
    line = [[0.0, 0.0], [1.0, 0.001], [2.0, 0.0], [3.0, 1.0], [4.0, 0.0]]
    assert simplify_line(line, 0.01) == [[0.0, 0.0], [2.0, 0.0], [3.0, 1.0], [4.0, 0.0]]
    assert simplify_line(line, 0.0) == line
    assert simplify_line(line, 5.0) == [[0.0, 0.0], [4.0, 0.0]]
    assert simplify_line(line[:2], 5.0) == line[:2]


def test_clean_ring_rounds_closes_and_drops_degenerate_rings():
    assert clean_ring([[0.12341, 0.0], [1.0, 0.0], [1.0, 1.00004], [1.0, 1.0]], 3) == [
        [0.123, 0.0], [1.0, 0.0], [1.0, 1.0], [0.123, 0.0]]
    assert clean_ring([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]], 3) is None
    assert clean_ring([[0.0, 0.0], [0.0001, 0.0], [0.0, 0.0002], [0.0, 0.0]], 3) is None


def test_wind_sets_the_direction():
    clockwise = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    assert signed_area(clockwise) < 0
    assert wind(clockwise, True) == list(reversed(clockwise))
    assert wind(clockwise, False) == clockwise
