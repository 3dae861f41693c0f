from __future__ import annotations

import json

import pytest
from geopy.distance import geodesic
from geopy.exc import GeocoderServiceError, GeocoderUnavailable
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from atlas import geocode
from atlas.geocode import (
    CachedGeocoder,
    GeocoderChain,
    GeocoderConfigError,
    GeocoderSettings,
    OfflineZipGeocoder,
    RateLimitedGeocoder,
    build_geocoder,
    default_geocoder,
    locate,
    parse_query,
)
from atlas.geocode.places import zip_index

# Street addresses on the page, located independently of this project (map survey), to within ~1 km.
REAL_LOCATIONS = {
    "Dystonia Medical Research Foundation": (41.8866, -87.6259),            # 1 East Wacker Drive, Chicago
    "National Spasmodic Torticollis Association": (33.6946, -117.9545),     # 9920 Talbert Ave, Fountain Valley
    "WE MOVE (Worldwide Education & Awareness for Movement Disorders)": (40.9058, -73.9035),  # Mosholu Ave, Bronx
    "American Speech-Language-Hearing Association (ASHA)": (39.1015, -77.1892),  # 2200 Research Blvd, Rockville
    "Benign Essential Blepharospasm Research Foundation": (30.0866, -94.1185),   # 637 N 7th St, Beaumont
    "Bachmann-Strauss Dystonia & Parkinson Foundation": (40.7556, -73.9790),     # 551 5th Ave, New York
    "Spasmodic Torticollis Dystonia/ST Dystonia": (42.8667, -88.3334),           # Mukwonago, WI
    "American Dystonia Society": (40.3192, -74.6226),                            # Princeton Junction, NJ
}


def test_every_organization_within_25_km_of_its_real_location(orgs_by_name):
    for name, real in REAL_LOCATIONS.items():
        org = orgs_by_name[name]
        assert org.has_point, name
        assert geodesic((org.latitude, org.longitude), real).km < 25, name


def test_precision_of_each_point(orgs_by_name):
    precisions = {org.location_precision for org in orgs_by_name.values()}
    assert precisions <= {"postal_code", "city"}
    assert orgs_by_name["WE MOVE (Worldwide Education & Awareness for Movement Disorders)"].location_precision == "city"


def test_offline_geocoder_speaks_geopy():
    geocoder = OfflineZipGeocoder()
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("60601")
    assert isinstance(location, Location)
    assert location.raw["precision"] == "postal_code"
    assert geocoder.geocode("60601", exactly_one=False)[0].point == location.point
    assert geocoder.geocode("abcde", exactly_one=False) == []


@pytest.mark.parametrize("query, precision", [
    ("60601", "postal_code"),
    ("Chicago, IL", "city"),
    ("Chicago IL", "city"),
    ("1 East Wacker Drive, Chicago, IL 60601", "postal_code"),
    ("chicago, illinois", "city"),
    ("60601-1905", "postal_code"),
])
def test_user_queries_that_find_chicago(query, precision):
    result = locate(query)
    assert result.found and result.problem == ""
    assert result.place.precision == precision
    assert geodesic((result.place.latitude, result.place.longitude), (41.8781, -87.6298)).km < 15


@pytest.mark.parametrize("query, problem", [
    ("abcde", "not-found"), ("00000", "not-found"), ("", "empty"), ("   ", "empty"),
    ("x" * 5000, "too-long"), ("<script>alert(1)</script>", "not-found"), ("Springfield", "ambiguous"),
])
def test_queries_that_find_nothing_explain_why(query, problem):
    result = locate(query)
    assert not result.found
    assert result.problem == problem
    assert len(result.message) > 20 and "\n" not in result.message
    assert len(result.message) < 300  # the 5,000 characters are never echoed back


