"""A one-page printable handout of a view: who to contact, and how to get back to the app.

A handout is given to a patient or pinned to a clinic notice board, so it has to print on a
single sheet whatever the view holds: the layout shrinks the type and adds columns until the
organizations fit, and says how many were left out only when even the smallest type cannot
hold them all.

Data is written as literal text (fpdf2's Markdown and HTML features are never used), so a name
holding `<script>`, `**` or `{{…}}` prints exactly as written. Links go through `atlas.links`
like everywhere else in the app: a value that is not a valid phone number, email address or
web address is printed as written and is never a link.

No character is dropped silently. The type is DejaVu Sans, with STIX General (both bundled with
matplotlib) as a fallback for what DejaVu lacks, such as mathematical letters (U+1D400…). A
character neither font can draw (Chinese, Japanese and Korean script, most emoji) is printed as
□, and the footer then says that some characters could not be printed.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from urllib.parse import urlsplit

import matplotlib
import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF

from atlas.directory.view import View
from atlas.errors import ExportError
from atlas.ingest import contacts
from atlas.ingest.tags import focus_label
from atlas.model import Organization, Page
from atlas.outputs.cards import Card, organization_card
from atlas.text import long_date, shorten

HEADING = "Dystonia support organizations"
CREATOR = "Dystonia Atlas"
SUMMARY_LIMIT = 300

# US Letter in points; every length below is in points (1/72 inch).
PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0
MARGIN = 40.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_COLUMN = 124.0  # the QR code and the URL printed under it
QR_SIZE = 88.0     # about 1.2 inches: easy for a phone camera at arm's length
GUTTER = 16.0
COLUMN_GAP = 18.0
LEADING = 1.25     # line height as a multiple of the font size
URL_SHOWN = 160    # longer links are cut in print; nobody types them, and the QR code holds them whole


@dataclass(frozen=True)
class _Layout:
    columns: int
    size: float            # base font size in points
    compact: bool = False  # one line for the address and for the focus labels, to fit a long list

    @property
    def column_width(self) -> float:
        return (CONTENT_WIDTH - (self.columns - 1) * COLUMN_GAP) / self.columns

    @property
    def gap(self) -> float:
        """Space between two organizations in a column."""
        return self.size * 0.9


# Tried in order; the first that holds every organization is used. The largest type comes
# first because the people reading a handout often have trouble with their eyes or hands.
LAYOUTS = (
    (_Layout(1, 10.5),)
    + tuple(_Layout(2, size) for size in (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0))
    + tuple(_Layout(2, size, compact=True) for size in (7.5, 7.0, 6.5))
    + tuple(_Layout(3, size, compact=True) for size in (6.5, 6.0, 5.5, 5.0))
)

INK = (25, 25, 25)
MUTED = (90, 90, 90)
LINK = (0, 70, 150)  # dark enough to print well in greyscale, blue enough to look clickable on screen

FONT = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
FALLBACK_FONT = "STIX"
_FALLBACK_FILES = {"": "STIXGeneral.ttf", "B": "STIXGeneralBol.ttf", "I": "STIXGeneralItalic.ttf"}
FONT_FOLDER = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MISSING_GLYPH = "\u25a1"  # □, drawn in place of a character no bundled font has
MISSING_NOTE = (f"Some characters could not be printed and are shown as {MISSING_GLYPH}: "
                "open the link at the top of this page to read them.")
# Control characters, and line and paragraph separators: no glyph, so a space (they only ever separate).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class _Paragraph:
    """One run of text in a single style; it wraps within its column."""
    text: str
    scale: float = 1.0  # of the layout's base font size, so a whole block shrinks together
    style: str = ""
    colour: tuple[int, int, int] = INK
    link: str | None = None
    space_before: float = 0.0  # also a multiple of the base font size



def _plain(text: str) -> str:
    """Text as written, minus what a PDF text line cannot hold (control characters, lone surrogates)."""
    text = str(text).encode("utf-8", "replace").decode("utf-8")
    return _CONTROL_CHARACTERS.sub(" ", text).strip()


@functools.cache
def _characters(file_name: str) -> frozenset[int]:
    """The code points a font file can draw (read once per process; only the cmap table is parsed)."""
    with TTFont(FONT_FOLDER / file_name, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


class _Printable:
    """Maps text to what the fonts can draw, remembering whether anything needed the fallback
    font or had to be shown as □, so the sheet can be set up (and the note added) to match."""

    def __init__(self):
        # Drawn by the main font in every style; otherwise by some style of either font, as a fallback.
        self.main = frozenset.intersection(*(_characters(f) for f in _FONT_FILES.values()))
        self.fallback = frozenset().union(*(_characters(f) for f in (*_FONT_FILES.values(), *_FALLBACK_FILES.values())))
        self.needs_fallback = False
        self.replaced = False

    def __call__(self, text: str) -> str:
        if text.isascii():
            return text
        shown = []
        for char in text:
            code = ord(char)
            if code in self.main:
                shown.append(char)
            elif code in self.fallback:
                self.needs_fallback = True
                shown.append(char)
            else:
                self.replaced = True
                shown.append(MISSING_GLYPH)
        return "".join(shown)


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, the ellipsis included, cut on a word boundary."""
    return text if len(text) <= limit else shorten(text, limit - 1, clauses=False)


