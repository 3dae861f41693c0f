"""Geocoding on geopy's interfaces: offline by default, online only when asked for.

    locate(query)  ->  CachedGeocoder -> GeocoderChain[ (Nominatim, opt-in) , OfflineZipGeocoder ]

`OfflineZipGeocoder` subclasses geopy's `Geocoder` and answers from the ZIP centroids of the
`zipcodes` package, read once into a place index on disk (`places`): no network,
no key, the same answer every time. Anything that speaks geopy can use it, and an online
geocoder can stand in front of it without other code changing. `default_geocoder()` is the
chain the environment asks for (`atlas.settings`); the answer cache is in `cache`.

`locate` is the one entry point for organizations' addresses and for what a user types; it never
raises for bad input and always says, in words, why nothing was found. What a user types is read
forgivingly (`suggest`): a misspelt city with one close match is shown with a note, and an
ambiguous or misspelt name with several matches gives choices to pick from.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
import unicodedata
from typing import Any, NamedTuple, Union

from geopy.exc import GeocoderParseError, GeocoderQueryError, GeocoderUnavailable, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from atlas.errors import GeocoderConfigError
from atlas.geocode.adapter import NoNetworkAdapter
from atlas.geocode.cache import CachedGeocoder
from atlas.geocode.places import ZIP_PATTERN, position, zip_index
from atlas.geocode.suggest import same_name_places, suggest
from atlas.model import Organization
from atlas.regions import REGION_NAME_PATTERN, any_country_code, country_code, region_code, region_country, region_name
from atlas.settings import GeocoderSettings, geocoder_environment, geocoder_settings
from atlas.text import clip

__all__ = [
    "CachedGeocoder", "GeocoderChain", "GeocoderConfigError", "GeocoderSettings", "LocateResult",
    "OfflineZipGeocoder", "Place", "RateLimitedGeocoder", "build_geocoder", "default_geocoder",
    "geocode_organization", "locate", "organization_query", "parse_query", "precision_of",
]

log = logging.getLogger(__name__)

Query = Union[str, dict]
MAX_QUERY_CHARS = 300

# --- reading a query --------------------------------------------------------------------


class QueryParts(NamedTuple):
    """What a free-text or structured query says, as far as a US ZIP table can use it."""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


_TRAILING_ZIP = re.compile(r"(?:^|[\s,])(?P<zip>\d{5})(?:-?\d{4})?$")  # ZIP+4 with or without its hyphen
_CA_POSTAL = re.compile(r"\b[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d\b")
_TRAILING_REGION = re.compile(
    rf"^(?P<city>.*?)[\s,]+(?P<region>[A-Za-z]\.[A-Za-z]|[A-Za-z]{{2}}|{REGION_NAME_PATTERN})\.?$", re.IGNORECASE)
_TRAILING_US = re.compile(r"\s+(?:u\.?s\.?a?\.?|united states(?: of america)?)$", re.IGNORECASE)  # "Dallas TX 75201 USA"
_LONE_ZIP = re.compile(r"^\d{5}$")


def parse_query(query: Query) -> QueryParts:
    """Split "1 East Wacker Drive, Chicago, IL 60601", "Chicago IL" or "60601" into parts."""
    if isinstance(query, dict):
        state = str(query.get("state") or "")
        return QueryParts(
            street=str(query.get("street") or ""), city=str(query.get("city") or ""),
            state=region_code(state) or state, postal_code=str(query.get("postalcode") or ""),
            country=country_code(str(query.get("country") or "")) or str(query.get("country") or ""))

    text = " ".join(str(query).split()).strip(" ,")
    bare_zip = ZIP_PATTERN.match(text)
    if bare_zip:  # "60601" or "60601-1234", the commonest entry
        return QueryParts(postal_code=bare_zip.group(1))
    parts = [p for p in map(str.strip, text.split(",")) if p]
    country = (any_country_code(parts[-1]) or "") if len(parts) > 1 else ""
    if country:
        parts.pop()
    elif parts and _TRAILING_US.search(parts[-1]):
        parts[-1], country = _TRAILING_US.sub("", parts[-1]), "US"
    if _CA_POSTAL.search(text):
        country = country or "CA"

    postal_code = ""
    match = _TRAILING_ZIP.search(parts[-1]) if parts else None  # a ZIP ends the last part, or is it
    if match:
        postal_code = match.group("zip")
        last = parts.pop()[: match.start()].strip(" ,")
        if last:
            parts.append(last)

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
        if not postal_code and _LONE_ZIP.match(city):  # "60601, IL" and "90210 CA": the ZIP before the state
            postal_code, city = city, ""
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
        super().__init__(user_agent="dystonia-atlas-offline", adapter_factory=NoNetworkAdapter)

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

        if record is not None and record.latitude is None:
            # A ZIP code with no position of its own (a PO box or unique ZIP): its city's centre
            # stands in, as for a city and state; a military ZIP has no city to fall back on.
            city, state = (parts.city, parts.state) if city_state_known else (record.city, record.state)
            centroid = index.city_centroid(city, state)
            return self._city_location(centroid) if centroid else None

        if record is not None:
            agrees = ((not parts.city or record.serves_city(parts.city))
                      and (not parts.state or parts.state == record.state))
            if agrees:
                return self._zip_location(record)
            if city_state_known:
                centroid = index.city_centroid(parts.city, parts.state)
                if centroid is not None:
                    return self._city_location(centroid)
            location = self._zip_location(record)
            location.raw["conflict"] = f"{record.zip_code} is the ZIP code of {record.city}, {record.state}"
            return location

        if city_state_known:
            centroid = index.city_centroid(parts.city, parts.state)
            return self._city_location(centroid) if centroid else None

        if parts.state and not parts.city and not parts.postal_code and not parts.street:
            # a lone state name that is also its city's: "New York"
            centroid = index.city_centroid(region_name(parts.state), parts.state)
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
        return Location(address, Point(record.latitude, record.longitude), raw)

    @staticmethod
    def _city_location(centroid) -> Location:
        address = f"{centroid.city}, {centroid.state}, USA"
        raw = {"precision": "city", "city": centroid.city, "state": centroid.state,
               "zip_count": centroid.zip_count, "source": "zipcodes"}
        return Location(address, Point(round(centroid.latitude, 6), round(centroid.longitude, 6)), raw)


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


OUTAGE_PAUSE_SECONDS = 60.0
ONLINE_TIMEOUT_SECONDS = 5.0  # Nominatim answers in well under a second; a slower one is treated as down


class _OneLine(logging.Filter):
    """geopy's RateLimiter logs each retry with the whole traceback of the failed request, which a
    terminal prints in full; the chain reports the failure itself. Keep the line, drop the trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {clip(str(error), 120)})"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


