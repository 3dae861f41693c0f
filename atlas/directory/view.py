"""One view: from a request to everything a page, an export or a slide shows, computed once.

    select_view(atlas, request, geocoder)  ->  View

The map, the table, the detail card, the export panel, the handout and presentation mode all
read the same View, so the place is geocoded once and the organizations ranked once per rerun,
and the app and `python -m atlas export` cannot drift apart. Selecting is arithmetic on the
arrays that `atlas.directory.load` prepared: masks, a ranking from the spatial index, a slice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
from geopy.geocoders.base import Geocoder

from atlas.directory.distance import KM_PER_MILE, wider_radius
from atlas.directory.load import DISTANCE_COLUMNS, TABLE_COLUMNS, Atlas, prepare
from atlas.directory.request import RADIUS_MAX, ViewRequest
from atlas.errors import ViewError
from atlas.geocode import LocateResult, Place, locate
from atlas.ingest.tags import FOCI, SPECIFIC_FOCI, focus_label
from atlas.model import Organization, Page
from atlas.regions import region_name

FALLBACK_COUNT = 3      # the nearest offices shown when none is inside the radius
UNPLACED_NAMED = 5     # a sentence names this many organizations with no map point, then counts the rest
RANK_LIMIT = 10_000     # a ranking longer than this is cut: nobody reads past the nearest ten thousand
# The table sends at most this many rows to the browser (about 3 MB): enough to scroll and sort, while
# the caption gives the whole count and the CSV export holds every row.
TABLE_ROWS = 20_000


@dataclass(frozen=True)
class NearestOfFocus:
    """The nearest organization with a chosen focus, when the view itself holds none."""
    focus: str
    row: int
    miles: float
    name: str
    place: str

    @property
    def sentence(self) -> str:
        group = FOCI[self.focus].label.split(" (")[0].lower()
        where = f" in {self.place}" if self.place else ""
        return f"The nearest {group} group is {self.name}, about {self.miles:,.0f} miles away{where}."


@dataclass(frozen=True, eq=False)
class View:
    atlas: Atlas
    request: ViewRequest
    rows: np.ndarray                   # directory positions of the organizations shown, in order
    matching: int                      # organizations that match the filters, before radius and ranking
    located: LocateResult | None = None  # the place search, found or not (None: no place asked for)
    miles: np.ndarray | None = None    # distance of each shown row, when a place was found
    fallback: bool = False             # nothing is within the radius: rows are the nearest few instead
    suggested_radius_mi: float | None = None
    nearest_of_focus: tuple[NearestOfFocus, ...] = ()
    selected: int | None = None        # the row of request.org
    truncated: bool = False            # the ranking was cut at RANK_LIMIT
    beyond: int = 0                    # rows added at the end: the nearest group of a focus, outside the radius
    notes: tuple[str, ...] = field(default_factory=tuple)
    unplaced: int = 0                  # organizations that match but have no map point: distance cannot rank them
    unplaced_rows: tuple[int, ...] = ()  # the first UNPLACED_NAMED of them, to name

    @classmethod
    def listing(cls, request: ViewRequest, page: Page, organizations: list[Organization],
                origin: Place | None = None) -> "View":
        """A view of exactly these organizations, in this order, as if searched from `origin`: for
        outputs made from a list rather than from a directory (a slide of hand-picked groups, tests)."""
        atlas = prepare(page, organizations)
        located = None if origin is None else LocateResult(origin.label, origin)
        return cls(atlas, request, np.arange(len(atlas)), len(atlas), located=located)

    # --- what the outputs read -----------------------------------------------------------

    @property
    def page(self) -> Page:
        return self.atlas.page

    @property
    def origin(self) -> Place | None:
        return self.located.place if self.located is not None else None

    @property
    def problem(self) -> str:
        """Why a place search found nothing ("" when it did, or when there was none)."""
        return self.located.message if self.located is not None and self.located.place is None else ""

    @property
    def title(self) -> str:
        return describe(self.request, self.origin)

    @property
    def as_of(self) -> date | None:
        return self.page.reviewed_on

    @property
    def empty(self) -> bool:
        return self.rows.size == 0

    def __len__(self) -> int:
        return int(self.rows.size)

    @functools.cached_property
    def organizations(self) -> list[Organization]:
        return [self.atlas.organizations[row] for row in self.rows]

    @functools.cached_property
    def distances_mi(self) -> dict[str, float]:
        if self.miles is None:
            return {}
        ids = self.atlas.frame["id"].to_numpy()[self.rows]
        return {org_id: round(float(mi), 1) for org_id, mi in zip(ids, self.miles)}

    @property
    def selected_organization(self) -> Organization | None:
        return None if self.selected is None else self.atlas.organizations[self.selected]

    def table(self) -> pd.DataFrame:
        """The shown rows' display columns (prepared at load), with distances when ranked."""
        return self.grid.to_pandas()

    @property
    def table_truncated(self) -> bool:
        return len(self) > TABLE_ROWS

    @functools.cached_property
    def grid(self) -> pa.Table:
        """The table as Arrow: ids and display columns taken from the prepared table in one call,
        with distances when ranked. At most TABLE_ROWS rows."""
        grid = self.atlas.display.take(pa.array(self.rows[:TABLE_ROWS], type=pa.int64()))
        if self.miles is not None:
            miles = self.miles[:TABLE_ROWS]
            grid = grid.append_column("Miles", pa.array(np.round(miles, 1)))
            grid = grid.append_column("Km", pa.array(np.round(miles * KM_PER_MILE, 1)))
        return grid

    @property
    def table_columns(self) -> list[str]:
        if self.miles is None:
            return list(TABLE_COLUMNS)
        return ["Organization", *DISTANCE_COLUMNS, *TABLE_COLUMNS[1:]]

    @functools.cached_property
    def all_national(self) -> bool:
        national = self.atlas.frame["is_national"].to_numpy(bool)[self.rows]
        return bool(len(national)) and bool(national.all())

    @property
    def unplaced_sentence(self) -> str:
        """Names the matching organizations a ranking leaves out, so none is lost without a word."""
        if not self.unplaced:
            return ""
        names = [self.atlas.organizations[row].name for row in self.unplaced_rows]
        count = self.unplaced
        listed = _join(names + ([f"{count - len(names):,} more"] if count > len(names) else []))
        return (f"{count:,} matching organization{'s have' if count != 1 else ' has'} no map position, so "
                f"distance cannot rank {'them' if count != 1 else 'it'}: {listed}. The Directory lists "
                f"{'them' if count != 1 else 'it'} with the rest.")

    @property
    def summary(self) -> str:
        """One sentence on how many organizations the view holds."""
        if self.located is None:
            return f"Showing {len(self):,} of {len(self.atlas):,} organizations."
        if self.origin is None:
            return ""
        count = len(self) - self.beyond
        plural = "s" if count != 1 else ""
        if self.fallback:
            return f"No organization has an office within {self.request.radius_mi:,.0f} miles; the nearest are shown."
        if self.request.radius_mi:
            return (f"**{count:,}** organization{plural} within {self.request.radius_mi:,.0f} miles, "
                    "nearest first.")
        lead = f"**{count:,}** organization{plural}, nearest first"
        if self.truncated:
            lead += f" (the nearest {count:,} of {self.matching:,} matching)"
        return lead + "."