@pytest.mark.parametrize("query", [
    "Toronto, ON M5V 2T6", "550 Bayview Avenue, Toronto, Ontario M4W 3X8, Canada",
    "10 Downing Street, London, United Kingdom", "Mexico City, 06000, Mexico",
])
def test_non_us_addresses_are_never_forced_onto_a_us_zip(query):
    result = locate(query)
    assert not result.found and result.problem == "outside-us"
    assert OfflineZipGeocoder().geocode(query) is None


def test_zip_that_disagrees_with_the_city_trusts_the_city():
    location = OfflineZipGeocoder().geocode("5731 Mosholu Avenue, Bronx, NY 10024")
    assert location.raw["precision"] == "city" and location.raw["city"] == "Bronx"


def test_street_number_is_not_mistaken_for_a_zip():
    assert parse_query("17500 Main St, Chicago, IL").postal_code == ""
    assert parse_query("1 East Wacker Drive, Chicago, IL 60601") == geocode.QueryParts(
        "1 East Wacker Drive", "Chicago", "IL", "60601", "US")


@pytest.mark.parametrize("query, parts", [
    (" 60601-1905 ", ("", "", "", "60601", "")),
    ("60601", ("", "", "", "60601", "")),
    ("6060", ("", "6060", "", "", "")),
    ("Chicago IL 60601", ("", "Chicago", "IL", "60601", "US")),
    ("Chicago, IL, 60601, USA", ("", "Chicago", "IL", "60601", "US")),
    ("Chicago, 60601", ("", "Chicago", "", "60601", "")),
    ("st. louis mo.", ("", "st. louis", "MO", "", "US")),
    ("Charleston, West Virginia", ("", "Charleston", "WV", "", "US")),
    ("IL .", ("", "", "IL", "", "US")),
    ("10 Downing Street, London, United Kingdom", ("10 Downing Street", "London", "", "", "GB")),
])
def test_query_forms_are_read_into_the_same_parts(query, parts):
    assert parse_query(query) == geocode.QueryParts(*parts)


# --- chain, outage, online ------------------------------------------------------------------

class _Down(Geocoder):
    cache_tag = "down"

    def __init__(self):
        super().__init__()
        self.calls = 0

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.calls += 1
        raise GeocoderUnavailable("service down")


class _Fixed(Geocoder):
    cache_tag = "fixed"

    def __init__(self, raw=None):
        super().__init__()
        self.calls = 0
        self.raw = raw or {"addresstype": "building"}

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.calls += 1
        return Location("Somewhere", (10.0, 20.0), dict(self.raw))


def test_chain_falls_back_when_the_online_geocoder_is_down():
    result = locate("60601", GeocoderChain([_Down(), OfflineZipGeocoder()]))
    assert result.found and result.place.precision == "postal_code"
    assert "did not answer" in result.note


def test_geocoder_that_is_down_gives_a_clear_message_not_an_exception():
    result = locate("60601", GeocoderChain([_Down()]))
    assert not result.found and result.problem == "unavailable"
    assert "not answering" in result.message


def test_online_precision_is_read_from_the_raw_answer():
    assert locate("x", _Fixed({"addresstype": "building"})).place.precision == "address"
    assert locate("x", _Fixed({"addresstype": "postcode"})).place.precision == "postal_code"
    assert locate("x", _Fixed({"addresstype": "city"})).place.precision == "city"


def test_rate_limited_geocoder_reports_errors_instead_of_swallowing_them(monkeypatch):
    waits = []
    monkeypatch.setattr("geopy.extra.rate_limiter.sleep", waits.append)
    down = _Down()
    with pytest.raises(GeocoderServiceError):
        RateLimitedGeocoder(down, min_delay_seconds=1.0).geocode("x")
    assert down.calls == 2  # one retry, then the error surfaces
    assert waits and waits[0] > 0


def test_default_geocoder_is_offline_only():
    geocoder = build_geocoder()
    assert isinstance(geocoder, GeocoderChain)
    assert [type(g) for g in geocoder.geocoders] == [OfflineZipGeocoder]


