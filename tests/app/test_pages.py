"""Every page, run through Streamlit's AppTest on the committed data."""

from __future__ import annotations

import pytest

from tests.app.conftest import headings, plain, run_page, table, texts
from tests.conftest import ROOT

PAGES = [None, "directory", "nearby", "about"]
ALL_ORGS = 8


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(page):
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_sidebar_is_the_same_on_every_page(page):
    at = run_page(page)
    sidebar = plain(" ".join(c.value for c in at.sidebar.caption))
    assert "last reviewed November 20, 2012" in sidebar and "8 organizations" in sidebar
    assert [t.label for t in at.sidebar.toggle] == ["Street basemap (needs internet)", "Presentation mode"]


def test_overview_shows_the_page_sections_map_table_and_attribution():
    at = run_page()
    assert plain(at.title[0].value) == "What are Dystonias?"
    shown = headings(at)
    for heading in ("Is there any treatment?", "What is the prognosis?", "What research is being done?"):
        assert heading in shown
    body = texts(at)
    assert "The dystonias are movement disorders" in body
    assert "Contact details date from November 20, 2012" in body and "confirm them" in body
    assert "Source: National Institutes of Health; National Institute of Neurological Disorders and Stroke" in body
    assert "not intended to replace the medical advice" in body
    assert len(at.get("deck_gl_json_chart")) == 1
    assert len(table(at)) == ALL_ORGS


def test_directory_starts_with_every_organization_and_general_groups_on():
    at = run_page("directory")
    assert len(table(at)) == ALL_ORGS
    assert at.toggle(key="general").value is True
    assert at.multiselect(key="focus").value == []
    assert "Showing 8 of 8 organizations." in texts(at)


def _names(at):
    return list(table(at)["Organization"])


def test_focus_filter_keeps_matching_and_general_groups():
    at = run_page("directory")
    at.multiselect(key="focus").set_value(["torticollis"]).run()
    names = _names(at)
    assert "National Spasmodic Torticollis Association" in names
    assert "Dystonia Medical Research Foundation" in names  # general groups serve torticollis too
    assert "Benign Essential Blepharospasm Research Foundation" not in names
    assert len(names) == 6


def test_general_toggle_removes_general_groups():
    at = run_page("directory")
    at.multiselect(key="focus").set_value(["torticollis"]).run()
    at.toggle(key="general").set_value(False).run()
    assert _names(at) == ["National Spasmodic Torticollis Association", "Spasmodic Torticollis Dystonia/ST Dystonia"]


def test_state_filter():
    at = run_page("directory")
    at.selectbox(key="state").set_value("NY").run()
    assert _names(at) == ["WE MOVE (Worldwide Education & Awareness for Movement Disorders)",
                          "Bachmann-Strauss Dystonia & Parkinson Foundation"]


def test_text_search_over_names_and_cities():
    at = run_page("directory")
    at.text_input(key="q").set_value("chicago").run()
    assert _names(at) == ["Dystonia Medical Research Foundation"]
    at.text_input(key="q").set_value("foundation").run()
    assert len(_names(at)) == 3


def test_no_match_says_so_and_offers_to_clear():
    at = run_page("directory")
    at.text_input(key="q").set_value("no such group").run()
    assert len(table(at)) == 0
    assert "No organization matches these filters" in texts(at)
    at.button[0].click().run()
    assert len(table(at)) == ALL_ORGS and at.text_input(key="q").value == ""


def test_query_parameters_reproduce_a_view():
    at = run_page("directory", {"focus": "torticollis", "state": "CA"})
    assert at.multiselect(key="focus").value == ["torticollis"]
    assert at.selectbox(key="state").value == "CA"
    assert _names(at) == ["National Spasmodic Torticollis Association"]


