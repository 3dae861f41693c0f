"""Every page in Chromium: it loads, draws its map offline, filters, selects and shares."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest

from atlas.directory.load import prepare
from atlas.ingest.build import open_data_dir
from tests.conftest import DATA
from tests.e2e.conftest import (
    click_until_rerun,
    exceptions,
    grid_rows,
    main_text,
    open_app,
    start_server,
    wait_for_app,
)
from tests.e2e.mapgeometry import (
    colour_near,
    drawn_canvas,
    expected_points,
    outline_fill,
    outlines_drawn,
    project,
    sent_view,
)
from tests.e2e.visits import PAGES
from ui.widgets import TABLE_ROW_HEIGHT


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_without_an_exception_and_is_screenshotted(visits, name):
    visit = visits(name)
    assert visit.exceptions == []
    assert visit.headings >= 1
    assert visit.screenshot.stat().st_size > 20_000


def _located(expected, box):
    return [(p, project(p["lat"], p["lon"], p["view"], box["width"], box["height"])) for p in expected]


def _every_point_drawn(expected, fill):
    def ready(image, box):
        located = _located(expected, box)
        return outlines_drawn(image, fill) and all(
            max(colour_near(image, x, y, other["colour"]) for other, xy in located if math.dist((x, y), xy) < 26) >= 4
            for _, (x, y) in located)
    return ready


def test_map_draws_every_organization_offline_where_it_belongs(page, server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    open_app(page, server, "directory")
    # The street basemap is off by default, so no tiles are asked for; the outlines are the app's own.
    assert not [url for url in requests if "cartocdn" in url or "mapbox" in url]
    assert f"{server.url}/app/static/us_states.geojson" in requests, "the outlines load from the app's own files"
    expected = expected_points(DATA, sent_view(page))
    fill = outline_fill(page)
    image, box = drawn_canvas(page, _every_point_drawn(expected, fill))
    assert outlines_drawn(image, fill), "the state outlines (app/static/us_states.geojson) are drawn"
    located = _located(expected, box)
    for point, (x, y) in located:
        # Where markers overlap, the one on top hides the others: any colour of the stack will do.
        stack = {other["colour"] for other, xy in located if math.dist((x, y), xy) < 26}
        assert max(colour_near(image, x, y, colour) for colour in stack) >= 4, (point["name"], x, y)
    drawn = {colour for colour in {p["colour"] for p in expected} if any(
        colour_near(image, *xy, colour) >= 4 for _, xy in located)}
    assert len(drawn) == 4, "every focus colour is on the map"
    background = image.getpixel((5, int(box["height"]) - 5))[:3]
    assert colour_near(image, 5, box["height"] - 5, background, radius=0) == 12  # the corner is background


def test_filters_chosen_in_the_browser_change_the_rows(page, server):
    """Also: colour is never the only cue for a focus (WCAG 1.4.1). The legend puts a letter on
    every swatch, and the table names each focus in words."""
    open_app(page, server, "directory")
    assert grid_rows(page, expect=8) == 8
    legend = page.get_by_role("list", name="Map legend").get_by_role("listitem").all_inner_texts()
    assert [item.split("\n")[0] for item in legend] == ["T", "B", "S", "G"]  # a letter on every swatch
    assert "Torticollis (cervical dystonia)" in legend[0]
    grid = page.locator('[data-testid="stDataFrame"]').first
    header = grid.locator('th[role="columnheader"]').all_text_contents()  # the grid's accessible table
    focus_column = header.index("Focus")
    rows = grid.locator('tbody tr[role="row"]')
    words = {rows.nth(i).locator('td[role="gridcell"]').nth(focus_column).text_content() for i in range(rows.count())}
    built = open_data_dir(DATA)
    assert words == set(prepare(built.page, built.organizations).frame["Focus"]), "every row names its focus"
    assert {"Torticollis", "Blepharospasm", "Voice & speech", "General"} <= words
    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Focus").click()
    page.get_by_role("option", name="Torticollis (cervical dystonia)").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert grid_rows(page, expect=6) == 6
    page.get_by_text("Include general dystonia groups").click()
    wait_for_app(page)
    assert grid_rows(page, expect=2) == 2
    assert "Showing 2 of 8 organizations." in main_text(page)
    query = parse_qs(urlsplit(page.evaluate("location.href")).query)
    assert query["focus"] == ["torticollis"] and query["general"] == ["false"]
    search = page.get_by_label("Search names and cities")
    search.fill("mukwonago")
    search.press("Enter")
    wait_for_app(page)
    assert grid_rows(page, expect=1) == 1


def test_state_filter_in_the_browser(visits):
    visit = visits("directory-state-menu")  # the State menu opened on Directory, then New York chosen
    assert [parse_qs(urlsplit(stop).query).get("state") for stop in visit.stops] == [None, ["NY"]]
    assert visit.table_rows == [2]


def test_clicking_a_map_point_opens_its_detail_card(page, server):
    open_app(page, server, "directory?focus=torticollis&state=CA")
    (point,) = [p for p in expected_points(DATA, sent_view(page)) if p["name"].startswith("National Spasmodic")]
    chart = page.locator('[data-testid="stDeckGlJsonChart"]')
    image, box = drawn_canvas(page, lambda image, box: colour_near(image, box["width"] / 2, box["height"] / 2,
                                                                   point["colour"]) >= 4)
    assert colour_near(image, box["width"] / 2, box["height"] / 2, point["colour"]) >= 4, "the only point is centred"
    page_box = chart.bounding_box()
    click_until_rerun(page, lambda: page.mouse.click(page_box["x"] + page_box["width"] / 2,
                                                     page_box["y"] + page_box["height"] / 2))
    card = main_text(page)
    assert "National Spasmodic Torticollis Association" in card and "9920 Talbert Avenue" in card
    assert "org=national-spasmodic-torticollis-association" in page.evaluate("location.href")
    assert page.get_by_role("link", name="(714) 378-9837").get_attribute("href") == "tel:+1-714-378-9837"


def test_choosing_a_table_row_opens_its_detail_card(page, server):
    open_app(page, server, "directory")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    header = 35  # the grid's header row; data rows are TABLE_ROW_HEIGHT tall
    page.mouse.click(box["x"] + 17, box["y"] + header + TABLE_ROW_HEIGHT * 4 + TABLE_ROW_HEIGHT / 2)  # row 5
    wait_for_app(page)
    assert "637 North 7th Street, Suite 102" in main_text(page)  # the BEBRF card
    directions = page.get_by_role("link", name="Directions").get_attribute("href")
    assert directions.startswith("https://www.google.com/maps/dir/?api=1&destination=637")


def test_links_between_pages_keep_the_parameters(visits):
    # Directory with filters and a chosen card, then its "Rank these by distance" link.
    directory, nearby = visits("directory-filtered").stops
    assert parse_qs(urlsplit(directory).query)["org"] == ["american-dystonia-society"]
    assert urlsplit(nearby).path == "/nearby"
    assert parse_qs(urlsplit(nearby).query) == {"focus": ["torticollis"], "state": ["CA"]}


def test_a_deep_link_on_a_fresh_server_runs_inside_the_app(page):
    fresh = start_server("fresh")
    try:
        open_app(page, fresh, "nearby?near=60601")  # the first request this server ever sees
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Which group fits?" in nav and "About the data" in nav
        assert "nearby.py" not in nav.lower()
    finally:
        fresh.stop()


def test_nearby_in_the_browser(page, server):
    open_app(page, server, "nearby")
    place = page.get_by_label("ZIP code, city and state, or address")
    place.fill("99501")
    place.press("Enter")
    wait_for_app(page)
    text = main_text(page)
    assert "organizations, nearest first." in text
    assert grid_rows(page, expect=8) == 8, "with no radius, every organization is ranked"
    assert "radius" not in page.evaluate("location.href")
    page.get_by_text("Only within a radius").click()
    wait_for_app(page)
    assert "No organization has an office within 250 miles of Anchorage" in main_text(page)
    assert "radius=250" in page.evaluate("location.href")
    page.get_by_role("button", name="Widen the search to 2,500 miles").click()
    wait_for_app(page)
    assert "within 2,500 miles" in main_text(page)
    page.get_by_text("Only within a radius").click()  # off again: every match, and no radius in the link
    wait_for_app(page)
    assert grid_rows(page, expect=8) == 8 and "radius" not in page.evaluate("location.href")
    place.fill("abcde")
    place.press("Enter")
    wait_for_app(page)
    assert 'No US place matches "abcde"' in main_text(page)
    assert exceptions(page) == []


def test_a_link_with_a_radius_switches_the_radius_on(visits):
    visit = visits("nearby-within-radius")  # nearby?near=60601&radius=100
    assert visit.switches["Only within a radius"] is True
    assert "within 100 miles, nearest first." in visit.text
    assert visit.table_rows[0] < 8


def test_downloads_from_the_app(visits):
    visit = visits("directory-export")  # directory?focus=torticollis, its export panel open
    checks = {"Spreadsheet (CSV)": lambda data: data.startswith(b"\xef\xbb\xbfname,focus"),
              "Printable handout (PDF)": lambda data: data.startswith(b"%PDF-"),
              "Map image for slides (PNG)": lambda data: data.startswith(b"\x89PNG")}
    assert set(visit.downloads) == set(checks)
    for label, path in visit.downloads.items():
        assert checks[label](path.read_bytes()), label
        assert path.name.startswith("dystonia-atlas-torticollis-and-general-dystonia-groups")
    assert visit.exceptions == []
