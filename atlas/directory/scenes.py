"""Presentation scenes: the views a presenter steps through, each with a title and a caption
taken from the page itself."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas.directory.request import ViewRequest
from atlas.ingest.tags import FOCI
from atlas.model import Page
from atlas.text import caption

NEAR_RADIUS_MI = 500.0


@dataclass(frozen=True)
class Scene:
    slug: str
    title: str
    caption: str
    request: ViewRequest


def default_city(frame: pd.DataFrame) -> str:
    """The first listed US organization's city (from a loaded directory's frame): a sensible "near"
    scene before the presenter picks one. Found with column tests, not by building every record."""
    city, state, country = (frame[name].fillna("").astype(str) for name in ("city", "state", "country"))
    usable = np.flatnonzero(((city != "") & (state != "") & country.isin(["", "US"])).to_numpy(bool))
    return f"{city.iat[usable[0]]}, {state.iat[usable[0]]}" if len(usable) else "Chicago, IL"


def scenes(page: Page, near_city: str) -> list[Scene]:
    return [
        Scene("all", "Where to find help", caption(page), ViewRequest()),
        Scene("torticollis", FOCI["torticollis"].label, caption(page, ("neck", "torticollis", "cervical")),
              ViewRequest(focus=("torticollis",), include_general=False)),
        Scene("blepharospasm", FOCI["blepharospasm"].label, caption(page, ("eyelid", "blepharospasm", "eye")),
              ViewRequest(focus=("blepharospasm",), include_general=False)),
        Scene("speech", FOCI["speech"].label, caption(page, ("voice", "speech", "dysphonia")),
              ViewRequest(focus=("speech",), include_general=False)),
        Scene("near", f"Groups near {near_city}", caption(page, ("individualized", "treatment", "therapy")),
              ViewRequest(near=near_city, radius_mi=NEAR_RADIUS_MI)),
    ]


def scene_index(all_scenes: list[Scene], slug: str | None) -> int:
    """Position of the scene named in the URL; the first scene for a missing or unknown name."""
    return next((i for i, scene in enumerate(all_scenes) if scene.slug == slug), 0)