# --- describing a view ------------------------------------------------------------------------


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
    if request.bbox is not None:
        text += " in the chosen map area"
    if origin is not None:
        text += (f" within {request.radius_mi:,.0f} miles of {origin.label}" if request.radius_mi
                 else f", nearest to {origin.label}")
    return text


# --- selecting --------------------------------------------------------------------------------


def filter_mask(atlas: Atlas, request: ViewRequest) -> np.ndarray:
    """Rows that match the request's focus, state, text and map-area filters."""
    frame = atlas.frame
    mask = np.ones(len(frame), dtype=bool)
    chosen = [f for f in request.focus if f in SPECIFIC_FOCI]
    if chosen or not request.include_general:
        specific = [atlas.focus_mask(code) for code in (chosen or SPECIFIC_FOCI)]
        focus_ok = np.logical_or.reduce(specific) if specific else np.zeros(len(frame), dtype=bool)
        if request.include_general:
            focus_ok |= atlas.focus_mask("general")
        mask &= focus_ok
    if request.state:
        mask &= (frame["state"] == request.state).to_numpy(bool)
    for word in request.query.casefold().split():
        mask &= frame["search"].str.contains(word, regex=False).to_numpy(bool)
    if request.bbox is not None:
        south, west, north, east = request.bbox
        lat, lon = atlas.index.lats, atlas.index.lons
        with np.errstate(invalid="ignore"):
            mask &= (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    return mask


def select_view(atlas: Atlas, request: ViewRequest, geocoder: Geocoder | None = None) -> View:
    """The organizations matching `request`: in page order, or nearest first when a place is given."""
    mask = filter_mask(atlas, request)
    matching = int(mask.sum())
    selected = atlas.row_of(request.org)
    if not request.near.strip():
        return View(atlas, request, np.flatnonzero(mask), matching, selected=selected)

    located = locate(request.near, geocoder)
    if located.place is None:
        return View(atlas, request, np.empty(0, dtype=np.int64), matching, located=located, selected=selected)
    place = located.place
    radius_km = request.radius_mi * KM_PER_MILE if request.radius_mi else None
    ranked = atlas.index.rank(place.latitude, place.longitude, mask, radius_km=radius_km,
                              limit=None if radius_km else RANK_LIMIT)
    rows, miles = ranked.rows, ranked.km / KM_PER_MILE
    fallback, suggestion = False, None
    nearest = atlas.index.rank(place.latitude, place.longitude, mask, limit=FALLBACK_COUNT) \
        if radius_km is not None and rows.size == 0 else None
    if nearest is not None and nearest.rows.size:
        rows, miles, fallback = nearest.rows, nearest.km / KM_PER_MILE, True
        reach = float(miles[0]) if miles.size else None
        wider = wider_radius(request.radius_mi, reach, RADIUS_MAX)
        # only a radius that reaches the nearest office is worth offering
        suggestion = wider if wider > request.radius_mi and (reach is None or wider >= reach) else None
    truncated = radius_km is None and rows.size < matching and rows.size == RANK_LIMIT
    nearest_of_focus = _nearest_of_focus(atlas, request, place, rows)
    extra = [n for n in nearest_of_focus if n.row not in set(rows.tolist())]
    if extra:  # shown too, after the view's own rows, so the map, table and exports hold them
        rows = np.concatenate([rows, np.array([n.row for n in extra], dtype=rows.dtype)])
        miles = np.concatenate([miles, np.array([n.miles for n in extra])])
    unplaced = np.flatnonzero(mask & ~atlas.index.located)
    return View(atlas, request, rows, matching, located=located, miles=miles, fallback=fallback,
                suggested_radius_mi=suggestion, nearest_of_focus=nearest_of_focus, selected=selected,
                truncated=truncated, notes=tuple(n.sentence for n in nearest_of_focus), beyond=len(extra),
                unplaced=int(unplaced.size), unplaced_rows=tuple(int(row) for row in unplaced[:UNPLACED_NAMED]))


def _nearest_of_focus(atlas: Atlas, request: ViewRequest, place: Place, rows: np.ndarray) -> tuple[NearestOfFocus, ...]:
    """For each chosen focus the view shows no group for, the nearest group that has it, however far."""
    found = []
    for code in (f for f in request.focus if f in SPECIFIC_FOCI):
        has_focus = atlas.focus_mask(code)
        if rows.size and has_focus[rows].any():
            continue
        nearest = atlas.index.rank(place.latitude, place.longitude, has_focus, limit=1)
        if nearest.rows.size:
            row = int(nearest.rows[0])
            org = atlas.organizations[row]
            found.append(NearestOfFocus(code, row, float(nearest.km[0] / KM_PER_MILE), org.name,
                                        ", ".join(p for p in (org.city, org.state) if p)))
    return tuple(found)


def names_matching(atlas: Atlas, rows: np.ndarray, text: str, limit: int) -> list[str]:
    """Ids of up to `limit` of `rows` whose name or city holds every word of `text`, in the rows' order."""
    hits = np.asarray(rows)
    search = atlas.frame["search"]  # names and cities, lower-cased once at load
    for word in text.casefold().split():
        hits = hits[search.iloc[hits].str.contains(word, regex=False).to_numpy(bool)]
    return atlas.frame["id"].iloc[hits[:limit]].tolist()


def require_place(view: View) -> View:
    """The view, or a ViewError saying why its place could not be found (for the command line)."""
    if view.problem:
        raise ViewError(view.problem)
    return view
