"""axe-core (from the npm registry) on every page, in the states people reach.

The project's own content must have no serious or critical violation. A violation that comes
from Streamlit's own components, which this project cannot change, is listed in
STREAMLIT_OWNED with the reason; today that list is empty. Every violation of any impact is
written to test-output/e2e/axe-<state>.json for review.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import AXE, OUTPUT, grid_rows, open_app, wait_for_app

# rule id -> (why it is Streamlit's, a pattern matching only the nodes Streamlit draws)
STREAMLIT_OWNED: dict[str, tuple[str, re.Pattern]] = {}


def _expand_export(page):
    page.get_by_text("Export, print or share this view").click()
    page.get_by_role("button", name="Spreadsheet (CSV)").wait_for(state="visible")


def _open_state_menu(page):
    page.locator('[data-testid="stSelectbox"]').filter(has_text="State").click()
    page.get_by_role("option", name="New York (NY)").wait_for(state="visible")


STATES = {
    "overview": ("", None),
    "directory-card": ("directory?org=american-dystonia-society", None),
    "directory-export": ("directory?focus=torticollis", _expand_export),
    "directory-state-menu": ("directory", _open_state_menu),
    "directory-nothing-found": ("directory?q=no+such+group", None),
    "nearby": ("nearby?near=60601", None),
    "nearby-nothing-within": ("nearby?near=99501&radius=25", None),
    "nearby-unknown-place": ("nearby?near=abcde", None),
    "fit": ("fit?area=eyelids", None),
    "about": ("about", None),
    "presentation": ("?present=1", None),
    "presentation-near": ("?present=1&scene=near", None),
}


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300)}))}));
    }""")


def _streamlit_owned(violation: dict, node: dict) -> bool:
    owned = STREAMLIT_OWNED.get(violation["id"])
    return bool(owned and owned[1].search(node["html"]))


@pytest.mark.parametrize("state", list(STATES))
def test_no_serious_or_critical_violations(page, server, state):
    path, action = STATES[state]
    open_app(page, server, path)
    if action:
        action(page)
    violations = run_axe(page)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"axe-{state}.json").write_text(json.dumps(violations, indent=1))
    ours = [f"{v['impact']} {v['id']} ({v['help']}): {node['target']}"
            for v in violations if v["impact"] in ("serious", "critical")
            for node in v["nodes"] if not _streamlit_owned(v, node)]
    assert ours == []


def test_every_map_has_a_text_alternative_and_a_table(page, server):
    for path in ("", "directory", "nearby?near=60601"):
        open_app(page, server, path)
        chart = page.locator('[data-testid="stDeckGlJsonChart"]')
        assert chart.get_attribute("role") == "figure"
        label = chart.get_attribute("aria-label")
        assert label.startswith("Map of ") and "Dystonia Medical Research Foundation" in label
        assert grid_rows(page) >= 1, "a table lists what the map shows"


def test_colour_is_never_the_only_cue_for_focus(page, server):
    open_app(page, server, "directory")
    legend = page.get_by_role("list", name="Map legend")
    items = legend.get_by_role("listitem").all_inner_texts()
    assert [item.split("\n")[0] for item in items] == ["T", "B", "S", "G"]  # a letter on every swatch
    assert "Torticollis (cervical dystonia)" in items[0]
    page.get_by_text("Include general dystonia groups").click()  # the table names each focus in words
    wait_for_app(page)
    # The grid repaints its rows after the run that changed them: wait for its own row count to follow.
    page.wait_for_function("""() => document.querySelector('[data-testid="stDataFrame"] [aria-rowcount]')
                                     ?.getAttribute('aria-rowcount') === '5'""", timeout=120_000, polling=100)
    assert grid_rows(page, expect=4) == 4
    grid = page.locator('[data-testid="stDataFrame"]').first
    header = grid.locator('th[role="columnheader"]').all_text_contents()  # the grid's accessible table
    focus_column = header.index("Focus")
    rows = grid.locator('tbody tr[role="row"]')
    words = {rows.nth(i).locator('td[role="gridcell"]').nth(focus_column).text_content() for i in range(rows.count())}
    assert words == {"Torticollis", "Blepharospasm", "Voice & speech"}
