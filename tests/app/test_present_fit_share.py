"""Presentation mode, "Which group fits?", the export panel and the report link, through AppTest."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.app.conftest import open_panel, plain, run_page, texts


def _titles(at):
    return [plain(t.value) for t in at.title]


def test_present_parameter_opens_presentation_mode_from_any_page():
    at = run_page("directory", {"present": "1"})
    assert not at.exception
    assert _titles(at) == ["Where to find help"]
    assert not at.sidebar.toggle, "no sidebar widgets in presentation mode"
    assert any("Scene 1 of 5" in m.value for m in at.markdown)


@pytest.mark.parametrize("value, on_stage", [("ON", True), ("yes", True), ("true", True), ("0", False),
                                             ("off", False), ("maybe", False)])
def test_present_takes_the_words_its_parameter_decoder_takes(value, on_stage):
    at = run_page("directory", {"present": value})
    assert not at.exception
    assert (_titles(at) == ["Where to find help"]) == on_stage
    assert bool(at.sidebar.toggle) != on_stage


def test_a_scene_the_link_names_wrongly_is_said_once_and_the_first_scene_shown():
    at = run_page(None, {"present": "1", "scene": "bogus"})
    assert not at.exception and _titles(at) == ["Where to find help"]
    assert any('Ignored scene "bogus" from the link' in plain(notice.value) for notice in at.info)
    assert at.query_params["scene"] == "all"
    at.run()
    assert not any("Ignored scene" in plain(notice.value) for notice in at.info)


@pytest.mark.parametrize("scene, title, count", [
    ("all", "Where to find help", 8),
    ("torticollis", "Torticollis (cervical dystonia)", 2),
    ("blepharospasm", "Blepharospasm (eyelids)", 1),
    ("speech", "Voice and speech (spasmodic dysphonia)", 1),
    ("near", "Groups near Chicago, IL", 2),  # within 500 miles: DMRF and ST Dystonia
])
def test_each_scene_has_a_title_a_caption_from_the_page_and_its_organizations(scene, title, count):
    at = run_page(None, {"present": "1", "scene": scene})
    assert not at.exception
    assert _titles(at) == [title]
    caption = plain(at.markdown[1].value).removeprefix("## ")
    assert len(caption) > 30
    listing = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert listing and listing[0].count("- **") == count


def test_next_and_previous_links_step_through_the_scenes_and_keep_them_in_the_url():
    at = run_page(None, {"present": "1", "scene": "speech"})
    links = {link.proto.label: dict(parse_qsl(link.proto.query_string)) for link in at.get("page_link")}
    assert links["Next"] == {"present": "1", "scene": "near", "near": "Chicago, IL"}
    assert links["Previous"]["scene"] == "blepharospasm"
    assert at.query_params["scene"] == "speech"


def test_near_scene_uses_the_chosen_city_and_handles_an_unknown_one():
    at = run_page(None, {"present": "1", "scene": "near", "near": "Rockville, MD"})
    assert _titles(at) == ["Groups near Rockville, MD"]
    at = run_page(None, {"present": "1", "scene": "near", "near": "abcde"})
    assert not at.exception and "No US place matches" in texts(at)


def test_presentation_toggle_in_the_sidebar():
    at = run_page("about")
    at.sidebar.toggle(key="present_toggle").set_value(True).run()
    assert not at.exception
    assert _titles(at) == ["Where to find help"]


def test_fit_page_from_area_to_focus_groups_and_institute():
    at = run_page("fit")
    assert "Choose a body area" in texts(at)
    at.radio(key="area").set_value("eyelids").run()
    body = texts(at)
    assert "Best fit: Blepharospasm (eyelids)" in body
    assert "Benign Essential Blepharospasm Research Foundation" in body
    assert "National Eye Institute" in body and "From the page:" in body
    link = at.get("page_link")[0].proto
    assert link.page == "directory" and link.query_string == "focus=blepharospasm"


@pytest.mark.parametrize("area, institute", [
    ("voice", "National institute on Deafness and Other Communications Disorders"),
    ("neck", "National Institute of Neurological Disorders and Stroke"),
])
def test_fit_area_from_the_url(area, institute):
    at = run_page("fit", {"area": area})
    assert institute in texts(at)


def test_export_panel_offers_every_format_and_a_link_to_the_view():
    at = run_page("directory", {"focus": "torticollis", "state": "CA"})
    assert not at.get("download_button") and not at.code, "a closed panel is not filled"
    at = open_panel(at, "directory-export")
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels == {"Spreadsheet (CSV)", "GeoJSON (GIS tools)", "KML (Google Earth, My Maps)", "Contacts (vCard)",
                      "Printable handout (PDF)", "Map image for slides (PNG)"}
    link = next(c.value for c in at.code if "directory" in c.value)
    assert dict(parse_qsl(urlsplit(link).query)) == {"focus": "torticollis", "state": "CA"}
    assert "Download Torticollis and general dystonia groups in California (1 organization)" in texts(at)


def test_export_panel_on_nearby_and_when_nothing_is_in_view():
    at = open_panel(run_page("nearby", {"near": "60601", "radius": "100"}), "nearby-export")
    link = next(c.value for c in at.code if "nearby" in c.value)
    assert dict(parse_qsl(urlsplit(link).query)) == {"near": "60601", "radius": "100"}
    assert len(at.get("download_button")) == 6
    at = open_panel(run_page("directory", {"q": "no such group"}), "directory-export")
    assert not at.get("download_button") and "Nothing to export" in texts(at)


def test_detail_card_has_a_report_link_naming_the_organization(monkeypatch):
    monkeypatch.setenv("ATLAS_REPORT_EMAIL", "corrections@example.org")
    at = run_page("directory", {"org": "american-dystonia-society"})
    buttons = {b.proto.label: b.proto.url for b in at.get("link_button")}
    report = buttons["Report a problem with this listing"]
    assert report.startswith("mailto:corrections@example.org?subject=")
    assert dict(parse_qsl(urlsplit(report).query))["subject"].endswith("American Dystonia Society")


def test_presenter_sets_the_city_for_the_near_scene():
    at = run_page(None, {"present": "1", "scene": "all"})
    at.text_input(key="present_city").set_value("Rockville, MD").run()
    assert not at.exception
    assert _titles(at) == ["Groups near Rockville, MD"]
    assert at.query_params["scene"] == "near" and at.query_params["near"] == "Rockville, MD"
    assert "American Speech-Language-Hearing Association (ASHA)" in texts(at)


def test_without_a_public_address_the_export_panel_says_where_the_qr_code_points(monkeypatch):
    monkeypatch.delenv("ATLAS_PUBLIC_URL", raising=False)
    at = open_panel(run_page("directory", {"focus": "speech"}), "directory-export")
    assert any("No public address is set" in w.value and "ATLAS_PUBLIC_URL" in w.value for w in at.warning)
    monkeypatch.setenv("ATLAS_PUBLIC_URL", "https://atlas.example.org")
    at = open_panel(run_page("directory", {"focus": "speech"}), "directory-export")
    assert not any("No public address is set" in w.value for w in at.warning)
