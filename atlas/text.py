"""Text for people and for spreadsheets: safe Markdown, dates, sentences, and inert CSV cells.

Markdown. Streamlit renders strings as Markdown, and its Markdown goes further than CommonMark:
`$…$` is LaTeX, `:red[…]` is colour, `:emoji:` is an emoji. An organization name can hold any
of these, or a Markdown link. Escaping every ASCII punctuation character with a backslash is
valid CommonMark and shows the text as written. Escaping cannot stop GitHub-style autolinking,
which turns anything that looks like a web or email address into a link after parsing. A word
joiner (U+2060, invisible) placed inside "http:", "www." and "name@host" keeps those from being
recognised, so links come only from `atlas.ingest.contacts`, never from data.

Sentences. Short captions for slides, scenes, summaries and the handout are drawn from the
page's own sentences, and long ones are cut at a clause or word boundary.

Spreadsheets. A cell that begins with =, +, -, @, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV injection; the OWASP list), and OWASP's
ASVS adds a NUL character. Prefixing an apostrophe, as OWASP advises, makes it plain text there. The prefix is also applied to text that already begins with an apostrophe, so
`restore` undoes it exactly. Numbers are written as numbers and never pass through here.
"""

from __future__ import annotations

import re
import string
from datetime import date

from atlas.model import Page

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|(?<=[\w.+-])(?=@)")


def escape_markdown(text: str) -> str:
    text = _AUTOLINK_TRIGGERS.sub(lambda m: (m.group(1) or "") + WORD_JOINER, str(text).replace("\r", " "))
    return _PUNCTUATION.sub(r"\\\1", text)


def markdown_link(label: str, url: str) -> str:
    """A Markdown link to a URL that already passed `links.safe_url`."""
    return f"[{escape_markdown(label)}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(day: date) -> str:
    """ "November 20, 2012", spelled out in English whatever the server's locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def markdown_code(text: str) -> str:
    """Text as an inline code span: shown exactly as written, never parsed, never auto-linked.

    Escaping is not enough for values that must stay inert: Streamlit's Markdown turns anything
    that looks like a web or email address into a link after parsing. Inside a code span it
    cannot. The fence is one backtick longer than the longest run of backticks in the text.
    """
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def nest_markdown(document: str, under: int) -> str:
    """A Markdown document placed under a heading of level `under`: its own title (a leading level-1
    heading) goes, and its other headings move down to sit below that heading. Fenced code is
    left alone."""
    lines, fenced, shift = document.splitlines(), False, None
    if lines and re.match(r"# ", lines[0]):
        lines = lines[1:]
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#{1,6}) ", line)
        if heading:
            if shift is None:
                shift = under + 1 - len(heading.group(1))
            level = min(6, max(under + 1, len(heading.group(1)) + shift))
            lines[index] = "#" * level + line[len(heading.group(1)):]
    return "\n".join(lines).strip("\n")


# --- sentences ----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def shorten(sentence: str, limit: int = 170, *, clauses: bool = True) -> str:
    """Cut a long sentence at a clause boundary (with `clauses`) or a word boundary, marking the cut
    with an ellipsis: at most `limit` characters come before it, and never half a word."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit]
    for mark in ("; ", ", ") if clauses else ():
        at = cut.rfind(mark)
        if at > limit * 0.6:
            return cut[:at].rstrip() + "…"
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


# --- values in messages -------------------------------------------------------------------

def one_line(text: object) -> str:
    """Text on one line: characters that are not printable (newlines, tabs, controls) become spaces,
    and each run of white space one space."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text or "")).split())


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, the last of them an ellipsis when the text was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentence_mentioning(page: Page, phrase: str, limit: int = 400) -> str | None:
    """The first sentence of the page that contains `phrase` (case-insensitive), or None."""
    for section in page.sections:
        for sentence in sentences(section.body):
            if phrase.lower() in sentence.lower():
                return shorten(sentence, limit)
    return None


def caption(page: Page, keywords: tuple[str, ...] = (), limit: int = 170) -> str:
    """The first sentence of the page that mentions one of `keywords` (the first sentence if none)."""
    all_sentences = [s for section in page.sections for s in sentences(section.body)]
    if not all_sentences:
        return ""
    for sentence in all_sentences:
        if any(re.search(rf"\b{re.escape(k)}", sentence, re.IGNORECASE) for k in keywords):
            return shorten(sentence, limit)
    return shorten(all_sentences[0], limit)


# --- spreadsheet cells --------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralize(value: str) -> str:
    if value and (value.startswith(FORMULA_TRIGGERS) or value.startswith("'")):
        return "'" + value
    return value


def restore(value: str) -> str:
    return value[1:] if value.startswith("'") else value