def page_summary(page: Page, limit: int = SUMMARY_LIMIT) -> str:
    """The first one or two sentences of the page: enough to say what dystonia is, short enough
    to leave the sheet to the organizations."""
    body = " ".join(page.sections[0].body.split()) if page.sections else ""
    if not body:
        return ""
    sentences = _SENTENCE_END.split(body)
    text = sentences[0]
    if len(sentences) > 1 and len(text) + 1 + len(sentences[1]) <= limit:
        text += " " + sentences[1]
    return _shorten(text, limit)


def _organization_paragraphs(org: Organization, card: Card, distance_mi: float | None,
                             compact: bool) -> list[_Paragraph]:
    """The card the app shows, as print: the same labels, and the same links, or none."""
    paragraphs = [_Paragraph(_plain(card.name), 1.08, "B")]
    focus = [focus_label(code, short=compact) for code in org.focus]
    if distance_mi is not None:
        focus.append(f"{distance_mi:,.1f} miles away")
    if focus:
        paragraphs.append(_Paragraph(" · ".join(focus), 0.85, "", MUTED))
    address = [_plain(line) for line in card.address_lines if _plain(line)]
    if compact and address:
        address = [", ".join(address)]
    paragraphs += [_Paragraph(line) for line in address]
    for contact in card.contacts:
        href = contacts.safe_url(contact.href)  # the card already checked; a second look costs nothing
        label = contact.label
        if org.website_derived and label.startswith("Website"):
            label = "Website (from email)"  # the card's longer wording wraps in a narrow column
        paragraphs.append(_Paragraph(f"{label}: {_plain(contact.text)}", colour=LINK if href else INK, link=href))
    paragraphs += [_Paragraph(f"Note: {_plain(line)}", 0.85, "", MUTED) for line in card.extra_lines if _plain(line)]
    if card.notes:
        paragraphs.append(_Paragraph("Check: " + "; ".join(note.title for note in card.notes), 0.85, "I", MUTED))
    return paragraphs


