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

import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import phonenumbers
from phonenumbers import PhoneMetadata

from atlas.directory.distance import SpatialIndex
from atlas.errors import DataError
from atlas.ingest import contacts
from atlas.ingest.files import (
    LIST_SEPARATOR,
    ORGANIZATIONS_FILE,
    PAGE_FILE,
    WEBSITE_DERIVED_NO,
    WEBSITE_DERIVED_YES,
    read_page_json,
)
from atlas.ingest.quality import FLAGS
from atlas.ingest.tags import FOCI, focus_label
from atlas.model import LOCATION_PRECISIONS, ORGANIZATION_FIELDS, Organization, Page

# The columns of the organizations table, as shown; link cells are None when a value is not a safe link.
TABLE_COLUMNS = ["Organization", "Focus", "Location", "Phone", "Email", "Website", "Data notes"]
DISTANCE_COLUMNS = ["Miles", "Km"]
LINK_COLUMNS = ["phone_link", "toll_free_link", "Email", "Website"]  # in the order of contacts.Links


class Records(Sequence):
    """The organizations of a loaded table as `Organization` records, each built when first asked for.

    A national directory holds 100,000 organizations; a view shows a few, and exports ask for the
    ones they write. Building every record at load would cost seconds and hundreds of megabytes."""

    def __init__(self, table: pd.DataFrame):
        self._columns = {name: table[name].to_numpy(object) for name in ORGANIZATION_FIELDS
                         if name not in ("latitude", "longitude")}
        self._lat = table["latitude"].to_numpy(float)
        self._lon = table["longitude"].to_numpy(float)
        self._built: dict[int, Organization] = {}

    def __len__(self) -> int:
        return len(self._lat)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]
        if index not in self._built:
            self._built[index] = _record({name: values[index] for name, values in self._columns.items()},
                                         self._lat[index], self._lon[index])
        return self._built[index]


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(LIST_SEPARATOR) if part)


def _record(cells: dict, lat: float, lon: float) -> Organization:
    located = not (np.isnan(lat) or np.isnan(lon))
    return Organization(
        id=cells["id"], name=cells["name"], street=cells["street"], city=cells["city"], state=cells["state"],
        postal_code=cells["postal_code"], country=cells["country"], phone=cells["phone"],
        toll_free=cells["toll_free"], fax=cells["fax"], email=cells["email"], website=cells["website"],
        focus=_split(cells["focus"]), service_area=cells["service_area"],
        latitude=float(lat) if located else None, longitude=float(lon) if located else None,
        location_precision=(cells["location_precision"] or "none") if located else "none",
        quality_flags=_split(cells["quality_flags"]),
        website_derived=str(cells["website_derived"]).lower() in WEBSITE_DERIVED_YES,
        notes=tuple(n for n in str(cells["notes"] or "").split("\n") if n))


@dataclass(frozen=True, eq=False)
class Atlas:
    """A loaded directory. `frame` has one row per organization, in page order."""
    page: Page
    organizations: Sequence[Organization]
    frame: pd.DataFrame
    index: SpatialIndex
    states: tuple[str, ...]
    positions: dict[str, int]  # organization id -> row
    display: pa.Table  # the table's columns and ids, as Arrow: a view takes its rows in one call

    def __len__(self) -> int:
        return len(self.frame)

    def row_of(self, org_id: str | None) -> int | None:
        return self.positions.get(org_id or "")

    def organization(self, org_id: str | None) -> Organization | None:
        row = self.row_of(org_id)
        return None if row is None else self.organizations[row]

    def links(self, org_id: str | None) -> contacts.Links | None:
        """The organization's links as validated at load, which its detail card shows."""
        row = self.row_of(org_id)
        if row is None:
            return None
        cells = (self.frame.at[row, name] for name in LINK_COLUMNS)
        return contacts.Links(*(cell if isinstance(cell, str) else None for cell in cells))

    @property
    def ids(self) -> list[str]:
        return list(self.positions)

    def focus_mask(self, code: str) -> np.ndarray:
        return self.frame[f"is_{code}"].to_numpy(bool)


def load_atlas(folder: str | Path) -> Atlas:
    """Open a data folder and prepare it. Built files are read column by column (Arrow's CSV reader);
    a folder holding only a source page is built in memory (atlas.ingest.build.open_data_dir)."""
    folder = Path(folder)
    table = read_built_table(folder)
    if table is not None:
        page, frame = table
        return _prepare(page, frame, Records(frame))
    from atlas.ingest.build import open_data_dir  # builds a lone page, or explains the folder's fault

    directory = open_data_dir(folder)
    return prepare(directory.page, directory.organizations)


