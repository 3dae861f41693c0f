"""axe-core (from the npm registry) on every page, in the states people reach (tests/e2e/visits.py).

The project's own content must have no serious or critical violation. A violation that comes
from Streamlit's own components, which this project cannot change, is listed in
STREAMLIT_OWNED with the reason; today that list is empty. Every violation of any impact is
written to test-output/e2e/axe-<state>.json for review.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import OUTPUT, grid_rows, open_app, wait_for_app
from tests.e2e.visits import VISITS

# rule id -> (why it is Streamlit's, a pattern matching only the nodes Streamlit draws)
STREAMLIT_OWNED: dict[str, tuple[str, re.Pattern]] = {}


def _streamlit_owned(violation: dict, node: dict) -> bool:
    owned = STREAMLIT_OWNED.get(violation["id"])
    return bool(owned and owned[1].search(node["html"]))


@pytest.mark.parametrize("state", list(VISITS))
def test_no_serious_or_critical_violations(visits, state):
    violations = visits(state).violations
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"axe-{state}.json").write_text(json.dumps(violations, indent=1))
    ours = [f"{v['impact']} {v['id']} ({v['help']}) at {v['stop']}: {node['target']}"
            for v in violations if v["impact"] in ("serious", "critical")
            for node in v["nodes"] if not _streamlit_owned(v, node)]
    assert ours == []


def test_the_scene_walk_checks_every_focused_scene(visits):
    scenes = [parse_qs(urlsplit(stop).query)["scene"] for stop in visits("presentation-scenes").stops]
    assert scenes == [["torticollis"], ["blepharospasm"], ["speech"], ["near"]]


@pytest.mark.parametrize("state", ["overview", "directory", "nearby"])
def test_every_map_has_a_text_alternative_and_a_table(visits, state):
    visit = visits(state)
    assert len(visit.maps) == 1
    role, label = visit.maps[0]
    assert role == "figure"
    assert label.startswith("Map of ") and "Dystonia Medical Research Foundation" in label
    assert visit.table_rows and visit.table_rows[0] >= 1, "a table lists what the map shows"


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
