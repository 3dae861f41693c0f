"""The built data files: `page.json` and `organizations.csv`, written and read back.

Both are plain, diff-friendly text committed next to the source page, so a reviewer sees
exactly what the parser produced. Output is deterministic: the same input gives the same bytes.

Reading is strict, because a damaged file must never load as if whole:
- page.json is checked against a declared schema (`PageDocument`, pydantic): every field has
  its type, dates are ISO dates (or null when the page states none), flag codes are known.
- organizations.csv must carry the exact header, every record exactly as many cells as the
  header, and end with a line break outside any quoted cell; otherwise it was cut short.
  Messages name the line at fault.
- Before a file is read, it must be a regular file, and page.json no larger than a build can
  write; a byte-order mark at the start of either file is not part of it.
What the build can write, the loader can read: a cell can be as long as a whole source page.
The app's fast loader (atlas.directory.load) refuses what this reader refuses, and reads the same values.
"""

from __future__ import annotations

import csv
import io
import json
import math
import stat
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from atlas.errors import DataError
from atlas.ingest.quality import FLAGS
from atlas.ingest.source import MAX_SOURCE_BYTES
from atlas.ingest.tags import FOCI
from atlas.model import LOCATION_PRECISIONS, ORGANIZATION_FIELDS, Organization, Page, Section
from atlas.text import clip, neutralize, restore

PAGE_FILE = "page.json"
ORGANIZATIONS_FILE = "organizations.csv"
LIST_SEPARATOR = ";"

# No value can be longer than the page it was parsed from (plus the apostrophe `neutralize` may add).
MAX_FIELD_CHARS = MAX_SOURCE_BYTES + 1
# The csv module refuses fields over 131,072 characters by default, less than the build can write.
# The limit is process-wide, so it is only ever raised, never lowered.
if csv.field_size_limit() < MAX_FIELD_CHARS:
    csv.field_size_limit(MAX_FIELD_CHARS)

# page.json holds the text of one page of at most MAX_SOURCE_BYTES characters: each written at worst
# as a six-byte escape (\u0001), plus the JSON around each section, which takes a few characters of
# the page. A larger file is no built page, and is refused before it is read (it could be gigabytes).
# organizations.csv has no such bound: a directory may hold any number of organizations.
MAX_PAGE_JSON_BYTES = 32 * MAX_SOURCE_BYTES

# Files written before `website_derived` and `notes` were added still load.
LEGACY_FIELDS = ORGANIZATION_FIELDS[:18]
# What website_derived may hold (after stripping, in any case); written as "yes" or "no".
WEBSITE_DERIVED_YES, WEBSITE_DERIVED_NO = ("yes", "true", "1"), ("no", "false", "0", "")


def _excerpt(value: object, limit: int = 60) -> str:
    """A value as it may appear in a message: quoted, and short even when the value is not."""
    return repr(clip(str(value), limit))


# --- page.json --------------------------------------------------------------------------

def _known_flag(code: str) -> str:
    if code not in FLAGS:
        raise ValueError(f"unknown quality flag {_excerpt(code)}")
    return code


_Text = Annotated[str, Field(max_length=MAX_FIELD_CHARS)]