def prepare(page: Page, organizations: Sequence[Organization]) -> Atlas:
    """A directory from records in memory (a page built on load, tests, hand-picked lists)."""
    organizations = tuple(organizations)
    cells = {name: [_cell_text(name, getattr(o, name)) for o in organizations] for name in TEXT_COLUMNS}
    frame = pd.DataFrame({name: pd.array(values, dtype="str") for name, values in cells.items()})
    frame["latitude"] = np.array([np.nan if o.latitude is None else o.latitude for o in organizations], dtype=float)
    frame["longitude"] = np.array([np.nan if o.longitude is None else o.longitude for o in organizations],
                                  dtype=float)
    return _prepare(page, frame, organizations)


def _cell_text(name: str, value) -> str:
    """A record's value as organizations.csv holds it (lists joined, flags as yes/no)."""
    if isinstance(value, tuple):
        return ("\n" if name == "notes" else LIST_SEPARATOR).join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _prepare(page: Page, frame: pd.DataFrame, organizations: Sequence[Organization]) -> Atlas:
    frame = frame.reset_index(drop=True)
    focus = frame["focus"].fillna("")
    for code in FOCI:
        frame[f"is_{code}"] = (LIST_SEPARATOR + focus + LIST_SEPARATOR).str.contains(
            f"{LIST_SEPARATOR}{code}{LIST_SEPARATOR}", regex=False).to_numpy(bool)
    frame["focus_label"] = _labels(focus, lambda tags: ", ".join(focus_label(f, short=True) for f in _split(tags)))
    frame["place"] = _place(frame)
    frame["search"] = (frame["name"] + " " + frame["city"]).str.casefold()

    # What the table shows, ready to slice.
    flags = frame["quality_flags"].fillna("")
    frame["Organization"] = frame["name"]
    frame["Focus"] = frame["focus_label"]
    frame["Location"] = frame["place"]
    frame["phone_link"] = tel_links(frame["phone"], flags)
    frame["toll_free_link"] = tel_links(frame["toll_free"], flags)
    frame["Phone"] = frame["phone_link"].where(frame["phone_link"].notna(), frame["toll_free_link"])
    frame["Email"] = mailto_links(frame["email"], flags)
    frame["Website"] = website_links(frame["website"], flags)
    frame["Data notes"] = _labels(flags, lambda codes: "; ".join(FLAGS[c].title if c in FLAGS else c
                                                                 for c in _split(codes)))
    frame["is_national"] = (frame["service_area"] == "national").to_numpy(bool)

    positions = dict(zip(frame["id"].tolist(), range(len(frame))))
    states = tuple(sorted(s for s in frame["state"].unique().tolist() if s))
    index = SpatialIndex(frame["latitude"].to_numpy(float), frame["longitude"].to_numpy(float))
    return Atlas(page, organizations, frame, index, states, positions, _display(frame))


def _display(frame: pd.DataFrame) -> pa.Table:
    """The table's columns as one Arrow table. Focus and data notes hold a handful of distinct
    values, so they are dictionary-encoded: sent once each, not once a row."""
    table = pa.Table.from_pandas(frame[["id", *TABLE_COLUMNS]], preserve_index=False)
    for name in ("Focus", "Data notes"):
        position = table.schema.get_field_index(name)
        table = table.set_column(position, name, pc.dictionary_encode(table[name]))
    return table


def _place(frame: pd.DataFrame) -> pd.Series:
    """ "City, ST 12345" (with the country when not the US), as `Organization.locality` writes it."""
    region = (frame["state"] + " " + frame["postal_code"]).str.strip()
    city, country = frame["city"], frame["country"]
    locality = pd.Series(np.where((city != "") & (region != ""), city + ", " + region,
                                  np.where(region == "", city, region)), dtype="str")
    return pd.Series(np.where(country.isin(["", "US"]), locality, locality + ", " + country), dtype="str")


