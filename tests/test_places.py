"""The offline place index: what it answers, and how its cache file is made, kept and replaced."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time

import pytest
import zipcodes

from atlas.geocode import places
from atlas.geocode.places import ZIP_PATTERN, ZipIndex, ZipRecord, normalize_city, zip_index
from atlas.ingest import contacts
from tests.conftest import ROOT, SOURCE


@pytest.fixture(scope="module")
def index() -> ZipIndex:
    return zip_index()


# --- answers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["60601", "00501", "10024", "90265", "99950", "96799", "00601", "77701"])
def test_lookup_gives_the_same_record_as_the_zipcodes_package(index, code):
    raw = zipcodes.matching(code)[0]
    assert index.lookup(code) == ZipRecord(
        zip_code=raw["zip_code"], kind=raw["zip_code_type"], city=raw["city"].title(), state=raw["state"],
        acceptable_cities=tuple(c.title() for c in raw["acceptable_cities"]),
        latitude=float(raw["lat"]), longitude=float(raw["long"]), active=bool(raw["active"]),
        area_codes=tuple(raw["area_codes"]))


def test_lookup_reads_zip_plus_four_and_refuses_what_is_not_a_zip(index):
    assert index.lookup("60601-1905").zip_code == "60601"
    for text in ("00000", "6060", "606011", "abcde", "", "60601-19"):
        assert index.lookup(text) is None, text
    assert ZIP_PATTERN.match("60601-1905")


def test_city_centroid_is_the_mean_of_street_delivery_zips(index):
    chicago = index.city_centroid("chicago", "il")
    standard = [r for r in zipcodes.filter_by_state("IL") if r["zip_code_type"] == "STANDARD" and r["active"]
                and "chicago" in {normalize_city(c) for c in (r["city"], *r["acceptable_cities"])}]
    assert chicago.city == "Chicago" and chicago.state == "IL"
    assert chicago.zip_count == len(standard) > 40
    assert chicago.latitude == pytest.approx(sum(float(r["lat"]) for r in standard) / len(standard))
    assert chicago.longitude == pytest.approx(sum(float(r["long"]) for r in standard) / len(standard))
    assert index.city_centroid("Saint Louis", "MO") == index.city_centroid("St. Louis", "mo")
    assert index.city_centroid("Chicago", "CA") is None
    assert index.city_centroid("Bronx", "NY").city == "Bronx"


def test_cities_named_and_places_named(index):
    assert {"IL", "MA", "MO", "OR"} <= set(index.cities_named("springfield"))
    assert index.cities_named("Chicago") == ["IL"]
    assert index.cities_named("Nowhere Special") == []
    places = index.places_named("Springfield")
    counts = [p.zip_count for p in places]
    assert counts == sorted(counts, reverse=True) and places[0].label.startswith("Springfield, ")


def test_area_codes_name_their_states(index):
    assert index.area_code_states("312")[0][0] == "IL"
    assert index.area_code_states("310")[0][0] == "CA"
    assert index.area_code_states("000") == []
    assert contacts.phone_regions("(902) 368-4000") == ("NS", "PE")  # one code, two provinces
    assert contacts.phone_regions("(202) 555-0143") == ("DC",)  # border ZIPs in MD and VA are left out
    assert contacts.phone_regions("+44 20 7946 0018") == ()


def test_place_names_are_the_fuzzy_matchers_table(index):
    names = index.place_names
    assert len(names) > 30_000
    denver = [p for p in names if p.name == "denver" and p.state == "CO"]
    assert len(denver) == 1 and denver[0].zip_count > 20 and denver[0].label == "Denver, CO"
    assert all(p.name == normalize_city(p.name) for p in names[:500])


def test_the_index_is_built_once_and_kept_on_disk(index):
    assert index.source.endswith(".sqlite3") and os.path.exists(index.source)
    name = os.path.basename(index.source)
    assert name == f"places-{places.source_key()}.sqlite3"
    assert zipcodes.__version__ in name


# --- the cache file -----------------------------------------------------------------------------
# A small fake `zipcodes` keeps builds fast; the real one is exercised above.

FAKE_ROWS = [
    {"zip_code": "11111", "zip_code_type": "STANDARD", "active": True, "city": "Testville", "state": "IL",
     "acceptable_cities": ["Test Town"], "area_codes": ["312"], "lat": "41.5", "long": "-87.5"},
    {"zip_code": "11112", "zip_code_type": "PO BOX", "active": True, "city": "Testville", "state": "IL",
     "acceptable_cities": [], "area_codes": ["312"], "lat": "42.0", "long": "-88.0"},
]


NO_POSITION_ROWS = [
    # zipcodes writes "0" for the ZIP codes the USPS gives no position: every military one, some others
    {"zip_code": "09001", "zip_code_type": "MILITARY", "active": True, "city": "APO", "state": "AE",
     "acceptable_cities": [], "area_codes": [], "lat": "0", "long": "0"},
    {"zip_code": "11113", "zip_code_type": "UNIQUE", "active": True, "city": "Testville", "state": "IL",
     "acceptable_cities": [], "area_codes": ["312"], "lat": "0.0000", "long": "0.0000"},
]


@pytest.fixture
def fake_zipcodes(monkeypatch):
    calls = []

    def list_all():
        calls.append(1)
        return [dict(row) for row in FAKE_ROWS + NO_POSITION_ROWS]

    monkeypatch.setattr(zipcodes, "list_all", list_all)
    monkeypatch.setattr(places, "source_key", lambda: "1-test-0000")
    return calls


def test_a_fresh_cache_is_built_then_reused(tmp_path, fake_zipcodes):
    first = places.open_index(tmp_path)
    assert first.lookup("11111").acceptable_cities == ("Test Town",)
    assert first.city_centroid("testville", "IL").latitude == 41.5  # the PO-box ZIP is not averaged in
    second = places.open_index(tmp_path)
    assert second.lookup("11112").kind == "PO BOX"
    assert len(fake_zipcodes) == 1  # read once, in one pass
    assert [p.name for p in tmp_path.iterdir()] == ["places-1-test-0000.sqlite3"]


def test_a_new_zipcodes_gets_a_new_index_and_the_old_one_goes(tmp_path, fake_zipcodes, monkeypatch):
    places.open_index(tmp_path)
    monkeypatch.setattr(places, "source_key", lambda: "1-test-1111")
    FAKE_ROWS_NEW = [dict(FAKE_ROWS[0], city="Newville", acceptable_cities=[])]
    monkeypatch.setattr(zipcodes, "list_all", lambda: FAKE_ROWS_NEW)
    assert places.open_index(tmp_path).lookup("11111").city == "Newville"
    assert [p.name for p in tmp_path.iterdir()] == ["places-1-test-1111.sqlite3"]


def test_the_key_follows_the_data_file_checksum(monkeypatch, tmp_path):
    real = places.source_key()
    copy = tmp_path / "data.so"
    copy.write_bytes(places._data_files()[0].read_bytes() + b"patched")
    monkeypatch.setattr(places, "_data_files", lambda: [copy])
    patched = places.source_key()
    assert patched != real and patched.split("-")[:2] == real.split("-")[:2]


def test_a_damaged_index_is_rebuilt(tmp_path, fake_zipcodes):
    places.open_index(tmp_path)
    path = tmp_path / "places-1-test-0000.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    assert places.open_index(tmp_path).lookup("11111").city == "Testville"
    assert len(fake_zipcodes) == 2


def test_stale_temporary_files_of_killed_builders_are_removed(tmp_path, fake_zipcodes, monkeypatch):
    stale = tmp_path / ".places-1-test-0000.abc.tmp"
    fresh = tmp_path / ".places-1-test-0000.def.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 2 * places.STALE_TEMPORARY_SECONDS
    os.utime(stale, (old, old))
    places.open_index(tmp_path)
    assert not stale.exists() and fresh.exists()  # a fresh one may belong to a builder still at work


def test_an_unwritable_cache_folder_still_gives_an_index(tmp_path, fake_zipcodes):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    index = places.open_index(blocked)
    assert index.lookup("11111").city == "Testville" and index.source == ""


def _build(directory, ready):
    ready.wait()
    index = places.open_index(directory)
    assert index.lookup("11111") is not None
    os._exit(0)


def test_two_processes_building_at_once_both_get_a_whole_index(tmp_path, fake_zipcodes):
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    builders = [context.Process(target=_build, args=(tmp_path, ready)) for _ in range(3)]
    for process in builders:
        process.start()
    ready.set()
    for process in builders:
        process.join(60)
    assert [p.exitcode for p in builders] == [0, 0, 0]
    assert [p.name for p in tmp_path.iterdir()] == ["places-1-test-0000.sqlite3"]
    with sqlite3.connect(tmp_path / "places-1-test-0000.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM zips").fetchone()[0] == 4


def test_a_zip_code_with_no_position_is_kept_without_one_and_moves_no_city(tmp_path, fake_zipcodes):
    index = places.open_index(tmp_path)
    military, unique = index.lookup("09001"), index.lookup("11113")
    assert military.kind == "MILITARY" and (military.latitude, military.longitude) == (None, None)
    assert unique.city == "Testville" and unique.latitude is None
    centre = index.city_centroid("Testville", "IL")
    assert (centre.latitude, centre.longitude, centre.zip_count) == (41.5, -87.5, 1)  # not pulled towards (0, 0)
    assert index.city_centroid("APO", "AE") is None
    assert [row[0] for row in index.delivery_zips()] == ["11111"]
    assert index.area_code_states("312") == [("IL", 3)]  # area codes still count every ZIP code


def test_no_real_zip_code_or_city_is_placed_at_zero_or_out_at_sea(index):
    with index._lock:
        rows = index._db.execute("SELECT count(*) FROM zips WHERE lat = 0 OR lon = 0").fetchone()[0]
        # the 50 states, DC and Puerto Rico lie between 17° N and 72° N, and west of 64° W
        names = index._db.execute("SELECT count(*) FROM names WHERE state NOT IN ('GU', 'MP', 'AS', 'PW', 'MH', "
                                  "'FM', 'VI', 'AA', 'AE', 'AP') AND (lon > -64 OR lat < 17 OR lat > 72)").fetchone()[0]
    assert rows == 0 and names == 0
    assert index.lookup("09001").latitude is None and index.lookup("46245").latitude is None
    livingston = index.city_centroid("Livingston", "TX")
    assert 30 < livingston.latitude < 31.5 and -95.5 < livingston.longitude < -94


def test_damage_inside_the_index_is_noticed_when_asked_and_repaired(tmp_path):
    built = places.open_index(tmp_path)
    expected = {code: built.lookup(code) for code in ("60601", "99950", "00601", "10024", "96799")}
    path = built.source
    data = bytearray(open(path, "rb").read())
    for offset in range(len(data) // 4, len(data) - 8192, 4096):  # every page past the first quarter
        data[offset + 8: offset + 4000] = os.urandom(3992)
    with open(path, "wb") as handle:
        handle.write(data)
    damaged = ZipIndex.open(path)  # opens fine: the stamp on the first page is intact
    answers = {code: damaged.lookup(code) for code in expected}
    assert answers == expected
    assert damaged.city_centroid("Chicago", "IL") is not None
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # the file was built again


# --- what the offline build imports -------------------------------------------------------------

def test_the_offline_build_does_not_import_phone_geodata(tmp_path):
    script = ("import sys\n"
              "import atlas.ingest.build as build\n"
              f"build.build_files({str(SOURCE)!r}, {str(tmp_path)!r})\n"
              "loaded = sorted(m for m in sys.modules if m.startswith('phonenumbers.geocoder') "
              "or m.startswith('phonenumbers.geodata'))\n"
              "print('phone-geodata:', loaded)\n")
    env = {"PATH": "/usr/bin:/bin", "ATLAS_GEOCODE_CACHE": "off", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "phone-geodata: []" in result.stdout
    assert (tmp_path / "organizations.csv").exists()
