"""Make data safe to show as Markdown text.

Streamlit renders strings as Markdown, and its Markdown goes further than CommonMark: `$…$` is
LaTeX, `:red[…]` is colour, `:emoji:` is an emoji. An organization name can hold any of these,
or a Markdown link. Escaping every ASCII punctuation character with a backslash is valid
CommonMark and shows the text exactly as written.
"""

from __future__ import annotations

import re
import string
from datetime import date

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def escape_markdown(text: str) -> str:
    text = str(text).replace("\r", " ")
    return _PUNCTUATION.sub(r"\\\1", text)


def markdown_link(label: str, url: str) -> str:
    """A Markdown link to a URL that already passed `links.safe_url`."""
    return f"[{escape_markdown(label)}]({url.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(day: date) -> str:
    """ "November 20, 2012", spelled out in English whatever the server's locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
