"""What a user asks to see, and how a URL says it: one typed request and one table of parameters.

Every view in the app, the share link, the handout's QR code and `python -m atlas export` start
from a `ViewRequest`. The URL parameters are declared once, in `PARAMS`: each has a name, a
default, a decoder (URL values to a value, or `Invalid` with the reason) and an encoder. The
notices for values the app ignores, the parameters carried by links between pages, the share
link and the widgets' sync with the URL (ui/urlstate.py) are all built from that table, so a
parameter cannot mean one thing in a link and another on the page. The README's parameter
table is the contract.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlencode

from atlas.errors import AtlasError
from atlas.ingest.tags import SPECIFIC_FOCI
from atlas.text import clip, one_line

RADIUS_MIN, RADIUS_MAX, RADIUS_DEFAULT, RADIUS_STEP = 25, 3000, 250, 25
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
DEFAULT_PUBLIC_URL = "http://localhost:8501"


@dataclass(frozen=True)
class ViewRequest:
    """What the user asked to see. No focus chosen means every focus; no place means page order."""
    focus: tuple[str, ...] = ()
    include_general: bool = True
    state: str = ""
    query: str = ""
    near: str = ""
    radius_mi: float | None = None  # None: rank every match by distance, whatever it is
    org: str = ""  # one organization, chosen for its detail card; it does not narrow the list
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east: a map cluster opened

    def replace(self, **changes: Any) -> "ViewRequest":
        return ViewRequest(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes})

    @property
    def filters_are_default(self) -> bool:
        return (self.focus, self.include_general, self.state, self.query, self.bbox) == ((), True, "", "", None)


# --- the parameter table --------------------------------------------------------------------


class Invalid(AtlasError):
    """A URL value this page cannot use; the message ends the notice "Ignored … from the link: "."""


@dataclass(frozen=True)
class Context:
    """What a decoder may check a value against: the directory's states and organization ids."""
    states: Collection[str] = ()
    org_ids: Collection[str] = ()
    check_org: bool = False  # an empty directory has no ids; only check when there is a directory


def _shown(value: str) -> str:
    return clip(one_line(value), 30)


def _focus(values: list[str], _: Context) -> tuple[str, ...]:
    bad = [v for v in values if v not in SPECIFIC_FOCI]
    if bad:
        raise Invalid(f'Ignored focus "{_shown(bad[0])}" from the link: choose from {", ".join(SPECIFIC_FOCI)}.')
    return tuple(dict.fromkeys(values))


def _flag(name: str) -> Callable[[list[str], Context], bool]:
    def decode(values: list[str], _: Context) -> bool:
        word = values[-1].lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise Invalid(f'Ignored {name}="{_shown(values[-1])}" from the link: use true or false.')
    return decode


def _state(values: list[str], context: Context) -> str:
    if values[-1] not in context.states:
        raise Invalid(f'Ignored state "{_shown(values[-1])}" from the link: no organization in this directory '
                      "is in that state.")
    return values[-1]


def _org(values: list[str], context: Context) -> str:
    if context.check_org and values[-1] not in context.org_ids:
        raise Invalid(f'Ignored org "{_shown(values[-1])}" from the link: no such organization.')
    return values[-1]


def _text(values: list[str], _: Context) -> str:
    return values[-1]


def _radius(values: list[str], _: Context) -> float:
    try:
        radius = float(values[-1])
    except ValueError:
        radius = math.nan
    if not RADIUS_MIN <= radius <= RADIUS_MAX:
        raise Invalid(f'Ignored radius "{_shown(values[-1])}" from the link: use a number of miles from '
                      f"{RADIUS_MIN} to {RADIUS_MAX:,}.")
    return float(round(radius))


def _bbox(values: list[str], _: Context) -> tuple[float, float, float, float]:
    try:
        south, west, north, east = (float(v) for v in values[-1].split(","))
    except ValueError:
        raise Invalid(f'Ignored bbox "{_shown(values[-1])}" from the link: use south,west,north,east in degrees.') \
            from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
        raise Invalid(f'Ignored bbox "{_shown(values[-1])}" from the link: use south,west,north,east in degrees.')
    return south, west, north, east


def _one_of(name: str, valid: Sequence[str]) -> Callable[[list[str], Context], str]:
    def decode(values: list[str], _: Context) -> str:
        if values[-1] not in valid:
            raise Invalid(f'Ignored {name} "{_shown(values[-1])}" from the link: choose from {", ".join(valid)}.')
        return values[-1]
    return decode


def _one(value: Any) -> list[str]:
    return [str(value)] if value not in ("", None) else []


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    decode: Callable[[list[str], Context], Any]
    encode: Callable[[Any], list[str]] = _one
    field: str = ""  # the ViewRequest field it fills, if any

    def read(self, values: list[str], context: Context) -> Any:
        """The values decoded. An empty value is the default: a link says "no state" as `state=`, so
        that a value kept from earlier in the session gives way (`ui.urlstate.link_params`). Raises Invalid."""
        if not any(values):
            return self.default
        return self.decode(values, context)

    def value_or(self, values: list[str], context: Context, otherwise: Any) -> Any:
        """The values decoded, or `otherwise` when they cannot be used (`read_url` gives the notice)."""
        try:
            return self.read(values, context)
        except Invalid:
            return otherwise


