"""axe-core (from the npm registry) on every page, in the states people reach (tests/e2e/visits.py).

The project's own content must have no serious or critical violation. A violation that comes
from Streamlit's own components, which this project cannot change, is listed in
STREAMLIT_OWNED with the reason; today that list is empty. Every violation of any impact is
written to test-output/e2e/axe-<state>.json for review. That colour is never the only cue for a
focus is checked on the Directory page the filter test opens (test_pages.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import OUTPUT
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