def test_nominatim_is_opt_in_and_needs_a_user_agent(tmp_path):
    with pytest.raises(GeocoderConfigError, match="user agent"):
        build_geocoder(GeocoderSettings(online="nominatim"))
    with pytest.raises(GeocoderConfigError, match="unknown online geocoder"):
        build_geocoder(GeocoderSettings(online="bing", user_agent="x"))
    geocoder = build_geocoder(GeocoderSettings(online="nominatim", user_agent="atlas-tests",
                                               cache_path=tmp_path / "c.json"))
    assert isinstance(geocoder, CachedGeocoder)
    online, offline = geocoder.inner.geocoders
    assert type(online.inner).__name__ == "Nominatim" and isinstance(offline, OfflineZipGeocoder)
    assert online._geocode.min_delay_seconds >= 1.0
    assert "country_codes" not in online._kwargs  # a Canadian address must be findable online


def test_an_upgrade_keeps_the_answers_of_the_first_releases_default_cache(monkeypatch, tmp_path):
    from atlas.settings import geocoder_settings

    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "atlas-tests")
    monkeypatch.delenv("ATLAS_GEOCODE_CACHE", raising=False)
    folder = tmp_path / "cache" / "dystonia-atlas"
    folder.mkdir(parents=True)
    tag = "nominatim/nominatim.openstreetmap.org+offline-zip/1"
    (folder / "geocode.json").write_text(json.dumps(
        {f"{tag}|12 main st, springfield, il": {"address": "12 Main St, Springfield", "lat": 39.8, "lon": -89.65,
                                                "raw": {"precision": "address"}}}))
    geocoder = build_geocoder(geocoder_settings())
    assert geocoder.cache_tag == tag and geocoder.path == folder / "geocode.sqlite3"
    found = geocoder.geocode("12 Main St,  Springfield, IL")  # answered from the old cache: no request is made
    assert (found.latitude, found.longitude, found.raw) == (39.8, -89.65, {"precision": "address"})


def test_settings_from_the_environment(monkeypatch, tmp_path):
    from atlas.settings import geocoder_settings

    assert geocoder_settings().online == "" and geocoder_settings().cache_path is None
    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    monkeypatch.setenv("ATLAS_GEOCODE_CACHE", "")
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "atlas-tests")
    assert geocoder_settings().cache_path == tmp_path / "cache" / "dystonia-atlas" / "geocode.sqlite3"
    assert geocoder_settings().carry_over == tmp_path / "cache" / "dystonia-atlas" / "geocode.json"
    monkeypatch.setenv("ATLAS_GEOCODE_CACHE", "~/answers.sqlite3")
    assert geocoder_settings().cache_path.name == "answers.sqlite3" and "~" not in str(geocoder_settings().cache_path)
    assert geocoder_settings().carry_over is None  # a cache path of one's own is used as it is
    monkeypatch.setenv("ATLAS_GEOCODE_CACHE", "off")
    assert geocoder_settings().cache_path is None


# --- cache ----------------------------------------------------------------------------------

def test_cache_answers_repeat_queries_and_persists(tmp_path):
    inner = _Fixed()
    path = tmp_path / "cache.sqlite3"
    first = CachedGeocoder(inner, path)
    assert first.geocode("somewhere").point == first.geocode("SOMEWHERE ").point
    assert inner.calls == 1
    second = CachedGeocoder(inner, path)
    assert second.geocode("somewhere").latitude == 10.0 and inner.calls == 1
    assert len(second) == 1


def test_errors_are_not_cached(tmp_path):
    down = _Down()
    cached = CachedGeocoder(GeocoderChain([down, OfflineZipGeocoder()]), tmp_path / "c.json")
    cached.geocode("60601")
    cached.geocode("60601")
    assert down.calls == 2


