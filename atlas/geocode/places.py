"""The offline place index: US ZIP records, city centroids and area codes, from `zipcodes`.

`zipcodes` keeps its 42,000 records compressed inside a compiled extension; turning them into
Python objects takes about a second, and every query that scans them pays again. So the records
are read once, in one pass, into a small SQLite file (made as described below), and every
process after that answers by primary-key lookups on it. Nothing is held in memory that a
question did not ask for, except the name list that fuzzy matching needs, read on first use.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import re
import sqlite3
import string
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from atlas.settings import cache_dir

ZIP_PATTERN = re.compile(r"^(\d{5})(?:-\d{4})?$")
SEPARATOR = "\x1f"  # between a ZIP's alternative city names, and between its area codes, in one column


class ZipRecord(NamedTuple):
    """One ZIP code. Named tuples, not dataclasses, for these per-lookup records: a lookup makes
    one, and a tuple is built in a quarter of the time."""
    zip_code: str
    kind: str  # STANDARD, PO BOX, UNIQUE or MILITARY, as the USPS classes them
    city: str
    acceptable_cities: tuple[str, ...]
    state: str
    latitude: float | None  # None: the USPS record has no position (military, some PO-box and unique ZIPs)
    longitude: float | None
    active: bool
    area_codes: tuple[str, ...]

    def serves_city(self, city: str) -> bool:
        """True when `city` is the ZIP's postal city or one the USPS accepts for it."""
        wanted = normalize_city(city)
        return any(normalize_city(c) == wanted for c in (self.city, *self.acceptable_cities))


class CityCentroid(NamedTuple):
    city: str
    state: str
    latitude: float
    longitude: float
    zip_count: int


class PlaceName(NamedTuple):
    """One (city name, state) pair the index knows, for fuzzy matching and choice lists.

    A named tuple, not a dataclass: the fuzzy matcher reads all 39,000 at once.
    """
    name: str  # normalised, as `normalize_city` gives it
    state: str
    city: str  # as the ZIP table spells it
    zip_count: int
    latitude: float
    longitude: float

    @property
    def label(self) -> str:
        return f"{self.city}, {self.state}"


_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")  # a class match beats str.translate here
_ABBREVIATIONS = re.compile(r"\b(sainte|saint|fort|mount)\b")
_SHORT = {"sainte": "ste", "saint": "st", "fort": "ft", "mount": "mt"}


def normalize_city(city: str) -> str:
    """Compare city names loosely: case, punctuation and "Saint"/"St." (and "Sainte"/"Ste.") spellings."""
    text = _PUNCTUATION.sub(" ", city.lower())
    if "saint" in text or "fort" in text or "mount" in text:
        text = _ABBREVIATIONS.sub(lambda m: _SHORT[m.group(1)], text)
    return " ".join(text.split())


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(SEPARATOR)) if text else ()