logging.getLogger("geopy").addFilter(_OneLine())


class RateLimitedGeocoder(Geocoder):
    """An online geocoder behind geopy's RateLimiter: the one door to a service outside the app.

    Errors are not swallowed: the RateLimiter's default turns an outage into None, which looks
    exactly like "no such place". Here an outage raises, and the chain reports it. A service that
    is down is then left alone for a minute: every lookup in that minute falls back at once
    instead of waiting out the timeout again. An answer the app cannot use (no position, a
    position off the globe, a reply that does not parse) is an error of the service too.
    """

    def __init__(self, inner: Geocoder, min_delay_seconds: float = 1.0, **geocode_kwargs: Any):
        super().__init__(user_agent=inner.headers.get("User-Agent"), adapter_factory=NoNetworkAdapter)
        self.inner = inner
        self.cache_tag = f"{type(inner).__name__.lower()}/{getattr(inner, 'domain', '')}"
        self._geocode = RateLimiter(inner.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=1, error_wait_seconds=2.0, swallow_exceptions=False)
        self._kwargs = geocode_kwargs
        self._paused_until = 0.0
        self._clock = time.monotonic

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        if self._clock() < self._paused_until:
            raise GeocoderUnavailable(f"{self.cache_tag} failed less than {OUTAGE_PAUSE_SECONDS:.0f} s ago")
        try:
            location = self._geocode(query, exactly_one=exactly_one, **self._kwargs)
        except (GeocoderParseError, GeocoderQueryError):
            raise  # this query's answer, not the service, is at fault
        except GeopyError:
            self._paused_until = self._clock() + OUTAGE_PAUSE_SECONDS
            raise
        except Exception as exc:  # a reply geopy could not turn into a Location
            raise GeocoderParseError(f"unreadable answer ({type(exc).__name__}: {clip(str(exc), 80)})") from exc
        for found in ([location] if exactly_one else location or []):
            if found is not None and not _usable(found):
                raise GeocoderParseError(f"an answer with no usable position ({found.latitude}, {found.longitude})")
        if location is not None and exactly_one:
            location.raw["precision"] = precision_of(location)
        return location