def _labels(values: pd.Series, label) -> pd.Series:
    """A label per row, worked out once per distinct value (a directory has few distinct tag sets)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    labels = np.array([label(value) for value in uniques], dtype=object)
    return pd.Series(labels[codes] if len(codes) else [], dtype="str")


# --- reading built files fast -------------------------------------------------------------------

TEXT_COLUMNS = [name for name in ORGANIZATION_FIELDS if name not in ("latitude", "longitude")]


def read_built_table(folder: Path) -> tuple[Page, pd.DataFrame] | None:
    """The built files as a page and a column table, or None when the folder has no built files.

    Valid files take Arrow's multithreaded CSV reader and vectorised checks. When anything is
    off, the careful row-by-row reader of atlas.ingest.files reads the file again to name the
    line at fault, and the folder is refused through atlas.ingest.build.open_data_dir, which
    explains the problem and its fix. A half-written, ragged or damaged file never loads: the
    fast path takes a file only when the careful reader would take it too, with the same values."""
    csv_path, page_path = folder / ORGANIZATIONS_FILE, folder / PAGE_FILE
    try:
        if not (csv_path.is_file() and page_path.is_file()):
            return None
        page = read_page_json(page_path)
        data = csv_path.read_bytes()
    except (OSError, DataError):
        return None  # open_data_dir says exactly what is wrong
    table = _arrow_table(data)
    if table is None:
        return None
    return page, table


# What Python's str.strip() removes (str.isspace), as an RE2 class: the careful reader strips ids and
# names, so a value with white space at either end takes its path. A test holds the class to isspace().
_SPACE = r"[\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_PADDED = rf"^'?{_SPACE}|{_SPACE}$"  # the formula guard's apostrophe, which that reader removes first, may lead
_QUOTE, _COMMA, _LF, _CR = b'"'[0], b","[0], b"\n"[0], b"\r"[0]


def _arrow_table(data: bytes) -> pd.DataFrame | None:
    """The organizations as a column table, or None when the careful reader must judge the file.

    Arrow's reader is more forgiving than `csv.reader(strict=True)`: it skips blank lines, reads
    `"a"b` as `ab`, has no limit on a cell's length and reads `abc` as a missing number. Each of
    those is checked here, on whole columns or on the raw bytes, so that no such file loads."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    text_start = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not text_start.endswith(b"\n"):
        return None  # cut short: let the careful reader say where
    header = text_start.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace").split(",")
    if tuple(header) != ORGANIZATION_FIELDS or not _quotes_well_formed(text_start):
        return None
    types = {name: pa.string() for name in TEXT_COLUMNS} | {"latitude": pa.float64(), "longitude": pa.float64()}
    try:
        arrow = pacsv.read_csv(
            pa.py_buffer(text_start),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            # A blank line is a row of empty cells (refused below: it has no id), never skipped.
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            # Only an empty cell is a missing number; "abc", "nan" or " " is not a number at all.
            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[""], strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if not _valid_arrow(arrow, len(text_start)):
        return None
    frame = arrow.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    for name in TEXT_COLUMNS:  # undo the build's formula guard: a leading apostrophe was added, never typed
        column = frame[name]
        guarded = column.str.startswith("'").to_numpy(bool)
        if guarded.any():
            frame[name] = column.where(~guarded, column.str.slice(1))
    if not _valid(frame):
        return None
    for name in TEXT_COLUMNS:
        frame[name] = frame[name].astype("str")
    return frame


def _quotes_well_formed(data: bytes) -> bool:
    """Whether every double quote in `data` is one `csv.writer` would write: one that opens a quoted
    cell at the start of a cell, one that closes it before a comma or a line end, or half of a doubled
    quote inside it. Quoted cells are then exactly the spans between a quote and the next, which is
    how both readers read them. A quote anywhere else (`"a"b`, refused by the careful reader, or a
    quote inside an unquoted cell, which it takes as text) sends the file to the careful reader."""
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == _QUOTE)
    if quotes.size % 2:
        return False  # a quoted cell never closes: the file was cut short
    opening, closing = quotes[0::2], quotes[1::2]
    before = raw[np.maximum(opening - 1, 0)]
    after = raw[np.minimum(closing + 1, raw.size - 1)]
    opens_a_cell = (before == _COMMA) | (before == _LF) | (before == _CR) | (before == _QUOTE) | (opening == 0)
    ends_a_cell = (after == _COMMA) | (after == _LF) | (after == _CR) | (after == _QUOTE) | (closing == raw.size - 1)
    return bool(opens_a_cell.all() and ends_a_cell.all())


