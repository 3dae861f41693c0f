"""Where the offline place index is kept and how it is made: once per `zipcodes` data, atomically.

The index is a small SQLite file in the user's cache folder (see `atlas.settings.cache_dir`),
never in the repository. Its name carries the index format, the `zipcodes` version and a
checksum of the package's data file, so an upgraded or patched `zipcodes` gets a new index by
itself and the old one is removed.

Building reads `zipcodes.list_all()` once, in one pass, into a private temporary file that is
moved into place only when complete. Two processes building at once each write their own
temporary file; the second move replaces an identical file, and a reader sees one or the other,
never half. A builder killed midway leaves a temporary file that the next build removes once
it is old. When no cache folder is writable, the index is built in memory for the process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

from atlas.geocode.places import SEPARATOR, ZipIndex, normalize_city
from atlas.settings import cache_dir

log = logging.getLogger(__name__)

FORMAT = "1"
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


def write_index(db: sqlite3.Connection, key: str) -> None:
    """Fill an empty database with the index, reading every zipcodes record exactly once."""
    import zipcodes

    zips: list[tuple] = []
    spellings: dict[tuple[str, str], list[tuple]] = {}
    area_codes: Counter[tuple[str, str]] = Counter()
    for raw in zipcodes.list_all():
        if not (raw.get("lat") and raw.get("long")):
            continue
        city = raw.get("city", "").title()
        acceptable = tuple(c.title() for c in raw.get("acceptable_cities") or ())
        state = raw.get("state", "")
        kind = raw.get("zip_code_type", "")
        active = bool(raw.get("active", True))
        lat, lon = float(raw["lat"]), float(raw["long"])
        codes = tuple(raw.get("area_codes") or ())
        zips.append((raw["zip_code"], kind, city, SEPARATOR.join(acceptable), state, lat, lon, int(active),
                     SEPARATOR.join(codes)))
        seen: set[str] = set()
        for spelled in (city, *acceptable):
            name = normalize_city(spelled)
            if name and name not in seen:
                seen.add(name)
                spellings.setdefault((name, state), []).append((spelled, city, kind, active, lat, lon))
        for code in codes:
            area_codes[(code, state)] += 1

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