def _usable(location: Location) -> bool:
    """A position on the globe other than (0, 0), which services send for "no position". The reply's
    own figures are checked too: geopy wraps a longitude of 200 round to -160, a different place."""
    raw = location.raw
    return (isinstance(raw, dict) and isinstance(location.address, str)
            and position(raw.get("lat", location.latitude), raw.get("lon", location.longitude)) is not None)


class GeocoderChain(Geocoder):
    """Ask each geocoder in turn; the first answer wins.

    An error from one geocoder (an online service that is down) does not stop the chain;
    it is kept in `last_errors` so the caller can say so. If every geocoder failed with an
    error, the chain raises the first error instead of pretending the place does not exist.
    """

    def __init__(self, geocoders: list[Geocoder]):
        super().__init__(user_agent="dystonia-atlas-chain", adapter_factory=NoNetworkAdapter)
        self.geocoders = list(geocoders)
        self.cache_tag = "+".join(getattr(g, "cache_tag", type(g).__name__) for g in self.geocoders)
        self._calls = threading.local()  # one chain serves every session's thread at once

    @property
    def last_errors(self) -> list[tuple[str, GeopyError]]:
        """The errors of this thread's last lookup."""
        return getattr(self._calls, "errors", [])

    def geocode(self, query: Query, *, exactly_one: bool = True, timeout: Any = None):
        errors: list[tuple[str, GeopyError]] = []
        self._calls.errors = errors
        for geocoder in self.geocoders:
            try:
                location = geocoder.geocode(query, exactly_one=True)
            except GeopyError as exc:
                errors.append((getattr(geocoder, "cache_tag", type(geocoder).__name__), exc))
                continue
            if location is not None:
                return location if exactly_one else [location]
        if errors and len(errors) == len(self.geocoders):
            raise errors[0][1]
        return None if exactly_one else []


# --- configuration ----------------------------------------------------------------------


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
        from geopy.adapters import URLLibAdapter
        from geopy.geocoders import Nominatim

        # urllib, not requests: requests' adapter tries each connection three times, so a service
        # that accepts and never answers held a lookup for three timeouts. One attempt per try here.
        nominatim = Nominatim(user_agent=settings.user_agent, timeout=ONLINE_TIMEOUT_SECONDS,
                              adapter_factory=URLLibAdapter)
        chain.append(RateLimitedGeocoder(nominatim, max(1.0, settings.min_delay_seconds),
                                         addressdetails=True))
    chain.append(OfflineZipGeocoder())
    geocoder: Geocoder = GeocoderChain(chain)
    if settings.cache_path is not None:
        geocoder = CachedGeocoder(geocoder, settings.cache_path, carry_over=settings.carry_over)
    return geocoder


# --- the one entry point ----------------------------------------------------------------


class Place(NamedTuple):
    """Where a query was found. This record and `LocateResult` are named tuples, immutable like
    frozen dataclasses but built in a third of their time: every lookup makes one of each."""
    label: str
    latitude: float
    longitude: float
    precision: str


