"""A page full of markup and script, loaded through ATLAS_DATA_DIR, opened on every page of the app.

The payloads try to set window.__pwned or open a dialog. Nothing may run, no javascript: link may
exist, and every payload must be on screen as plain text. The table is drawn on a canvas, so its
link cells are read from the data the app sends the browser (the dataframe's Arrow bytes in the
websocket messages), not from the DOM.
"""

from __future__ import annotations

import re
import time

import pyarrow as pa
import pytest

from tests.e2e.conftest import TIMEOUT, TWO_FRAMES_JS, exceptions, main_text, open_app, screenshot, script_runs

HOSTILE_PAGES = {
    "overview": "",
    "directory": "directory",
    "directory-card": "directory?org=script-window-pwned-1-script-dystonia-group",
    "directory-card-links": "directory?org=click-me-javascript-window-pwned-1-blepharospasm-circle",
    "nearby": "nearby?near=60601",
    "nearby-radius": "nearby?near=60601&radius=3000",
    "fit": "fit?area=voice",
    "about": "about",
    "presentation": "?present=1",
}


def _no_script_ran(page, dialogs):
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []


def _no_live_markup(page):
    live = page.evaluate("""() => ({
        javascriptLinks: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
            .filter(h => /^\\s*(javascript|data|vbscript):/i.test(h)),
        injectedScripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('pwned')).length,
        handlers: [...document.querySelectorAll('[onerror],[onload],[onmouseover]')].length,
        iframes: [...document.querySelectorAll('iframe')].filter(f => /javascript:/i.test(f.getAttribute('src') || '')).length,
    })""")
    assert live == {"javascriptLinks": [], "injectedScripts": 0, "handlers": 0, "iframes": 0}


@pytest.mark.parametrize("name", list(HOSTILE_PAGES))
def test_hostile_page_is_inert_on_every_page(page, hostile_server, name):
    """Each page is loaded once; the checks below that concern it (payloads as text, the table's
    link cells) read the same load."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, hostile_server, HOSTILE_PAGES[name])
    assert exceptions(page) == []
    page.evaluate(TWO_FRAMES_JS)  # an onerror or onload handler would have fired by now
    _no_script_ran(page, dialogs)
    _no_live_markup(page)
    for check in PAGE_CHECKS.get(name, ()):
        check(page)
    screenshot(page, f"hostile-{name}")


def _payloads_show_as_text(page):
    text = main_text(page)
    assert "What is <script>window.__pwned=1</script> Dystonia?" in text
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert "[Click here](javascript:window.__pwned=1)" in text and "{{7*7}}" in text and "$x^2$" in text


def _card_shows_values_as_published(page):
    card = main_text(page)
    assert "<script>window.__pwned=1</script> Dystonia Group" in card
    assert 'Phone: =HYPERLINK("http://evil.example","call")' in card
    assert "Website: javascript:window.__pwned=1" in card
    assert page.get_by_role("link", name="javascript:window.__pwned=1").count() == 0
    card_links = page.locator('[data-testid="stVerticalBlockBorderWrapper"] a, [data-testid="stLayoutWrapper"] a')
    assert not [h for h in card_links.evaluate_all("links => links.map(a => a.href)") if "evil.example" in h], \
        "a value shown as published never turns into a link"


def test_map_tooltip_shows_a_hostile_name_as_text(page, hostile_server):
    open_app(page, hostile_server, "directory?state=TX")  # one organization: "[Click me](javascript:…)"
    box = page.locator('[data-testid="stDeckGlJsonChart"]').bounding_box()
    tooltip = page.locator(".deck-tooltip")
    wiggle = 0
    deadline = time.monotonic() + TIMEOUT / 1000
    while not (tooltip.count() and tooltip.first.is_visible()):  # deck.gl picks once it has drawn the point
        assert time.monotonic() < deadline, "no tooltip over the only point"
        wiggle = 1 - wiggle
        page.mouse.move(box["x"] + box["width"] / 2 + wiggle, box["y"] + box["height"] / 2)
        page.evaluate(TWO_FRAMES_JS)
    assert "[Click me](javascript:window.__pwned=1) Blepharospasm Circle" in tooltip.first.inner_text()
    html = tooltip.first.inner_html()
    assert "<a" not in html and "<script" not in html and "<img" not in html
    _no_script_ran(page, [])


SAFE_LINK = re.compile(r"^(tel:|mailto:|https?://)", re.IGNORECASE)
LINK_COLUMNS = ("Phone", "Email", "Website")


def sent_tables(page) -> list[pa.Table]:
    """Every dataframe the app sent this page, decoded from the Arrow stream in its message."""
    tables = []
    for frame in script_runs(page).elements["dataframe"]:
        data = frame.arrow_data.data or frame.lazy_data.initial_chunk.data
        tables.append(pa.ipc.open_stream(data).read_all())
    return tables


def _table_link_cells_are_safe(page):
    """The table is drawn on a canvas: read its link cells from the Arrow data the app sent."""
    tables = [t for t in sent_tables(page) if set(LINK_COLUMNS) <= set(t.column_names)]
    assert tables, "the page sent its organization table"
    table = tables[-1]
    assert table.num_rows == 4, "every organization of the hostile page is in the table"
    cells = {column: table.column(column).to_pylist() for column in LINK_COLUMNS}
    unsafe = [(column, value) for column, values in cells.items() for value in values
              if value is not None and (not SAFE_LINK.match(value) or "javascript:" in value.lower()
                                        or "<" in value or '"' in value)]
    assert unsafe == []
    # The check has teeth: the valid contacts are links, the hostile ones are dropped.
    assert "tel:+1-714-378-9837" in cells["Phone"] and "mailto:friends@torticollisfriends.org" in cells["Email"]
    assert sum(value is None for value in cells["Website"]) >= 2  # javascript: and data: are never links


PAGE_CHECKS = {
    "overview": (_payloads_show_as_text, _table_link_cells_are_safe),
    "directory": (_table_link_cells_are_safe,),
    "directory-card": (_card_shows_values_as_published,),
    "nearby": (_table_link_cells_are_safe,),
}
assert set(PAGE_CHECKS) <= set(HOSTILE_PAGES), "every page with extra checks is one the inert test loads"
