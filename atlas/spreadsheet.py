"""Keep text cells inert when a CSV is opened in a spreadsheet (CSV/formula injection).

A cell that begins with =, +, -, @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets. Prefixing an apostrophe makes it plain text there. The prefix is
also applied to text that already begins with an apostrophe, so `restore` undoes it exactly.
Numbers are written as numbers and never pass through here.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    if value and (value.startswith(FORMULA_TRIGGERS) or value.startswith("'")):
        return "'" + value
    return value


def restore(value: str) -> str:
    return value[1:] if value.startswith("'") else value