def test_unreadable_cache_is_moved_aside_not_lost(tmp_path):
    path = tmp_path / "cache.json"
    path.write_text("{ not json")
    cached = CachedGeocoder(_Fixed(), path)
    assert cached.geocode("a") is not None
    aside = list(tmp_path.glob("cache.json.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{ not json"


# --- settings choose the default geocoder ----------------------------------------------------

class _FakeNominatim(Geocoder):
    """Stands in for geopy's Nominatim: records queries, answers from a fixed place."""
    queries: list = []
    fail = False

    def __init__(self, user_agent=None, timeout=None, **kwargs):
        super().__init__(user_agent=user_agent, timeout=timeout)
        self.domain = "nominatim.invalid"

    def geocode(self, query, *, exactly_one=True, timeout=None, **kwargs):
        type(self).queries.append(query)
        if type(self).fail:
            raise GeocoderUnavailable("no network in tests")
        return Location("Chicago, Cook County, Illinois, United States", (41.8755616, -87.6244212),
                        {"addresstype": "city", "osm_id": 1})


@pytest.fixture
def fake_nominatim(monkeypatch):
    monkeypatch.setattr("geopy.geocoders.Nominatim", _FakeNominatim)
    monkeypatch.setattr("geopy.extra.rate_limiter.sleep", lambda seconds: None)
    monkeypatch.setattr(_FakeNominatim, "queries", [])
    monkeypatch.setattr(_FakeNominatim, "fail", False)
    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    return _FakeNominatim


def test_default_geocoder_follows_atlas_geocoder(monkeypatch):
    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "atlas-tests/1 (follows the environment)")
    online = default_geocoder()
    assert [type(g) for g in online.geocoders] == [RateLimitedGeocoder, OfflineZipGeocoder]
    assert type(online.geocoders[0].inner).__name__ == "Nominatim"
    assert default_geocoder() is online  # memoised per settings value
    monkeypatch.setenv("ATLAS_GEOCODER", "offline")
    assert [type(g) for g in default_geocoder().geocoders] == [OfflineZipGeocoder]


def test_locate_with_no_geocoder_asks_nominatim_when_the_settings_say_so(monkeypatch, fake_nominatim):
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "atlas-tests/1 (asks nominatim)")
    result = locate("Chicago, IL")
    assert fake_nominatim.queries == ["Chicago, IL"]
    assert result.found and result.place.label.startswith("Chicago, Cook County") and result.note == ""
    assert result.place.precision == "city"


def test_nominatim_down_falls_back_offline_with_a_note(monkeypatch, fake_nominatim):
    monkeypatch.setenv("ATLAS_NOMINATIM_USER_AGENT", "atlas-tests/1 (nominatim is down)")
    fake_nominatim.fail = True
    result = locate("Chicago, IL")
    assert fake_nominatim.queries  # it was asked
    assert result.found and result.place.label == "Chicago, IL, USA"
    assert "did not answer" in result.note and "offline" in result.note


