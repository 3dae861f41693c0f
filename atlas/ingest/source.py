"""Parse a published disorder page: title, Q&A sections, contact blocks, footer.

The format is the NINDS "What is …?" page, in any of the forms it was published or saved in:

    Essential Tremor               <- optional title line (or "… Information Page")
    Table of Contents / On this page:   <- optional navigation, with a list of the questions
    What is Essential Tremor?      <- title question, also the first section's heading
    <paragraphs, "- item" lists>   <- the answer, with or without a blank line after the heading
    Return to top                  <- optional navigation between sections
    Is there any treatment?        <- more question headings, each with its answer
    ...
    <organization contact blocks, separated by blank lines>   <- optional (a copy may end early)
    Source: <attribution>                                     <- optional
    <disclaimer> ... last reviewed on: M/D/YYYY...#6006       <- optional

Navigation is removed, never kept as text. A missing footer part is not an error: the build
flags it (atlas.ingest.quality). The footer is only what follows the last question or contact
block, so a paragraph that merely reads like a footer ("Source: …", "… last updated on …")
stays where it is; a line standing alone among the organizations (a heading, or a name with
nothing under it) is refused, never dropped. The parser relies on the shape of the text (blank-line
blocks, one-line questions, list markers, contact lines such as "Phone:" or a "City, ST 12345"
line), never on one page's wording or its number of organizations. Contact values are kept as
published when they do not validate, and a line that holds more than its values goes to the
organization's notes, so nothing on the page is lost. Anything the parser cannot read raises
`SourceError` with a sentence a person can act on.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

import phonenumbers

from atlas.errors import SourceError
from atlas.ingest import contacts, webpage
from atlas.ingest.contacts import PO_BOX_PATTERN
from atlas.model import LIST_ITEM_MARK, Organization, Page, Section
from atlas.regions import REGION_NAME_PATTERN, country_code, region_code, region_country
from atlas.text import clip

MAX_SOURCE_BYTES = 2_000_000
MAX_WEB_PAGE_BYTES = 20_000_000  # a saved web page carries scripts and styles around its text
MAX_HEADING_CHARS = 200
MAX_NAME_CHARS = 150
MAX_NAVIGATION_ENTRIES = 60  # a table of contents lists a page's questions, not hundreds of lines

# File names a source page may have: the page as text, or as saved from a browser.
SOURCE_SUFFIXES = (".txt", ".html", ".htm")
WEB_PAGE_SUFFIXES = (".html", ".htm")


class ParsedSource(NamedTuple):
    page: Page
    organizations: list[Organization]


# --- reading ----------------------------------------------------------------------------

def read_source(path: str | Path) -> str:
    """Read a source file as page text, refusing missing, empty, oversized and binary files.

    A saved web page (.html, .htm, or any file that opens as HTML) is reduced to its text. The
    file is looked at before it is read: a pipe would keep the build waiting, and a huge file
    would fill the memory.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SourceError(f"source file not found: {path}") from None
    except OSError as exc:
        raise SourceError(f"cannot read source file {path}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL character in the path
        raise SourceError(f"the source path is not usable: {str(path)!r}") from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(f"source is a folder, not a file: {path}")
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"source is not a regular file (a pipe, device or socket is not a page): {path}; "
                          "save the page to a file and build from that")
    try:
        with open(path, "rb") as handle:
            head = handle.read(5000)
            web_page = path.suffix.lower() in WEB_PAGE_SUFFIXES or webpage.looks_like_html(head.decode("latin-1"))
            limit = MAX_WEB_PAGE_BYTES if web_page else MAX_SOURCE_BYTES
            # At most one byte over the limit: that tells a file that grew after it was looked at.
            rest = handle.read(limit + 1 - len(head)) if info.st_size <= limit else b""
    except OSError as exc:
        raise SourceError(f"cannot read source file {path}: {exc.strerror or exc}") from None
    data = head + rest
    size = max(info.st_size, len(data))
    if size > limit:
        raise SourceError(f"source file is too large ({size:,} bytes; the limit is {limit:,}): {path}")
    if not data.strip():
        raise SourceError(f"source file is empty: {path}")
    if b"\x00" in data:
        raise SourceError(f"source file is binary, not text: {path}")
    if web_page:
        text = webpage.html_to_text(data)
        if not text.strip():
            raise SourceError(f"the saved web page holds no text: {path}")
        return text
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