class ZipIndex:
    """Read-only questions to the place index file (or an in-memory copy of it).

    One connection is shared by the threads of a process (Streamlit runs each session in a
    thread); a lock keeps its use serial, which costs nothing next to a B-tree lookup.
    """

    def __init__(self, connection: sqlite3.Connection, source: str = "") -> None:
        self._db = connection
        self._lock = threading.Lock()
        self.source = source  # the file the index was read from, or "" for an in-memory build
        self._records: dict[str, ZipRecord | None] = {}

    @classmethod
    def open(cls, path: str | Path) -> ZipIndex:
        """Open a finished index file; it is never written again, so SQLite may skip locking."""
        uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
        return cls(sqlite3.connect(uri, uri=True, check_same_thread=False), str(path))

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._ask(sql, args, sqlite3.Cursor.fetchall)

    def _row(self, sql: str, args: tuple = ()) -> tuple | None:
        return self._ask(sql, args, sqlite3.Cursor.fetchone)

    def _ask(self, sql: str, args: tuple, fetch):
        """Run one query. Opening checks only the index's stamp, so damage inside the file shows
        up here, on the first page that holds it: the file is then built again and asked again."""
        with self._lock:
            try:
                return fetch(self._db.execute(sql, args))
            except sqlite3.DatabaseError as exc:
                if not self.source:
                    raise
                log.warning("place index %s is damaged (%s); rebuilding it", self.source, exc)
                Path(self.source).unlink(missing_ok=True)
                fresh = open_index(Path(self.source).parent)
                self._db, self.source = fresh._db, fresh.source
                return fetch(self._db.execute(sql, args))

    def lookup(self, zip_code: str) -> ZipRecord | None:
        match = ZIP_PATTERN.match(zip_code.strip()) if zip_code else None
        if not match:
            return None
        code = match.group(1)
        if code not in self._records:
            row = self._row("SELECT zip, kind, city, acceptable, state, lat, lon, active, area_codes "
                            "FROM zips WHERE zip = ?", (code,))
            self._records[code] = None if row is None else ZipRecord(
                row[0], row[1], row[2], _split(row[3]), row[4], row[5], row[6], bool(row[7]), _split(row[8]))
        return self._records[code]

    def city_centroid(self, city: str, state: str) -> CityCentroid | None:
        """Mean position of a city's active street-delivery ZIPs (all of its ZIPs if it has none)."""
        state = state.upper()
        row = self._row("SELECT city, official, lat, lon, zip_count FROM names WHERE name = ? AND state = ?",
                        (normalize_city(city), state))
        if row is None:
            return None
        name, official, lat, lon, count = row
        return CityCentroid(name if official else city.title(), state, lat, lon, count)

    def cities_named(self, city: str) -> list[str]:
        """States that have a city of this name (for "Chicago" with no state given)."""
        return [row[0] for row in self._rows("SELECT state FROM names WHERE name = ? ORDER BY state",
                                             (normalize_city(city),))]

    def places_named(self, city: str) -> list[PlaceName]:
        """Every state's place of this name, largest (most ZIP codes) first."""
        rows = self._rows("SELECT name, state, city, zip_count, lat, lon FROM names WHERE name = ? "
                          "ORDER BY zip_count DESC, state", (normalize_city(city),))
        return [PlaceName._make(row) for row in rows]

    def area_code_states(self, area_code: str) -> list[tuple[str, int]]:
        """(state, ZIP codes using it) for a telephone area code, the state using it most first.

        Border ZIPs list their neighbours' codes too, so a code can name several states.
        """
        return [(state, count) for state, count in self._rows(
            "SELECT state, zip_count FROM area_codes WHERE code = ? ORDER BY zip_count DESC, state", (area_code,))]

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """Every distinct normalised city name, nationwide: what a name with no state is matched against."""
        return tuple(row[0] for row in self._rows("SELECT DISTINCT name FROM names ORDER BY name"))

    @functools.lru_cache(maxsize=64)
    def names_in_state(self, state: str) -> tuple[str, ...]:
        return tuple(row[0] for row in self._rows("SELECT name FROM names WHERE state = ? ORDER BY name",
                                                  (state.upper(),)))

    def place(self, city: str, state: str) -> PlaceName | None:
        rows = self._rows("SELECT name, state, city, zip_count, lat, lon FROM names WHERE name = ? AND state = ?",
                          (normalize_city(city), state.upper()))
        return PlaceName._make(rows[0]) if rows else None

    def delivery_zips(self) -> list[tuple[str, float, float]]:
        """Active street-delivery ZIP codes and their centres, (zip, lat, lon): where people live,
        so what a position is rounded to (about 30,000; the caller keeps them as arrays)."""
        return self._rows("SELECT zip, lat, lon FROM zips WHERE active = 1 AND kind = 'STANDARD' AND lat IS NOT NULL "
                          "ORDER BY zip")

    @functools.cached_property
    def place_names(self) -> tuple[PlaceName, ...]:
        """Every (city name, state) the index knows: the table fuzzy matching searches."""
        return tuple(map(PlaceName._make, self._rows(
            "SELECT name, state, city, zip_count, lat, lon FROM names ORDER BY name, state")))


