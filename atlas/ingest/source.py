"""Parse a published disorder page: title question, Q&A sections, contact blocks, footer.

The format is the NINDS "What is …?" page as republished in plain text:

    What are Dystonias?            <- title question, also the first section's heading
    <paragraphs>
    Is there any treatment?        <- more question headings, each with paragraphs
    ...
    <organization contact blocks, separated by blank lines>
    Source: <attribution>
    <disclaimer> ... last reviewed on: M/D/YYYY...#6006

The parser relies on the shape of the text (blank-line blocks, one-line questions, contact
lines such as "Phone:" or a "City, ST 12345" line), never on this page's wording or its number
of organizations. Anything it cannot read raises `SourceError` with a sentence a person can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

from atlas.errors import SourceError
from atlas.ingest import contacts
from atlas.ingest.contacts import PO_BOX_PATTERN
from atlas.ingest.regions import REGION_NAME_PATTERN, country_code, region_code, region_country
from atlas.model import Organization, Page, Section

MAX_SOURCE_BYTES = 2_000_000
MAX_HEADING_CHARS = 200


class ParsedSource(NamedTuple):
    page: Page
    organizations: list[Organization]


# --- reading ----------------------------------------------------------------------------

def read_source(path: str | Path) -> str:
    """Read a source file as text, refusing missing, empty, oversized and binary files."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"source file not found: {path}") from None
    except IsADirectoryError:
        raise SourceError(f"source is a folder, not a file: {path}") from None
    except OSError as exc:
        raise SourceError(f"cannot read source file {path}: {exc.strerror or exc}") from None
    if not data.strip():
        raise SourceError(f"source file is empty: {path}")
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"source file is too large ({len(data):,} bytes; the limit is {MAX_SOURCE_BYTES:,}): {path}")
    if b"\x00" in data:
        raise SourceError(f"source file is binary, not text: {path}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SourceError(f"source file is not readable text (neither UTF-8 nor Windows-1252): {path}") from None
    return text


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\t", " ").replace("\ufeff", "")
    # Drop other control and zero-width characters; they never carry meaning in this format.
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf"))
    return text


def _blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# --- line shapes ------------------------------------------------------------------------

_LABELS = {
    "phone": "phone", "tel": "phone", "telephone": "phone", "voice": "phone", "ph": "phone",
    "main": "phone", "office": "phone",
    "toll-free": "toll_free", "toll free": "toll_free", "tollfree": "toll_free",
    "toll-free phone": "toll_free", "toll free phone": "toll_free", "toll-free tel": "toll_free",
    "fax": "fax", "facsimile": "fax",
    "email": "email", "e-mail": "email", "e mail": "email",
    "website": "website", "web site": "website", "web": "website", "internet": "website",
    "url": "website", "homepage": "website", "home page": "website",
}
_LABELLED = re.compile(r"^(?P<label>[A-Za-z][A-Za-z /-]{0,24}?)\s*:\s*(?P<value>.*)$")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_BARE_EMAIL = re.compile(r"^[^\s@:]+@[^\s@]+\.[^\s@]+$")
_CARE_OF = re.compile(r"^c/o\b", re.IGNORECASE)

_REGION = rf"(?:[A-Za-z]{{2}}|{REGION_NAME_PATTERN})"
_US_LOCALITY = re.compile(
    rf"^(?P<city>[^,\d][^,]{{0,60}}?),?\s+(?P<region>{_REGION})\.?,?\s+(?P<postal>\d{{5}}(?:-\d{{4}})?)$",
    re.IGNORECASE)
_CA_LOCALITY = re.compile(
    rf"^(?P<city>[^,\d][^,]{{0,60}}?),?\s+(?P<region>{_REGION})\.?,?\s+"
    rf"(?P<postal>[A-Za-z]\d[A-Za-z])\s?(?P<postal2>\d[A-Za-z]\d)$",
    re.IGNORECASE)
_BARE_LOCALITY = re.compile(rf"^(?P<city>[^,\d][^,]{{0,60}}),\s*(?P<region>{_REGION})\.?$", re.IGNORECASE)

_REVIEWED = re.compile(
    r"(?:this\s+(?:document|page|information)\s+was\s+)?last\s+reviewed(?:\s+on)?\s*:?\s*"
    r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})",
    re.IGNORECASE)
_DEBRIS = re.compile(r"^\.*#\d+$")


class _Locality(NamedTuple):
    city: str
    region: str
    postal_code: str
    country: str


