"""A national-size directory: every page on 20,000 synthetic organizations, grouped maps, narrowing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from atlas.directory.load import load_atlas
from atlas.directory.request import ViewRequest
from atlas.directory.view import select_view
from atlas.ingest.synth import write_folder
from atlas.outputs.mapview import POINT_LIMIT, clusters
from tests.app.conftest import open_panel, run_page, table

SIZE = 20_000


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    return write_folder(SIZE, tmp_path_factory.mktemp("synth-20k"), seed=11)


@pytest.fixture
def big(big_folder, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(big_folder))
    return big_folder


@pytest.fixture(scope="module")
def big_atlas(big_folder):
    return load_atlas(big_folder)


@pytest.mark.parametrize("page, params", [
    (None, {}), ("directory", {}), ("directory", {"focus": "speech", "state": "CA"}), ("nearby", {}),
    ("nearby", {"near": "60601"}), ("nearby", {"near": "Denver, CO", "radius": "100", "focus": "torticollis"}),
    ("fit", {"area": "voice"}), ("about", {}), ("present", {"present": "1"}),
    ("present", {"present": "1", "scene": "near", "near": "Austin, TX"}),
])
def test_every_page_renders_a_national_directory(big, page, params):
    at = run_page(page, params, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    for chart in at.get("deck_gl_json_chart"):
        assert len(chart.proto.json) < 3_000_000


def test_directory_table_holds_every_row_and_the_map_groups_them(big):
    at = run_page("directory", timeout=300)
    assert len(table(at)) == SIZE
    assert f"Showing {SIZE:,} of {SIZE:,} organizations." in " ".join(c.value for c in at.caption)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert "clusters" in layers and "organizations" not in layers
    assert len(at.selectbox(key="org").options) <= 51  # a search box and its best matches, not 20,000 names


def test_about_sends_a_national_point_table_only_once_its_panel_is_opened(big):
    at = run_page("about", timeout=300)
    assert len(at.dataframe) == 1, "only the table of checks; the 20,000 points wait for the panel"
    at = open_panel(at, "about-points")
    points = table(at)
    assert len(points) == SIZE and list(points.columns)[:2] == ["Organization", "Precision"]


def test_cluster_counts_add_up_to_the_organizations_shown(big_atlas):
    view = select_view(big_atlas, ViewRequest(focus=("torticollis",)))
    shown = big_atlas.frame.take(view.rows)
    cells = clusters(shown)
    assert int(cells["count"].sum()) == int(shown["latitude"].notna().sum())
    mix = cells["focus_label"].str.extract(r"Torticollis ([\d,]+)")[0].fillna("0").str.replace(",", "").astype(int)
    assert int(mix.sum()) == int(shown.loc[shown["latitude"].notna(), "is_torticollis"].sum())


def test_opening_a_cluster_narrows_the_view_until_single_organizations_show(big_atlas):
    """What a click on a cell does (the map's select handler puts its box in the request): a few
    clicks from the national map reach single organizations."""
    request = ViewRequest()
    for _ in range(6):
        view = select_view(big_atlas, request)
        shown = big_atlas.frame.take(view.rows)
        if int(shown["latitude"].notna().sum()) <= POINT_LIMIT:
            break
        cells = clusters(shown)
        biggest = cells.sort_values("count").iloc[-1]
        box = tuple(float(v) for v in biggest["bbox"].split(","))
        narrower = select_view(big_atlas, request.replace(bbox=box))
        assert len(narrower) == int(biggest["count"]) and len(narrower) < len(view)
        request = request.replace(bbox=box)
    assert int(big_atlas.frame.take(select_view(big_atlas, request).rows)["latitude"].notna().sum()) <= POINT_LIMIT


def test_a_bbox_link_opens_the_narrowed_directory(big, big_atlas):
    box = "40.0,-90.0,43.0,-86.0"
    at = run_page("directory", {"bbox": box}, timeout=300)
    lat, lon = big_atlas.index.lats, big_atlas.index.lons
    inside = int(np.sum((lat >= 40) & (lat <= 43) & (lon >= -90) & (lon <= -86)))
    assert len(table(at)) == inside
    assert any(b.label == "Show the whole map again" for b in at.button)