# --- where the index is kept and how it is made -----------------------------------------------
# Where the offline place index is kept and how it is made: once per `zipcodes` data, atomically.
#
# The index is a small SQLite file in the user's cache folder (see `atlas.settings.cache_dir`),
# never in the repository. Its name carries the index format, the `zipcodes` version and a
# checksum of the package's data file, so an upgraded or patched `zipcodes` gets a new index by
# itself and the old one is removed.
#
# Building reads `zipcodes.list_all()` once, in one pass, into a private temporary file that is
# moved into place only when complete. Two processes building at once each write their own
# temporary file; the second move replaces an identical file, and a reader sees one or the other,
# never half. A builder killed midway leaves a temporary file that the next build removes once
# it is old. When no cache folder is writable, the index is built in memory for the process.




log = logging.getLogger(__name__)

FORMAT = "3"
STALE_TEMPORARY_SECONDS = 600

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE zips (zip TEXT PRIMARY KEY, kind TEXT, city TEXT, acceptable TEXT, state TEXT,
                   lat REAL, lon REAL, active INTEGER, area_codes TEXT) WITHOUT ROWID;
CREATE TABLE names (name TEXT, state TEXT, city TEXT, official INTEGER, lat REAL, lon REAL,
                    zip_count INTEGER, PRIMARY KEY (name, state)) WITHOUT ROWID;
CREATE TABLE area_codes (code TEXT, state TEXT, zip_count INTEGER, PRIMARY KEY (code, state)) WITHOUT ROWID;
"""


def _data_files() -> list[Path]:
    """The files that hold zipcodes' records: its compiled extension, or older releases' JSON."""
    import zipcodes

    extension = getattr(zipcodes, "_zipcodes", None)
    if extension is not None and getattr(extension, "__file__", None):
        return [Path(extension.__file__)]
    package = Path(zipcodes.__file__).parent
    return sorted(p for p in package.iterdir() if ".json" in p.name)


def source_key() -> str:
    """Index format, zipcodes version and data checksum, safe to use in a file name."""
    import zipcodes

    digest = hashlib.sha256()
    for path in _data_files():
        digest.update(path.read_bytes())
    version = re.sub(r"[^0-9A-Za-z.]+", "_", str(getattr(zipcodes, "__version__", "unknown")))
    return f"{FORMAT}-{version}-{digest.hexdigest()[:16]}"


def index_path(directory: Path, key: str) -> Path:
    return directory / f"places-{key}.sqlite3"


# --- building ---------------------------------------------------------------------------


def position(lat: object, lon: object) -> tuple[float, float] | None:
    """(lat, lon) as floats when they are a point on the globe, else None: not numbers, not finite,
    out of range, or (0, 0), which `zipcodes` writes for the ZIP codes the USPS gives no position
    (every military ZIP, some PO-box and unique ones) and online services send for "no position".
    Kept as (0, 0), such a ZIP code sat off the coast of Africa and pulled its city's centre out to sea."""
    if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(lat, (int, float, str)) \
            or not isinstance(lon, (int, float, str)):
        return None
    try:
        lat, lon = float(lat), float(lon)
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180) \
            or (lat, lon) == (0.0, 0.0):
        return None
    return lat, lon


