"""Screens in Chromium: a phone, a laptop, a 1280x720 projector (test_tasks.py has a 1920x1080 one), and
"Use my location" with a real browser position."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.e2e.conftest import exceptions, new_tab, open_app, screenshot, wait_for_app
from tests.e2e.stage import assert_scene_fits, assert_stage_furniture

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
PROJECTOR = {"width": 1280, "height": 720}
CHICAGO_LOOP = {"latitude": 41.886, "longitude": -87.618}


def _tab(browser, size: dict, **options):
    tab = new_tab(browser, **options)
    tab.set_viewport_size(size)
    return tab


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.evaluate("location.href")).query)


# --- a phone ------------------------------------------------------------------------------------


def test_phone_shows_the_card_list_instead_of_the_table_and_never_scrolls_sideways(browser, server):
    """The other way round, a laptop showing the table, is checked in the Chicago task (test_tasks.py)."""
    page = _tab(browser, PHONE)
    try:
        open_app(page, server, "nearby?near=60601")
        assert exceptions(page) == []
        table = page.locator('[class*="st-key-nearby_table-atlas-table"]')
        cards = table.locator('[data-testid="stMarkdown"]')
        grid = table.locator('[data-testid="stDataFrame"]')
        assert cards.is_visible() and not grid.is_visible()
        assert not page.locator('[data-testid="stDataFrame"]').is_visible()
        text = cards.inner_text()
        assert text.startswith("Dystonia Medical Research Foundation")
        assert "0 miles · General" in text and "Call 312\u2011755\u20110198" in text
        call = cards.locator('a[href="tel:+1-312-755-0198"]')
        assert call.count() == 1 and call.is_visible()
        widths = page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return {page: document.scrollingElement.scrollWidth, view: innerWidth,
                    main: main.scrollWidth, mainView: main.clientWidth};
        }""")
        assert widths["page"] <= widths["view"], widths
        assert widths["main"] <= widths["mainView"], widths
        screenshot(page, "screens-phone-nearby")
    finally:
        page.context.close()


# --- a laptop -----------------------------------------------------------------------------------

# The grid draws on a canvas; its columns and theme are read from the grid component's own props.
GRID_COLUMNS_JS = """(index) => {
    const canvas = document.querySelectorAll('[data-testid="stDataFrame"] canvas')[index];
    const key = Object.keys(canvas).find(k => k.startsWith('__reactFiber'));
    let fiber = canvas[key], columns = null, theme = null;
    while (fiber && !(columns && theme)) {
        const props = fiber.memoizedProps || {};
        if (!columns && Array.isArray(props.columns) && props.columns.length && 'width' in props.columns[0]) {
            columns = props.columns;
        }
        if (!theme && props.theme && props.theme.headerFontStyle) theme = props.theme;
        fiber = fiber.return;
    }
    const context = document.createElement('canvas').getContext('2d');
    const measure = (style, text) => { context.font = `${style} ${theme.fontFamily}`; return context.measureText(text).width; };
    return {
        grid: canvas.getBoundingClientRect().width,
        padding: theme.cellHorizontalPadding, icon: theme.headerIconSize,
        columns: columns.map(c => ({title: c.title, width: c.width, text: measure(theme.headerFontStyle, c.title)})),
        focusText: measure(theme.baseFontStyle, 'Torticollis, General'),
    };
}"""


def test_overview_table_at_1366_cuts_no_header_and_shows_whole_focus_values(browser, server):
    page = _tab(browser, LAPTOP)
    try:
        open_app(page, server, "")
        assert exceptions(page) == []
        grid = page.evaluate(GRID_COLUMNS_JS, 0)
        widths = {c["title"]: c["width"] for c in grid["columns"]}
        assert list(widths)[:2] == ["Organization", "Focus"]
        for column in grid["columns"]:
            # Title, the cell padding either side, and room for a help or menu icon.
            needed = column["text"] + 2 * grid["padding"] + grid["icon"] + grid["padding"]
            assert column["width"] >= needed, column
        assert widths["Focus"] >= grid["focusText"] + 2 * grid["padding"], "Torticollis, General fits one line"
        # Organization and Focus are both whole inside the table beside the page text.
        assert widths["Organization"] + widths["Focus"] <= grid["grid"], grid
        page.locator('[data-testid="stDataFrame"]').scroll_into_view_if_needed()
        screenshot(page, "screens-laptop-overview")
    finally:
        page.context.close()