# --- navigation -------------------------------------------------------------------------
# Saved copies carry the website's navigation: a table of contents listing the questions, an
# "On this page:" line, "Return to top" links. It is never page text. Each navigation line
# becomes a blank line, so whatever it separated stays separated.

_NAVIGATION_HEADER = re.compile(
    r"^(?:table of contents|contents|on this page|in this (?:article|page)|jump to)\s*(?:\([^)]*\))?\s*:?$",
    re.IGNORECASE)
_NAVIGATION_LINK = re.compile(
    r"^[\W_]*(?:(?:return|back|go) to (?:the )?top(?: of (?:the )?page)?|top of page|"
    r"skip to (?:the )?(?:main )?(?:content|navigation))[\W_]*$",
    re.IGNORECASE)


def _squash(line: str) -> str:
    return " ".join(line.split())


def _is_navigation_entry(line: str) -> bool:
    """A table-of-contents entry: a short line that is a question or a label, not a sentence."""
    return 0 < len(line) <= MAX_HEADING_CHARS and (line.endswith("?") or line[-1] not in ".!:;,")


def _navigation_list_end(lines: list[str], start: int, last_seen: dict[str, int]) -> int:
    """Where the list of entries after a navigation header ends; `start` if there is none.

    The lines after the header are a table of contents only if one of them comes back later
    in the page as a heading: that is what tells a list of the questions from the first question.
    """
    first = start
    while first < len(lines) and not lines[first]:
        first += 1
    entries: set[str] = set()
    end = first
    while end < len(lines) and len(entries) < MAX_NAVIGATION_ENTRIES:
        entry = _list_item_text(lines[end])
        if not _is_navigation_entry(entry) or entry in entries:
            break
        entries.add(entry)
        end += 1
    return end if any(last_seen.get(entry, -1) >= end for entry in entries) else start


def _without_navigation(raw_lines: list[str]) -> list[str]:
    lines = [_squash(line) for line in raw_lines]
    last_seen = {line: index for index, line in enumerate(lines)}
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if _NAVIGATION_LINK.match(lines[index]):
            kept.append("")
            index += 1
        elif _NAVIGATION_HEADER.match(lines[index]):
            end = _navigation_list_end(lines, index + 1, last_seen)
            kept.extend([""] * (end - index))
            index = end
        else:
            kept.append(raw_lines[index])
            index += 1
    return kept


# --- blocks and lists -------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^(?:(?P<bullet>[-*•·◦▪‣])|(?P<number>\d{1,2}[.)]))\s+(?=\S)")


def _list_item_text(line: str) -> str:
    """The item's text without its bullet; a numbered item keeps its number."""
    match = _LIST_ITEM.match(line)
    if not match or match.group("number"):
        return line
    return line[match.end():]


def _blocks(lines: list[str]) -> list[list[str]]:
    """Blank-line-separated blocks of whitespace-normalised lines.

    An indented line after a list item continues that item (a wrapped bullet).
    """
    blocks, current = [], []
    for raw in lines:
        line = _squash(raw)
        if not line:
            if current:
                blocks.append(current)
                current = []
        elif current and raw[:1].isspace() and _LIST_ITEM.match(current[-1]) and not _LIST_ITEM.match(line):
            current[-1] = f"{current[-1]} {line}"
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """An answer's lines as paragraphs, each a list of lines: prose lines joined into one, list items as "- item"."""
    paragraphs: list[list[str]] = []
    prose: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if prose:
            paragraphs.append([" ".join(prose)])
            prose.clear()
        if items:
            paragraphs.append(items.copy())
            items.clear()

    for line in lines:
        if _LIST_ITEM.match(line):
            if prose:
                flush()
            items.append(LIST_ITEM_MARK + _list_item_text(line))
        else:
            if items:
                flush()
            prose.append(line)
    flush()
    return paragraphs


def _is_list(paragraph: list[str]) -> bool:
    """A paragraph is all items or one line of prose, so its first line tells (whatever the list's length)."""
    return paragraph[0].startswith(LIST_ITEM_MARK)


def _add_paragraphs(body: list[list[str]], lines: list[str]) -> None:
    """Append an answer's lines to a section body; a list continued after a blank line stays one list."""
    for paragraph in _paragraphs(lines):
        if body and _is_list(body[-1]) and _is_list(paragraph):
            body[-1].extend(paragraph)
        else:
            body.append(paragraph)


