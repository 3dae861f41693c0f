"""The curated override file (`data/overrides.csv`): human corrections to rule-based tags.

Rules over names get most organizations right; a curator fixes the rest here, with a reason
that is shown next to the tag. Rows match an organization by its id or by its name
(case and spacing ignored). An empty cell leaves the rule's answer in place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("organization", "focus", "service_area", "reason")


class OverridesError(ValueError):
    """The override file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Override:
    organization: str
    focus: tuple[str, ...]
    service_area: str
    reason: str


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class Overrides:
    def __init__(self, rows: list[Override] | None = None):
        self.rows = list(rows or [])
        self._by_key = {_key(row.organization): row for row in self.rows}

    def for_organization(self, org_id: str, name: str) -> Override | None:
        return self._by_key.get(_key(org_id)) or self._by_key.get(_key(name))

    @classmethod
    def parse(cls, text: str, origin: str = "overrides") -> "Overrides":
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in ("organization", "reason") if c not in (reader.fieldnames or [])]
        if missing:
            raise OverridesError(f"{origin}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        rows = []
        for line_no, row in enumerate(reader, start=2):
            organization = (row.get("organization") or "").strip()
            if not organization:
                continue
            if not (row.get("reason") or "").strip():
                raise OverridesError(f"{origin}, line {line_no}: every override needs a reason")
            focus = tuple(t.strip() for t in (row.get("focus") or "").split(";") if t.strip())
            rows.append(Override(organization, focus, (row.get("service_area") or "").strip(),
                                 row["reason"].strip()))
        return cls(rows)

    @classmethod
    def load(cls, path: str | Path | None) -> "Overrides":
        """Read an override file; a missing file means no overrides."""
        if path is None or not Path(path).exists():
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OverridesError(f"cannot read {path}: {exc}") from None
        return cls.parse(text, origin=str(path))