# --- projectors ---------------------------------------------------------------------------------

STEPS = [("PageDown", "torticollis"), ("ArrowRight", "blepharospasm"), ("ArrowRight", "speech"),
         ("PageDown", "near"), ("ArrowLeft", "speech"), ("PageUp", "blepharospasm")]


def test_presentation_keys_step_through_scenes_and_every_map_is_on_screen(browser, server):
    """On the smaller projector, with the keys a clicker sends. tests/e2e/test_tasks.py steps
    through every scene with the Next and Previous links on a 1920x1080 one, with the same checks."""
    page = _tab(browser, PROJECTOR)
    size = f"{PROJECTOR['width']}x{PROJECTOR['height']}"
    try:
        open_app(page, server, "?present=1")
        assert exceptions(page) == []
        assert _query(page)["scene"] == ["all"]
        assert_scene_fits(page, "all")
        assert_stage_furniture(page)
        screenshot(page, f"screens-present-{size}-all")
        for key, scene in STEPS:
            page.keyboard.press(key)
            wait_for_app(page)
            assert _query(page)["scene"] == [scene], key
            assert_scene_fits(page, scene)
        screenshot(page, f"screens-present-{size}-{STEPS[-1][1]}")
    finally:
        page.context.close()


def test_scene_keys_leave_the_city_box_alone(browser, server):
    page = _tab(browser, PROJECTOR)
    try:
        open_app(page, server, "?present=1&scene=speech")
        page.get_by_role("button", name="Set city").click()
        box = page.get_by_role("textbox", name="City, ZIP code or address")
        box.fill("Denver")
        box.press("ArrowLeft")
        box.press("PageDown")
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        assert _query(page)["scene"] == ["speech"]
        assert box.input_value() == "Denver"
    finally:
        page.context.close()


# --- Use my location ----------------------------------------------------------------------------


def _press_use_my_location(page) -> None:
    frame = page.frame_locator('iframe[title="ui.location.geolocation"]')
    frame.get_by_role("button", name="Use my location").click()
    wait_for_app(page)


def test_use_my_location_puts_the_nearest_zip_code_in_the_url(browser, server):
    page = _tab(browser, LAPTOP, permissions=["geolocation"], geolocation=CHICAGO_LOOP)
    try:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        open_app(page, server, "nearby")
        _press_use_my_location(page)
        page.wait_for_function("() => new URLSearchParams(location.search).get('near') === '60601'",
                               timeout=120_000)
        wait_for_app(page, rerun=False)
        assert exceptions(page) == []
        assert page.get_by_label("ZIP code, city and state, or address").input_value() == "60601"
        assert "41.88" not in page.url and "87.61" not in page.url
        assert "Distances from ZIP code 60601" in page.locator('[data-testid="stMain"]').inner_text()
        host = urlsplit(server.url).netloc
        assert all(urlsplit(url).netloc == host for url in requests if url.startswith("http")), \
            "nothing is fetched from outside the app"
        screenshot(page, "screens-use-my-location")
    finally:
        page.context.close()


def test_use_my_location_refused_says_so(browser, server):
    page = _tab(browser, LAPTOP)  # no geolocation permission: the browser refuses
    try:
        open_app(page, server, "nearby")
        _press_use_my_location(page)
        page.get_by_text("did not share its position").wait_for(timeout=120_000)
        assert "near" not in _query(page)
    finally:
        page.context.close()
