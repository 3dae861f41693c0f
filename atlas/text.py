"""Make data safe to show as Markdown text.

Streamlit renders strings as Markdown, and its Markdown goes further than CommonMark: `$…$` is
LaTeX, `:red[…]` is colour, `:emoji:` is an emoji. An organization name can hold any of these,
or a Markdown link. Escaping every ASCII punctuation character with a backslash is valid
CommonMark and shows the text as written.

Escaping cannot stop one thing: GitHub-style autolinking, which turns anything that looks like a
web or email address into a link after parsing. A word joiner (U+2060, invisible) placed inside
"http:", "www." and "name@host" keeps those from being recognised, so links come only from
`atlas.links`, never from data.
"""

from __future__ import annotations

import re
import string
from datetime import date

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
