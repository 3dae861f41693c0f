"""ZIP records and city centroids from the `zipcodes` package, for geocoding and quality checks.

The package ships about 42,000 US ZIP records in a compiled extension. Asking it for one ZIP
or one state is fast; turning all records into Python objects takes about a second. So single
ZIPs and per-state city lists are looked up on demand and kept, and the full national list is
read only for the rare query that names a city without a state.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass

import zipcodes

ZIP_PATTERN = re.compile(r"^(\d{5})(?:-\d{4})?$")


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


_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation})
_ABBREVIATIONS = re.compile(r"\b(saint|fort|mount)\b")
_SHORT = {"saint": "st", "fort": "ft", "mount": "mt"}


def normalize_city(city: str) -> str:
    """Compare city names loosely: case, punctuation and "Saint"/"St." spellings."""
    text = city.lower().translate(_PUNCTUATION)
    if "saint" in text or "fort" in text or "mount" in text:
        text = _ABBREVIATIONS.sub(lambda m: _SHORT[m.group(1)], text)
    return " ".join(text.split())


def _record(raw: dict) -> ZipRecord:
    return ZipRecord(
        zip_code=raw["zip_code"], kind=raw.get("zip_code_type", ""),
        city=raw.get("city", "").title(), state=raw.get("state", ""),
        acceptable_cities=tuple(c.title() for c in raw.get("acceptable_cities") or ()),
        latitude=float(raw["lat"]), longitude=float(raw["long"]), active=bool(raw.get("active", True)),
        area_codes=tuple(raw.get("area_codes") or ()),
    )


class ZipIndex:
    def __init__(self) -> None:
        self._records: dict[str, ZipRecord | None] = {}
        self._state_cities: dict[str, dict[str, list[ZipRecord]]] = {}

    def lookup(self, zip_code: str) -> ZipRecord | None:
        match = ZIP_PATTERN.match(zip_code.strip()) if zip_code else None
        if not match:
            return None
        code = match.group(1)
        if code not in self._records:
            rows = [row for row in zipcodes.matching(code) if row.get("lat") and row.get("long")]
            self._records[code] = _record(rows[0]) if rows else None
        return self._records[code]

    def _cities_in(self, state: str) -> dict[str, list[ZipRecord]]:
        if state not in self._state_cities:
            cities: dict[str, list[ZipRecord]] = {}
            if state.isalpha() and len(state) == 2:
                for row in zipcodes.filter_by_state(state):
                    if not (row.get("lat") and row.get("long")):
                        continue
                    record = _record(row)
                    for name in (record.city, *record.acceptable_cities):
                        cities.setdefault(normalize_city(name), []).append(record)
            self._state_cities[state] = cities
        return self._state_cities[state]

    def city_centroid(self, city: str, state: str) -> CityCentroid | None:
        """Mean position of a city's active street-delivery ZIPs (all of its ZIPs if it has none)."""
        records = self._cities_in(state.upper()).get(normalize_city(city))
        if not records:
            return None
        primary = [r for r in records if r.active and r.kind == "STANDARD"] or records
        lat = sum(r.latitude for r in primary) / len(primary)
        lon = sum(r.longitude for r in primary) / len(primary)
        name = primary[0].city if normalize_city(primary[0].city) == normalize_city(city) else city.title()
        return CityCentroid(name, state.upper(), lat, lon, len(primary))

    @functools.cached_property
    def _states_by_city(self) -> dict[str, set[str]]:
        """Normalised city name -> states that have it; read from the full list on first use."""
        states: dict[str, set[str]] = {}
        for row in zipcodes.list_all():
            for name in (row.get("city", ""), *(row.get("acceptable_cities") or ())):
                states.setdefault(normalize_city(name), set()).add(row.get("state", ""))
        return states

    def cities_named(self, city: str) -> list[str]:
        """States that have a city of this name (for "Chicago" with no state given)."""
        return sorted(self._states_by_city.get(normalize_city(city), ()))


@functools.cache
def zip_index() -> ZipIndex:
    return ZipIndex()