def test_repeated_focus_parameters():
    at = run_page("directory", {"focus": ["torticollis", "speech"], "general": "false"})
    assert set(_names(at)) == {"National Spasmodic Torticollis Association", "Spasmodic Torticollis Dystonia/ST Dystonia",
                               "American Speech-Language-Hearing Association (ASHA)"}


@pytest.mark.parametrize("params, fragment", [
    ({"focus": "necks"}, 'Ignored focus "necks"'),
    ({"state": "ZZ"}, 'Ignored state "ZZ"'),
    ({"general": "maybe"}, 'Ignored general="maybe"'),
    ({"org": "nobody"}, 'Ignored org "nobody"'),
])
def test_invalid_parameters_are_ignored_with_a_notice(params, fragment):
    at = run_page("directory", params)
    assert not at.exception
    assert fragment in texts(at)
    assert len(table(at)) == ALL_ORGS


def test_choosing_an_organization_opens_its_detail_card():
    at = run_page("directory")
    at.selectbox(key="org").set_value("american-dystonia-society").run()
    card = texts(at)
    assert "American Dystonia Society" in [plain(s.value) for s in at.header]
    assert "17 Suffolk Lane" in card and "Princeton Junction, NJ 08550" in card
    assert "[(310) 237-5478](tel:+1-310-237-5478)" in card
    assert "[info@dystoniasociety.org](mailto:info@dystoniasociety.org)" in card
    assert "Phone area code in another state" in card
    assert "centre of its ZIP code area" in card
    assert at.get("link_button")[0].proto.url.startswith("https://www.google.com/maps/dir/?api=1&destination=")


def test_opening_a_detail_card_reuses_the_links_validated_at_load(monkeypatch):
    """The card's links are the ones the directory validated at load, and its notes word the flags the
    build recorded: the rerun that opens a card checks nothing else about the listing."""
    from atlas.ingest import contacts

    monkeypatch.delenv("ATLAS_REPORT_EMAIL", raising=False)  # the curators' address is a setting, not listing data
    at = run_page("directory")
    checked = []
    for name in ("phone_uri", "normalize_email", "normalize_website", "links_of"):
        real = getattr(contacts, name)
        monkeypatch.setattr(contacts, name, lambda *args, real=real, name=name: checked.append(name) or real(*args))
    for name in ("phone_regions", "parse_phone"):  # what explaining a flag may need, and nothing else does
        real = getattr(contacts, name)
        monkeypatch.setattr(contacts, name, lambda *args, real=real, name=name: checked.append(name) or real(*args))
    at.selectbox(key="org").set_value("dystonia-medical-research-foundation").run()
    card = texts(at)
    assert "[(312) 755-0198](tel:+1-312-755-0198)" in card and "mailto:dystonia@dystonia-foundation.org" in card
    assert checked == []  # no flags on this listing: nothing about it is checked again
    at.selectbox(key="org").set_value("american-dystonia-society").run()
    card = texts(at)
    assert "[(310) 237-5478](tel:+1-310-237-5478)" in card
    assert "[info@dystoniasociety.org](mailto:info@dystoniasociety.org)" in card
    assert "(310) 237-5478 has a California area code" in card
    assert "phone_regions" in checked and set(checked) == {"phone_regions", "parse_phone"}  # its one flag's wording


def test_org_parameter_opens_the_card():
    at = run_page("directory", {"org": "benign-essential-blepharospasm-research-foundation"})
    assert "Post-office box" in texts(at)
    assert "637%20North%207th%20Street" in at.get("link_button")[0].proto.url


def test_table_links_pass_the_allow_list():
    frame = table(run_page("directory"))
    for column, scheme in (("Phone", "tel:"), ("Email", "mailto:"), ("Website", "https://")):
        values = [v for v in frame[column] if isinstance(v, str)]
        assert values and all(v.startswith(scheme) for v in values), column
    assert frame.loc[frame["Organization"] == "National Spasmodic Torticollis Association", "Website"].isna().all()