class _Sheet:
    """One fpdf2 page with the handout's fonts, measured and drawn with the same calls so a
    measured height is the height that will be printed."""

    def __init__(self, view: View, generated_on: date, *, fallback: bool = False, note: bool = False):
        pdf = FPDF(orientation="portrait", unit="pt", format="letter")
        for style, file_name in _FONT_FILES.items():
            pdf.add_font(FONT, style, FONT_FOLDER / file_name)
        if fallback:  # only when needed: loading it costs a noticeable fraction of a second
            for style, file_name in _FALLBACK_FILES.items():
                pdf.add_font(FALLBACK_FONT, style, FONT_FOLDER / file_name)
            # The main font's other styles come first: bold lacks a few characters regular has.
            pdf.set_fallback_fonts([FONT, FALLBACK_FONT], exact_match=False)
        self.printable = _Printable()
        self.note = note
        pdf.alias_nb_pages(None)  # otherwise "{nb}" in the data would print as the page count
        pdf.set_auto_page_break(False)  # a second page is never wanted; the layout makes room instead
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.c_margin = 0
        pdf.set_title(_plain(view.title))
        pdf.set_subject("Dystonia support organizations, with contact details")
        pdf.set_creator(CREATOR)
        pdf.set_lang("en-US")
        pdf.set_creation_date(datetime.combine(generated_on, time(0), tzinfo=timezone.utc))
        pdf.add_page()
        self.pdf = pdf

    def _use(self, paragraph: _Paragraph, size: float) -> float:
        self.pdf.set_font(FONT, paragraph.style, size * paragraph.scale)
        self.pdf.set_text_color(*paragraph.colour)
        return size * paragraph.scale * LEADING

    def height(self, paragraphs: list[_Paragraph], width: float, size: float) -> float:
        total = 0.0
        for paragraph in paragraphs:
            line_height = self._use(paragraph, size)
            total += paragraph.space_before * size
            lines = self.pdf.multi_cell(width, line_height, self.printable(paragraph.text), align="L", dry_run=True,
                                        output="LINES")
            total += max(1, len(lines)) * line_height
        return total

    def least_height(self, paragraphs: list[_Paragraph], width: float, size: float) -> float:
        """A quick lower bound of `height`: wrapping on words can only add lines to this."""
        total = 0.0
        for paragraph in paragraphs:
            line_height = self._use(paragraph, size)
            # A break drops at most one space per line, so each line holds at most width + a space.
            text_width = self.pdf.get_string_width(self.printable(paragraph.text))
            lines = math.ceil(text_width / (width + self.pdf.get_string_width(" ")))
            total += paragraph.space_before * size + max(1, lines) * line_height
        return total

    def draw(self, paragraphs: list[_Paragraph], x: float, y: float, width: float, size: float) -> float:
        """Draw top-down from (x, y); returns the y below the last line."""
        for paragraph in paragraphs:
            line_height = self._use(paragraph, size)
            y += paragraph.space_before * size
            self.pdf.set_xy(x, y)
            self.pdf.multi_cell(width, line_height, self.printable(paragraph.text), align="L", link=paragraph.link,
                                new_x="LEFT", new_y="NEXT")
            y = self.pdf.get_y()
        return y

    def rule(self, y: float) -> None:
        self.pdf.set_draw_color(*MUTED)
        self.pdf.set_line_width(0.5)
        self.pdf.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)


def _qr_png(url: str) -> io.BytesIO:
    """A crisp PNG (ten pixels a module, quiet zone included) so it survives printing and scanning."""
    image = io.BytesIO()
    segno.make(url, error="m", micro=False).save(image, kind="png", scale=10, border=4)
    image.seek(0)
    return image


def _draw_header(sheet: _Sheet, view: View, url: str) -> float:
    """Heading, view and summary on the left, QR code on the right; returns the y below both."""
    left_width = CONTENT_WIDTH - QR_COLUMN - GUTTER
    count = len(view.organizations)
    paragraphs = [_Paragraph(HEADING, 2.0, "B")]
    title = _shorten(_plain(view.title), 240)  # the title echoes a search box; keep a long query from taking the page
    if title != HEADING:
        paragraphs.append(_Paragraph(title, 1.25, "B", MUTED))
    paragraphs.append(_Paragraph(f"{count} organization{'s' if count != 1 else ''} listed", 0.9, "", MUTED))
    for note in getattr(view, "notes", ()):  # e.g. the nearest group of a focus the list would lack
        paragraphs.append(_Paragraph(_plain(note), 0.95, "B", space_before=0.3))
    summary = page_summary(view.page)
    if summary:
        paragraphs.append(_Paragraph(_plain(summary), 0.95, space_before=0.5))
    text_bottom = sheet.draw(paragraphs, MARGIN, MARGIN, left_width, 10.0)

    qr_x = PAGE_WIDTH - MARGIN - QR_COLUMN
    if is_local(url):
        # A link to this computer points nowhere once printed: say how to find the list instead.
        caption = [_Paragraph("To find this list again, open Dystonia Atlas and choose:", 0.75, "", MUTED),
                   _Paragraph(_shorten(_plain(view.title), 160), 0.75, "B")]
        return max(text_bottom, sheet.draw(caption, qr_x, MARGIN, QR_COLUMN, 10.0))
    sheet.pdf.image(_qr_png(url), x=qr_x + (QR_COLUMN - QR_SIZE) / 2, y=MARGIN, w=QR_SIZE, h=QR_SIZE,
                    link=url, alt_text="QR code: " + url)
    caption = [_Paragraph("Scan or type this link to open the list online:", 0.65, "", MUTED),
               _Paragraph(_shorten(url, URL_SHOWN), 0.65, "", LINK, link=url)]
    qr_bottom = sheet.draw(caption, qr_x, MARGIN + QR_SIZE + 2, QR_COLUMN, 10.0)
    return max(text_bottom, qr_bottom)


