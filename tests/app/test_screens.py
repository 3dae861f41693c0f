"""Screens, through AppTest: "Use my location" on Nearby, the tables' phone list, presentation controls."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import numpy as np
import pytest

from tests.app.conftest import outside_code, run_page, table, texts

CHICAGO_LOOP = {"latitude": 41.886, "longitude": -87.618}  # a browser's position near ZIP 60601's centre


@pytest.fixture
def browser_answers(monkeypatch):
    """Stand in for the browser: the "Use my location" component answers with `value` on every run."""
    import ui.location

    def answer(value):
        calls = []

        def fake(key):
            calls.append(key)
            return value

        monkeypatch.setattr(ui.location, "browser_position", fake)
        return calls
    return answer


# --- Use my location --------------------------------------------------------------------------


def test_a_browser_position_becomes_the_nearest_zip_code_and_ranks_from_there(browser_answers):
    calls = browser_answers(dict(CHICAGO_LOOP, at=1))
    at = run_page("nearby")
    assert not at.exception
    assert calls, "the page asks the component for a position"
    assert at.query_params["near"] == "60601"
    assert at.text_input(key="near").value == "60601"
    frame = table(at)
    assert frame["Organization"].iloc[0] == "Dystonia Medical Research Foundation"
    assert frame["Miles"].iloc[0] == 0.0
    assert list(frame["Miles"]) == sorted(frame["Miles"])
    body = texts(at)
    assert "Distances from ZIP code 60601, the ZIP code centre nearest your position" in body
    assert "41.886" not in str(dict(at.query_params)) and "87.618" not in body


def test_the_same_answer_is_used_once_so_the_user_can_type_another_place(browser_answers):
    browser_answers(dict(CHICAGO_LOOP, at=1))
    at = run_page("nearby")
    at.text_input(key="near").set_value("Denver, CO").run()
    assert not at.exception
    assert at.query_params["near"] == "Denver, CO"
    assert table(at)["Miles"].iloc[0] > 100  # no office in Denver: ranked from there, not from Chicago
    assert "Distances from ZIP code 60601" not in texts(at)


def test_a_refused_position_says_what_to_do_instead(browser_answers):
    browser_answers({"error": "denied", "at": 2})
    at = run_page("nearby")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "did not share its position" in warnings and "type a ZIP code" in warnings
    assert "near" not in at.query_params
    assert at.text_input(key="near").value == ""


@pytest.mark.parametrize("answer, message", [
    ({"error": "<img src=x onerror=alert(1)>"}, "could not work out its position"),  # never shown as sent
    ({"error": "timeout"}, "took too long"),
    ({"latitude": "41.8", "longitude": None}, "could not work out its position"),
    ({"latitude": 48.8566, "longitude": 2.3522}, "not near a US ZIP code"),  # Paris
])
def test_unusable_answers_get_a_message_and_leave_the_place_alone(browser_answers, answer, message):
    browser_answers(answer)
    at = run_page("nearby", {"near": "Denver, CO"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert message in warnings
    assert "onerror" not in warnings and "<img" not in warnings
    assert at.query_params["near"] == "Denver, CO"


# --- the phone list beside every table ----------------------------------------------------------


def _card_list(at) -> str:
    cards = [m.value for m in at.markdown if m.value.startswith("**") and "\n" in m.value]
    assert len(cards) == 1, "one card list for the page's one table"
    return cards[0]


def test_nearby_card_list_has_name_distance_focus_and_a_tel_link_from_the_table():
    at = run_page("nearby", {"near": "60601"})
    frame = table(at)
    cards = _card_list(at)
    first = cards.split("\n\n")[0]
    assert first.startswith("**Dystonia Medical Research Foundation**")
    assert "0 miles · General" in first
    links = re.findall(r"\]\(([^)]*)\)", cards)
    assert links and set(links) <= set(frame["Phone"].dropna())
    assert links[0] == frame["Phone"].iloc[0] == "tel:+1-312-755-0198"
    assert cards.count("\n\n") == len(frame) - 1


@pytest.mark.parametrize("page, params", [(None, {}), ("directory", {}), ("nearby", {"near": "60601"})])
def test_every_table_page_carries_the_phone_css_once_with_the_legend(page, params):
    from ui import widgets

    at = run_page(page, params)
    assert len(at.dataframe) == 1 and _card_list(at)
    carrying = [h.proto.body for h in at.get("html") if widgets.PHONE_CSS in h.proto.body]
    assert len(carrying) == 1 and 'aria-label="Map legend"' in carrying[0]


def test_a_table_is_sent_only_the_configuration_of_the_columns_it_shows():
    import json

    from ui import widgets

    for page, params, distances in ((None, {}, False), ("nearby", {"near": "60601"}, True)):
        proto = run_page(page, params).dataframe[0].proto
        sent, shown = json.loads(proto.columns), set(proto.column_order)
        assert set(sent) - {"_index"} == shown & set(widgets.COLUMN_CONFIG)
        assert ({"Miles", "Km"} <= set(sent)) is distances
        assert sent["Phone"]["type_config"]["display_text"] == widgets.COLUMN_CONFIG["Phone"]["type_config"]["display_text"]
        assert sent["Organization"] == {"label": "Organization", "width": 270, "type_config": {"type": "text"}}


def test_the_card_list_stops_at_fifty_and_says_how_many_more(monkeypatch):
    from atlas.directory.load import Atlas
    from atlas.directory.view import View
    from ui import widgets

    shown = []
    monkeypatch.setattr(widgets.st, "markdown", lambda text, **kw: shown.append(text))
    monkeypatch.setattr(widgets.st, "dataframe", lambda *a, **kw: None)
    monkeypatch.setattr(widgets.st, "html", lambda *a, **kw: None)

    class _Container:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(widgets.st, "container", lambda **kw: _Container())
    monkeypatch.setattr(widgets.st, "session_state", {})

    from tests.conftest import DATA
    from atlas.directory.load import load_atlas
    from atlas.directory.request import ViewRequest

    atlas: Atlas = load_atlas(DATA)
    rows = np.tile(np.arange(len(atlas)), 15)  # 120 rows of the 8 organizations
    view = View(atlas, ViewRequest(), rows, len(rows))
    widgets.organization_table(view, key="t")
    cards = shown[-1].split("\n\n")
    assert len(cards) == 51
    assert cards[-1] == "…and 70 more: see the full table on a larger screen or download the CSV."


def test_card_list_escapes_names_on_the_hostile_page(tmp_path, monkeypatch):
    import shutil

    from tests.conftest import PAGES

    shutil.copy(PAGES / "hostile.txt", tmp_path / "hostile.txt")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    at = run_page("nearby", {"near": "60601"})
    assert not at.exception
    cards = outside_code(_card_list(at))
    assert "pwned" in cards
    assert not re.search(r"(?<!\\)<", cards) and not re.search(r"(?<!\\)[${}]", cards)
    assert all(link.startswith("tel:+") for link in re.findall(r"\]\(([^)]*)\)", cards))


# --- presentation mode ------------------------------------------------------------------------


def _path_to(at, element):
    """(parent block, index in it) pairs from the page's main block down to `element`."""
    def walk(node, path):
        for index, child in getattr(node, "children", {}).items():
            if child is element:
                return path + [(node, index)]
            found = walk(child, path + [(node, index)])
            if found:
                return found
        return None
    return walk(at.main, [])