def test_map_sends_only_the_columns_it_draws():
    import json

    chart = run_page("directory").get("deck_gl_json_chart")[0]
    spec = json.loads(chart.proto.json)
    orgs = next(layer for layer in spec["layers"] if layer["id"] == "organizations")
    assert set(orgs["data"][0]) == {"id", "name", "place", "focus_label", "longitude", "latitude", "color", "letter"}
    assert len(orgs["data"]) == 8


def test_map_is_offline_by_default_and_basemap_is_opt_in():
    import json

    at = run_page("directory")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["layers"][0]["id"] == "state-outlines"
    # The outlines are a static file the app's own server serves, loaded by URL: nothing from the internet.
    assert spec["layers"][0]["data"] == "app/static/us_states.geojson"
    assert (ROOT / "static" / "us_states.geojson").stat().st_size > 0
    assert spec.get("mapStyle") == "__MAP_STYLE__" and not spec.get("mapProvider")  # no tiles: see atlas.mapview
    at.sidebar.toggle[0].set_value(True).run()
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["mapProvider"] == "carto" and spec["mapStyle"].startswith("https://")


def test_about_page_explains_flags_precision_rebuild_and_licences():
    at = run_page("about")
    body = texts(at)
    assert "last reviewed November 20, 2012" in body
    assert "ZIP 10024 is in New York, NY, not Bronx, NY." in body
    assert "(310) 237-5478 has a California area code" in body
    assert "Source more than 3 years old" in body
    assert any("python -m atlas build" in c.value for c in at.code)
    assert "us-atlas" in body and "zipcodes" in body and "ISC" in body
    precision = table(at, 1)
    assert list(precision["Organization"])[:1] == ["Dystonia Medical Research Foundation"]
    assert set(precision["Precision"]) == {"postal code", "city"}


def test_links_between_pages_keep_the_parameters_that_apply():
    at = run_page("directory", {"focus": ["torticollis", "speech"], "state": "CA", "q": "x",
                                "org": "american-dystonia-society"})
    link = at.get("page_link")[0].proto
    assert link.page == "nearby"
    assert link.query_string == "focus=torticollis&focus=speech&state=CA&q=x"  # org is the directory's alone
    at = run_page(None, {"focus": "torticollis", "near": "60601"})
    by_page = {p.proto.page: p.proto.query_string for p in at.get("page_link")}
    assert by_page == {"directory": "focus=torticollis", "nearby": "focus=torticollis&near=60601"}


def test_a_map_area_from_a_link_narrows_the_directory_until_the_whole_map_is_asked_for():
    at = run_page("directory", {"bbox": "40,-90,43,-86"})  # around Chicago
    assert list(table(at)["Organization"]) == ["Dystonia Medical Research Foundation",
                                               "Spasmodic Torticollis Dystonia/ST Dystonia"]
    whole = [b for b in at.button if b.label == "Show the whole map again"]
    assert len(whole) == 1
    whole[0].click().run()
    assert len(table(at)) == ALL_ORGS and "bbox" not in at.query_params
    assert not any(b.label == "Show the whole map again" for b in at.button)
    at.run()  # the link's area stays dropped: it is not taken from the URL a second time
    assert len(table(at)) == ALL_ORGS


def test_chosen_focus_follows_the_user_to_another_page():
    at = run_page("directory")
    at.multiselect(key="focus").set_value(["blepharospasm"]).run()
    at.switch_page("pages/nearby.py").run()
    assert at.multiselect(key="focus").value == ["blepharospasm"]


def test_the_directory_is_loaded_once_and_never_reparsed_on_a_rerun(monkeypatch):
    import ui.data

    calls = []
    real = ui.data.load_atlas
    monkeypatch.setattr(ui.data, "load_atlas", lambda folder: calls.append(folder) or real(folder))
    at = run_page("directory")
    for _ in range(3):
        at.text_input(key="q").set_value("dystonia").run()
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert len(calls) == 1
