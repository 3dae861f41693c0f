"""What a session carries from page to page and run to run: nothing stale, nothing dropped, no link
that shows other groups than the page it came from."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs

import pytest

from atlas.ingest.build import build_files
from tests.app.conftest import run_page, table, texts
from tests.conftest import DATA, SOURCE

PAGE_FILES = {"": "pages/overview.py", "directory": "pages/directory.py", "nearby": "pages/nearby.py",
              "fit": "pages/fit.py", "present": "pages/present.py"}

UNPLACED = "Voice Helpline Network\nPhone: 312.555.0198\nEmail: help@voicehelpline.org\n\n"


def follow(at, label: str):
    """What a click on an `st.page_link` does: the same session opens the link's page and query."""
    link = next(e.proto for e in at.get("page_link") if e.proto.label == label)
    at.switch_page(PAGE_FILES[link.page])
    at.query_params.clear()
    for name, values in parse_qs(link.query_string, keep_blank_values=True).items():
        at.query_params[name] = values if len(values) > 1 else values[0]
    return at.run()


def _source_with(extra: str = "", without: str = "") -> str:
    text = SOURCE.read_text()
    if without:
        start = text.index(without)
        text = text[:start] + text[text.index("\n\n", start) + 2:]
    return text.replace("Source: National Institutes", extra + "Source: National Institutes", 1)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_rebuilt_folder_drops_the_card_and_state_it_no_longer_has(folder, monkeypatch):
    for name in ("page.json", "organizations.csv"):
        shutil.copy(DATA / name, folder / name)
    at = run_page("directory", {"org": "american-dystonia-society", "state": "NJ"})
    assert not at.exception and len(table(at)) == 1
    page = folder / "dystonias.txt"
    page.write_text(_source_with(without="American Dystonia Society"))
    build_files(page, folder)  # the listing is gone: its id and the only NJ address with it
    monkeypatch.setattr("ui.data.SIGNATURE_SECONDS", 0.0)
    at.run()
    assert not at.exception
    assert not at.selectbox(key="org").value and len(table(at)) == 7  # no card, and every state again
    assert "state" not in at.query_params and "org" not in at.query_params


def test_the_radius_switch_is_kept_when_the_user_comes_back():
    at = run_page("nearby")
    at.text_input(key="near").set_value("Denver, CO").run()
    at.toggle(key="radius_on").set_value(True).run()
    at.slider(key="radius").set_value(1000).run()
    ranked = list(table(at)["Organization"])
    at.switch_page("pages/directory.py")
    at.query_params.clear()
    at.run()
    at.switch_page("pages/nearby.py")
    at.query_params.clear()
    at.run()
    assert at.toggle(key="radius_on").value is True and list(table(at)["Organization"]) == ranked
    assert at.query_params["radius"] in ("1000", ["1000"]) and len(ranked) < 8


def test_the_street_basemap_switch_survives_presentation_mode():
    at = run_page("directory")
    at.sidebar.toggle(key="basemap").set_value(True).run()
    at.sidebar.toggle(key="present_toggle").set_value(True).run()
    assert not at.sidebar.toggle  # presentation mode draws no sidebar
    follow(at, "Leave presentation")
    assert at.sidebar.toggle(key="basemap").value is True


def test_the_presentation_switch_takes_the_place_searched_along():
    at = run_page("nearby", {"near": "Denver, CO"})
    at.sidebar.toggle(key="present_toggle").set_value(True).run()
    nexts = [parse_qs(e.proto.query_string) for e in at.get("page_link") if e.proto.label == "Next"]
    assert nexts and nexts[0]["near"] == ["Denver, CO"]


def test_a_scene_whose_city_is_not_found_keeps_the_keys_and_the_credit():
    at = run_page(None, {"present": "1", "scene": "near", "near": "Xyzzyville"})
    assert not at.exception and at.error
    assert len(at.get("iframe")) == 1  # the arrow keys and clicker still step on
    assert "Source:" in texts(at)


def test_nearby_names_the_matches_it_cannot_rank(folder):
    page = folder / "dystonias.txt"
    page.write_text(_source_with(extra=UNPLACED))
    at = run_page("nearby", {"near": "60601"})
    assert len(table(at)) == 8 and "Voice Helpline Network" not in list(table(at)["Organization"])
    assert "1 matching organization has no map position" in texts(at) and "Voice Helpline Network" in texts(at)
    at = run_page("nearby", {"near": "60601", "q": "helpline"})
    assert "No organization matches" not in texts(at) and "Voice Helpline Network" in texts(at)


def test_widen_is_offered_only_when_the_widest_radius_reaches_an_office():
    far = run_page("nearby", {"near": "Honolulu, HI", "radius": "25", "focus": "speech", "general": "false"})
    assert "No organization has an office within 25 miles" in texts(far)
    assert not [b for b in far.button if b.label.startswith("Widen")]  # 3,000 miles does not reach Hawaii's nearest
    near = run_page("nearby", {"near": "Denver, CO", "radius": "25"})
    assert [b.label for b in near.button if b.label.startswith("Widen")]


@pytest.mark.parametrize("area, expected", [("neck", {"focus": "torticollis"}), ("several", {})])
def test_the_fit_link_opens_what_fit_names_whatever_was_chosen_before(area, expected):
    at = run_page("directory")
    at.toggle(key="general").set_value(False).run()  # chosen earlier in the session
    at.text_input(key="q").set_value("dystonia").run()
    at.switch_page("pages/fit.py")
    at.query_params.clear()
    at.run()
    at.radio(key="area").set_value(area).run()
    link = next(e.proto.label for e in at.get("page_link") if e.proto.label.startswith("Open"))
    follow(at, link)
    fresh = run_page("directory", expected)
    assert list(table(at)["Organization"]) == list(table(fresh)["Organization"])
    assert at.toggle(key="general").value is True and at.text_input(key="q").value == ""


def test_ranking_the_directory_by_distance_keeps_its_map_area():
    at = run_page("directory", {"bbox": "40,-90,43,-86"})
    shown = set(table(at)["Organization"])
    follow(at, "Rank these by distance from a place")
    at.text_input(key="near").set_value("60601").run()
    assert set(table(at)["Organization"]) == shown and len(shown) == 2
    whole = next(b for b in at.button if b.label == "Show the whole map again")
    whole.click().run()
    assert len(table(at)) == 8