def test_previous_and_next_sit_side_by_side_in_one_row():
    at = run_page(None, {"present": "1", "scene": "speech"})
    assert not at.exception
    links = {link.proto.label: link for link in at.get("page_link")}
    previous, following = _path_to(at, links["Previous"]), _path_to(at, links["Next"])
    # Each link is alone in its keyed box; the two boxes are neighbours in one horizontal group.
    (group, prev_index), (group_too, next_index) = previous[-2], following[-2]
    assert group is group_too
    assert group.proto.id.endswith("present-nav")
    assert group.proto.flex_container.direction == group.proto.flex_container.HORIZONTAL
    assert not group.proto.flex_container.wrap
    assert (prev_index, next_index) == (0, 1)
    assert previous[-1][0].proto.id.endswith("present-previous")
    assert following[-1][0].proto.id.endswith("present-next")
    assert dict(parse_qsl(links["Next"].proto.query_string))["scene"] == "near"
    assert dict(parse_qsl(links["Previous"].proto.query_string))["scene"] == "blepharospasm"


def test_the_keyboard_listener_is_on_the_page_and_presses_those_links():
    at = run_page(None, {"present": "1"})
    frames = [f for f in at.get("iframe") if "keydown" in f.proto.srcdoc]
    assert len(frames) == 1
    script = frames[0].proto.srcdoc
    for key in ("ArrowRight", "PageDown", "ArrowLeft", "PageUp"):
        assert f"{key}:" in script
    assert ".st-key-present-" in script
    assert "http" not in script and "src=" not in script, "nothing is loaded from anywhere"


def test_presentation_css_enlarges_the_legend_and_the_map_fits_a_720_line_screen(monkeypatch):
    from ui import present, widgets

    assert re.search(r"\.atlas-legend\s*\{[^}]*font-size:\s*1\.35rem", present._STYLE)
    drawn = []
    real = widgets.organization_map
    monkeypatch.setattr(widgets, "organization_map", lambda view, **kw: (drawn.append(kw), real(view, **kw)))
    at = run_page(None, {"present": "1"})
    assert not at.exception
    assert [kw["height"] for kw in drawn] == [present.MAP_HEIGHT]
    assert present.MAP_HEIGHT <= 440  # under the controls, the title and the caption at 1280x720
    assert any(present._STYLE.strip() in h.proto.body for h in at.get("html"))
