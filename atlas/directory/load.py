"""The directory, loaded once: records, the columns every view shows, and the spatial index.

Everything that depends on one organization alone is worked out here, once per data folder:
validated call, mail and web links, focus and location labels, data notes, the lower-cased
text that the search box matches, and the KD-tree for distances. A rerun of a page then only
filters, sorts and slices arrays (atlas.directory.view); it never validates a phone or an email
and never loops over organizations in Python.

Links follow `atlas.ingest.contacts` exactly. Built files store phones, emails and websites in
the normalised form the build wrote, so most values take a vectorised fast path (a pattern that
only admits values the validator accepts, and gives the same link); anything else goes through
the validator itself. A test holds the two paths equal.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import PhoneMetadata

from atlas.directory.distance import SpatialIndex
from atlas.ingest import contacts
from atlas.ingest.build import open_data_dir
from atlas.ingest.quality import FLAGS
from atlas.ingest.tags import FOCI, focus_label
from atlas.model import Organization, Page

# The columns of the organizations table, as shown; link cells are None when a value is not a safe link.
TABLE_COLUMNS = ["Organization", "Focus", "Location", "Phone", "Email", "Website", "Data notes"]
DISTANCE_COLUMNS = ["Miles", "Km"]
RECORD_COLUMNS = ["id", "name", "street", "city", "state", "postal_code", "country", "phone", "toll_free", "fax",
                  "email", "website", "service_area", "location_precision"]


@dataclass(frozen=True, eq=False)
class Atlas:
    """A loaded directory. `frame` has one row per organization, in page order."""
    page: Page
    organizations: tuple[Organization, ...]
    frame: pd.DataFrame
    index: SpatialIndex
    states: tuple[str, ...]
    positions: dict[str, int]  # organization id -> row

    def __len__(self) -> int:
        return len(self.organizations)

    def row_of(self, org_id: str | None) -> int | None:
        return self.positions.get(org_id or "")

    def organization(self, org_id: str | None) -> Organization | None:
        row = self.row_of(org_id)
        return None if row is None else self.organizations[row]

    @property
    def ids(self) -> list[str]:
        return list(self.positions)

    def focus_mask(self, code: str) -> np.ndarray:
        return self.frame[f"is_{code}"].to_numpy(bool)


def load_atlas(folder: str | Path) -> Atlas:
    """Open a data folder (built files, or a lone source page built in memory) and prepare it."""
    directory = open_data_dir(folder)
    return prepare(directory.page, directory.organizations)


def prepare(page: Page, organizations: list[Organization] | tuple[Organization, ...]) -> Atlas:
    organizations = tuple(organizations)
    column = {name: [getattr(o, name) for o in organizations] for name in RECORD_COLUMNS}
    frame = pd.DataFrame({name: pd.array(values, dtype="str") for name, values in column.items()})
    frame["latitude"] = np.array([np.nan if o.latitude is None else o.latitude for o in organizations], dtype=float)
    frame["longitude"] = np.array([np.nan if o.longitude is None else o.longitude for o in organizations],
                                  dtype=float)
    focus = [o.focus for o in organizations]
    for code in FOCI:
        frame[f"is_{code}"] = np.fromiter((code in tags for tags in focus), dtype=bool, count=len(focus))
    frame["focus"] = focus
    frame["focus_label"] = _labels(focus, lambda tags: ", ".join(focus_label(f, short=True) for f in tags))
    flags = [o.quality_flags for o in organizations]
    frame["quality_flags"] = flags
    frame["place"] = [o.locality if o.country in ("", "US") else f"{o.locality}, {o.country}"
                      for o in organizations]
    frame["search"] = (frame["name"] + " " + frame["city"]).str.casefold()

    # What the table shows, ready to slice.
    frame["Organization"] = frame["name"]
    frame["Focus"] = frame["focus_label"]
    frame["Location"] = frame["place"]
    phone = tel_links(frame["phone"], flags)
    frame["Phone"] = phone.where(phone.notna(), tel_links(frame["toll_free"], flags))
    frame["Email"] = mailto_links(frame["email"], flags)
    frame["Website"] = website_links(frame["website"], flags)
    frame["Data notes"] = _labels(flags, lambda codes: "; ".join(FLAGS[c].title if c in FLAGS else c for c in codes))

    positions = {org.id: row for row, org in enumerate(organizations)}
    states = tuple(sorted({s for s in column["state"] if s}))
    index = SpatialIndex(frame["latitude"].to_numpy(), frame["longitude"].to_numpy())
    return Atlas(page, organizations, frame, index, states, positions)


def _labels(values: list[tuple[str, ...]], label) -> pd.Series:
    """A label per row, worked out once per distinct value (a directory has few distinct tag sets)."""
    cache: dict[tuple[str, ...], str] = {}
    return pd.Series([cache[v] if v in cache else cache.setdefault(v, label(v)) for v in values], dtype="str")


# --- links for a whole column -------------------------------------------------------------------

_NATIONAL = re.compile(r"^\(([2-9]\d{2})\) ([2-9]\d{2})-(\d{4})$")
_EMAIL = (r"^(?!\.)(?!.*\.\.)[A-Za-z0-9!#$&'*+/=?^_`{|}~.-]{1,64}(?<!\.)"
          r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_SPECIAL_USE_TLDS = ("arpa", "invalid", "local", "localhost", "onion", "test", "example")
_WEBSITE = (r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
            r"(?:/[A-Za-z0-9._~%!$&()*+,;=:@/?#-]*)?$")


@functools.cache
def _nanp_valid() -> re.Pattern:
    """Every national number phonenumbers accepts as valid in a North American region, as one pattern."""
    kinds = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number", "voip",
             "pager", "uan", "voicemail")
    patterns = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(region)
        for kind in kinds:
            desc = getattr(metadata, kind, None)
            if desc is not None and desc.national_number_pattern:
                patterns.add(f"(?:{desc.national_number_pattern})")
    return re.compile("^(?:" + "|".join(sorted(patterns)) + ")$")


def _slow(values: pd.Series, todo: np.ndarray, link) -> pd.Series:
    out = pd.Series([None] * len(values), dtype=object)
    for row in np.flatnonzero(todo):
        out.iat[row] = link(values.iat[row])
    return out


def _combine(fast: pd.Series, fast_ok: np.ndarray, values: pd.Series, link) -> pd.Series:
    empty = (values == "").to_numpy(bool)
    out = _slow(values, ~fast_ok & ~empty, link)
    out[fast_ok] = fast[fast_ok].to_numpy(object)
    return out


def tel_links(values: pd.Series, flags: list[tuple[str, ...]]) -> pd.Series:
    """`contacts.tel_link` for every value of a column."""
    values = values.fillna("").astype("str").reset_index(drop=True)
    parts = values.str.extract(_NATIONAL)
    digits = (parts[0] + parts[1] + parts[2]).fillna("")
    flagged = np.fromiter(("invalid-phone" in f for f in flags), dtype=bool, count=len(flags))
    fast_ok = (digits != "").to_numpy(bool) & ~flagged
    fast_ok &= digits.str.fullmatch(_nanp_valid().pattern).fillna(False).to_numpy(bool)
    fast = "tel:+1-" + parts[0] + "-" + parts[1] + "-" + parts[2]
    return _combine(fast, fast_ok, values, contacts.tel_link)


def mailto_links(values: pd.Series, flags: list[tuple[str, ...]]) -> pd.Series:
    """`contacts.mailto_link` for every value of a column."""
    values = values.fillna("").astype("str").reset_index(drop=True)
    flagged = np.fromiter(("invalid-email" in f for f in flags), dtype=bool, count=len(flags))
    domain = values.str.rsplit("@", n=1).str[-1].str.lower()
    tld = domain.str.rsplit(".", n=1).str[-1]
    fast_ok = values.str.fullmatch(_EMAIL).fillna(False).to_numpy(bool) & ~flagged
    fast_ok &= ~tld.isin(_SPECIAL_USE_TLDS).to_numpy(bool) & (values.str.len() <= 254).to_numpy(bool)
    local = values.str.rsplit("@", n=1).str[0]
    fast = "mailto:" + local + "@" + domain
    # quote() leaves letters, digits, "_.-~" and "@.+" alone; anything else takes the validator's path.
    fast_ok &= local.str.fullmatch(r"[A-Za-z0-9_.+~-]+").fillna(False).to_numpy(bool)
    return _combine(fast, fast_ok, values, contacts.mailto_link)


def website_links(values: pd.Series, flags: list[tuple[str, ...]]) -> pd.Series:
    """`contacts.website_link` for every value of a column."""
    values = values.fillna("").astype("str").reset_index(drop=True)
    flagged = np.fromiter(("invalid-website" in f for f in flags), dtype=bool, count=len(flags))
    fast_ok = values.str.fullmatch(_WEBSITE).fillna(False).to_numpy(bool) & ~flagged
    fast_ok &= ~values.str.contains(r"[.,;]$", regex=True).fillna(False).to_numpy(bool)
    fast_ok &= (values.str.len() <= 2000).to_numpy(bool)
    return _combine(values, fast_ok, values, contacts.website_link)
