"""The offline place index: US ZIP records, city centroids and area codes, from `zipcodes`.

`zipcodes` keeps its 42,000 records compressed inside a compiled extension; turning them into
Python objects takes about a second, and every query that scans them pays again. So the records
are read once, in one pass, into a small SQLite file (see `atlas.geocode.placefile`), and every
process after that answers by primary-key lookups on it. Nothing is held in memory that a
question did not ask for, except the name list that fuzzy matching needs, read on first use.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import string
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ZIP_PATTERN = re.compile(r"^(\d{5})(?:-\d{4})?$")
SEPARATOR = "\x1f"  # between a ZIP's alternative city names, and between its area codes, in one column


@dataclass(frozen=True)
class ZipRecord:
    zip_code: str
    kind: str  # STANDARD, PO BOX, UNIQUE or MILITARY, as the USPS classes them
    city: str
    acceptable_cities: tuple[str, ...]
    state: str
    latitude: float
    longitude: float
    active: bool
    area_codes: tuple[str, ...]

    def serves_city(self, city: str) -> bool:
        """True when `city` is the ZIP's postal city or one the USPS accepts for it."""
        wanted = normalize_city(city)
        return any(normalize_city(c) == wanted for c in (self.city, *self.acceptable_cities))


@dataclass(frozen=True)
class CityCentroid:
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


_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation})
_ABBREVIATIONS = re.compile(r"\b(saint|fort|mount)\b")
_SHORT = {"saint": "st", "fort": "ft", "mount": "mt"}


def normalize_city(city: str) -> str:
    """Compare city names loosely: case, punctuation and "Saint"/"St." spellings."""
    text = city.lower().translate(_PUNCTUATION)
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
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def lookup(self, zip_code: str) -> ZipRecord | None:
        match = ZIP_PATTERN.match(zip_code.strip()) if zip_code else None
        if not match:
            return None
        code = match.group(1)
        if code not in self._records:
            rows = self._rows("SELECT zip, kind, city, acceptable, state, lat, lon, active, area_codes "
                              "FROM zips WHERE zip = ?", (code,))
            self._records[code] = None if not rows else ZipRecord(
                zip_code=rows[0][0], kind=rows[0][1], city=rows[0][2], acceptable_cities=_split(rows[0][3]),
                state=rows[0][4], latitude=rows[0][5], longitude=rows[0][6], active=bool(rows[0][7]),
                area_codes=_split(rows[0][8]))
        return self._records[code]

    def city_centroid(self, city: str, state: str) -> CityCentroid | None:
        """Mean position of a city's active street-delivery ZIPs (all of its ZIPs if it has none)."""
        rows = self._rows("SELECT city, official, lat, lon, zip_count FROM names WHERE name = ? AND state = ?",
                          (normalize_city(city), state.upper()))
        if not rows:
            return None
        name, official, lat, lon, count = rows[0]
        return CityCentroid(name if official else city.title(), state.upper(), lat, lon, count)

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

    @functools.cached_property
    def place_names(self) -> tuple[PlaceName, ...]:
        """Every (city name, state) the index knows: the table fuzzy matching searches."""
        return tuple(map(PlaceName._make, self._rows(
            "SELECT name, state, city, zip_count, lat, lon FROM names ORDER BY name, state")))


@functools.cache
def zip_index() -> ZipIndex:
    """The process's place index, built on first use if the cache has none for this `zipcodes`."""
    from atlas.geocode.placefile import open_index

    return open_index()
