"""What the app shows of organizations beside the map: the detail card, and the table with its
phone-sized card list; and About's data-quality summary and table of map points.

Every link here has passed `contacts.safe_url`. A card holds the data as written (the app escapes
it for display); the table spec is built once per view, ready to send, so a rerun only passes it on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from atlas.ingest import contacts
from atlas.ingest.quality import FLAGS, flag_details
from atlas.ingest.tags import SERVICE_AREAS, focus_label
from atlas.model import Organization
from atlas.text import escape_markdown, markdown_link

PRECISION_TEXT = {
    "address": "Placed at its street address.",
    "postal_code": "Placed at the centre of its ZIP code area, not at the building.",
    "city": "Placed at the centre of its city, not at the building.",
    "none": "Not on the map: no location was found for this address.",
}


@dataclass(frozen=True)
class Contact:
    label: str
    text: str
    href: str | None  # None when the value is not valid; show it as text


@dataclass(frozen=True)
class Note:
    code: str
    title: str
    detail: str
    explanation: str


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    focus: list[str]
    address_lines: list[str]
    contacts: list[Contact]
    directions: str | None
    precision: str
    precision_text: str
    notes: list[Note]
    extra_lines: list[str] = field(default_factory=list)
    service_area_text: str = ""
    report_problem: str | None = None


def organization_card(org: Organization, *, links: contacts.Links | None = None, report_to: str = "",
                      page_url: str = "") -> Card:
    """The card for one organization, from a built record (its flags recorded). The app caches it per
    organization, so a rerun never rebuilds it, and passes the `links` its directory validated at
    load; without them they are worked out here."""
    links = links or contacts.links_of(org)
    entries = []
    for label, value, href in (("Phone", org.phone, links.phone), ("Toll-free", org.toll_free, links.toll_free)):
        if value:
            entries.append(Contact(label, value, href))
    if org.fax:
        entries.append(Contact("Fax", org.fax, None))
    if org.email:
        entries.append(Contact("Email", org.email, links.email))
    if org.website:
        label = "Website (from the email address)" if org.website_derived else "Website"
        entries.append(Contact(label, org.website, links.website))
    # The build's flags are the verdict; only their sentences are worked out here.
    details = flag_details(org, only=org.quality_flags)
    notes = [Note(code, FLAGS[code].title, details.get(code, ""), FLAGS[code].explanation)
             for code in org.quality_flags if code in FLAGS]
    return Card(
        id=org.id, name=org.name, focus=[focus_label(f) for f in org.focus], address_lines=org.address_lines,
        contacts=entries, directions=contacts.directions_url(org), precision=org.location_precision,
        precision_text=PRECISION_TEXT.get(org.location_precision, ""), notes=notes,
        extra_lines=list(org.notes), service_area_text=SERVICE_AREAS.get(org.service_area, ""),
        report_problem=contacts.report_problem_link(org, report_to, page_url),
    )



# --- the table ---------------------------------------------------------------------------

CARD_LIST_LIMIT = 50  # a phone shows this many organizations as cards; the rest are in the table and CSV


@dataclass(frozen=True, eq=False)
class TableSpec:
    grid: pa.Table         # the display columns, as Arrow: the browser's grid reads it without conversion
    ids: np.ndarray        # each grid row's organization id, kept on the server for row selection
    columns: list[str]     # the columns in the order shown
    note: str              # says the table is cut, or ""
    phone_cards: str       # Markdown of the first rows as cards, for a phone's narrow screen

    def __len__(self) -> int:
        return self.grid.num_rows


def table_spec(view) -> TableSpec:
    """The view's table, the card list that replaces it on a phone, and what is left out of both."""
    grid = view.grid
    note = ""
    if view.table_truncated:
        note = (f"The table lists the first {grid.num_rows:,} of these {len(view):,} organizations. Narrow the "
                "filters or open an area of the map to see the others, or download them all as a CSV file.")
    return TableSpec(grid=grid.drop_columns(["id"]), ids=grid["id"].to_numpy(), columns=view.table_columns,
                     note=note, phone_cards=_phone_cards(grid.slice(0, CARD_LIST_LIMIT + 1).to_pandas(), grid.num_rows))


def _phone_cards(rows, total: int) -> str:
    shown = rows.iloc[:CARD_LIST_LIMIT]
    miles = shown["Miles"].to_numpy() if "Miles" in shown else None
    cards = []
    for index, (name, focus, place, phone) in enumerate(
            zip(shown["Organization"], shown["Focus"], shown["Location"], shown["Phone"])):
        lines = [f"**{escape_markdown(name)}**"]
        facts = [escape_markdown(f"{miles[index]:,.0f} miles")] if miles is not None else []
        facts += [escape_markdown(focus)] if isinstance(focus, str) and focus else []
        lines += [" · ".join(facts)] if facts else []
        lines += [escape_markdown(place)] if isinstance(place, str) and place else []
        # A phone link only from the prepared column, which holds nothing but allow-listed tel: links.
        # Non-breaking hyphens keep the number on one line.
        if isinstance(phone, str) and phone.startswith("tel:+"):
            number = phone.removeprefix("tel:+").removeprefix("1-").replace("-", "\u2011")
            lines.append(markdown_link(f"Call {number}", phone))
        cards.append("  \n".join(lines))
    if total > CARD_LIST_LIMIT:
        cards.append(f"…and {total - CARD_LIST_LIMIT:,} more: see the full table on a larger screen or "
                     "download the CSV.")
    return "\n\n".join(cards)


@dataclass(frozen=True, eq=False)
class QualitySpec:
    """About's data-quality report and point table for a whole directory, built once per directory:
    a national one has 100,000 rows, and a rerun only passes these on."""
    flagged_rows: np.ndarray  # positions of the listings with data notes, in page order
    counts: list[tuple[str, int]]  # (flag code, listings), most common first, known codes only
    points: pa.Table  # Organization, Precision, Meaning, Latitude, Longitude: where each point is

    @property
    def clean(self) -> int:
        return self.points.num_rows - len(self.flagged_rows)


def quality_spec(frame) -> QualitySpec:
    """From a prepared directory frame (atlas.directory.load)."""
    flagged = np.flatnonzero((frame["Data notes"] != "").to_numpy(bool))
    counts = Counter(frame["quality_flags"].iloc[flagged].str.split(";").explode())
    precision = frame["location_precision"]
    points = pa.table({
        "Organization": pa.array(frame["name"].to_numpy(object), pa.string()),
        "Precision": pa.array(precision.str.replace("_", " ").to_numpy(object), pa.string()),
        "Meaning": pa.array(precision.map(PRECISION_TEXT).fillna("").to_numpy(object), pa.string()),
        "Latitude": pa.array(frame["latitude"].to_numpy(float), pa.float64(), from_pandas=True),
        "Longitude": pa.array(frame["longitude"].to_numpy(float), pa.float64(), from_pandas=True),
    })
    return QualitySpec(flagged, [(code, n) for code, n in counts.most_common() if code in FLAGS], points)
