"""The static PNG map: right size, right colours, a ring around a search point, safe with hostile text."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from atlas.directory.load import prepare
from atlas.directory.request import ViewRequest
from atlas.directory.view import View, select_view
from atlas.geocode import Place
from atlas.ingest.build import build_directory
from atlas.outputs.mapview import FOCUS_COLORS
from atlas.outputs.staticmap import MAP_BOX, footer_lines, render_map_png
from tests.conftest import PAGES

CHICAGO = Place("Chicago, IL, USA", 41.8781, -87.6298, "city")
LAND_FILL_RGB = (238, 238, 232)
RING_RGB = (60, 60, 60)


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(_image(png).convert("RGB"), dtype=np.int16)


def _count_near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 10) -> int:
    return int((np.abs(pixels - np.array(rgb)).max(axis=-1) <= tolerance).sum())


def _map_area(pixels: np.ndarray) -> np.ndarray:
    """The map panel only, so a legend swatch cannot stand in for a point on the map."""
    height, width = pixels.shape[:2]
    left, bottom, box_width, box_height = MAP_BOX
    top = int(height * (1 - bottom - box_height))
    return pixels[top:int(height * (1 - bottom)), int(width * left):int(width * (left + box_width))]


def _view(directory, **request) -> View:
    return select_view(prepare(directory.page, directory.organizations), ViewRequest(**request))


@pytest.fixture(scope="module")
def whole_directory_png(directory) -> bytes:
    return render_map_png(_view(directory))


def test_whole_directory_is_a_png_of_the_default_size(whole_directory_png):
    image = _image(whole_directory_png)
    assert image.format == "PNG" and image.size == (1600, 900)


@pytest.mark.parametrize("size", [(800, 450), (1000, 1000), (1280, 720), (333, 777)])
def test_custom_sizes_are_exact(directory, size):
    image = _image(render_map_png(_view(directory), width_px=size[0], height_px=size[1]))
    assert image.format == "PNG" and image.size == size


@pytest.mark.parametrize("bad", [0, -5, 50_000, 800.5, True])
def test_unreasonable_sizes_are_refused(directory, bad):
    with pytest.raises(ValueError):
        render_map_png(_view(directory), width_px=bad)


def test_every_focus_in_the_directory_is_drawn_in_its_colour_on_the_map(whole_directory_png):
    on_map = _map_area(_pixels(whole_directory_png))
    for focus, rgb in FOCUS_COLORS.items():
        assert _count_near(on_map, rgb) > 200, focus


def test_a_torticollis_only_view_has_no_blepharospasm_colour(directory):
    view = _view(directory, focus=("torticollis",), include_general=False)
    assert view.organizations and all(org.focus == ("torticollis",) for org in view.organizations)
    pixels = _pixels(render_map_png(view))
    assert _count_near(_map_area(pixels), FOCUS_COLORS["torticollis"]) > 200
    for other in ("blepharospasm", "speech", "general"):  # nor in the legend: it explains only what is drawn
        assert _count_near(pixels, FOCUS_COLORS[other]) == 0, other


def test_a_search_point_draws_its_radius_ring(directory):
    request = ViewRequest(near="Chicago, IL", radius_mi=250)
    organizations = [o for o in directory.organizations if o.state in ("IL", "WI")]
    with_origin = View.listing(request, directory.page, organizations, origin=CHICAGO)
    without_origin = View.listing(request, directory.page, organizations)
    ringed, plain = _pixels(render_map_png(with_origin)), _pixels(render_map_png(without_origin))
    assert not np.array_equal(ringed, plain)
    # A 250-mile ring around Chicago is a long dark line: thousands of ring-coloured pixels the plain map lacks.
    assert _count_near(_map_area(ringed), RING_RGB, 12) - _count_near(_map_area(plain), RING_RGB, 12) > 1500


def test_the_ring_fits_inside_the_frame(directory):
    """The frame is fitted to the ring, so no side of the map panel is cut by it and land shows around it."""
    view = View.listing(ViewRequest(near="Chicago, IL", radius_mi=250), directory.page, [], origin=CHICAGO)
    on_map = _map_area(_pixels(render_map_png(view)))
    ring = np.abs(on_map - np.array(RING_RGB)).max(axis=-1) <= 12
    rows, columns = np.nonzero(ring)
    assert rows.size > 1500
    height, width = ring.shape
    assert rows.min() > 3 and rows.max() < height - 4 and columns.min() > 3 and columns.max() < width - 4


def test_hostile_page_and_title_render_literally_without_error():
    hostile = build_directory((PAGES / "hostile.txt").read_text(encoding="utf-8"))
    request = ViewRequest(query=r"<script>alert(1)</script> $x^2$ $\frac{$ {{7*7}} \ backslash")
    origin = Place(r"$\frac{$ <b>Springfield</b> \n", 39.8, -89.6, "city")
    view = View.listing(request, hostile.page, hostile.organizations, origin=origin)
    assert "<script>" in view.title and "$" in view.title
    image = _image(render_map_png(view))
    assert image.format == "PNG" and image.size == (1600, 900)
    assert "<script>" in footer_lines(view)[0]


def test_an_empty_view_still_shows_the_country(directory):
    view = _view(directory, query="no organization is called this")
    assert view.empty
    png = render_map_png(view)
    image = _image(png)
    assert image.format == "PNG" and image.size == (1600, 900)
    on_map = _map_area(_pixels(png))
    assert _count_near(on_map, LAND_FILL_RGB, 3) > 0.3 * on_map.shape[0] * on_map.shape[1]
    assert all(_count_near(on_map, rgb) == 0 for rgb in FOCUS_COLORS.values())


def test_rendering_is_deterministic(directory, whole_directory_png):
    assert render_map_png(_view(directory)) == whole_directory_png
    assert "Software" not in _image(whole_directory_png).info


def test_footer_names_the_source_the_date_and_what_is_missing(directory):
    view = _view(directory)
    source, facts = footer_lines(view)
    assert source == f"Source: {directory.page.source}"
    assert facts == "Contact details as of November 20, 2012" and directory.page.reviewed_on == date(2012, 11, 20)
    unplaced = view.organizations[0].replace(latitude=None, longitude=None)
    partial = View.listing(view.request, view.page, [unplaced, *view.organizations[1:3]])
    assert footer_lines(partial)[1] == "Contact details as of November 20, 2012 · 1 not shown: no location"
    _image(render_map_png(partial))  # the unplaced organization is left out of the drawing, not an error
