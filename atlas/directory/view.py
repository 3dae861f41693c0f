"""A view: the organizations a user is looking at, and a sentence that says which.

The app's pages and `python -m atlas export` both turn their inputs into a `ViewRequest`, and
`select_view` turns that into a `View`. Every export, the static map, the handout and the share
link are built from a View, so the app and the command line cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from geopy.geocoders.base import Geocoder

from atlas.directory.distance import Filters, filter_frame, nearby, to_frame
from atlas.errors import ViewError
from atlas.geocode import Place, locate
from atlas.ingest.regions import region_name
from atlas.ingest.tags import SPECIFIC_FOCI, focus_label
from atlas.model import Organization, Page


@dataclass(frozen=True)
class ViewRequest:
    focus: tuple[str, ...] = ()
    include_general: bool = True
    state: str = ""
    query: str = ""
    near: str = ""
    radius_mi: float | None = None
    org: str = ""  # one organization, chosen in the directory

    @classmethod
    def from_filters(cls, filters: Filters, **place_or_org) -> "ViewRequest":
        """The request for what a page's filter bar shows, plus a place or an organization."""
        return cls(focus=filters.focus, include_general=filters.include_general, state=filters.state,
                   query=filters.query, **place_or_org)

    @property
    def filters(self) -> Filters:
        return Filters(focus=self.focus, include_general=self.include_general, state=self.state, query=self.query)


@dataclass(frozen=True)
class View:
    request: ViewRequest
    page: Page
    organizations: list[Organization]
    origin: Place | None = None
    distances_mi: dict[str, float] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return describe(self.request, self.origin)

    @property
    def as_of(self) -> date:
        return self.page.reviewed_on

    @property
    def empty(self) -> bool:
        return not self.organizations


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe(request: ViewRequest, origin: Place | None = None) -> str:
    """ "Torticollis and general dystonia groups within 250 miles of Chicago, IL, USA" and the like."""
    chosen = [f for f in SPECIFIC_FOCI if f in request.focus]
    if chosen:
        names = [focus_label(f, short=True).lower() for f in chosen]
        if request.include_general:
            names.append("general dystonia")
        text = _join(names).capitalize() + " groups"
    elif request.include_general:
        text = "Dystonia support organizations"
    else:
        text = "Organizations for a specific form of dystonia"
    if request.state:
        text += f" in {region_name(request.state)}"
    if request.query.strip():
        text += f' matching "{request.query.strip()}"'
    if origin is not None:
        text += (f" within {request.radius_mi:,.0f} miles of {origin.label}" if request.radius_mi
                 else f", nearest to {origin.label}")
    return text


def select_view(page: Page, organizations: list[Organization], request: ViewRequest,
                geocoder: Geocoder | None = None) -> View:
    """The organizations matching `request`, in page order or nearest first when a place is given."""
    if request.org:
        chosen = [o for o in organizations if o.id == request.org]
        if not chosen:
            raise ViewError(f"no organization has the id {request.org!r}")
        return View(request, page, chosen)
    frame = filter_frame(to_frame(organizations), request.filters)
    by_id = {o.id: o for o in organizations}
    if not request.near.strip():
        return View(request, page, [by_id[i] for i in frame["id"]])
    result = locate(request.near, geocoder)
    if result.place is None:
        raise ViewError(result.message)
    place = result.place
    found = nearby(frame, place.latitude, place.longitude, request.radius_mi or float("inf"))
    distances = {row.id: round(float(row.distance_mi), 1) for row in found.within.itertuples()}
    return View(request, page, [by_id[i] for i in found.within["id"]], origin=place, distances_mi=distances)
