"""The built data files: `page.json` and `organizations.csv`, written and read back.

Both are plain, diff-friendly text committed next to the source page, so a reviewer sees
exactly what the parser produced. Output is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path

from atlas.errors import DataError
from atlas.ingest.quality import FLAGS
from atlas.ingest.tags import FOCI
from atlas.model import LOCATION_PRECISIONS, ORGANIZATION_FIELDS, Organization, Page, Section
from atlas.text import neutralize, restore

PAGE_FILE = "page.json"
ORGANIZATIONS_FILE = "organizations.csv"
LIST_SEPARATOR = ";"


# --- page.json --------------------------------------------------------------------------

def page_to_json(page: Page) -> str:
    document = {
        "title": page.title,
        "sections": [{"heading": s.heading, "body": s.body} for s in page.sections],
        "source": page.source,
        "disclaimer": page.disclaimer,
        "reviewed_on": page.reviewed_on.isoformat(),
        "quality_flags": list(page.quality_flags),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def page_from_json(text: str, origin: str = PAGE_FILE) -> Page:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise DataError(f"{origin} is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise DataError(f"{origin} must hold a JSON object")
    missing = [k for k in ("title", "sections", "reviewed_on") if k not in document]
    if missing:
        raise DataError(f"{origin} is missing {', '.join(missing)}")
    try:
        sections = tuple(Section(str(s["heading"]), str(s["body"])) for s in document["sections"])
        reviewed_on = date.fromisoformat(str(document["reviewed_on"]))
    except (TypeError, KeyError, ValueError) as exc:
        raise DataError(f"{origin} has a malformed section or review date ({exc})") from None
    if not sections:
        raise DataError(f"{origin} has no sections")
    flags = tuple(str(f) for f in document.get("quality_flags") or ())
    return Page(title=str(document["title"]), sections=sections, source=str(document.get("source", "")),
                disclaimer=str(document.get("disclaimer", "")), reviewed_on=reviewed_on, quality_flags=flags)


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


def _coordinate(text: str, low: float, high: float, where: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise DataError(f"{where}: {value} is outside {low}..{high}")
    return value


def organizations_from_csv(text: str, origin: str = ORGANIZATIONS_FILE) -> list[Organization]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in ORGANIZATION_FIELDS[:18] if name not in header]
    if missing:
        raise DataError(f"{origin} is missing column(s): {', '.join(missing)}")
    organizations, seen = [], set()
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataError(f"{origin} is not a readable CSV file ({exc})") from None
    for line_no, row in enumerate(rows, start=2):
        where = f"{origin}, line {line_no}"
        if None in row:
            raise DataError(f"{where} has more cells than the header")
        get = lambda name: restore(row.get(name) or "")  # noqa: E731
        split = lambda name: tuple(t for t in get(name).split(LIST_SEPARATOR) if t)  # noqa: E731
        org_id, name = get("id").strip(), get("name").strip()
        if not org_id or not name:
            raise DataError(f"{where} has no id or no name")
        if org_id in seen:
            raise DataError(f"{where} repeats the id {org_id!r}")
        seen.add(org_id)
        focus = split("focus")
        unknown_focus = [f for f in focus if f not in FOCI]
        if unknown_focus:
            raise DataError(f"{where} has an unknown focus {unknown_focus[0]!r}")
        precision = get("location_precision") or "none"
        if precision not in LOCATION_PRECISIONS:
            raise DataError(f"{where} has an unknown location precision {precision!r}")
        flags = split("quality_flags")
        unknown_flags = [f for f in flags if f not in FLAGS]
        if unknown_flags:
            raise DataError(f"{where} has an unknown quality flag {unknown_flags[0]!r}")
        latitude = _coordinate(row.get("latitude") or "", -90, 90, where)
        longitude = _coordinate(row.get("longitude") or "", -180, 180, where)
        if (latitude is None) != (longitude is None):
            raise DataError(f"{where} has a latitude without a longitude, or the reverse")
        organizations.append(Organization(
            id=org_id, name=name, street=get("street"), city=get("city"), state=get("state"),
            postal_code=get("postal_code"), country=get("country"), phone=get("phone"),
            toll_free=get("toll_free"), fax=get("fax"), email=get("email"), website=get("website"),
            focus=focus, service_area=get("service_area"), latitude=latitude, longitude=longitude,
            location_precision=precision if latitude is not None else "none", quality_flags=flags,
            website_derived=get("website_derived").lower() in ("yes", "true", "1"),
            notes=tuple(n for n in get("notes").split("\n") if n),
        ))
    return organizations


# --- a data folder ----------------------------------------------------------------------

def load_built(directory: str | Path) -> tuple[Page, list[Organization]]:
    """Read page.json and organizations.csv from a folder, or raise DataError saying what is wrong."""
    directory = Path(directory)
    texts = {}
    for name in (PAGE_FILE, ORGANIZATIONS_FILE):
        path = directory / name
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataError(f"{path} is missing") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{path} cannot be read ({exc})") from None
    page = page_from_json(texts[PAGE_FILE], str(directory / PAGE_FILE))
    organizations = organizations_from_csv(texts[ORGANIZATIONS_FILE], str(directory / ORGANIZATIONS_FILE))
    return page, organizations