class LocateResult(NamedTuple):
    """A place, or the reason there is none.

    `note` carries a caveat about a found place; `corrected` says the place is a close match for a
    misspelt name (the note names it). With no place, `choices` may hold up to five labels such as
    "Denver, CO", largest first, each a query that locates exactly one place.
    """
    query: str
    place: Place | None
    problem: str = ""  # "", "empty", "too-long", "outside-us", "ambiguous", "not-found", "unavailable"
    message: str = ""
    note: str = ""
    corrected: bool = False
    choices: tuple[str, ...] = ()
    outage: bool = False  # an online geocoder did not answer: the result may differ when it is back

    @property
    def found(self) -> bool:
        return self.place is not None


def default_geocoder() -> Geocoder:
    """The geocoder the environment's settings ask for (see `atlas.settings`), one per settings value.

    Raises GeocoderConfigError when the settings cannot work (an unknown geocoder, no user agent).
    """
    return _geocoder_for_environment(geocoder_environment())


@functools.lru_cache(maxsize=8)
def _geocoder_for_environment(environment: tuple) -> Geocoder:
    return _geocoder_for(geocoder_settings())  # reading the settings costs more than a lookup: once per change


@functools.lru_cache(maxsize=8)
def _geocoder_for(settings: GeocoderSettings) -> Geocoder:
    return build_geocoder(settings)


# Control and format characters (NUL, ESC, bidi overrides…), and lone surrogates, which no text
# encoding can write (a command-line argument of invalid UTF-8 arrives as them).
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def _without_controls(text: str, replacement: str) -> str:
    if text.isprintable():
        return text
    return "".join(replacement if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)


def _shown(text: str, limit: int = 40) -> str:
    """User text as it may appear in a message: one line, short, control characters shown as �."""
    return clip(" ".join(_without_controls(text, "\ufffd").split()), limit)


def locate(query: Query, geocoder: Geocoder | None = None) -> LocateResult:
    """Find a place for a ZIP code, "City, ST", an address, or a structured address dict.

    What a person types is read forgivingly: case, commas, ZIP+4 and state names do not matter,
    and a misspelt city with one close match is located (the note says which place is shown).
    """
    if isinstance(query, str):
        shown = _without_controls(query[:MAX_QUERY_CHARS], "\ufffd")
        if not query.strip():
            return LocateResult("", None, "empty",
                                'Enter a ZIP code (60601), a city and state ("Chicago, IL") or a street address.')
        if len(query) > MAX_QUERY_CHARS:
            return LocateResult(shown, None, "too-long",
                                f"That entry is {len(query):,} characters long; a place is at most "
                                f"{MAX_QUERY_CHARS}. Enter a ZIP code, a city and state, or an address.")
        query = _without_controls(query, " ")
    else:
        query = {key: _without_controls(str(value), " ").strip() for key, value in query.items() if value}
        shown = clip(", ".join(query.values()), MAX_QUERY_CHARS)
        if any(len(value) > MAX_QUERY_CHARS for value in query.values()):
            return LocateResult(shown, None, "too-long",
                                f"That address has a part over {MAX_QUERY_CHARS} characters long. Check the listing.")
    if geocoder is None:
        try:
            geocoder = default_geocoder()
        except GeocoderConfigError as exc:
            log.error("geocoder settings: %s", exc)
            return LocateResult(shown, None, "unavailable", f"Places cannot be looked up: {exc}.")
    result, location = _ask(geocoder, query, shown)
    if result is None:
        result = (_found(shown, location, _outage_note(geocoder)) if location is not None else
                  _explain_miss(geocoder, query, shown, _outage_note(geocoder, found=False)))
    return result._replace(outage=True) if getattr(geocoder, "last_errors", None) else result


