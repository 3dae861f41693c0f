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
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from atlas.geocode.adapter import NoNetworkAdapter

log = logging.getLogger(__name__)

Query = Union[str, dict]
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 30.0
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
        self._prepare()

    @property
    def last_errors(self) -> list:
        return getattr(self.inner, "last_errors", [])

    # --- the file -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Move an unreadable file aside, then create the table and switch to WAL (once per file)."""
        earlier: list[tuple] = []
        if self.carry_over is not None and self.carry_over != self.path and not self.path.exists():
            earlier = _json_entries(self.carry_over)
            if earlier:
                log.info("geocode cache %s starts with the %d answers of %s", self.path, len(earlier), self.carry_over)
        for attempt in range(PREPARE_ATTEMPTS):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                carried = self._set_aside_if_unreadable() + earlier
                with self._connection() as db:
                    db.execute(_SCHEMA)
                    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        db.execute("PRAGMA journal_mode = WAL")
                    if carried:
                        db.execute("BEGIN IMMEDIATE")
                        db.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?)", carried)
                        db.execute("COMMIT")
                self._ready = True
                return
            except sqlite3.OperationalError as exc:
                # Switching to WAL needs the file to itself for a moment; another process may hold it.
                if getattr(exc, "sqlite_errorcode", None) in _BUSY_CODES and attempt + 1 < PREPARE_ATTEMPTS:
                    time.sleep(0.02 * (attempt + 1))
                    continue
                log.warning("geocode cache %s cannot be used (%s); answers will not be kept", self.path, exc)
                return
            except (OSError, sqlite3.Error) as exc:
                log.warning("geocode cache %s cannot be used (%s); answers will not be kept", self.path, exc)
                return

    def _set_aside_if_unreadable(self) -> list[tuple]:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(SQLITE_HEADER))
        except FileNotFoundError:
            return []
        if not head or head == SQLITE_HEADER:
            return []
        return self._move_aside("not an SQLite database")

    def _move_aside(self, reason: str) -> list[tuple]:
        """Rename the file to `<name>.unreadable-<time>`; return entries of an old JSON cache."""
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
        try:
            self.path.rename(aside)
        except OSError as exc:
            log.warning("geocode cache %s is unreadable (%s) and could not be moved: %s", self.path, reason, exc)
            raise
        log.warning("geocode cache %s was unreadable (%s); moved to %s", self.path, reason, aside)
        return _json_entries(aside)

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
                    self._move_aside(str(exc))
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
        row = self._guarded(self._read, key)
        if row is not None:
            found, address, lat, lon, raw = row
            location = Location(address, (lat, lon), json.loads(raw)) if found else None
        else:
            location = self.inner.geocode(query, exactly_one=True)
            if not self.last_errors:
                self._guarded(self._write, key, location)
        if location is None:
            return None if exactly_one else []
        return location if exactly_one else [location]


def _json_entries(path: Path) -> list[tuple]:
    """Rows from a cache in the old JSON format ({key: {address, lat, lon, raw} | null}), else none."""
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
        elif isinstance(entry, dict) and {"address", "lat", "lon"} <= entry.keys():
            rows.append((str(key), 1, str(entry["address"]), float(entry["lat"]), float(entry["lon"]),
                         json.dumps(entry.get("raw") or {})))
    return rows