@pytest.mark.parametrize("env, message", [
    ({"ATLAS_GEOCODER": "bing", "ATLAS_NOMINATIM_USER_AGENT": "x"}, "ATLAS_GEOCODER='bing' is not a geocoder"),
    ({"ATLAS_GEOCODER": "nominatim"}, "ATLAS_NOMINATIM_USER_AGENT"),
    ({"ATLAS_GEOCODER": "nominatim", "ATLAS_NOMINATIM_USER_AGENT": "   "}, "ATLAS_NOMINATIM_USER_AGENT"),
])
def test_settings_that_cannot_work_say_which_variable_to_fix(monkeypatch, env, message):
    monkeypatch.delenv("ATLAS_NOMINATIM_USER_AGENT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(GeocoderConfigError, match=message):
        default_geocoder()
    result = locate("60601")  # the app's search box gets the sentence, not a traceback
    assert not result.found and result.problem == "unavailable" and message.split("=")[0] in result.message


# --- forgiving place names ----------------------------------------------------------------------

@pytest.mark.parametrize("query, label", [
    ("60601-1905", "Chicago, IL 60601, USA"),
    ("denver co", "Denver, CO, USA"),
    ("DENVER CO", "Denver, CO, USA"),
    ("Denver, Colorado", "Denver, CO, USA"),
    ("denver colorado", "Denver, CO, USA"),
    ("springfield, illinois", "Springfield, IL, USA"),
])
def test_forms_of_a_place_that_are_found_as_written(query, label):
    result = locate(query)
    assert result.found and result.place.label == label
    assert not result.corrected and result.note == "" and result.choices == ()


@pytest.mark.parametrize("query, label, near", [
    ("Denvr CO", "Denver, CO", (39.74, -104.99)),
    ("Chicgo, IL", "Chicago, IL", (41.88, -87.63)),
    ("Pittsburg, PA", "Pittsburgh, PA", (40.44, -79.99)),
    ("1 East Wacker Drive, Chicgo, IL", "Chicago, IL", (41.88, -87.63)),
])
def test_a_unique_close_match_is_shown_and_says_so(query, label, near):
    result = locate(query)
    assert result.found and result.corrected
    assert result.note == f"Showing results for {label}."
    assert geodesic((result.place.latitude, result.place.longitude), near).km < 20


@pytest.mark.parametrize("query, first", [
    ("denver", "Denver, CO"), ("Springfield", None), ("Denvr", "Denver, CO"), ("Sprngfield", None)])
def test_ambiguous_or_misspelt_places_offer_choices_largest_first(query, first):
    result = locate(query)
    assert not result.found and result.problem == "ambiguous"
    assert "Add the state" in result.message
    assert 2 <= len(result.choices) <= 5
    if first:
        assert result.choices[0] == first
    index = zip_index()
    sizes = [index.city_centroid(*label.split(", ")).zip_count for label in result.choices]
    assert sizes == sorted(sizes, reverse=True)
    for label in result.choices:  # each choice is a query that finds exactly that place
        chosen = locate(label)
        assert chosen.found and not chosen.corrected and chosen.place.label == f"{label}, USA"


@pytest.mark.parametrize("query", [
    "abcde", "<script>alert(1)</script>", "qwerty", "asdfgh", "xyz", "hello world", "Main Street", "zzzz, ZZ"])
def test_garbage_gets_no_suggestions(query):
    result = locate(query)
    assert not result.found and result.problem == "not-found" and result.choices == ()
    assert "No US place matches" in result.message


def test_unknown_zip_and_foreign_places_keep_their_messages():
    assert "is not a US ZIP code" in locate("00000").message
    assert "is not a US ZIP code" in locate("99999-1234").message
    assert "outside the United States" in locate("Toronto, ON M5V 2T6").message


@pytest.mark.parametrize("query", ["abc\x00de", "Sprin\x00gfield", "Chi\x1b[31mcago\x00, ZZ", "\x00" * 3 + "00000",
                                   "Toronto\x07, ON M5V 2T6", "x\u202ey\x00z"])
def test_control_characters_are_never_echoed(query):
    result = locate(query)
    for text in (result.message, result.note, result.query, *result.choices):
        assert text.isprintable(), (query, text)


def test_control_characters_do_not_stop_a_place_being_found():
    result = locate("Chicago\x00, IL")
    assert result.found and result.place.label == "Chicago, IL, USA"
    assert "\ufffd" in result.query and "\x00" not in result.query


# --- faults of the online service and of what people type ----------------------------------------

class _Replies(Geocoder):
    """An online service whose reply is given: a Location, None, or an exception to raise."""
    cache_tag = "replies"

    def __init__(self, reply):
        super().__init__()
        self.reply, self.calls = reply, 0

    def geocode(self, query, *, exactly_one=True, timeout=None, **kwargs):
        self.calls += 1
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply


def _online(reply, monkeypatch) -> tuple[_Replies, GeocoderChain]:
    monkeypatch.setattr("geopy.extra.rate_limiter.sleep", lambda seconds: None)
    service = _Replies(reply)
    return service, GeocoderChain([RateLimitedGeocoder(service, min_delay_seconds=1.0), OfflineZipGeocoder()])


@pytest.mark.parametrize("reply", [
    ValueError("Latitude must be in the [-90; 90] range"),  # what geopy raises for a reply it cannot read
    TypeError("'NoneType' object is not subscriptable"),
    Location("Null Island", (0.0, 0.0), {"lat": "0", "lon": "0"}),
    Location("Wrapped", (41.0, -160.0), {"lat": "41", "lon": "200"}),  # geopy wrapped 200 round to -160
    Location("No details", (41.0, -87.0), "not a dict"),
])
def test_an_answer_the_app_cannot_use_falls_back_offline_with_a_note(monkeypatch, reply):
    _, chain = _online(reply, monkeypatch)
    result = locate("Chicago, IL", chain)
    assert result.found and result.place.label == "Chicago, IL, USA"
    assert "did not answer (GeocoderParseError)" in result.note and "offline ZIP table" in result.note


def test_a_service_that_is_down_is_left_alone_for_a_minute(monkeypatch):
    service, chain = _online(GeocoderUnavailable("no route to host"), monkeypatch)
    online = chain.geocoders[0]
    now = [1000.0]
    online._clock = lambda: now[0]
    assert "did not answer" in locate("60601", chain).note
    asked = service.calls
    assert asked == 2  # one try and one retry
    for query in ("Denver, CO", "Denvr CO", "90210"):  # each falls back at once, without asking
        assert "did not answer" in locate(query, chain).note
    assert service.calls == asked
    now[0] += geocode.OUTAGE_PAUSE_SECONDS + 1
    service.reply = Location("Chicago, Cook County, Illinois", (41.88, -87.62), {"addresstype": "city"})
    result = locate("Chicago, IL", chain)
    assert result.place.label.startswith("Chicago, Cook County") and result.note == "" and service.calls == asked + 1


def test_a_miss_during_an_outage_does_not_claim_an_offline_location(monkeypatch):
    _, chain = _online(GeocoderUnavailable("down"), monkeypatch)
    result = locate("Xyzzyville, IL", chain)
    assert not result.found and "only the offline ZIP table was searched" in result.note


def test_a_retry_is_logged_on_one_line_without_a_traceback(monkeypatch, caplog):
    _, chain = _online(GeocoderUnavailable("connection refused"), monkeypatch)
    with caplog.at_level("WARNING", logger="geopy"):
        locate("60601", chain)
    retries = [r for r in caplog.records if r.name.startswith("geopy")]
    assert retries and all(r.exc_info is None for r in retries)
    assert "GeocoderUnavailable: connection refused" in retries[0].getMessage()


def test_sessions_sharing_one_geocoder_each_hear_of_their_own_outage(tmp_path):
    """Streamlit sessions share one geocoder from different threads; one session's outage is not another's."""
    import threading

    class _FailsForZips(Geocoder):
        cache_tag = "half-down"

        def geocode(self, query, *, exactly_one=True, timeout=None):
            if str(query)[:1].isdigit():
                raise GeocoderUnavailable("down for ZIP codes")
            return Location(f"online {query}", (40.0, -100.0), {"addresstype": "city"})

    shared = CachedGeocoder(GeocoderChain([_FailsForZips(), OfflineZipGeocoder()]), tmp_path / "c.sqlite3")
    zips = [code for code, _, _ in zip_index().delivery_zips() if code.startswith("606")][:40]
    towns = [f"Chicago, IL {n}" for n in range(40)]
    results = {}

    def look_up(queries):
        for query in queries:
            results[query] = locate(query, shared)

    threads = [threading.Thread(target=look_up, args=(qs,)) for qs in (zips, towns, zips[::-1], towns[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[q].found and "did not answer" in results[q].note for q in zips)
    assert all(results[q].place.label.startswith("online") and results[q].note == "" for q in towns)
    assert not any(key.split("|", 1)[1][:1].isdigit() for key in shared.keys())  # no outage fallback was kept


def test_an_answer_from_the_cache_carries_no_earlier_outage(tmp_path):
    down, fixed = _Down(), _Fixed()
    chain = GeocoderChain([fixed])
    cache = CachedGeocoder(chain, tmp_path / "c.sqlite3")
    cache.geocode("somewhere")
    chain.geocoders = [down, OfflineZipGeocoder()]
    assert locate("60601", cache).note  # this lookup met the outage
    assert locate("somewhere", cache).note == ""  # this one came from the cache


@pytest.mark.parametrize("code, message", [
    ("09001", "military (APO, FPO or DPO) ZIP code"),
    ("99999", "is not a US ZIP code in use"),
])
def test_a_zip_code_with_no_place_says_why(code, message):
    result = locate(code)
    assert not result.found and result.problem == "not-found" and message in result.message


def test_a_po_box_zip_code_is_placed_at_its_city():
    for query in ("46245", "Indianapolis, IN 46245"):
        place = locate(query).place
        assert place.label == "Indianapolis, IN, USA" and place.precision == "city"


@pytest.mark.parametrize("query", ["\ud800", "Chicag\udcff, IL", {"city": "Chicago\udcff", "state": "IL"},
                                   {"city": "Chicago\x00", "state": "IL"}, {"postalcode": "6" * 5000}])
def test_text_no_encoding_can_write_is_read_not_raised(query):
    result = locate(query)
    assert result.found or result.message
    assert len(result.query) <= geocode.MAX_QUERY_CHARS


@pytest.mark.parametrize("query", ["Zürich, Switzerland", "Rome, Italy", "Athens, Greece", "Moscow, Russia",
                                   "Hanoi, Viet Nam"])
def test_a_city_abroad_is_never_placed_in_a_us_town_of_its_countrys_name(query):
    result = locate(query)
    assert not result.found and result.problem == "outside-us"


@pytest.mark.parametrize("query, label", [
    ("Atlanta, Georgia", "Atlanta, GA, USA"),  # a state's name is not the country
    ("San Juan, Puerto Rico", "San Juan, PR, USA"),
    ("Washington D.C.", "Washington, DC, USA"),
    ("New York", "New York, NY, USA"),
    ("60601, IL", "Chicago, IL 60601, USA"),
    ("90210 CA", "Beverly Hills, CA 90210, USA"),
    ("60601 USA", "Chicago, IL 60601, USA"),
    ("Dallas TX 75201 USA", "Dallas, TX 75201, USA"),
    ("Chicago IL 606011234", "Chicago, IL 60601, USA"),
    ("Sault Ste. Marie, MI", "Sault Sainte Marie, MI, USA"),
])
def test_more_ways_people_write_a_us_place(query, label):
    result = locate(query)
    assert result.found and result.place.label == label and not result.corrected


def test_the_states_named_for_a_shared_place_are_the_ones_offered():
    result = locate("Springfield")
    named = result.message.split("(")[1].split(")")[0].rstrip("…").split(", ")
    assert named == [label.split(", ")[1] for label in result.choices]


@pytest.mark.parametrize("query", ["Beverly Hills, IL 90210", {"postalcode": "90210", "state": "IL"}])
def test_a_zip_code_that_contradicts_the_city_or_state_is_shown_with_a_note(query):
    result = locate(query)
    assert result.place.label == "Beverly Hills, CA 90210, USA"
    assert "90210 is the ZIP code of Beverly Hills, CA, not of the city or state given" in result.note
    assert locate("Beverly Hills, CA 90210").note == ""