def is_local(url: str) -> bool:
    """True for a link to this computer (localhost, 127.x, ::1, 0.0.0.0): useless on paper."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "0.0.0.0", "::1") or host.startswith("127.") or host.endswith(".localhost")


def _footer_paragraphs(view: View, generated_on: date, note: bool) -> list[_Paragraph]:
    page = view.page
    source = _shorten(_plain(page.source), 300) or "not stated"
    reviewed = (f"Last reviewed {long_date(page.reviewed_on)}. Addresses, phone numbers and emails date from then"
                if page.reviewed_on is not None else
                "The page gives no review date. Addresses, phone numbers and emails may be old")
    paragraphs = [
        _Paragraph(f"Source: {source}", 0.75, "", MUTED),
        _Paragraph(f"{reviewed} and may have changed: confirm them before relying on them.", 0.75, "B", MUTED),
        _Paragraph(f"Generated {long_date(generated_on)} by {CREATOR}. Not medical advice: ask your doctor "
                   "or health care provider about your condition.", 0.75, "", MUTED),
    ]
    if note:
        paragraphs.insert(0, _Paragraph(MISSING_NOTE, 0.75, "B"))
    return paragraphs


def _fill_in_order(heights: Iterable[float], columns: int, column_height: float, gap: float) -> list[int]:
    """The column of each block that fits, filling one column before the next and never
    splitting a block; stops at the first block that does not fit, so `heights` can be lazy."""
    placement, column, used = [], 0, 0.0
    for height in heights:
        needed = height if used == 0 else used + gap + height
        if needed > column_height and used > 0:
            column, used, needed = column + 1, 0.0, height
        if column >= columns or needed > column_height:
            break
        placement.append(column)
        used = needed
    return placement


def _balanced(heights: list[float], columns: int, column_height: float, gap: float) -> list[int]:
    """The shortest column height that still holds every block, so columns end near the same line."""
    low, high = max(heights), column_height
    for _ in range(30):
        middle = (low + high) / 2
        if len(_fill_in_order(heights, columns, middle, gap)) == len(heights):
            high = middle
        else:
            low = middle
    return _fill_in_order(heights, columns, high, gap)


@dataclass(frozen=True)
class _Plan:
    layout: _Layout
    blocks: list[list[_Paragraph]]
    placement: list[int]  # the column of each block that fits; shorter than `blocks` when some do not

    @property
    def left_out(self) -> int:
        return len(self.blocks) - len(self.placement)


def _plan(sheet: _Sheet, view: View, available: float) -> _Plan:
    """The largest type that holds every organization, or the smallest and as many as fit."""
    cards = [organization_card(org) for org in view.organizations]

    def blocks_for(layout: _Layout) -> list[list[_Paragraph]]:
        return [_organization_paragraphs(org, card, view.distances_mi.get(org.id), layout.compact)
                for org, card in zip(view.organizations, cards)]

    def measured(blocks: list[list[_Paragraph]], layout: _Layout, heights: list[float]) -> Iterator[float]:
        # Wrapping every line is slow for a long list: measure only while the blocks still fit.
        for block in blocks:
            heights.append(sheet.height(block, layout.column_width, layout.size))
            yield heights[-1]

    for layout in LAYOUTS:
        blocks = blocks_for(layout)
        least = sum(sheet.least_height(block, layout.column_width, layout.size) + layout.gap for block in blocks)
        if least > layout.columns * available:
            continue
        heights: list[float] = []
        placement = _fill_in_order(measured(blocks, layout, heights), layout.columns, available, layout.gap)
        if len(placement) == len(blocks):
            if layout.columns > 1:
                placement = _balanced(heights, layout.columns, available, layout.gap)
            return _Plan(layout, blocks, placement)

    smallest = LAYOUTS[-1]
    blocks = blocks_for(smallest)
    notice_room = smallest.size * LEADING * 2
    placement = _fill_in_order(measured(blocks, smallest, []), smallest.columns, available - notice_room, smallest.gap)
    return _Plan(smallest, blocks, placement)


def _draw_organizations(sheet: _Sheet, view: View, top: float, bottom: float) -> None:
    if not view.organizations:
        sheet.draw([_Paragraph("No organization matches this view. Open the link above to change the filters.")],
                   MARGIN, top, CONTENT_WIDTH, 10.0)
        return
    plan = _plan(sheet, view, bottom - top)
    layout = plan.layout
    bottoms: dict[int, float] = {}
    for block, column in zip(plan.blocks, plan.placement):
        y = bottoms[column] + layout.gap if column in bottoms else top
        bottoms[column] = sheet.draw(block, MARGIN + column * (layout.column_width + COLUMN_GAP), y,
                                     layout.column_width, layout.size)
    if plan.left_out:
        # Rather than spill onto a second sheet, say how many more the link shows.
        notice = _Paragraph(f"…and {plan.left_out} more organization{'s' if plan.left_out != 1 else ''}: "
                            "open the link at the top of this page for the full list.", 1.0, "B")
        sheet.draw([notice], MARGIN, bottom - layout.size * LEADING * 1.5, CONTENT_WIDTH, layout.size)


def render_handout(view: View, *, url: str, generated_on: date | None = None) -> bytes:
    """A one-page PDF (US Letter) of the view: its organizations with their contacts, a QR code
    that opens the same view in the app, and the page's source and review date.

    `url` must be an http(s) link (see `atlas.directory.request.view_url`); the QR code points people to it.
    """
    if len(url) > contacts.MAX_URL_CHARS:
        raise ExportError(f"the link to this view is {len(url):,} characters long, and a handout's QR code holds "
                          f"at most {contacts.MAX_URL_CHARS:,}: shorten the name or city search")
    checked = contacts.safe_url(url)
    if checked is None or not checked.lower().startswith(("http://", "https://")):
        raise ExportError(f"the handout links to the app, so the URL must be an http(s) address, not {url!r}")
    generated_on = generated_on or date.today()
    sheet = _render(view, url, generated_on)
    if sheet.printable.needs_fallback or sheet.printable.replaced:
        # Drawn again, now knowing what the text holds: with the fallback font, with the note.
        sheet = _render(view, url, generated_on, fallback=sheet.printable.needs_fallback,
                        note=sheet.printable.replaced)
    return bytes(sheet.pdf.output())


def _render(view: View, url: str, generated_on: date, *, fallback: bool = False, note: bool = False) -> _Sheet:
    sheet = _Sheet(view, generated_on, fallback=fallback, note=note)
    header_bottom = _draw_header(sheet, view, url)
    sheet.rule(header_bottom + 6)

    footer = _footer_paragraphs(view, generated_on, note)
    footer_top = PAGE_HEIGHT - MARGIN - sheet.height(footer, CONTENT_WIDTH, 10.0)
    sheet.rule(footer_top - 6)
    sheet.draw(footer, MARGIN, footer_top, CONTENT_WIDTH, 10.0)

    _draw_organizations(sheet, view, header_bottom + 14, footer_top - 14)
    return sheet