class SectionDocument(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    heading: _Text
    body: _Text


class PageDocument(BaseModel):
    """The declared shape of page.json. Strict: a number is not a string, a string is not a list."""
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    title: _Text
    sections: Annotated[list[SectionDocument], Field(min_length=1)]
    source: _Text
    disclaimer: _Text
    reviewed_on: date | None
    quality_flags: list[Annotated[str, AfterValidator(_known_flag)]] = []


def _where(location: tuple) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _schema_message(error: ValidationError, origin: str) -> str:
    problems = error.errors(include_url=False, include_input=False)
    first = problems[0]
    if first["type"] == "json_invalid":
        return f"{origin} is not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
    if first["type"] == "model_type":
        return f"{origin} must hold a JSON object"
    messages = []
    for problem in problems[:5]:
        text = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            text = "missing"
        elif problem["type"] == "too_short" and problem["loc"] == ("sections",):
            text = "empty, but a page has at least one section"
        elif problem["type"].startswith("date"):
            text = f"not a date in YYYY-MM-DD form, nor null ({text})"
        messages.append(f"{_where(problem['loc']) or 'the document'}: {text}")
    more = f" (and {len(problems) - 5} more problems)" if len(problems) > 5 else ""
    return f"{origin} does not match the page format: " + "; ".join(messages) + more


def page_to_json(page: Page) -> str:
    document = {
        "title": page.title,
        "sections": [{"heading": s.heading, "body": s.body} for s in page.sections],
        "source": page.source,
        "disclaimer": page.disclaimer,
        "reviewed_on": page.reviewed_on.isoformat() if page.reviewed_on is not None else None,
        "quality_flags": list(page.quality_flags),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def page_from_json(text: str | bytes, origin: str = PAGE_FILE) -> Page:
    """The page a page.json holds, or DataError naming the field that is wrong."""
    # A byte-order mark (an editor may add one) is not part of the document, as in organizations.csv.
    text = text.removeprefix(b"\xef\xbb\xbf") if isinstance(text, bytes) else text.removeprefix("\ufeff")
    try:
        document = PageDocument.model_validate_json(text)
    except ValidationError as exc:
        raise DataError(_schema_message(exc, origin)) from None
    return Page(title=document.title, sections=tuple(Section(s.heading, s.body) for s in document.sections),
                source=document.source, disclaimer=document.disclaimer, reviewed_on=document.reviewed_on,
                quality_flags=tuple(document.quality_flags))


def read_page_json(path: str | Path) -> Page:
    """Read and check a page.json file."""
    path = Path(path)
    return page_from_json(_read(path, MAX_PAGE_JSON_BYTES), str(path))


# --- organizations.csv ------------------------------------------------------------------

def _cell(org: Organization, name: str) -> str:
    value = getattr(org, name)
    if name in ("latitude", "longitude"):
        return "" if value is None else f"{value:.6f}"
    if name == "website_derived":
        return "yes" if value else "no"
    if name == "notes":
        return neutralize("\n".join(value))
    if isinstance(value, tuple):
        return neutralize(LIST_SEPARATOR.join(value))
    return neutralize(str(value))


def organizations_to_csv(organizations: list[Organization]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ORGANIZATION_FIELDS)
    for org in organizations:
        writer.writerow([_cell(org, name) for name in ORGANIZATION_FIELDS])
    return buffer.getvalue()


def _header_problem(header: list[str]) -> str:
    if not header or header == [""]:
        return "its first line is blank instead of the header"
    expected = list(ORGANIZATION_FIELDS)
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    if missing == ["website_derived", "notes"] and not unexpected:
        missing = []  # a legacy header with something else wrong: judge it against its own columns
        expected = list(LEGACY_FIELDS)
    parts = []
    if missing:
        parts.append(f"missing column(s): {', '.join(missing)}")
    if unexpected:
        parts.append(f"unexpected column(s): {', '.join(_excerpt(n, 40) for n in unexpected[:5])}")
    if not parts:
        parts.append(f"columns out of order or repeated; expected {','.join(expected)}")
    return "its header does not match the organizations format (" + "; ".join(parts) + ")"


def _record_line(text: str, index: int) -> int:
    """The line on which record `index` (0 is the header) starts. Only worked out for a message:
    counting lines while reading every record would double the cost of a large file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    for number, _ in enumerate(reader):
        if number == index:
            return start
        start = reader.line_num + 1
    return start


def read_records(text: str, origin: str = ORGANIZATIONS_FILE) -> tuple[tuple[str, ...], list[list[str]]]:
    """The header and the records after the structural checks: an exact header, exactly the
    header's number of cells in every record, and an ending that shows the file was written to
    the end. Raises DataError naming the line at fault. Record i (from 1) is `records[i - 1]`;
    `_record_line(text, i)` gives its line."""
    text = text.removeprefix("\ufeff")  # a spreadsheet may add a byte-order mark; it is not part of the header
    if not text:
        raise DataError(f"{origin} is empty: it has no header line")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise DataError(f"{origin}, line {reader.line_num}: the file ends inside a quoted cell, so it was "
                            "cut short") from None
        raise DataError(f"{origin}, line {reader.line_num} is not valid CSV ({exc})") from None
    header = tuple(rows[0])
    if header not in (ORGANIZATION_FIELDS, LEGACY_FIELDS):
        raise DataError(f"{origin}, line 1: {_header_problem(list(header))}")
    width = len(header)
    wrong = next((index for index, record in enumerate(rows) if len(record) != width), None)
    if wrong is not None:
        record = rows[wrong]
        what = "is blank" if not record else f"has {len(record)} cells where the header has {width}"
        raise DataError(f"{origin}, line {_record_line(text, wrong)} {what}: the row is incomplete or damaged")
    if not text.endswith(("\n", "\r")):
        raise DataError(f"{origin}, line {_record_line(text, len(rows) - 1)}: the file does not end with a line "
                        "break, so it was cut short and its last row may be incomplete")
    return header, rows[1:]


def check_organizations_csv(source: str | Path) -> None:
    """Raise DataError unless `source` (CSV text, or a Path to a file) is a whole organizations.csv:
    exact header, every row complete, nothing cut off. Values are checked by `organizations_from_csv`."""
    if isinstance(source, Path):
        read_records(_read(source), str(source))
    else:
        read_records(source)


def _coordinate(text: str, low: float, high: float) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{_excerpt(text)} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{value} is outside {low}..{high}")
    return value


def organizations_from_csv(text: str, origin: str = ORGANIZATIONS_FILE) -> list[Organization]:
    header, records = read_records(text, origin)
    column = {name: index for index, name in enumerate(header)}
    organizations, seen = [], set()
    for number, record in enumerate(records, start=1):
        try:
            organizations.append(_organization(record, column, seen))
        except ValueError as exc:
            raise DataError(f"{origin}, line {_record_line(text, number)} {exc}") from None
    return organizations


def _organization(record: list[str], column: dict[str, int], seen: set[str]) -> Organization:
    """One record as an Organization; ValueError says what is wrong with it."""
    get = lambda name: restore(record[column[name]]) if name in column else ""  # noqa: E731
    split = lambda name: tuple(t for t in get(name).split(LIST_SEPARATOR) if t)  # noqa: E731
    org_id, name = get("id").strip(), get("name").strip()
    if not org_id or not name:
        raise ValueError("has no id or no name")
    if org_id in seen:
        raise ValueError(f"repeats the id {_excerpt(org_id)}")
    seen.add(org_id)
    focus = split("focus")
    unknown_focus = [f for f in focus if f not in FOCI]
    if unknown_focus:
        raise ValueError(f"has an unknown focus {_excerpt(unknown_focus[0])}")
    precision = get("location_precision") or "none"
    if precision not in LOCATION_PRECISIONS:
        raise ValueError(f"has an unknown location precision {_excerpt(precision)}")
    flags = split("quality_flags")
    unknown_flags = [f for f in flags if f not in FLAGS]
    if unknown_flags:
        raise ValueError(f"has an unknown quality flag {_excerpt(unknown_flags[0])}")
    try:
        latitude = _coordinate(get("latitude"), -90, 90)
        longitude = _coordinate(get("longitude"), -180, 180)
    except ValueError as exc:
        raise ValueError(f"has a coordinate that is not usable: {exc}") from None
    if (latitude is None) != (longitude is None):
        raise ValueError("has a latitude without a longitude, or the reverse")
    derived = get("website_derived").strip().lower()
    if derived not in WEBSITE_DERIVED_YES + WEBSITE_DERIVED_NO:
        raise ValueError(f"has website_derived {_excerpt(derived)}, not yes or no")
    return Organization(
        id=org_id, name=name, street=get("street"), city=get("city"), state=get("state"),
        postal_code=get("postal_code"), country=get("country"), phone=get("phone"),
        toll_free=get("toll_free"), fax=get("fax"), email=get("email"), website=get("website"),
        focus=focus, service_area=get("service_area"), latitude=latitude, longitude=longitude,
        location_precision=precision if latitude is not None else "none", quality_flags=flags,
        website_derived=derived in WEBSITE_DERIVED_YES,
        notes=tuple(n for n in get("notes").split("\n") if n),
    )


# --- a data folder ----------------------------------------------------------------------

def _read(path: Path, limit: int | None = None) -> str:
    """A built file's text, or DataError saying why it cannot be read. Before anything is read, the
    file must be a regular file (a FIFO or a device would block or never end) of at most `limit`
    bytes. The text is as written: line breaks inside quoted cells are kept, as `csv` expects."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DataError(f"{path} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{path} is not a regular file")
        if limit is not None and info.st_size > limit:
            raise DataError(_too_large(path, info.st_size, limit))
        with path.open("rb") as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)  # it may grow while read
        if limit is not None and len(data) > limit:
            raise DataError(_too_large(path, len(data), limit))
        return data.decode("utf-8")
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"{path} is missing") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise DataError(f"{path} cannot be read: permission denied") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (byte {exc.start:,} cannot be decoded)") from None
    except MemoryError:
        raise DataError(f"{path} is too large to read into memory") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path} cannot be read ({getattr(exc, 'strerror', None) or exc})") from None


def _too_large(path: Path, size: int, limit: int) -> str:
    return f"{path} is too large ({size:,} bytes; a build writes at most {limit:,})"


def load_built(directory: str | Path) -> tuple[Page, list[Organization]]:
    """Read page.json and organizations.csv from a folder, or raise DataError saying what is wrong."""
    directory = Path(directory)
    texts = {PAGE_FILE: _read(directory / PAGE_FILE, MAX_PAGE_JSON_BYTES),
             ORGANIZATIONS_FILE: _read(directory / ORGANIZATIONS_FILE)}
    page = page_from_json(texts[PAGE_FILE], str(directory / PAGE_FILE))
    organizations = organizations_from_csv(texts[ORGANIZATIONS_FILE], str(directory / ORGANIZATIONS_FILE))
    return page, organizations