BODY_AREA_CODES = ("neck", "eyelids", "voice", "hand", "several")  # atlas.directory.fit.BODY_AREAS' keys
SCENE_SLUGS = ("all", "torticollis", "blepharospasm", "speech", "near")  # atlas.directory.scenes.scenes()' slugs

PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("focus", (), _focus, list, field="focus"),
    Param("general", True, _flag("general"), lambda value: ["true" if value else "false"], field="include_general"),
    Param("state", "", _state, field="state"),
    Param("q", "", _text, lambda value: [value.strip()] if value.strip() else [], field="query"),
    Param("near", "", _text, lambda value: [value.strip()] if value.strip() else [], field="near"),
    Param("radius", None, _radius, lambda value: [f"{value:g}"] if value else [], field="radius_mi"),
    Param("org", "", _org, field="org"),
    Param("bbox", None, _bbox, lambda box: [",".join(f"{v:g}" for v in box)] if box else [], field="bbox"),
    Param("area", None, _one_of("area", BODY_AREA_CODES)),
    Param("scene", "", _one_of("scene", SCENE_SLUGS)),
    Param("present", False, _flag("present"), lambda value: ["1"] if value else []),
)}

# Which parameters each page understands; a link to a page keeps only these.
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "overview": (),
    "directory": ("focus", "general", "state", "q", "org", "bbox"),
    "nearby": ("near", "radius", "focus", "general", "state", "q", "bbox"),
    "fit": ("area",),
    "present": ("scene", "near"),
    "about": (),
}


@dataclass(frozen=True)
class UrlValues:
    values: dict[str, Any]  # every parameter the page understands: from the URL, else its default
    notices: list[str] = field(default_factory=list)
    ignored: set[str] = field(default_factory=set)


def read_url(raw: Mapping[str, Sequence[str]], page: str, context: Context = Context()) -> UrlValues:
    """Decode the parameters `page` understands; an unusable value falls back to its default, with a notice."""
    values, notices, ignored = {}, [], set()
    for name in PAGE_PARAMS.get(page, ()):
        param = PARAMS[name]
        given = [v for v in raw.get(name, []) if v is not None]
        values[name] = param.default
        if not given:
            continue
        try:
            values[name] = param.read(given, context)
        except Invalid as reason:
            ignored.add(name)
            notices.append(str(reason))
    return UrlValues(values, notices, ignored)


def request_from(values: Mapping[str, Any], **changes: Any) -> ViewRequest:
    """The request that decoded URL (or widget) values describe."""
    known = {PARAMS[name].field: value for name, value in values.items() if name in PARAMS and PARAMS[name].field}
    return ViewRequest(**{**known, **changes})


@dataclass(frozen=True)
class ParamCheck:
    notices: list[str]
    ignored: set[str]


def check_params(raw: Mapping[str, Sequence[str]], *, states: Sequence[str] = (), org_ids: Sequence[str] = (),
                 page: str = "directory") -> ParamCheck:
    """Notices for the parameters in `raw` that this page will ignore, one sentence each."""
    read = read_url(raw, page, Context(states=states, org_ids=org_ids, check_org=True))
    return ParamCheck(read.notices, read.ignored)


def carry(raw: Mapping[str, Sequence[str]], target_page: str) -> dict[str, list[str]]:
    """The parameters of the current URL that the target page understands, for a link to it."""
    keep = PAGE_PARAMS.get(target_page, ())
    return {name: list(values) for name, values in raw.items() if name in keep and values}


# --- links to a view ------------------------------------------------------------------------

_URL_ORDER = ("focus", "general", "state", "q", "near", "radius", "bbox", "org")


def view_query(request: ViewRequest) -> list[tuple[str, str]]:
    """The query parameters that reproduce a view in the app (see README, "Using the app")."""
    pairs = []
    for name in _URL_ORDER:
        param = PARAMS[name]
        value = getattr(request, param.field)
        if name == "radius" and not request.near.strip():
            continue
        if value != param.default:
            pairs += [(name, encoded) for encoded in param.encode(value)]
    return pairs


def view_params(request: ViewRequest) -> dict[str, list[str]]:
    """`view_query` grouped by name, as a link to another page of the app takes its parameters."""
    grouped: dict[str, list[str]] = {}
    for name, value in view_query(request):
        grouped.setdefault(name, []).append(value)
    return grouped


def view_url(request: ViewRequest, base_url: str = DEFAULT_PUBLIC_URL) -> str:
    """An absolute link that opens the view: the Nearby page when a place is set, else the Directory."""
    page = "nearby" if request.near.strip() and not request.org else "directory"
    query = urlencode(view_query(request))
    return f"{base_url.rstrip('/')}/{page}" + (f"?{query}" if query else "")
