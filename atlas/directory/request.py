"""Shareable views: the query parameters a URL may carry, checked before widgets read them.

Streamlit binds widgets to the URL and silently drops values it cannot use. Checking the raw
parameters first lets the app say which value was ignored and why, instead of the view quietly
differing from the link someone was sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from atlas.ingest.tags import SPECIFIC_FOCI

RADIUS_MIN, RADIUS_MAX, RADIUS_DEFAULT, RADIUS_STEP = 25, 3000, 250, 25
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")

# Which parameters each page understands; a link to a page keeps only these.
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "overview": (),
    "directory": ("focus", "general", "state", "q", "org"),
    "nearby": ("near", "radius", "focus", "general", "state", "q"),
    "fit": ("area",),
    "present": ("scene", "near"),
    "about": (),
}


@dataclass(frozen=True)
class ParamCheck:
    notices: list[str]
    ignored: set[str]


def _shown(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 30 else value[:29] + "…"


def check_params(raw: Mapping[str, Sequence[str]], *, states: Sequence[str] = (), org_ids: Sequence[str] = (),
                 page: str = "directory") -> ParamCheck:
    """Notices for the parameters in `raw` that this page will ignore, one sentence each."""
    notices: list[str] = []
    ignored: set[str] = set()
    wanted = PAGE_PARAMS.get(page, ())

    def ignore(name: str, message: str) -> None:
        ignored.add(name)
        notices.append(message)

    for name in wanted:
        values = [v for v in raw.get(name, []) if v is not None]
        if not values:
            continue
        if name == "focus":
            bad = [v for v in values if v not in SPECIFIC_FOCI]
            if bad:
                ignore(name, f"Ignored focus \"{_shown(bad[0])}\" from the link: choose from "
                             f"{', '.join(SPECIFIC_FOCI)}.")
        elif name == "general":
            if values[-1].lower() not in TRUE_WORDS + FALSE_WORDS:
                ignore(name, f"Ignored general=\"{_shown(values[-1])}\" from the link: use true or false.")
        elif name == "state":
            if values[-1] not in states:
                ignore(name, f"Ignored state \"{_shown(values[-1])}\" from the link: no organization "
                             "in this directory is in that state.")
        elif name == "org":
            if values[-1] not in org_ids:
                ignore(name, f"Ignored org \"{_shown(values[-1])}\" from the link: no such organization.")
        elif name == "radius":
            try:
                radius = float(values[-1])
            except ValueError:
                radius = float("nan")
            if not (RADIUS_MIN <= radius <= RADIUS_MAX):
                ignore(name, f"Ignored radius \"{_shown(values[-1])}\" from the link: use a number of miles "
                             f"from {RADIUS_MIN} to {RADIUS_MAX:,}.")
    return ParamCheck(notices, ignored)


def carry(raw: Mapping[str, Sequence[str]], target_page: str) -> dict[str, list[str]]:
    """The parameters of the current URL that the target page understands, for a link to it."""
    keep = PAGE_PARAMS.get(target_page, ())
    return {name: list(values) for name, values in raw.items() if name in keep and values}


# --- links to a view ----------------------------------------------------------------------

DEFAULT_PUBLIC_URL = "http://localhost:8501"


def view_query(request) -> list[tuple[str, str]]:
    """The query parameters that reproduce a view in the app (see README, "Using the app")."""
    pairs = [("focus", f) for f in request.focus]
    if not request.include_general:
        pairs.append(("general", "false"))
    if request.state:
        pairs.append(("state", request.state))
    if request.query.strip():
        pairs.append(("q", request.query.strip()))
    if request.near.strip():
        pairs.append(("near", request.near.strip()))
        if request.radius_mi:
            pairs.append(("radius", f"{request.radius_mi:g}"))
    if request.org:
        pairs.append(("org", request.org))
    return pairs


def view_url(request, base_url: str = DEFAULT_PUBLIC_URL) -> str:
    """An absolute link that opens the view: the Nearby page when a place is set, else the Directory."""
    page = "nearby" if request.near.strip() and not request.org else "directory"
    query = urlencode(view_query(request))
    return f"{base_url.rstrip('/')}/{page}" + (f"?{query}" if query else "")
