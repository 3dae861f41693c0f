"""The persistent geocode cache under real concurrency: several processes, and processes killed mid-write.

A writer "confirms" an entry by printing its key on a pipe after `geocode` has returned, that
is, after the answer was committed. Whatever happens to the writers afterwards, every confirmed
entry must be in the cache, and no file but the cache itself may be left behind.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from atlas.geocode.cache import CachedGeocoder, cache_key

WRITERS = 4


class _Echo(Geocoder):
    """Answers every query with a point derived from it, so a cached answer can be checked."""
    cache_tag = "echo"

    def __init__(self):
        super().__init__()
        self.calls = 0

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.calls += 1
        if query.endswith("-none"):
            return None
        return Location(f"place {query}", (len(query), 1.5), {"precision": "city", "query": query})


def _writer(path: str, prefix: str, count: int | None, confirm_fd: int) -> None:
    """Add entries `prefix-0`, `prefix-1`, … (forever if `count` is None), confirming each on the pipe."""
    cache = CachedGeocoder(_Echo(), path)
    n = 0
    while count is None or n < count:
        query = f"{prefix}-{n}" + ("-none" if n % 7 == 3 else "")
        cache.geocode(query)
        os.write(confirm_fd, (query + "\n").encode())  # shorter than PIPE_BUF: written whole or not at all
        n += 1
    os._exit(0)


def _start_writers(path, count):
    context = multiprocessing.get_context("fork")
    read_fd, write_fd = os.pipe()
    writers = [context.Process(target=_writer, args=(str(path), f"w{i}", count, write_fd)) for i in range(WRITERS)]
    for process in writers:
        process.start()
    os.close(write_fd)
    return writers, os.fdopen(read_fd, "rb")


def _assert_cached(path, queries):
    echo = _Echo()
    cache = CachedGeocoder(echo, path)
    stored = cache.keys()
    missing = sorted(q for q in queries if cache_key("echo", q) not in stored)
    assert not missing, f"{len(missing)} confirmed entries lost, e.g. {missing[:3]}"
    for query in sorted(queries)[:50]:
        location = cache.geocode(query)
        if query.endswith("-none"):
            assert location is None
        else:
            assert location.address == f"place {query}" and location.raw["query"] == query
    assert echo.calls == 0  # every answer came from the cache


def _leftovers(path):
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_concurrent_writers_lose_no_entry(tmp_path):
    path = tmp_path / "geocode.sqlite3"
    writers, confirmations = _start_writers(path, 60)
    confirmed = {line.decode().strip() for line in confirmations}  # read until every writer is gone
    for process in writers:
        process.join(60)
    assert [p.exitcode for p in writers] == [0] * WRITERS
    assert len(confirmed) == WRITERS * 60
    _assert_cached(path, confirmed)
    assert len(CachedGeocoder(_Echo(), path)) == WRITERS * 60
    assert _leftovers(path) == []


def test_writers_killed_mid_run_keep_every_confirmed_entry_and_leave_no_files(tmp_path):
    path = tmp_path / "geocode.sqlite3"
    writers, confirmations = _start_writers(path, None)
    confirmed: set[str] = set()
    per_writer = dict.fromkeys(range(WRITERS), 0)
    for line in confirmations:
        query = line.decode().strip()
        confirmed.add(query)
        per_writer[int(query.split("-")[0][1:])] += 1
        if min(per_writer.values()) >= 25:
            break
    for process in writers:
        os.kill(process.pid, signal.SIGKILL)
    for process in writers:
        process.join(60)
    assert [p.exitcode for p in writers] == [-signal.SIGKILL] * WRITERS
    confirmed |= {line.decode().strip() for line in confirmations}  # confirmed before the kill, read late
    confirmations.close()
    assert len(confirmed) >= WRITERS * 25
    _assert_cached(path, confirmed)
    assert _leftovers(path) == []  # the open above recovered the log; closing it removed -wal and -shm


def test_old_json_cache_is_moved_aside_and_its_answers_carried_over(tmp_path):
    path = tmp_path / "geocode.json"
    path.write_text(json.dumps({
        "echo|chicago, il": {"address": "Chicago", "lat": 41.9, "lon": -87.6, "raw": {"precision": "city"}},
        "echo|nowhere": None}))
    echo = _Echo()
    cache = CachedGeocoder(echo, path)
    assert cache.geocode("Chicago, IL").latitude == 41.9 and cache.geocode("nowhere") is None
    assert echo.calls == 0
    aside = list(tmp_path.glob("geocode.json.unreadable-*"))
    assert len(aside) == 1 and json.loads(aside[0].read_text())["echo|nowhere"] is None


def test_a_new_cache_starts_with_the_answers_of_the_first_releases_default_cache(tmp_path):
    """The default cache was geocode.json before it became geocode.sqlite3: an upgrade keeps its answers,
    reads the old file without changing it, and carries it over only into a cache it creates."""
    old = tmp_path / "geocode.json"
    old.write_text(json.dumps({
        "echo|chicago, il": {"address": "Chicago", "lat": 41.9, "lon": -87.6, "raw": {"precision": "city"}},
        "echo|nowhere": None, "echo|broken": {"address": "no point"}}))
    before = old.read_bytes()
    echo = _Echo()
    cache = CachedGeocoder(echo, tmp_path / "geocode.sqlite3", carry_over=old)
    assert cache.geocode("Chicago, IL").raw == {"precision": "city"} and cache.geocode("nowhere") is None
    assert echo.calls == 0 and len(cache) == 2  # the entry without a point is not an answer
    assert old.read_bytes() == before and not list(tmp_path.glob("*.unreadable-*"))

    old.write_text(json.dumps({"echo|later": {"address": "Later", "lat": 1.0, "lon": 2.0, "raw": {}}}))
    again = CachedGeocoder(echo, tmp_path / "geocode.sqlite3", carry_over=old)
    assert len(again) == 2 and again.geocode("later").address == "place later" and echo.calls == 1


def test_a_carry_over_that_is_missing_or_not_a_cache_changes_nothing(tmp_path):
    (tmp_path / "list.json").write_text("[1, 2]")
    for carry_over in (tmp_path / "missing.json", tmp_path / "list.json"):
        cache = CachedGeocoder(_Echo(), tmp_path / f"{carry_over.stem}.sqlite3", carry_over=carry_over)
        assert len(cache) == 0 and cache.geocode("a").address == "place a" and len(cache) == 1


def test_a_cache_that_cannot_be_created_still_answers(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder should be")
    echo = _Echo()
    cache = CachedGeocoder(echo, blocker / "geocode.sqlite3")
    assert cache.geocode("a").address == "place a" and cache.geocode("a").address == "place a"
    assert echo.calls == 2 and len(cache) == 0


def test_entries_of_an_old_cache_that_cannot_be_answers_are_left_out(tmp_path):
    old = tmp_path / "geocode.json"
    old.write_text(json.dumps({
        "echo|good": {"address": "Good", "lat": 41.9, "lon": -87.6, "raw": {"precision": "city"}},
        "echo|text": {"address": "x", "lat": "abc", "lon": 1}, "echo|null": {"address": "x", "lat": None, "lon": 1},
        "echo|pole": {"address": "x", "lat": 200, "lon": 1}, "echo|zero": {"address": "x", "lat": 0, "lon": 0},
        "echo|raw": {"address": "x", "lat": 41, "lon": -87, "raw": "s"}, "echo|list": [1, 2],
        "echo|nameless": {"address": None, "lat": 41, "lon": -87}})[:-1] + ', "echo|nan": {"address": "x", "lat": NaN, "lon": 1}}')
    echo = _Echo()
    cache = CachedGeocoder(echo, tmp_path / "geocode.sqlite3", carry_over=old)
    assert cache.keys() == {"echo|good"}
    assert cache.geocode("good").address == "Good" and cache.geocode("text").address == "place text"
    assert echo.calls == 1


def test_a_stored_answer_that_cannot_be_read_is_asked_again_and_replaced(tmp_path):
    path = tmp_path / "geocode.sqlite3"
    echo = _Echo()
    cache = CachedGeocoder(echo, path)
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO answers VALUES (?, 1, ?, ?, ?, ?)", [
            (cache_key("echo", "bad-json"), "x", 1.0, 2.0, "{not json"),
            (cache_key("echo", "bad-raw"), "x", 1.0, 2.0, "[1]"),
            (cache_key("echo", "bad-lat"), "x", "abc", None, "{}")])
    for query in ("bad-json", "bad-raw", "bad-lat"):
        assert cache.geocode(query).address == f"place {query}"
    assert echo.calls == 3 and cache.geocode("bad-json").address == "place bad-json" and echo.calls == 3


def _damaged_database(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE answers (key TEXT PRIMARY KEY, found INTEGER NOT NULL, address TEXT, "
                   "lat REAL, lon REAL, raw TEXT) WITHOUT ROWID")
        db.executemany("INSERT INTO answers VALUES (?, 1, 'a', 1, 2, '{}')", [(f"k{i}",) for i in range(3000)])
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)  # the header survives; the pages behind it do not
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_moved_aside_and_the_cache_starts_again(tmp_path):
    path = tmp_path / "geocode.sqlite3"
    _damaged_database(path)
    damaged = path.read_bytes()
    cache = CachedGeocoder(_Echo(), path)
    assert cache.geocode("a").address == "place a" and len(cache) == 1
    aside = list(tmp_path.glob("geocode.sqlite3.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged


def test_a_cache_whose_creation_was_killed_still_gets_the_old_answers(tmp_path):
    """A process killed after creating the file but before committing the carried answers leaves a
    file with no table; the next process carries them over then."""
    old = tmp_path / "geocode.json"
    old.write_text(json.dumps({"echo|chicago": {"address": "Chicago", "lat": 41.9, "lon": -87.6, "raw": {}}}))
    path = tmp_path / "geocode.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
    assert path.exists()
    cache = CachedGeocoder(_Echo(), path, carry_over=old)
    assert cache.keys() == {"echo|chicago"}


def _open_cache(path: str, ready) -> None:
    ready.wait()
    cache = CachedGeocoder(_Echo(), path)
    cache.geocode(f"from-{os.getpid()}")
    os._exit(0 if cache._ready else 3)


def test_processes_that_find_an_old_cache_at_once_move_it_once_and_lose_nothing(tmp_path):
    path = tmp_path / "geocode.json"
    old = {f"echo|old-{i}": {"address": f"a{i}", "lat": 1.0, "lon": 2.0, "raw": {}} for i in range(300)}
    path.write_text(json.dumps(old))
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    openers = [context.Process(target=_open_cache, args=(str(path), ready)) for _ in range(8)]
    for process in openers:
        process.start()
    ready.set()
    for process in openers:
        process.join(120)
    assert [p.exitcode for p in openers] == [0] * 8  # every process kept its cache
    keys = CachedGeocoder(_Echo(), path).keys()
    assert set(old) <= keys and sum(key.startswith("echo|from-") for key in keys) == 8
    aside = list(tmp_path.glob("geocode.json.unreadable-*"))
    assert len(aside) == 1 and json.loads(aside[0].read_text()) == old


def test_another_programs_database_at_the_path_is_moved_aside_not_used(tmp_path):
    path = tmp_path / "geocode.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE answers (x)")
        db.execute("INSERT INTO answers VALUES ('theirs')")
    cache = CachedGeocoder(_Echo(), path)
    assert cache.geocode("a").address == "place a" and cache.keys() == {"echo|a"}
    aside = list(tmp_path.glob("geocode.sqlite3.unreadable-*"))
    assert len(aside) == 1
    with sqlite3.connect(aside[0]) as db:
        assert db.execute("SELECT x FROM answers").fetchall() == [("theirs",)]
