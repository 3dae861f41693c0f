"""The three tasks a new user brought, run as that user would, with a screenshot of each kept in
test-output/e2e/: a person in Denver with neck dystonia, an advocate in Chicago finding a speech
group for a friend and printing a handout, and a presenter stepping through the scenes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.e2e.conftest import exceptions, main_text, new_tab, open_app, screenshot, wait_for_app
from tests.e2e.stage import assert_scene_fits, assert_stage_furniture


def test_denver_neck_dystonia(browser, server):
    page = new_tab(browser)
    page.set_viewport_size({"width": 1366, "height": 900})
    try:
        open_app(page, server, "nearby?focus=torticollis")
        page.get_by_label("ZIP code, city and state, or address").fill("Denver, CO")
        page.keyboard.press("Enter")
        wait_for_app(page)
        page.wait_for_function("() => document.body.innerText.includes('Distances from Denver')",
                               timeout=120_000)
        text = main_text(page)
        assert exceptions(page) == []
        assert "No organization has an office within" not in text  # leads with the groups, not a warning
        assert "national" in text and "nearest first" in text
        screenshot(page, "task-denver-neck-dystonia")
    finally:
        page.context.close()


def test_chicago_friend_with_spasmodic_dysphonia_and_a_handout(browser, server):
    page = new_tab(browser, accept_downloads=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    try:
        open_app(page, server, "nearby?near=Chicago,%20IL&focus=speech&radius=500")
        text = main_text(page)
        assert exceptions(page) == []
        assert "The nearest voice and speech group is American Speech-Language-Hearing Association (ASHA)" in text
        # A laptop shows the table and hides the phone's card list (tests/e2e/test_screens.py has the phone).
        assert page.locator('[data-testid="stDataFrame"]').is_visible()
        assert not page.locator('[class*="st-key-nearby_table-atlas-table"] [data-testid="stMarkdown"]').is_visible()
        page.get_by_text("Export, print or share this view").click()
        button = page.get_by_role("button", name="Printable handout (PDF)")
        button.wait_for(timeout=120_000)
        with page.expect_download(timeout=120_000) as download:
            button.click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF-")
        screenshot(page, "task-chicago-speech-handout")
    finally:
        page.context.close()


def test_presenter_steps_through_the_scenes(browser, server):
    """On a 1920x1080 projector, with the Next and Previous links; every scene fits the screen.
    tests/e2e/test_screens.py steps with the keys on a 1280x720 one."""
    page = new_tab(browser)
    page.set_viewport_size({"width": 1920, "height": 1080})
    try:
        open_app(page, server, "?present=1")
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert_stage_furniture(page)
        seen, titles = [], []
        for _ in range(5):
            seen.append(parse_qs(urlsplit(page.evaluate("location.href")).query)["scene"][0])
            titles.append(page.locator("h1").first.inner_text())
            assert f"Scene {len(seen)} of 5" in main_text(page)
            assert_scene_fits(page, seen[-1])
            screenshot(page, f"task-presenter-{seen[-1]}")
            page.get_by_role("link", name="Next").click()
            wait_for_app(page)
        assert seen == ["all", "torticollis", "blepharospasm", "speech", "near"]
        assert titles == ["Where to find help", "Torticollis (cervical dystonia)", "Blepharospasm (eyelids)",
                          "Voice and speech (spasmodic dysphonia)", "Groups near Chicago, IL"]
        assert page.locator("h1").first.inner_text() == "Where to find help"  # wraps round
        page.get_by_role("link", name="Previous").click()
        wait_for_app(page)
        assert "scene=near" in page.evaluate("location.href")
        font = page.evaluate("getComputedStyle(document.querySelector('[data-testid=stMain] li')).fontSize")
        assert float(font.removesuffix("px")) >= 20  # large type for a room
        assert exceptions(page) == []
    finally:
        page.context.close()
