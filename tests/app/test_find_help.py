"""Finding help from where you are: Nearby without a radius, the nearest group of a focus, forgiving
place names, settings the app honours, and the one-view rule on a real page."""

from __future__ import annotations

import pytest

from tests.app.conftest import run_page, table, texts
from tests.test_geocode import fake_nominatim  # noqa: F401  a fixture


def test_denver_neck_dystonia_ranks_every_group_and_leads_with_them_not_a_warning():
    at = run_page("nearby", {"near": "Denver, CO", "focus": "torticollis"})
    assert not at.exception and not any("No organization" in w.value for w in at.warning)
    names = list(table(at)["Organization"])
    assert len(names) == 6 and list(table(at)["Miles"]) == sorted(table(at)["Miles"])
    assert "Every organization listed here is national" in texts(at)
    assert at.toggle(key="radius_on").value is False


def test_chicago_speech_within_500_miles_names_and_shows_the_nearest_speech_group():
    at = run_page("nearby", {"near": "Chicago, IL", "focus": "speech", "radius": "500"})
    body = texts(at)
    assert "The nearest voice and speech group is American Speech-Language-Hearing Association (ASHA), about " \
           in body and "Rockville, MD" in body
    assert "American Speech-Language-Hearing Association (ASHA)" in list(table(at)["Organization"])
    assert "1 organization within 500 miles" in body  # ASHA is shown, but not counted as within


def test_a_misspelled_place_is_corrected_and_says_so():
    at = run_page("nearby", {"near": "Denvr CO"})
    assert not at.error
    assert "Showing results for Denver, CO" in texts(at)
    assert len(table(at)) == 8


def test_an_ambiguous_place_offers_its_choices_as_buttons():
    at = run_page("nearby", {"near": "denver"})
    choices = [b for b in at.button if b.key and b.key.startswith("place-choice-")]
    assert 2 <= len(choices) <= 5 and choices[0].label == "Denver, CO"
    choices[0].click().run()
    assert at.text_input(key="near").value == "Denver, CO" and not at.error
    assert len(table(at)) == 8


def test_the_radius_switch_keeps_only_groups_within_it():
    at = run_page("nearby", {"near": "60601"})
    assert len(table(at)) == 8
    at.toggle(key="radius_on").set_value(True).run()
    at.slider(key="radius").set_value(100).run()
    assert list(table(at)["Organization"]) == ["Dystonia Medical Research Foundation",
                                               "Spasmodic Torticollis Dystonia/ST Dystonia"]
    at.toggle(key="radius_on").set_value(False).run()
    assert len(table(at)) == 8


@pytest.fixture
def online(fake_nominatim, monkeypatch):  # noqa: F811  the imported fixture
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "dystonia-atlas-tests (tests@example.org)")
    return fake_nominatim


def test_the_app_asks_nominatim_first_when_the_setting_says_so(online):
    at = run_page("nearby", {"near": "Somewhere only Nominatim knows"})
    assert not at.exception and not at.error
    assert online.queries == ["Somewhere only Nominatim knows"]
    assert "Chicago, Cook County, Illinois" in texts(at) and len(table(at)) == 8


def test_when_nominatim_does_not_answer_the_app_falls_back_offline_with_a_note(online):
    online.fail = True
    at = run_page("nearby", {"near": "60601"})
    assert not at.exception and not at.error
    assert online.queries, "the app asked the online geocoder first"
    assert "did not answer" in texts(at) and table(at)["Organization"].iloc[0] == "Dystonia Medical Research Foundation"


def test_an_unusable_geocoder_setting_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    monkeypatch.delenv("ATLAS_NOMINATIM_USER_AGENT", raising=False)
    at = run_page("nearby", {"near": "60601"})
    assert not at.exception
    assert "ATLAS_NOMINATIM_USER_AGENT" in texts(at)


def test_the_report_address_setting_reaches_the_card(monkeypatch):
    monkeypatch.setenv("ATLAS_REPORT_EMAIL", "corrections@example.org")
    at = run_page("directory", {"org": "american-dystonia-society"})
    report = [b for b in at.get("link_button") if "Report a problem" in b.proto.label]
    assert report and report[0].proto.url.startswith("mailto:corrections@example.org?subject=")


def test_one_nearby_rerun_geocodes_once_and_ranks_once_whatever_the_page_shows(monkeypatch):
    import atlas.directory.view as view_module
    from atlas.directory.distance import SpatialIndex

    located, ranked = [], []
    real_locate, real_rank = view_module.locate, SpatialIndex.rank
    monkeypatch.setattr(view_module, "locate", lambda *a, **k: located.append(a) or real_locate(*a, **k))
    monkeypatch.setattr(SpatialIndex, "rank", lambda self, *a, **k: ranked.append(a) or real_rank(self, *a, **k))
    at = run_page("nearby", {"near": "Chicago, IL"})  # map, table, summary, export panel and its downloads
    assert not at.exception and len(table(at)) == 8
    assert len(located) == 1 and len(ranked) == 1
    at.run()  # a rerun with the same request reuses the view
    assert len(located) == 1 and len(ranked) == 1


def test_moving_the_radius_slider_switches_the_radius_on():
    at = run_page("nearby", {"near": "60601"})
    assert at.toggle(key="radius_on").value is False and not at.slider(key="radius").proto.disabled
    at.slider(key="radius").set_value(100).run()
    assert at.toggle(key="radius_on").value is True
    assert list(table(at)["Organization"]) == ["Dystonia Medical Research Foundation",
                                               "Spasmodic Torticollis Dystonia/ST Dystonia"]


@pytest.mark.parametrize("near", ["Denvr CO", "Beverly Hills, IL 90210"])
def test_a_place_read_with_a_note_is_looked_up_once_too(monkeypatch, near):
    import atlas.directory.view as view_module

    located = []
    real_locate = view_module.locate
    monkeypatch.setattr(view_module, "locate", lambda *a, **k: located.append(a) or real_locate(*a, **k))
    at = run_page("nearby", {"near": near})
    assert not at.exception and len(located) == 1 and at.caption  # the note is shown
    at.run()
    assert len(located) == 1  # a correction or a note is an answer to keep; only an outage is asked again