def _body_text(body: list[list[str]]) -> str:
    return "\n\n".join("\n".join(paragraph) for paragraph in body)


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

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
# A review date is a statement of its own, at the start of a line or after a punctuation mark ("… condition.
# This document was last reviewed on: 11/20/2012", "Clinic; Page last updated: May 1, 2020"). A sentence that
# only mentions a date ("Treatment guidelines were last updated on March 3, 2010.") does not date the page.
_REVIEWED = re.compile(
    r"(?:^|(?<=[^\w\s])\s*)(?:(?:this\s+|the\s+)?(?:document|page|information|content|article|date)\s+(?:was\s+)?)?"
    r"last\s+(?:reviewed|modified|updated)(?:\s+on)?\s*:?\s*"
    r"(?:(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
    rf"|(?P<month_name>{'|'.join(name[:3] for name in _MONTH_NAMES)})[a-z]*\.?\s+(?P<day_of>\d{{1,2}}),?\s+"
    r"(?P<year_of>\d{4}))",
    re.IGNORECASE | re.MULTILINE)
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


def _is_question(line: str) -> bool:
    """A question heading such as "Is there any treatment?"."""
    return (line.endswith("?") and len(line) <= MAX_HEADING_CHARS and not _LIST_ITEM.match(line)
            and not _is_contact_line(line))


def _is_title_line(line: str) -> bool:
    """A one-line title such as "Essential Tremor" or "Stroke Information Page": short, not a sentence."""
    return (len(line) <= MAX_HEADING_CHARS and line[-1] not in ".!?:;," and any(ch.isalpha() for ch in line)
            and not _LIST_ITEM.match(line) and not _is_contact_line(line))


def _is_contact_block(block: list[str]) -> bool:
    return len(block) >= 2 and any(_is_contact_line(line) for line in block[1:])


def _block_kind(block: list[str]) -> str:
    """What a block opens: "organization" (a contact block), "section" (a question, alone or followed
    directly by its answer, but not an organization named with a "?"), or "" (neither). A block that
    opens with a "Source:" line or a review date is neither, whatever lines follow."""
    if _is_footer_line(block[0]):
        return ""
    if _is_contact_block(block):
        return "organization"
    return "section" if _is_question(block[0]) else ""


def _is_label(block: list[str]) -> bool:
    """A one-line block that names what follows ("Organizations") rather than saying something."""
    return len(block) == 1 and _is_title_line(block[0]) and len(block[0]) <= 60


def _reads_as_prose(block: list[str]) -> bool:
    """Sentences, not a listing: a line too long for a name or an address, or a last line that ends a sentence.

    The last line, not the first: a name may end with a full stop ("Dystonia Society UK Ltd."), an address does not.
    """
    return any(len(line) > MAX_NAME_CHARS for line in block) or block[-1][-1] in ".!?;:"


def _is_footer_line(line: str) -> bool:
    return line.lower().startswith("source:") or bool(_REVIEWED.search(line))


def _is_footer(block: list[str]) -> bool:
    """A "Source:" block, or one that states the page's review date."""
    return _is_footer_line(block[0]) or any(_REVIEWED.search(line) for line in block[1:])


def _footer_start(blocks: list[list[str]], kinds: list[str]) -> int:
    """The index of the first footer block, or len(blocks) if the page has no footer.

    The footer only follows the page's last question or contact block: what comes before either
    is content, whatever it says ("… were last updated on March 3, 2010."), so nothing after a
    footer-like block is swallowed. After a question the footer starts at a "Source:" line or a
    review date; after an organization also at a block that reads as a paragraph (a disclaimer).
    """
    last = next(index for index in range(len(blocks) - 1, -1, -1) if index == 0 or kinds[index])
    after_organization = kinds[last] == "organization"
    for index in range(last + 1, len(blocks)):
        block = blocks[index]
        if _is_footer(block) or (after_organization and (len(block) < 2 or _reads_as_prose(block))):
            return index
    return len(blocks)


# --- organization blocks ----------------------------------------------------------------

# What may stand between the values of one line without saying anything: "a or b", "a, b", "a / b".
_VALUE_SEPARATORS = re.compile(r"\b(?:or|and)\b|[\s,;/&]", re.IGNORECASE)


