"""Tags that say whom an organization is for: its focus and its service area.

Rules over names get most organizations right; the curated override file
(`data/overrides.csv`) fixes the rest, each row with a reason shown next to the tag.

Focus: the vocabulary is small on purpose. It mirrors how people look for help: by the part of
the body affected (neck, eyelids, voice) or for dystonia and movement disorders in general. A
general group also serves someone with a focal dystonia; filters decide whether to include it.

Service area: source pages of this kind list national voluntary health organizations, so
"national" is the default. A name that names a state or province ("Ohio Dystonia Support Group")
marks a regional group.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from atlas.errors import OverridesError
from atlas.regions import REGION_NAME_PATTERN

# --- the override file ----------------------------------------------------------------------

COLUMNS = ("organization", "focus", "service_area", "reason")
MAX_OVERRIDES_BYTES = 10_000_000  # a row for every organization a page can hold, with room for long reasons



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
        try:
            columns = reader.fieldnames or []
            records = list(enumerate(reader, start=2))
        except csv.Error as exc:  # a value longer than the csv module accepts, say
            line = reader.reader.line_num  # the DictReader's own count stops at the last good row
            raise OverridesError(f"{origin}, line {line}: cannot be read as CSV ({exc})") from None
        missing = [c for c in ("organization", "reason") if c not in columns]
        if missing:
            raise OverridesError(f"{origin}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        rows = []
        for line_no, row in records:
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
        """Read an override file; a missing file means no overrides.

        The file is looked at before it is read (a pipe would keep the build waiting, a huge file
        would fill the memory), and may start with the byte-order mark Excel writes.
        """
        if path is None:
            return cls()
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return cls()
        except (OSError, ValueError) as exc:
            raise OverridesError(f"cannot read {path}: {exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise OverridesError(f"{path} is not a regular file (a folder, pipe or device); "
                                 "the override file must be a CSV file")
        if info.st_size > MAX_OVERRIDES_BYTES:
            raise OverridesError(f"{path} is too large ({info.st_size:,} bytes; the limit is {MAX_OVERRIDES_BYTES:,})")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_OVERRIDES_BYTES + 1)
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise OverridesError(f"cannot read {path}: {exc}") from None
        if len(data) > MAX_OVERRIDES_BYTES:  # it grew after it was looked at
            raise OverridesError(f"{path} is too large (over {MAX_OVERRIDES_BYTES:,} bytes, the limit)")
        return cls.parse(text, origin=str(path))


# --- focus --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Focus:
    code: str
    label: str
    short_label: str
    description: str
    keywords: tuple[str, ...]


FOCI: dict[str, Focus] = {
    focus.code: focus for focus in (
        Focus("torticollis", "Torticollis (cervical dystonia)", "Torticollis",
              "Dystonia of the neck muscles, which turns or tilts the head.",
              ("torticollis", "cervical dystonia", "st dystonia")),
        Focus("blepharospasm", "Blepharospasm (eyelids)", "Blepharospasm",
              "Dystonia of the muscles around the eyes, which forces the eyelids closed.",
              ("blepharospasm", "eyelid", "meige")),
        Focus("speech", "Voice and speech (spasmodic dysphonia)", "Voice & speech",
              "Dystonia of the larynx or the muscles of speech.",
              ("speech", "voice", "dysphonia", "laryngeal", "oromandibular")),
        Focus("general", "General dystonia and movement disorders", "General",
              "Groups for every form of dystonia, or for movement disorders broadly.",
              ()),
    )
}

SPECIFIC_FOCI = tuple(code for code in FOCI if code != "general")

_PATTERNS = {
    code: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in FOCI[code].keywords) + r")", re.IGNORECASE)
    for code in SPECIFIC_FOCI
}




def focus_from_name(name: str) -> tuple[str, ...]:
    """Specific foci whose keywords appear in the name; "general" when none do."""
    tags = tuple(code for code in SPECIFIC_FOCI if _PATTERNS[code].search(name))
    return tags or ("general",)


def assign_focus(name: str, override: Override | None = None) -> tuple[str, ...]:
    if override and override.focus:
        unknown = [tag for tag in override.focus if tag not in FOCI]
        if unknown:
            raise OverridesError(f"override for {override.organization!r} uses unknown focus {unknown[0]!r}; "
                             f"choose from {', '.join(FOCI)}")
        return tuple(code for code in FOCI if code in override.focus)
    return focus_from_name(name)


def focus_label(code: str, short: bool = False) -> str:
    focus = FOCI.get(code)
    if focus is None:
        return code
    return focus.short_label if short else focus.label


# --- service area ----------------------------------------------------------------------

SERVICE_AREAS = {
    "national": "Serves people nationwide, wherever its office is.",
    "regional": "Serves one state or province.",
    "local": "Serves one city or metropolitan area.",
}

_NAMES_A_REGION = re.compile(rf"\b(?:{REGION_NAME_PATTERN})\b", re.IGNORECASE)


def assign_service_area(name: str, override: Override | None = None) -> str:
    if override and override.service_area:
        if override.service_area not in SERVICE_AREAS:
            raise OverridesError(f"override for {override.organization!r} uses unknown service area "
                             f"{override.service_area!r}; choose from {', '.join(SERVICE_AREAS)}")
        return override.service_area
    return "regional" if _NAMES_A_REGION.search(name) else "national"
