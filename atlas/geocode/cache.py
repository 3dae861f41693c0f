"""A persistent geocode answer cache that several processes can share without losing answers.

Why SQLite, one row per answer, in WAL mode: the old cache rewrote one JSON file after each
answer, so two processes writing at once overwrote each other's answers, and a killed writer
left its temporary file behind. Here each answer is one `INSERT` in its own transaction: a
committed answer is never lost to another writer, because writers add rows instead of
replacing the file. WAL lets readers (app sessions) read while a writer commits, and makes
each commit an append to the log. A writer killed mid-transaction leaves an unfinished log
entry that SQLite discards at the next open, so every answer committed before the kill stays.

Each lookup opens a connection and closes it again. A lookup is rare next to the online request
it saves, and closing the last connection checkpoints the log and deletes the `-wal` and `-shm`
files, so no file but the cache itself stays on disk between lookups, even after a kill.

A file at the cache path that is not an SQLite database (an old JSON cache, a damaged file) is
moved aside, never overwritten, and the cache starts empty; entries of an old JSON cache are
carried over first. A cache created new also starts with the entries of `carry_over`, an old JSON
cache kept elsewhere (the first release's default file had another name), which it only reads.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from atlas.geocode.adapter import NoNetworkAdapter
from atlas.geocode.places import position

log = logging.getLogger(__name__)

Query = Union[str, dict]
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 30.0
_COLUMNS = ("key", "found", "address", "lat", "lon", "raw")
_SCHEMA = ("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, found INTEGER NOT NULL, address TEXT, "
           "lat REAL, lon REAL, raw TEXT) WITHOUT ROWID")
_UNREADABLE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
PREPARE_ATTEMPTS = 20


def cache_key(tag: str, query: Query) -> str:
    body = json.dumps(query, sort_keys=True) if isinstance(query, dict) else " ".join(str(query).lower().split())
    return f"{tag}|{body}"


class CachedGeocoder(Geocoder):
    """A persistent answer cache in front of another geocoder.

    Answers (found or not) are stored keyed by the inner geocoder's tag and the query. Errors are
    never cached. A cache that cannot be read or written is skipped with a warning: the lookup
    still answers.
    """

    def __init__(self, inner: Geocoder, path: str | Path, *, carry_over: str | Path | None = None):
        super().__init__(user_agent="dystonia-atlas-cache", adapter_factory=NoNetworkAdapter)
        self.inner = inner
        self.path = Path(path)
        self.carry_over = Path(carry_over) if carry_over is not None else None
        self.cache_tag = getattr(inner, "cache_tag", type(inner).__name__)
        self._ready = False
        self._calls = threading.local()  # one cache serves every session's thread at once
        self._prepare()

    @property
    def last_errors(self) -> list:
        """The errors of this thread's last lookup: none for an answer from the cache."""
        return getattr(self._calls, "errors", [])

    # --- the file -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Move an unreadable file aside, then switch to WAL and create the table (once per file).

        A cache is new while it has no table of answers, not while its file is missing: a process
        killed while creating it leaves a file with no table, and the next one starts it again.
        The table and the answers carried over are one transaction, so they arrive together.
        """
        for attempt in range(PREPARE_ATTEMPTS):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                moved = self._set_aside_if_unreadable()
                seen = self._inode()
                with self._connection() as db:
                    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        db.execute("PRAGMA journal_mode = WAL")
                    earlier = [] if _has_answers(db) else self._carry_over()
                    db.execute("BEGIN IMMEDIATE")
                    if _has_answers(db):
                        earlier = []  # another process created the cache meanwhile, and carried them
                    db.execute(_SCHEMA)
                    foreign = [row[1] for row in db.execute("PRAGMA table_info(answers)")] != list(_COLUMNS)
                    if foreign:
                        db.execute("ROLLBACK")
                    else:
                        if moved or earlier:
                            db.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?)", moved + earlier)
                        db.execute("COMMIT")
                if foreign and attempt == 0:  # another program's database at this path: kept, never used
                    self._move_aside("not a geocode cache (its answers table has other columns)", seen)
                    continue
                if foreign:
                    log.warning("geocode cache %s is another program's database; answers will not be kept", self.path)
                    return
                self._ready = True
                return
            except sqlite3.DatabaseError as exc:
                code = getattr(exc, "sqlite_errorcode", None)
                # Switching to WAL needs the file to itself for a moment; another process may hold it.
                if code in _BUSY_CODES and attempt + 1 < PREPARE_ATTEMPTS:
                    time.sleep(0.02 * (attempt + 1))
                    continue
                if code in _UNREADABLE_CODES and attempt == 0:
                    try:
                        self._move_aside(str(exc), seen)  # a damaged database: kept, never overwritten
                        continue
                    except OSError:
                        pass
                log.warning("geocode cache %s cannot be used (%s); answers will not be kept", self.path, exc)
                return
            except OSError as exc:
                log.warning("geocode cache %s cannot be used (%s); answers will not be kept", self.path, exc)
                return

    def _carry_over(self) -> list[tuple]:
        if self.carry_over is None or self.carry_over == self.path:
            return []
        earlier = _json_entries(self.carry_over)
        if earlier:
            log.info("geocode cache %s starts with the %d answers of %s", self.path, len(earlier), self.carry_over)
        return earlier

    def _set_aside_if_unreadable(self) -> list[tuple]:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(SQLITE_HEADER))
                seen = os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            return []
        if not head or head == SQLITE_HEADER:
            return []
        return self._move_aside("not an SQLite database", seen)

    def _move_aside(self, reason: str, seen: int | None = None) -> list[tuple]:
        """Rename the file to `<name>.unreadable-<time>-<pid>`, a name no other process picks, so
        nothing is replaced; return the entries of an old JSON cache.

        Processes that find the same bad file at once take turns (a lock on the folder), and each
        moves only the file it found bad (`seen`, its inode): never the fresh cache another
        process made in its place a moment before."""
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}-{os.getpid()}")
        with _folder_lock(self.path.parent):
            try:
                if seen is not None and self.path.stat().st_ino != seen:
                    return []
                self.path.rename(aside)
            except FileNotFoundError:
                return []  # another process moved it first, and carries its answers over
            except OSError as exc:
                log.warning("geocode cache %s is unreadable (%s) and could not be moved: %s", self.path, reason, exc)
                raise
        log.warning("geocode cache %s was unreadable (%s); moved to %s", self.path, reason, aside)
        return _json_entries(aside)

    def _inode(self) -> int | None:
        try:
            return self.path.stat().st_ino
        except OSError:
            return None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = NORMAL")  # in WAL mode, durable against a killed process
            yield db
        finally:
            db.close()

    def _read(self, key: str) -> tuple | None:
        with self._connection() as db:
            return db.execute("SELECT found, address, lat, lon, raw FROM answers WHERE key = ?", (key,)).fetchone()

    def _write(self, key: str, location: Location | None) -> None:
        row = ((key, 0, None, None, None, None) if location is None else
               (key, 1, location.address, location.latitude, location.longitude, json.dumps(location.raw)))
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)", row)

    def _guarded(self, action, *args):
        """Run a cache read or write; on failure say so and carry on without the cache."""
        if not self._ready:
            return None
        try:
            return action(*args)
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) in _UNREADABLE_CODES:
                self._ready = False
                with contextlib.suppress(OSError):
                    self._move_aside(str(exc), self._inode())
                    self._prepare()
            else:
                log.warning("geocode cache %s: %s", self.path, exc)
        except OSError as exc:
            log.warning("geocode cache %s: %s", self.path, exc)
        return None

    def __len__(self) -> int:
        return self._guarded(lambda: self._count()) or 0

    def _count(self) -> int:
        with self._connection() as db:
            return db.execute("SELECT count(*) FROM answers").fetchone()[0]

    def keys(self) -> set[str]:
        """Every cached key (for tests and inspection)."""
        def read() -> set[str]:
            with self._connection() as db:
                return {row[0] for row in db.execute("SELECT key FROM answers")}
        return self._guarded(read) or set()

    # --- geocoding ------------------------------------------------------------------------

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        key = cache_key(self.cache_tag, query)
        self._calls.errors = []
        row = self._guarded(self._read, key)
        cached = _answer(row) if row is not None else None
        if cached is not None:
            location = cached[0]
        else:  # not asked before, or kept in a form this release cannot read: ask again, and replace it
            location = self.inner.geocode(query, exactly_one=True)
            self._calls.errors = list(getattr(self.inner, "last_errors", []))
            if not self._calls.errors:  # an outage's fallback answer is not the service's answer
                self._guarded(self._write, key, location)
        if location is None:
            return None if exactly_one else []
        return location if exactly_one else [location]


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on a folder, held by an open handle: released when a process dies, and no
    lock file left behind. Where folders cannot be locked (not POSIX), moves are simply not serialised."""
    try:
        import fcntl

        handle = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _has_answers(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answers'").fetchone() is not None


def _answer(row: tuple) -> tuple[Location | None] | None:
    """A stored row as (answer,), or None when it cannot be one (a damaged or hand-edited row)."""
    found, address, lat, lon, raw = row
    if not found:
        return (None,)
    try:
        details = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return None
    if not isinstance(address, str) or not isinstance(details, dict) or position(lat, lon) is None:
        return None
    return (Location(address, (lat, lon), details),)


def _json_entries(path: Path) -> list[tuple]:
    """Rows from a cache in the old JSON format ({key: {address, lat, lon, raw} | null}), else none.
    An entry that cannot be an answer (no position, a position off the globe) is left out."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(entries, dict):
        return []
    rows = []
    for key, entry in entries.items():
        if entry is None:
            rows.append((str(key), 0, None, None, None, None))
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
            continue
        where = position(entry.get("lat"), entry.get("lon"))
        raw = entry.get("raw") or {}
        if where is not None and isinstance(raw, dict):
            rows.append((str(key), 1, entry["address"], *where, json.dumps(raw)))
    return rows
