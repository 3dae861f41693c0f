""""Which group fits?": from where symptoms show to a focus, the groups, and the NIH institute
the page names for that area's research."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas.directory.load import Atlas
from atlas.model import Organization, Page

# Institute names as the page writes them ("National Eye Institute", "National Institute of
# Neurological Disorders and Stroke", "National institute on Deafness and ... Disorders").
_INSTITUTE = re.compile(
    r"(?:Eunice Kennedy Shriver )?National (?:[Ii]nstitute (?:on|of) [A-Z][A-Za-z-]*(?: (?:and|of|on|the|[A-Z][A-Za-z-]*))*"
    r"|[A-Z][a-z]+ Institute\b)")


@dataclass(frozen=True)
class BodyArea:
    code: str
    label: str
    focus: str  # the focus whose groups fit best
    institute_words: tuple[str, ...]  # words that identify the institute researching this area
    why: str


BODY_AREAS: dict[str, BodyArea] = {a.code: a for a in (
    BodyArea("neck", "Neck: the head turns, tilts or pulls", "torticollis", ("Neurological",),
             "Dystonia of the neck is cervical dystonia, also called spasmodic torticollis."),
    BodyArea("eyelids", "Eyelids: blinking, or eyes forced shut", "blepharospasm", ("Eye",),
             "Dystonia of the muscles around the eyes is blepharospasm."),
    BodyArea("voice", "Voice: strained, broken or breathy speech", "speech", ("Deafness", "Communication"),
             "Dystonia of the voice box is spasmodic dysphonia, a voice and speech dystonia."),
    BodyArea("hand", "Hand or arm: for example writer's cramp", "general", ("Neurological",),
             "The page lists no group for hand dystonia alone; general dystonia groups cover it."),
    BodyArea("several", "Several body parts", "general", ("Neurological",),
             "Dystonia in several body parts is served by general dystonia groups."),
)}


def institutes_named(page: Page) -> list[str]:
    """Every NIH institute the page names, in order, without repeats."""
    found: list[str] = []
    for section in page.sections:
        for match in _INSTITUTE.finditer(section.body):
            name = re.sub(r"(?: (?:and|of|on|the))+$", "", match.group(0))
            if name not in found:
                found.append(name)
    return found


def institute_for(area: BodyArea, page: Page) -> str | None:
    return next((name for name in institutes_named(page)
                 if any(word.lower() in name.lower() for word in area.institute_words)), None)


class Picked(Sequence):
    """The organizations at some rows, in page order, each built when asked for: the page lists
    the first few of a national directory's many thousand and counts the rest."""

    def __init__(self, organizations: Sequence[Organization], rows: np.ndarray):
        self._organizations, self._rows = organizations, rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._organizations[int(row)] for row in self._rows[index]]
        return self._organizations[int(self._rows[index])]

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented


@dataclass(frozen=True)
class Fit:
    area: BodyArea
    specific: Picked  # groups for this area's focus
    general: Picked   # general dystonia groups, which also serve it
    institute: str | None


def fit(area_code: str, atlas: Atlas) -> Fit:
    area = BODY_AREAS[area_code]
    specific = atlas.focus_mask(area.focus) if area.focus != "general" else np.zeros(len(atlas), dtype=bool)
    general = atlas.focus_mask("general") & ~specific
    return Fit(area, Picked(atlas.organizations, np.flatnonzero(specific)),
               Picked(atlas.organizations, np.flatnonzero(general)), institute_for(area, atlas.page))