def _phones_in(value: str) -> tuple[list[phonenumbers.PhoneNumber], str]:
    """The valid numbers of a phone line, and what else it says besides separators ("or", ",")."""
    if len(value) > 200:
        return [], value
    matches = list(phonenumbers.PhoneNumberMatcher(value, contacts.DEFAULT_REGION))
    if matches:
        rest, cursor = [], 0
        for match in matches:
            rest.append(value[cursor:match.start])
            cursor = match.end
        rest.append(value[cursor:])
        numbers, rest_text = [match.number for match in matches], " ".join(rest)
    else:  # a vanity number ("1-800-377-DYST (3978)"): words without a digit are not part of it
        numbers = contacts.parse_phones(value)
        rest_text = " ".join(word for word in re.sub(r"\(\d+\)\s*$", "", value).split()
                             if not any(ch.isdigit() for ch in word))
    return numbers, _VALUE_SEPARATORS.sub("", rest_text)


class _ContactBuilder:
    """Collects one contact block's lines into the fields of an Organization.

    Nothing is dropped: a value that does not validate is stored exactly as published (the
    quality flags and the link builders then treat it as text), a second value for a filled
    field goes to the notes, and so does any line that holds more than its valid values.
    """

    def __init__(self, name: str):
        self.name = name
        self.address: list[str] = []
        self.locality: _Locality | None = None
        self.country = ""
        self.fields = {"phone": "", "toll_free": "", "fax": "", "email": "", "website": ""}
        self.notes: list[str] = []

    def _put(self, field: str, value: str) -> bool:
        """Fill `field` unless it already holds another value; False if `value` found no place."""
        if not self.fields[field]:
            self.fields[field] = value
        return self.fields[field] == value

    def add_phones(self, field: str, value: str, original: str) -> None:
        numbers, leftover = _phones_in(value)
        if not numbers:
            placed = self._put(field, value)
        else:
            placed = True
            for number in numbers:
                target = "toll_free" if field == "phone" and contacts.is_toll_free(number) else field
                placed = self._put(target, contacts.display_phone(number)) and placed
            # "312-555-0100 (voice/TTY)": the number is usable, and the words are kept with the line
            placed = placed and not leftover
        if not placed:
            self.notes.append(original)

    def add_email(self, value: str, original: str) -> None:
        """One or more addresses ("a@x.org or b@x.org"); anything else keeps the whole value as written.

        Picking the valid-looking part out of a longer value would publish something the page
        did not say: "-cmd|/C calc!A0@example.org" is not the address "calc!A0@example.org".
        """
        tokens = [t for t in re.split(r"[\s,;]+", value) if t and t.lower() not in ("or", "and", "/")]
        emails = [contacts.normalize_email(t) for t in tokens]
        if not tokens or not all(emails):
            placed = self._put("email", value)
        else:
            placed = all([self._put("email", email) for email in emails if email])
        if not placed:
            self.notes.append(original)

    def add_website(self, value: str, original: str) -> None:
        if not self._put("website", contacts.normalize_website(value) or value):
            self.notes.append(original)

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
    # A long name may wrap onto the next line, e.g. an acronym's expansion in parentheses, as far
    # as a name's length: a parenthesis left open does not make the whole block the name.
    name, end = block[0], 1
    while (end < len(block) and name.count("(") > name.count(")") and not _is_contact_line(block[end])
           and len(name) + 1 + len(block[end]) <= MAX_NAME_CHARS):
        name, end = f"{name} {block[end]}", end + 1
    builder = _ContactBuilder(name)
    for line in block[end:]:
        builder.add_line(line)
    return builder.build()


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def _unique_ids(names: list[str]) -> list[str]:
    """Slugs of the names; a repeated slug takes the first free "-2", "-3", ….

    Each slug's next number to try is remembered, so a page of many organizations with one
    name does not count up from 2 again for each of them.
    """
    ids: list[str] = []
    seen: set[str] = set()
    next_number: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        base = slugify(name) or f"organization-{position}"
        candidate = base
        if candidate in seen:
            n = next_number.get(base, 2)
            while (candidate := f"{base}-{n}") in seen:
                n += 1
            next_number[base] = n + 1
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
        text = "\n".join(lines)  # a review date may start any line
        match = _REVIEWED.search(text)
        if match:
            reviewed = _review_date(match)
            text = text[:match.start()]  # the date ends the page; what follows is page-id debris
        text = text.replace("\n", " ").strip()
        if text:
            disclaimer_parts.append(text)
    return " ".join(source_parts), "\n\n".join(disclaimer_parts), reviewed