def write_index(db: sqlite3.Connection, key: str) -> None:
    """Fill an empty database with the index, reading every zipcodes record exactly once."""
    import zipcodes

    zips: list[tuple] = []
    spellings: dict[tuple[str, str], list[tuple]] = {}
    area_codes: Counter[tuple[str, str]] = Counter()
    for raw in zipcodes.list_all():
        if not raw.get("zip_code"):
            continue
        city = raw.get("city", "").title()
        acceptable = tuple(c.title() for c in raw.get("acceptable_cities") or ())
        state = raw.get("state", "")
        kind = raw.get("zip_code_type", "")
        active = bool(raw.get("active", True))
        where = position(raw.get("lat"), raw.get("long"))
        lat, lon = where or (None, None)
        codes = tuple(raw.get("area_codes") or ())
        zips.append((raw["zip_code"], kind, city, SEPARATOR.join(acceptable), state, lat, lon, int(active),
                     SEPARATOR.join(codes)))
        for code in codes:
            area_codes[(code, state)] += 1
        if where is None:
            continue  # kept as a ZIP code, so a lookup can say why it has no place; no part of a city's centre
        seen: set[str] = set()
        for spelled in (city, *acceptable):
            name = normalize_city(spelled)
            if name and name not in seen:
                seen.add(name)
                spellings.setdefault((name, state), []).append((spelled, city, kind, active, lat, lon))

    names = []
    for (name, state), records in spellings.items():
        primary = [r for r in records if r[3] and r[2] == "STANDARD"] or records
        lat = sum(r[4] for r in primary) / len(primary)
        lon = sum(r[5] for r in primary) / len(primary)
        official = normalize_city(primary[0][1]) == name
        names.append((name, state, primary[0][1] if official else primary[0][0], int(official), lat, lon,
                      len(primary)))

    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    with db:
        db.executemany("INSERT INTO zips VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", zips)
        db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?)", names)
        db.executemany("INSERT INTO area_codes VALUES (?, ?, ?)",
                       [(code, state, count) for (code, state), count in area_codes.items()])
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("key", key), ("zipcodes", str(getattr(zipcodes, "__version__", ""))),
                        ("built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))])


def build_index_file(directory: Path, key: str) -> Path:
    """Build the index into `directory` and return its path; atomic, safe beside other builders."""
    directory.mkdir(parents=True, exist_ok=True)
    remove_strays(directory, key)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".places-{key}.", suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            write_index(db, key)
        finally:
            db.close()
        os.chmod(tmp, 0o644)
        path = index_path(directory, key)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    for old in directory.glob("places-*.sqlite3"):
        if old.name != path.name:
            old.unlink(missing_ok=True)  # an index for another zipcodes: never read again
    return path


def remove_strays(directory: Path, key: str = "") -> None:
    """Delete temporary files left by builders that were killed (old enough not to be in use)."""
    now = time.time()
    for stray in directory.glob(".places-*.tmp"):
        try:
            if now - stray.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                stray.unlink()
        except OSError:
            pass


# --- opening ----------------------------------------------------------------------------


def _private_temp_dir() -> Path:
    """A per-user folder in the temp dir, for machines with no writable home (CI, services)."""
    directory = Path(tempfile.gettempdir()) / f"dystonia-atlas-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    info = directory.lstat()
    if not directory.is_dir() or directory.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise PermissionError(f"{directory} is not a private folder of this user")
    return directory


def _open_checked(path: Path, key: str) -> ZipIndex:
    index = ZipIndex.open(path)
    rows = index._rows("SELECT value FROM meta WHERE key = 'key'")
    if not rows or rows[0][0] != key:
        raise sqlite3.DatabaseError(f"{path} is not a complete index for {key}")
    return index


def open_index(directory: Path | None = None) -> ZipIndex:
    """The place index from the cache (built there first if missing or damaged)."""
    key = source_key()
    folders = [directory] if directory is not None else [cache_dir(), None]
    for folder in folders:
        try:
            folder = folder if folder is not None else _private_temp_dir()
            path = index_path(folder, key)
            if path.is_file():
                try:
                    return _open_checked(path, key)
                except sqlite3.Error as exc:
                    log.warning("place index %s is damaged (%s); rebuilding it", path, exc)
                    path.unlink(missing_ok=True)
            return _open_checked(build_index_file(folder, key), key)
        except (OSError, sqlite3.Error) as exc:
            log.info("cannot keep the place index in %s (%s)", folder, exc)
    log.warning("no writable cache folder; building the place index in memory for this process")
    db = sqlite3.connect(":memory:", check_same_thread=False)
    write_index(db, key)
    return ZipIndex(db)


@functools.cache
def zip_index() -> ZipIndex:
    """The process's place index, built on first use if the cache has none for this `zipcodes`."""
    return open_index()
