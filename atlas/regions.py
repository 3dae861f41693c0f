"""Names and postal codes of US states and Canadian provinces.

Addresses on source pages write a region either way ("IL", "Illinois"); phone metadata
describes area codes by full name ("California") or "City, ST". Everything that compares
regions goes through `region_code` so the two spellings meet.
"""

from __future__ import annotations

import functools
import re

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}

CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}

# Country names as they appear on address lines, mapped to ISO 3166-1 alpha-2 codes.
COUNTRIES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.a.": "US",
    "u.s.a": "US", "us": "US", "u.s.": "US", "america": "US",
    "canada": "CA", "united kingdom": "GB", "uk": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "ireland": "IE", "australia": "AU", "new zealand": "NZ", "mexico": "MX",
    "germany": "DE", "france": "FR", "netherlands": "NL", "israel": "IL", "india": "IN",
}

_NAME_TO_CODE = {
    **{name.lower(): code for code, name in US_STATES.items()},
    **{name.lower(): code for code, name in CA_PROVINCES.items()},
    "québec": "QC", "newfoundland": "NL", "virgin islands": "VI", "d.c.": "DC",
}


_TABLES = {"US": (US_STATES,), "CA": (CA_PROVINCES,)}
_BOTH = (US_STATES, CA_PROVINCES)


def _norm(text: str) -> str:
    return " ".join(text.strip().strip(".").lower().split())


def region_code(text: str, country: str | None = None) -> str | None:
    """Two-letter code for a state or province written as a code or a name, else None.

    `country` ("US" or "CA") narrows the search; codes shared by both lists do not exist,
    so without it both are searched.
    """
    if not text:
        return None
    tables = _TABLES.get(country or "", _BOTH)
    key = text.lower() if len(text) == 2 else _norm(text)  # "IL", the usual case, needs no normalising
    upper = key.upper().replace(".", "")
    for table in tables:
        if upper in table:
            return upper
    code = _NAME_TO_CODE.get(key)
    if code and any(code in table for table in tables):
        return code
    return None


def region_country(code: str) -> str | None:
    """Country ("US" or "CA") that a region code belongs to."""
    if code in US_STATES:
        return "US"
    if code in CA_PROVINCES:
        return "CA"
    return None


def region_name(code: str) -> str:
    return US_STATES.get(code) or CA_PROVINCES.get(code) or code


def country_code(text: str) -> str | None:
    """ISO code for a country line such as "Canada" or "U.S.A.", else None."""
    return COUNTRIES.get(_norm(text)) if text else None


# English names ISO 3166 does not use, which people type.
_OTHER_COUNTRY_NAMES = {"russia": "RU", "turkey": "TR", "holland": "NL", "great britain": "GB",
                        "britain": "GB", "northern ireland": "GB", "south korea": "KR", "north korea": "KP"}


@functools.lru_cache(maxsize=512)
def any_country_code(text: str) -> str | None:
    """ISO code for any country's name ("Switzerland", "Viet Nam"), for reading what a person types:
    "Rome, Italy" is in Italy, not in Italy, Texas. A state's name is not a country ("Atlanta,
    Georgia"); US territories count as the US. Codes are not read as countries: "XX" is more
    likely a mistyped state than a country's code. The full list (pycountry) loads on first use."""
    known = country_code(text)
    name = _norm(text) if text else ""
    if known or len(name) < 4 or region_code(text) or not name.replace(" ", "").replace(".", "").isalpha():
        return known
    import pycountry

    try:
        code = pycountry.countries.lookup(name).alpha_2
    except LookupError:
        code = _OTHER_COUNTRY_NAMES.get(name)
    return "US" if code in US_STATES else code


# Longest names first so "West Virginia" wins over "Virginia" in a regex alternation.
REGION_NAME_PATTERN = "|".join(
    re.escape(name) for name in sorted(
        [*US_STATES.values(), *CA_PROVINCES.values()], key=len, reverse=True)
)