def _review_date(match: re.Match) -> date:
    if match.group("month_name"):
        month = next(n for n, name in enumerate(_MONTH_NAMES, 1) if name.startswith(match.group("month_name").lower()))
        day, year = int(match.group("day_of")), int(match.group("year_of"))
    else:
        month, day, year = int(match.group("month")), int(match.group("day")), int(match.group("year"))
    try:
        return date(year, month, day)
    except ValueError:
        stated = match.string[match.start("month_name" if match.group("month_name") else "month"):match.end()]
        raise SourceError(f"the review date {stated} is not a real calendar date") from None


# --- the page ---------------------------------------------------------------------------

_TITLE_EXPECTED = 'the page must open with a title question such as "What is …?", or a one-line title and then that question'


def _split_title_line(blocks: list[list[str]]) -> tuple[str | None, list[list[str]]]:
    """The page's title line, if it has one before its first question, and the blocks after it."""
    first = blocks[0][0]
    if first.endswith("?"):
        if len(first) > MAX_HEADING_CHARS:
            raise SourceError(f'{_TITLE_EXPECTED}; it opens with a question of {len(first):,} characters')
        return None, blocks
    rest = [blocks[0][1:], *blocks[1:]] if len(blocks[0]) > 1 else blocks[1:]
    if _is_title_line(first) and rest and _is_question(rest[0][0]):
        return first, rest
    raise SourceError(f'{_TITLE_EXPECTED}; it opens with "{_excerpt(first)}"')


def parse_page(text: str) -> ParsedSource:
    """Parse page text into a Page and its organizations, in page order."""
    if not isinstance(text, str):
        raise SourceError("the source must be text")
    if len(text) > MAX_SOURCE_BYTES:
        raise SourceError(f"the source is too large ({len(text):,} characters)")
    blocks = _blocks(_without_navigation(_clean(text).split("\n")))
    if not blocks:
        raise SourceError("the source is empty")
    title_line, blocks = _split_title_line(blocks)

    kinds = [_block_kind(block) for block in blocks]
    first = blocks[0]  # opens with the title question, which is also the first section's heading
    if kinds[0] == "organization":
        contact = next(line for line in first[1:] if _is_contact_line(line))
        raise SourceError(f'the title question "{_excerpt(first[0])}" is followed by a contact line '
                          f'("{_excerpt(contact)}"), as an organization\'s name is; the page must open with its '
                          "title question and the answer, and list the organizations after the sections")
    sections: list[tuple[str, list[list[str]]]] = [(first[0], [])]
    _add_paragraphs(sections[0][1], first[1:])
    contact_blocks: list[list[str]] = []
    footer_start = _footer_start(blocks, kinds)
    among_organizations = False
    previous = first
    for block, kind in zip(blocks[1:footer_start], kinds[1:footer_start]):
        if kind == "section":
            sections.append((block[0], []))
            _add_paragraphs(sections[-1][1], block[1:])
            among_organizations = False
        elif kind == "organization":
            body = sections[-1][1]
            if not among_organizations and _is_label(previous) and body[-1:] == [previous]:
                body.pop()  # "Organizations": a heading over the contact blocks, not answer text
            contact_blocks.append(block)
            among_organizations = True
        elif not among_organizations:
            _add_paragraphs(sections[-1][1], block)
        elif len(block) >= 2 and len(block[0]) <= MAX_NAME_CHARS:
            contact_blocks.append(block)  # an organization with unusual lines; they go to its address and notes
        else:
            raise SourceError(f'"{_excerpt(block[0])}" stands between organizations but is not one: it has no '
                              "address, phone, email or website line. Remove it if it is a heading or a note, "
                              "or add the organization's address or contact lines")
        previous = block

    source, disclaimer, reviewed_on = _parse_footer(blocks[footer_start:])
    page_sections = tuple(Section(heading, _body_text(body)) for heading, body in sections)
    if not contact_blocks and not any(s.body for s in page_sections):
        raise SourceError("the page has no section text and no organizations: it holds only "
                          f'"{_excerpt(page_sections[0].heading)}"')
    empty = [s.heading for s in page_sections if not s.body]
    if empty:
        raise SourceError(f'the section "{_excerpt(empty[0])}" has no text under its heading')

    parsed = [_parse_contact_block(block) for block in contact_blocks]
    ids = _unique_ids([org.name for org in parsed])
    organizations = [org.replace(id=org_id) for org, org_id in zip(parsed, ids)]
    page = Page(title=title_line or page_sections[0].heading, sections=page_sections, source=source,
                disclaimer=disclaimer, reviewed_on=reviewed_on)
    return ParsedSource(page, organizations)


def _excerpt(text: str, limit: int = 60) -> str:
    return clip(text, limit)