def _label(line: str) -> tuple[str, str] | None:
    """(field, value) for a labelled contact line such as "Tel: 301-…"; unknown labels give ("", line)."""
    if _URL.match(line):
        return None
    match = _LABELLED.match(line)
    if not match:
        return None
    label = " ".join(match.group("label").lower().split())
    return _LABELS.get(label, ""), match.group("value").strip()


def _locality(line: str) -> _Locality | None:
    for pattern in (_US_LOCALITY, _CA_LOCALITY, _BARE_LOCALITY):
        match = pattern.match(line)
        if not match:
            continue
        region = region_code(match.group("region"))
        if region is None:
            continue
        postal = match.groupdict().get("postal") or ""
        if pattern is _CA_LOCALITY:
            if region_country(region) != "CA":
                continue
            postal = f"{postal} {match.group('postal2')}".upper()
        elif pattern is _US_LOCALITY and region_country(region) != "US":
            continue
        return _Locality(match.group("city").strip(), region, postal, region_country(region) or "")
    return None


def _is_contact_line(line: str) -> bool:
    labelled = _label(line)
    if labelled and labelled[0]:
        return True
    return bool(_URL.match(line) or _BARE_EMAIL.match(line) or PO_BOX_PATTERN.search(line)
                or _CARE_OF.match(line) or _locality(line))


def _is_heading(block: list[str]) -> bool:
    line = block[0]
    return len(block) == 1 and line.endswith("?") and len(line) <= MAX_HEADING_CHARS and not _is_contact_line(line)


def _is_contact_block(block: list[str]) -> bool:
    return len(block) >= 2 and any(_is_contact_line(line) for line in block[1:])


def _is_footer(block: list[str]) -> bool:
    return block[0].lower().startswith("source:") or any(_REVIEWED.search(line) for line in block)


# --- organization blocks ----------------------------------------------------------------

class _ContactBuilder:
    """Collects one contact block's lines into the fields of an Organization."""

    def __init__(self, name: str):
        self.name = name
        self.address: list[str] = []
        self.locality: _Locality | None = None
        self.country = ""
        self.fields = {"phone": "", "toll_free": "", "fax": "", "email": "", "website": ""}
        self.notes: list[str] = []

    def _put(self, field: str, value: str, original: str) -> None:
        if not self.fields[field]:
            self.fields[field] = value
        elif self.fields[field] != value:
            self.notes.append(original)

    def add_phones(self, field: str, value: str, original: str) -> None:
        numbers = contacts.parse_phones(value)
        if not numbers:
            self._put(field, value, original)
            return
        for number in numbers:
            target = field
            if field == "phone" and contacts.is_toll_free(number):
                target = "toll_free"
            self._put(target, contacts.display_phone(number), original)

    def add_email(self, value: str, original: str) -> None:
        candidates = [c for c in re.split(r"[\s,;]+|\bor\b", value) if c.strip()]
        valid = [c for c in (contacts.normalize_email(c) for c in candidates) if c]
        if not valid:
            self._put("email", value, original)
            return
        for email in valid:
            self._put("email", email, original)

    def add_website(self, value: str, original: str) -> None:
        self._put("website", contacts.normalize_website(value) or value, original)

    def add_line(self, line: str) -> None:
        labelled = _label(line)
        if labelled and labelled[0]:
            field, value = labelled
            if not value:
                return
            if field in ("phone", "toll_free", "fax"):
                self.add_phones(field, value, line)
            elif field == "email":
                self.add_email(value, line)
            else:
                self.add_website(value, line)
            return
        if _URL.match(line):
            self.add_website(line, line)
            return
        if _BARE_EMAIL.match(line):
            self.add_email(line, line)
            return
        if self.locality is None:
            locality = _locality(line)
            if locality:
                self.locality = locality
                return
            if country_code(line) and self.address:
                self.country = country_code(line) or ""
                return
            self.address.append(line)
            return
        elif not self.country and country_code(line):
            self.country = country_code(line) or ""
            return
        self.notes.append(line)

    def build(self) -> Organization:
        locality = self.locality or _Locality("", "", "", "")
        email = self.fields["email"]
        website, derived = self.fields["website"], False
        if not website and email:
            guess = contacts.website_from_email(email)
            if guess:
                website, derived = guess, True
        return Organization(
            id="", name=self.name, street="; ".join(self.address),
            city=locality.city, state=locality.region, postal_code=locality.postal_code,
            country=self.country or locality.country,
            phone=self.fields["phone"], toll_free=self.fields["toll_free"], fax=self.fields["fax"],
            email=email, website=website, website_derived=derived, notes=tuple(self.notes),
        )


