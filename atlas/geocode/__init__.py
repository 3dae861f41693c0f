"""Geocoding on geopy's interfaces: offline by default, online only when asked for.

    locate(query)  ->  CachedGeocoder -> GeocoderChain[ (Nominatim, opt-in) , OfflineZipGeocoder ]

`OfflineZipGeocoder` subclasses geopy's `Geocoder` and answers from the ZIP centroids bundled in
the `zipcodes` package: no network, no key, the same answer every time. Anything that speaks
geopy can use it, and an online geocoder can stand in front of it without other code changing.

`locate` is the one entry point for organizations' addresses and for what a user types; it never
raises for bad input and always says, in words, why nothing was found.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from atlas.atomic import atomic_write_text
from atlas.errors import GeocoderConfigError
from atlas.geocode.places import zip_index
from atlas.ingest.regions import REGION_NAME_PATTERN, country_code, region_code, region_country
from atlas.model import Organization

log = logging.getLogger(__name__)

Query = Union[str, dict]
MAX_QUERY_CHARS = 300

# --- reading a query --------------------------------------------------------------------


@dataclass(frozen=True)
class QueryParts:
    """What a free-text or structured query says, as far as a US ZIP table can use it."""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


_TRAILING_ZIP = re.compile(r"(?:^|[\s,])(?P<zip>\d{5})(?:-\d{4})?$")
_CA_POSTAL = re.compile(r"\b[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d\b")
_TRAILING_REGION = re.compile(rf"^(?P<city>.*?)[\s,]+(?P<region>[A-Za-z]{{2}}|{REGION_NAME_PATTERN})\.?$",
                              re.IGNORECASE)


def parse_query(query: Query) -> QueryParts:
    """Split "1 East Wacker Drive, Chicago, IL 60601", "Chicago IL" or "60601" into parts."""
    if isinstance(query, dict):
        state = str(query.get("state") or "")
        return QueryParts(
            street=str(query.get("street") or ""), city=str(query.get("city") or ""),
            state=region_code(state) or state, postal_code=str(query.get("postalcode") or ""),
            country=country_code(str(query.get("country") or "")) or str(query.get("country") or ""))

    text = " ".join(str(query).split()).strip(" ,")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    country = ""
    if len(parts) > 1 and country_code(parts[-1]):
        country = country_code(parts.pop()) or ""
    if _CA_POSTAL.search(text):
        country = country or "CA"
    rest = ", ".join(parts)

    postal_code = ""
    match = _TRAILING_ZIP.search(rest)
    if match:
        postal_code = match.group("zip")
        rest = rest[: match.start()].strip(" ,")

    parts = [p.strip() for p in rest.split(",") if p.strip()]
    city = state = street = ""
    if parts:
        last = parts[-1]
        whole_region = region_code(last)
        if whole_region and len(parts) > 1:
            state, city, street_parts = whole_region, parts[-2], parts[:-2]
        else:
            tail = _TRAILING_REGION.match(last)
            region = region_code(tail.group("region")) if tail else None
            if tail and region and tail.group("city").strip():
                state, city, street_parts = region, tail.group("city").strip(" ,"), parts[:-1]
            elif whole_region:
                state, street_parts = whole_region, []
            else:
                city, street_parts = last, parts[:-1]
        street = ", ".join(street_parts)
        if street and not city:
            city, street = street, ""
    if state and not country:
        country = region_country(state) or ""
    return QueryParts(street=street, city=city, state=state, postal_code=postal_code, country=country)


# --- the offline geocoder ---------------------------------------------------------------


class OfflineZipGeocoder(Geocoder):
    """US ZIP-code and city centroids from the `zipcodes` package, as geopy Locations.

    Precision is reported in `location.raw["precision"]`: "postal_code" for a ZIP centroid,
    "city" for the mean of a city's ZIP centroids. Queries outside the US give None: a
    Canadian or British address is never forced onto a US ZIP code.
    """

    cache_tag = "offline-zip/1"

    def __init__(self) -> None:
        super().__init__(user_agent="dystonia-atlas-offline")

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        location = self._locate(query)
        if location is None:
            return None if exactly_one else []
        return location if exactly_one else [location]

    def _locate(self, query: Query) -> Location | None:
        if isinstance(query, str) and len(query) > MAX_QUERY_CHARS:
            return None
        parts = parse_query(query)
        if parts.country not in ("", "US"):
            return None
        index = zip_index()
        record = index.lookup(parts.postal_code) if parts.postal_code else None
        city_state_known = parts.city and parts.state

        if record is not None:
            agrees = not parts.city or (record.serves_city(parts.city)
                                        and (not parts.state or parts.state == record.state))
            if agrees:
                return self._zip_location(record)
            if city_state_known:
                centroid = index.city_centroid(parts.city, parts.state)
                if centroid is not None:
                    return self._city_location(centroid)
            return self._zip_location(record)

        if city_state_known:
            centroid = index.city_centroid(parts.city, parts.state)
            return self._city_location(centroid) if centroid else None

        if parts.city and not parts.state and not parts.postal_code:
            states = index.cities_named(parts.city)
            if len(states) == 1:
                centroid = index.city_centroid(parts.city, states[0])
                return self._city_location(centroid) if centroid else None
        return None

    @staticmethod
    def _zip_location(record) -> Location:
        address = f"{record.city}, {record.state} {record.zip_code}, USA"
        raw = {"precision": "postal_code", "postal_code": record.zip_code, "city": record.city,
               "state": record.state, "zip_type": record.kind, "source": "zipcodes"}
        return Location(address, (record.latitude, record.longitude), raw)

    @staticmethod
    def _city_location(centroid) -> Location:
        address = f"{centroid.city}, {centroid.state}, USA"
        raw = {"precision": "city", "city": centroid.city, "state": centroid.state,
               "zip_count": centroid.zip_count, "source": "zipcodes"}
        return Location(address, (round(centroid.latitude, 6), round(centroid.longitude, 6)), raw)


# --- online geocoders, chain and cache -------------------------------------------------


def precision_of(location: Location) -> str:
    """"address", "postal_code" or "city" for a Location from any geocoder in the chain."""
    raw = location.raw or {}
    if raw.get("precision") in ("address", "postal_code", "city"):
        return raw["precision"]
    kind = str(raw.get("addresstype") or raw.get("type") or "").lower()
    if kind in ("postcode", "postal_code"):
        return "postal_code"
    if kind in ("city", "town", "village", "hamlet", "municipality", "suburb", "borough",
                "county", "administrative", "state"):
        return "city"
    return "address"


class RateLimitedGeocoder(Geocoder):
    """An online geocoder behind geopy's RateLimiter.

    Errors are not swallowed: the RateLimiter's default turns an outage into None, which looks
    exactly like "no such place". Here an outage raises, and the chain reports it.
    """

    def __init__(self, inner: Geocoder, min_delay_seconds: float = 1.0, **geocode_kwargs: Any):
        super().__init__(user_agent=inner.headers.get("User-Agent"))
        self.inner = inner
        self.cache_tag = f"{type(inner).__name__.lower()}/{getattr(inner, 'domain', '')}"
        self._geocode = RateLimiter(inner.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=1, error_wait_seconds=2.0, swallow_exceptions=False)
        self._kwargs = geocode_kwargs

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        location = self._geocode(query, exactly_one=exactly_one, **self._kwargs)
        if location is not None and exactly_one:
            location.raw["precision"] = precision_of(location)
        return location


class GeocoderChain(Geocoder):
    """Ask each geocoder in turn; the first answer wins.

    An error from one geocoder (an online service that is down) does not stop the chain;
    it is kept in `last_errors` so the caller can say so. If every geocoder failed with an
    error, the chain raises the first error instead of pretending the place does not exist.
    """

    def __init__(self, geocoders: list[Geocoder]):
        super().__init__(user_agent="dystonia-atlas-chain")
        self.geocoders = list(geocoders)
        self.cache_tag = "+".join(getattr(g, "cache_tag", type(g).__name__) for g in self.geocoders)
        self.last_errors: list[tuple[str, GeopyError]] = []

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        self.last_errors = []
        for geocoder in self.geocoders:
            try:
                location = geocoder.geocode(query, exactly_one=True)
            except GeopyError as exc:
                self.last_errors.append((getattr(geocoder, "cache_tag", type(geocoder).__name__), exc))
                continue
            if location is not None:
                return location if exactly_one else [location]
        if self.last_errors and len(self.last_errors) == len(self.geocoders):
            raise self.last_errors[0][1]
        return None if exactly_one else []


class CachedGeocoder(Geocoder):
    """A persistent answer cache in front of another geocoder.

    Answers (found or not) are stored in a JSON file keyed by the inner geocoder's tag and the
    query, written atomically after each new answer. Errors are never cached. A cache file that
    cannot be read is moved aside, not overwritten, and the cache starts empty.
    """

    def __init__(self, inner: Geocoder, path: str | Path):
        super().__init__(user_agent="dystonia-atlas-cache")
        self.inner = inner
        self.path = Path(path)
        self.cache_tag = getattr(inner, "cache_tag", type(inner).__name__)
        self._entries: dict[str, Any] = self._read()

    @property
    def last_errors(self) -> list:
        return getattr(self.inner, "last_errors", [])

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(entries, dict):
                raise ValueError("not a JSON object")
            return entries
        except (OSError, ValueError) as exc:
            aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
            try:
                self.path.rename(aside)
                log.warning("geocode cache %s was unreadable (%s); moved to %s", self.path, exc, aside)
            except OSError:
                log.warning("geocode cache %s is unreadable (%s); using an empty cache", self.path, exc)
            return {}

    def _key(self, query: Query) -> str:
        body = json.dumps(query, sort_keys=True) if isinstance(query, dict) else " ".join(str(query).lower().split())
        return f"{self.cache_tag}|{body}"

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        key = self._key(query)
        if key in self._entries:
            entry = self._entries[key]
            location = None if entry is None else Location(entry["address"], (entry["lat"], entry["lon"]), entry["raw"])
        else:
            location = self.inner.geocode(query, exactly_one=True)
            if not self.last_errors:
                self._entries[key] = None if location is None else {
                    "address": location.address, "lat": location.latitude, "lon": location.longitude,
                    "raw": location.raw}
                self._save()
        if location is None:
            return None if exactly_one else []
        return location if exactly_one else [location]

    def _save(self) -> None:
        try:
            atomic_write_text(self.path, json.dumps(self._entries, indent=1, sort_keys=True))
        except OSError as exc:
            log.warning("could not write geocode cache %s: %s", self.path, exc)


# --- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class GeocoderSettings:
    """Which geocoders to use. The default is offline only: no network, no key."""
    online: str = ""  # "" (off) or "nominatim"
    user_agent: str = ""
    cache_path: Path | None = None
    min_delay_seconds: float = 1.0


def build_geocoder(settings: GeocoderSettings | None = None) -> Geocoder:
    settings = settings or GeocoderSettings()
    chain: list[Geocoder] = []
    if settings.online:
        if settings.online != "nominatim":
            raise GeocoderConfigError(f"unknown online geocoder {settings.online!r}; the supported one is 'nominatim'")
        if not settings.user_agent.strip():
            raise GeocoderConfigError(
                "Nominatim needs a user agent that identifies this deployment "
                "(set ATLAS_NOMINATIM_USER_AGENT, e.g. 'dystonia-atlas/1.0 (you@example.org)')")
        from geopy.geocoders import Nominatim

        nominatim = Nominatim(user_agent=settings.user_agent, timeout=10)
        chain.append(RateLimitedGeocoder(nominatim, max(1.0, settings.min_delay_seconds),
                                         addressdetails=True))
    chain.append(OfflineZipGeocoder())
    geocoder: Geocoder = GeocoderChain(chain)
    if settings.cache_path is not None:
        geocoder = CachedGeocoder(geocoder, settings.cache_path)
    return geocoder


# --- the one entry point ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    precision: str


@dataclass(frozen=True)
class LocateResult:
    """A place, or the reason there is none. `note` carries a caveat about a found place."""
    query: str
    place: Place | None
    problem: str = ""  # "", "empty", "too-long", "outside-us", "ambiguous", "not-found", "unavailable"
    message: str = ""
    note: str = ""

    @property
    def found(self) -> bool:
        return self.place is not None


_default_geocoder: Geocoder | None = None


def default_geocoder() -> Geocoder:
    global _default_geocoder
    if _default_geocoder is None:
        _default_geocoder = build_geocoder()
    return _default_geocoder


def _shown(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def locate(query: Query, geocoder: Geocoder | None = None) -> LocateResult:
    """Find a place for a ZIP code, "City, ST", an address, or a structured address dict."""
    geocoder = geocoder or default_geocoder()
    shown = query if isinstance(query, str) else ", ".join(str(v) for v in query.values() if v)
    if isinstance(query, str):
        if not query.strip():
            return LocateResult(query, None, "empty",
                                'Enter a ZIP code (60601), a city and state ("Chicago, IL") or a street address.')
        if len(query) > MAX_QUERY_CHARS:
            return LocateResult(query[:MAX_QUERY_CHARS], None, "too-long",
                                f"That entry is {len(query):,} characters long; a place is at most "
                                f"{MAX_QUERY_CHARS}. Enter a ZIP code, a city and state, or an address.")
    try:
        location = geocoder.geocode(query, exactly_one=True)
    except GeopyError as exc:
        return LocateResult(shown, None, "unavailable",
                            f"The geocoding service is not answering ({type(exc).__name__}). "
                            "Try a ZIP code or \"City, ST\", which work offline.")
    errors = getattr(geocoder, "last_errors", [])
    note = ""
    if errors:
        note = (f"The online geocoder did not answer ({type(errors[0][1]).__name__}); "
                "this location comes from the offline ZIP table.")
    if location is not None:
        place = Place(location.address, float(location.latitude), float(location.longitude),
                      precision_of(location))
        return LocateResult(shown, place, note=note)
    return _explain_miss(query, shown, note)


def _explain_miss(query: Query, shown: str, note: str) -> LocateResult:
    parts = parse_query(query)
    if parts.country not in ("", "US"):
        return LocateResult(shown, None, "outside-us",
                            f'"{_shown(shown)}" looks like an address outside the United States. The offline '
                            "locator knows US ZIP codes and cities only.", note=note)
    if parts.city and not parts.state and not parts.postal_code:
        states = zip_index().cities_named(parts.city)
        if len(states) > 1:
            return LocateResult(shown, None, "ambiguous",
                                f'Several states have a place called "{_shown(parts.city)}" '
                                f"({', '.join(states[:6])}{'…' if len(states) > 6 else ''}). "
                                f'Add the state, e.g. "{_shown(parts.city)}, {states[0]}".', note=note)
    if parts.postal_code:
        return LocateResult(shown, None, "not-found",
                            f"{parts.postal_code} is not a US ZIP code in use. Check the digits, "
                            'or enter a city and state ("Chicago, IL").', note=note)
    return LocateResult(shown, None, "not-found",
                        f'No US place matches "{_shown(shown)}". Try a 5-digit ZIP code or "City, ST".',
                        note=note)


def organization_query(org: Organization) -> dict:
    """A structured query for an organization's address (the form Nominatim also accepts)."""
    street_lines = [line.strip() for line in org.street.split(";") if line.strip()]
    street = next((line for line in street_lines if line[:1].isdigit()), "")
    street = re.split(r",\s*(?:suite|ste|room|rm|floor|fl|#)\b", street, flags=re.IGNORECASE)[0]
    query = {"street": street, "city": org.city, "state": org.state,
             "postalcode": org.postal_code[:5] if org.country in ("", "US") else org.postal_code,
             "country": org.country or "US"}
    return {k: v for k, v in query.items() if v}


def geocode_organization(org: Organization, geocoder: Geocoder | None = None) -> Organization:
    """The organization with its point and location precision filled in (or "none")."""
    result = locate(organization_query(org), geocoder)
    if result.place is None:
        return org.replace(latitude=None, longitude=None, location_precision="none")
    return org.replace(latitude=round(result.place.latitude, 6), longitude=round(result.place.longitude, 6),
                       location_precision=result.place.precision)