def _ask(geocoder: Geocoder, query: Query, shown: str) -> tuple[LocateResult | None, Location | None]:
    try:
        return None, geocoder.geocode(query, exactly_one=True)
    except GeopyError as exc:
        return LocateResult(shown, None, "unavailable",
                            f"The geocoding service is not answering ({type(exc).__name__}). "
                            "Try a ZIP code or \"City, ST\", which work offline."), None


def _outage_note(geocoder: Geocoder, found: bool = True) -> str:
    errors = getattr(geocoder, "last_errors", [])
    if not errors:
        return ""
    return (f"The online geocoder did not answer ({type(errors[0][1]).__name__}); " +
            ("this location comes from the offline ZIP table." if found else "only the offline ZIP table was searched."))


def _found(shown: str, location: Location, note: str, corrected: bool = False) -> LocateResult:
    conflict = (location.raw or {}).get("conflict")
    if conflict:  # "Beverly Hills, IL 90210": the ZIP code wins, and the note says whose it is
        note = " ".join([f"{conflict}, not of the city or state given: the map shows the ZIP code.", note]).strip()
    point = location.point
    place = Place(location.address, float(point.latitude), float(point.longitude), precision_of(location))
    return LocateResult(shown, place, note=note, corrected=corrected)


def _explain_miss(geocoder: Geocoder, query: Query, shown: str, note: str) -> LocateResult:
    parts = parse_query(query)
    if parts.country not in ("", "US"):
        return LocateResult(shown, None, "outside-us",
                            f'"{_shown(shown)}" looks like an address outside the United States. The offline '
                            "locator knows US ZIP codes and cities only.", note=note)
    if parts.postal_code:
        record = zip_index().lookup(parts.postal_code)
        what = ("is a military (APO, FPO or DPO) ZIP code, which has no place on a map. Enter" if record and
                record.kind == "MILITARY" else "has no map position in the offline ZIP table. Enter" if record
                else "is not a US ZIP code in use. Check the digits, or enter")
        return LocateResult(shown, None, "not-found",
                            f'{parts.postal_code} {what} a city and state ("Chicago, IL").', note=note)
    if parts.city and not parts.state:
        same_name = same_name_places(parts.city)
        if len(same_name) > 1:
            labels = tuple(p.label for p in same_name[:5])
            return LocateResult(shown, None, "ambiguous",
                                f'Several states have a place called "{_shown(parts.city)}" '
                                f"({', '.join(p.state for p in same_name[:5])}{'…' if len(same_name) > 5 else ''}). "
                                f'Add the state, e.g. "{labels[0]}".', note=note, choices=labels)
    if parts.city and isinstance(query, str):
        result = _corrected(geocoder, parts, shown, note)
        if result is not None:
            return result
    return LocateResult(shown, None, "not-found",
                        f'No US place matches "{_shown(shown)}". Try a 5-digit ZIP code or "City, ST".',
                        note=note)


def _corrected(geocoder: Geocoder, parts: QueryParts, shown: str, note: str) -> LocateResult | None:
    """A misspelt city: locate its one close match, or offer the several that fit."""
    suggestion = suggest(parts.city, parts.state)
    if suggestion.place is not None:
        place = suggestion.place
        fixed = ", ".join(p for p in (parts.street, place.city, place.state) if p)
        _, location = _ask(geocoder, fixed, shown)
        if location is None:
            location = Location(f"{place.city}, {place.state}, USA", (place.latitude, place.longitude),
                                {"precision": "city", "city": place.city, "state": place.state})
        outage = _outage_note(geocoder)
        return _found(shown, location, f"Showing results for {place.label}." + (f" {outage}" if outage else ""),
                      corrected=True)
    if suggestion.choices:
        labels = tuple(p.label for p in suggestion.choices)
        where = f" in {parts.state}" if parts.state else ""
        hint = "" if parts.state else " Add the state to be sure."
        return LocateResult(shown, None, "ambiguous",
                            f'No US place is called "{_shown(parts.city)}"{where}. Did you mean '
                            f"{'; '.join(labels)}?{hint}", note=note, choices=labels)
    return None


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