def _parse_contact_block(block: list[str]) -> Organization:
    name, rest = block[0], block[1:]
    # A long name may wrap onto a second line, e.g. an acronym's expansion in parentheses.
    while rest and name.count("(") > name.count(")") and not _is_contact_line(rest[0]):
        name, rest = f"{name} {rest[0]}", rest[1:]
    builder = _ContactBuilder(name)
    for line in rest:
        builder.add_line(line)
    return builder.build()


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def _unique_ids(names: list[str]) -> list[str]:
    ids, seen = [], set()
    for position, name in enumerate(names, start=1):
        base = slugify(name) or f"organization-{position}"
        candidate, n = base, 2
        while candidate in seen:
            candidate, n = f"{base}-{n}", n + 1
        seen.add(candidate)
        ids.append(candidate)
    return ids


# --- footer -----------------------------------------------------------------------------

def _parse_footer(blocks: list[list[str]]) -> tuple[str, str, date | None]:
    source_parts, disclaimer_parts, reviewed = [], [], None
    for block in blocks:
        lines = [line for line in block if not _DEBRIS.match(line)]
        if not lines:
            continue
        if lines[0].lower().startswith("source:"):
            source_parts.append(" ".join([lines[0][len("source:"):].strip(), *lines[1:]]).strip())
            continue
        text = " ".join(lines)
        match = _REVIEWED.search(text)
        if match:
            reviewed = _review_date(match)
            text = text[:match.start()]  # the date ends the page; what follows is page-id debris
        if text.strip():
            disclaimer_parts.append(text.strip())
    return " ".join(source_parts), "\n\n".join(disclaimer_parts), reviewed


def _review_date(match: re.Match) -> date:
    try:
        return date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
    except ValueError:
        raise SourceError(f"the review date {match.group(0).split()[-1]} is not a real calendar date") from None


# --- the page ---------------------------------------------------------------------------

def parse_page(text: str) -> ParsedSource:
    """Parse page text into a Page and its organizations, in page order."""
    if not isinstance(text, str):
        raise SourceError("the source must be text")
    if len(text) > MAX_SOURCE_BYTES:
        raise SourceError(f"the source is too large ({len(text):,} characters)")
    blocks = _blocks(_clean(text))
    if not blocks:
        raise SourceError("the source is empty")

    title = blocks[0][0]
    if not title.endswith("?") or len(title) > MAX_HEADING_CHARS:
        raise SourceError(
            f'the page must open with a title question such as "What is …?"; it opens with "{_excerpt(title)}"')

    sections: list[tuple[str, list[str]]] = [(title, [])]
    if len(blocks[0]) > 1:
        sections[0][1].append(" ".join(blocks[0][1:]))
    contact_blocks: list[list[str]] = []
    footer_start = len(blocks)
    for index, block in enumerate(blocks[1:], start=1):
        if _is_footer(block):
            footer_start = index
            break
        if _is_heading(block) and not contact_blocks:
            sections.append((block[0], []))
        elif _is_contact_block(block):
            contact_blocks.append(block)
        elif contact_blocks and len(block) >= 2:
            contact_blocks.append(block)  # an organization with unusual lines; they go to its notes
        else:
            sections[-1][1].append(" ".join(block))

    source, disclaimer, reviewed_on = _parse_footer(blocks[footer_start:])
    page_sections = tuple(Section(heading, "\n\n".join(paragraphs)) for heading, paragraphs in sections)
    empty = [s.heading for s in page_sections if not s.body]
    if empty:
        raise SourceError(f'the section "{_excerpt(empty[0])}" has no text under its heading')
    if not contact_blocks:
        raise SourceError("no organization contact blocks were found "
                          "(blocks of a name, an address and Phone:/Email: lines)")
    if reviewed_on is None:
        raise SourceError('no "last reviewed on: M/D/YYYY" date was found at the end of the page')

    parsed = [_parse_contact_block(block) for block in contact_blocks]
    ids = _unique_ids([org.name for org in parsed])
    organizations = [org.replace(id=org_id) for org, org_id in zip(parsed, ids)]
    page = Page(title=title, sections=page_sections, source=source, disclaimer=disclaimer,
                reviewed_on=reviewed_on)
    return ParsedSource(page, organizations)


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
