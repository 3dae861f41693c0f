"""Checks of a presentation on a projector, shared by the screen tests (keys) and the presenter's task
(Next and Previous)."""

from __future__ import annotations

MAP_BOX_JS = """() => {
    const box = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas').getBoundingClientRect();
    return {top: box.top, left: box.left, bottom: box.bottom, right: box.right, width: box.width,
            height: box.height, innerWidth, innerHeight};
}"""


def assert_scene_fits(page, where: str) -> None:
    """The scene starts at the top and its whole map is on screen (a projector cannot scroll)."""
    assert page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTop") == 0, where
    box = page.evaluate(MAP_BOX_JS)
    assert box["width"] > 600 and box["height"] > 300, (where, box)
    assert box["top"] >= 0 and box["left"] >= 0, (where, box)
    assert box["bottom"] <= box["innerHeight"] and box["right"] <= box["innerWidth"], (where, box)


def assert_stage_furniture(page) -> None:
    """Previous and Next sit side by side, and the legend reads as large as the body text."""
    previous = page.locator('.st-key-present-previous a')
    following = page.locator('.st-key-present-next a')
    gap = following.bounding_box()["x"] - (previous.bounding_box()["x"] + previous.bounding_box()["width"])
    assert 0 <= gap <= 24 and abs(following.bounding_box()["y"] - previous.bounding_box()["y"]) < 2
    legend = page.evaluate("""() => [getComputedStyle(document.querySelector('.atlas-legend')).fontSize,
        getComputedStyle(document.querySelector('[data-testid="stMain"] h2')).fontSize,
        getComputedStyle(document.querySelector('[data-testid="stMain"] li p, [data-testid="stMain"] li')).fontSize]""")
    assert float(legend[0].removesuffix("px")) >= float(legend[2].removesuffix("px")), legend
