"""The organization detail card as data: what to show and which links are safe to make.

Rendering is left to the app; every link here has passed `contacts.safe_url`, and every text is
the data as written (the app escapes it for display).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from atlas.ingest import contacts
from atlas.ingest.quality import FLAGS, flag_details
from atlas.ingest.tags import SERVICE_AREAS, focus_label
from atlas.model import Organization

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


def organization_card(org: Organization, *, report_to: str = "", page_url: str = "") -> Card:
    """The card for one organization. The app caches it per organization, so a rerun never rebuilds it."""
    entries = []
    for label, value in (("Phone", org.phone), ("Toll-free", org.toll_free)):
        if value:
            entries.append(Contact(label, value, contacts.tel_link(value)))
    if org.fax:
        entries.append(Contact("Fax", org.fax, None))
    if org.email:
        entries.append(Contact("Email", org.email, contacts.mailto_link(org.email)))
    if org.website:
        label = "Website (from the email address)" if org.website_derived else "Website"
        entries.append(Contact(label, org.website, contacts.website_link(org.website)))
    details = flag_details(org)
    notes = [Note(code, FLAGS[code].title, details.get(code, ""), FLAGS[code].explanation)
             for code in (org.quality_flags or tuple(details)) if code in FLAGS]
    return Card(
        id=org.id, name=org.name, focus=[focus_label(f) for f in org.focus], address_lines=org.address_lines,
        contacts=entries, directions=contacts.directions_url(org), precision=org.location_precision,
        precision_text=PRECISION_TEXT.get(org.location_precision, ""), notes=notes,
        extra_lines=list(org.notes), service_area_text=SERVICE_AREAS.get(org.service_area, ""),
        report_problem=contacts.report_problem_link(org, report_to, page_url),
    )

