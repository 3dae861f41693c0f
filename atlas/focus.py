"""Focus tags: which form of dystonia an organization is for.

The vocabulary is small on purpose. It mirrors how people look for help: by the part of the
body affected (neck, eyelids, voice) or for dystonia and movement disorders in general.
A general group also serves someone with a focal dystonia; filters decide whether to include it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atlas.overrides import Override


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


class FocusError(ValueError):
    """An override names a focus outside the vocabulary."""


def focus_from_name(name: str) -> tuple[str, ...]:
    """Specific foci whose keywords appear in the name; "general" when none do."""
    tags = tuple(code for code in SPECIFIC_FOCI if _PATTERNS[code].search(name))
    return tags or ("general",)


def assign_focus(name: str, override: Override | None = None) -> tuple[str, ...]:
    if override and override.focus:
        unknown = [tag for tag in override.focus if tag not in FOCI]
        if unknown:
            raise FocusError(f"override for {override.organization!r} uses unknown focus {unknown[0]!r}; "
                             f"choose from {', '.join(FOCI)}")
        return tuple(code for code in FOCI if code in override.focus)
    return focus_from_name(name)


def focus_label(code: str, short: bool = False) -> str:
    focus = FOCI.get(code)
    if focus is None:
        return code
    return focus.short_label if short else focus.label