def _valid_arrow(arrow: pa.Table, size: int) -> bool:
    """The checks made on Arrow's columns: each cell within the careful reader's length limit, no id
    or name with white space at either end, and each map point either absent (both cells empty) or
    a finite latitude and longitude in range."""
    limit = csv.field_size_limit()
    if size > limit:  # only a file longer than the limit can hold a cell longer than it
        for name in TEXT_COLUMNS:
            if (pc.max(pc.utf8_length(arrow[name])).as_py() or 0) > limit:
                return False
    for name in ("id", "name"):  # the careful reader strips them: it reads such a row, and keeps other values
        if pc.any(pc.match_substring_regex(arrow[name], _PADDED)).as_py():
            return False
    lat, lon = arrow["latitude"], arrow["longitude"]
    lat_missing = lat.is_null().to_numpy(zero_copy_only=False)
    if (lat_missing != lon.is_null().to_numpy(zero_copy_only=False)).any():
        return False
    with np.errstate(invalid="ignore"):  # a missing point reads as NaN here and is let through; a "nan" cell is not
        usable = ((np.abs(lat.to_numpy(zero_copy_only=False)) <= 90)
                  & (np.abs(lon.to_numpy(zero_copy_only=False)) <= 180))
    return bool((usable | lat_missing).all())


def _valid(frame: pd.DataFrame) -> bool:
    """The row checks of atlas.ingest.files, for every row at once; any doubt sends the file to them."""
    ids, names = frame["id"], frame["name"]
    if (ids == "").any() or (names == "").any() or ids.duplicated().any():
        return False
    for name, known in (("focus", FOCI), ("quality_flags", FLAGS)):
        tags = frame[name].str.split(LIST_SEPARATOR).explode()
        if not tags[tags != ""].isin(list(known)).all():
            return False
    # Exact values only (the careful reader also strips them). No other character lower-cases to these letters.
    if not frame["website_derived"].str.lower().isin([*WEBSITE_DERIVED_YES, *WEBSITE_DERIVED_NO]).all():
        return False
    precision = frame["location_precision"]
    return bool(precision.isin([*LOCATION_PRECISIONS, ""]).all())


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


def _flagged(flags, code: str) -> np.ndarray:
    if isinstance(flags, pd.Series):
        return (LIST_SEPARATOR + flags.fillna("").astype("str") + LIST_SEPARATOR).str.contains(
            f"{LIST_SEPARATOR}{code}{LIST_SEPARATOR}", regex=False).to_numpy(bool)
    return np.fromiter((code in f for f in flags), dtype=bool, count=len(flags))


def tel_links(values: pd.Series, flags) -> pd.Series:
    """`contacts.tel_link` for every value of a column."""
    values = values.fillna("").astype("str").reset_index(drop=True)
    flagged = _flagged(flags, "invalid-phone")
    national = values.str.fullmatch(_NATIONAL.pattern).to_numpy(bool)
    digits = values.str.replace(r"\D", "", regex=True)
    fast_ok = national & ~flagged & digits.str.fullmatch(_nanp_valid().pattern).to_numpy(bool)
    fast = values.str.replace(_NATIONAL.pattern, r"tel:+1-\1-\2-\3", regex=True)
    return _combine(fast, fast_ok, values, contacts.tel_link)


def mailto_links(values: pd.Series, flags) -> pd.Series:
    """`contacts.mailto_link` for every value of a column."""
    values = values.fillna("").astype("str").reset_index(drop=True)
    flagged = _flagged(flags, "invalid-email")
    local = values.str.replace(r"@[^@]*$", "", regex=True)
    domain = values.str.replace(r"^.*@", "", regex=True).str.lower()
    tld = domain.str.replace(r"^.*\.", "", regex=True)
    fast_ok = values.str.fullmatch(_EMAIL).to_numpy(bool) & ~flagged
    fast_ok &= ~tld.isin(_SPECIAL_USE_TLDS).to_numpy(bool) & (values.str.len() <= 254).to_numpy(bool)
    # quote() leaves letters, digits, "_.-~" and "@.+" alone; anything else takes the validator's path.
    fast_ok &= local.str.fullmatch(r"[A-Za-z0-9_.+~-]+").to_numpy(bool)
    fast = "mailto:" + local + "@" + domain
    return _combine(fast, fast_ok, values, contacts.mailto_link)


def website_links(values: pd.Series, flags) -> pd.Series:
    """`contacts.website_link` for every value of a column."""
    values = values.fillna("").astype("str").reset_index(drop=True)
    flagged = _flagged(flags, "invalid-website")
    fast_ok = values.str.fullmatch(_WEBSITE).fillna(False).to_numpy(bool) & ~flagged
    fast_ok &= ~values.str.contains(r"[.,;]$", regex=True).fillna(False).to_numpy(bool)
    fast_ok &= (values.str.len() <= 2000).to_numpy(bool)
    return _combine(values, fast_ok, values, contacts.website_link)
