"""Typed records for the published page and the organizations it lists.

Field names follow Open Referral HSDS where they overlap (organization name, address parts,
phones, email, website), so an HSDS export is a rename rather than a rewrite.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

# Column order of organizations.csv. The first eighteen are the directory's contract; the last
# two keep facts that have no other home: whether the website was guessed from the email
# domain, and any line of a contact block the parser did not recognise.
ORGANIZATION_FIELDS = (
    "id", "name", "street", "city", "state", "postal_code", "country",
    "phone", "toll_free", "fax", "email", "website",
    "focus", "service_area", "latitude", "longitude", "location_precision", "quality_flags",
    "website_derived", "notes",
)

LOCATION_PRECISIONS = ("address", "postal_code", "city", "none")


LIST_ITEM_MARK = "- "


@dataclass(frozen=True)
class Section:
    """One question of the page and its answer.

    `body` is plain text: paragraphs separated by a blank line. A paragraph whose every line
    starts with "- " is a bulleted list, one item a line, so plain-text readers still get
    readable text and `blocks()` gives the app the structure to render lists as lists.
    """

    heading: str
    body: str

    def blocks(self) -> tuple[tuple[str, str | list[str]], ...]:
        """The answer as ("paragraph", text) and ("list", [item, ...]) blocks, in order."""
        blocks: list[tuple[str, str | list[str]]] = []
        for paragraph in self.body.split("\n\n"):
            lines = [line for line in paragraph.split("\n") if line.strip()]
            if not lines:
                continue
            if all(line.startswith(LIST_ITEM_MARK) for line in lines):
                blocks.append(("list", [line[len(LIST_ITEM_MARK):] for line in lines]))
            else:
                blocks.append(("paragraph", paragraph.strip()))
        return tuple(blocks)


@dataclass(frozen=True)
class Page:
    """The published page. `reviewed_on` is None when the page (or the saved copy) gives no
    review date; the missing part is then a page-level data-quality flag, not an error."""

    title: str
    sections: tuple[Section, ...]
    source: str
    disclaimer: str
    reviewed_on: date | None
    quality_flags: tuple[str, ...] = ()

    def replace(self, **changes) -> "Page":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    toll_free: str = ""
    fax: str = ""
    email: str = ""
    website: str = ""
    focus: tuple[str, ...] = ()
    service_area: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_precision: str = "none"
    quality_flags: tuple[str, ...] = ()
    website_derived: bool = False
    notes: tuple[str, ...] = field(default=())

    def replace(self, **changes) -> "Organization":
        return dataclasses.replace(self, **changes)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def locality(self) -> str:
        """ "City, ST 12345" as it would sit on an envelope."""
        region = " ".join(part for part in (self.state, self.postal_code) if part)
        return ", ".join(part for part in (self.city, region) if part)

    @property
    def address_lines(self) -> list[str]:
        lines = [line.strip() for line in self.street.split(";") if line.strip()]
        if self.locality:
            lines.append(self.locality)
        if self.country and self.country != "US":
            lines.append(self.country)
        return lines

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address_lines)
