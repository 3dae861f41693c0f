"""A page full of markup and script, loaded through ATLAS_DATA_DIR, opened on every page of the app.

The payloads try to set window.__pwned or open a dialog. Nothing may run, no javascript: link may
exist, and every payload must be on screen as plain text.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exceptions, main_text, open_app, screenshot

HOSTILE_PAGES = {
    "overview": "",
    "directory": "directory",
    "directory-card": "directory?org=script-window-pwned-1-script-dystonia-group",
    "directory-card-links": "directory?org=click-me-javascript-window-pwned-1-blepharospasm-circle",
    "nearby": "nearby?near=60601&radius=3000",
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
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, hostile_server, HOSTILE_PAGES[name])
    assert exceptions(page) == []
    page.wait_for_timeout(500)  # give any payload time to fire
    _no_script_ran(page, dialogs)
    _no_live_markup(page)
    screenshot(page, f"hostile-{name}")


def test_payloads_show_as_text(page, hostile_server):
    open_app(page, hostile_server, "")
    text = main_text(page)
    assert "What is <script>window.__pwned=1</script> Dystonia?" in text
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert "[Click here](javascript:window.__pwned=1)" in text and "{{7*7}}" in text and "$x^2$" in text
    open_app(page, hostile_server, "directory?org=script-window-pwned-1-script-dystonia-group")
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
    for _ in range(6):  # deck.gl picks points shortly after the first paint
        page.mouse.move(box["x"] + box["width"] / 2 + 1, box["y"] + box["height"] / 2)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(500)
        if tooltip.count() and tooltip.first.is_visible():
            break
    assert tooltip.first.is_visible()
    assert "[Click me](javascript:window.__pwned=1) Blepharospasm Circle" in tooltip.first.inner_text()
    html = tooltip.first.inner_html()
    assert "<a" not in html and "<script" not in html and "<img" not in html
    _no_script_ran(page, [])
