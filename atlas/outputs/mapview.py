"""Map building: a pydeck Deck that reads well offline, in tests, and on a projector.

- The US-states outline layer comes from `data/us_states.geojson`, so no basemap tiles are
  needed; a street basemap (Carto) is an option for users who are online.
- Points are coloured by focus with the Okabe–Ito palette (safe for colour-blind viewers) and
  carry a letter (T, B, S, G), so colour is never the only cue.
- Tooltips use pydeck's plain-text form: organization names are shown as text, never as HTML.
- The map receives only the columns it draws, with coordinates rounded to what a screen shows.
- Up to `POINT_LIMIT` organizations are drawn one by one. Above it, the server groups them into
  grid cells and sends one marker per cell with its count and focus mix; clicking a cell narrows
  the view to it, so any organization is a few clicks away. The spec then stays small (a few
  hundred cells) whether the directory holds a thousand organizations or a million.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk
import pydeck.bindings.deck
from geopy import Point
from pydeck.bindings.json_tools import default_serialize
from geopy.distance import distance

from atlas.ingest.tags import FOCI

OUTLINES_FILE = Path(__file__).resolve().parents[2] / "static" / "us_states.geojson"

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
FOCUS_COLORS: dict[str, tuple[int, int, int]] = {
    "torticollis": (230, 159, 0),     # orange
    "blepharospasm": (86, 180, 233),  # sky blue
    "speech": (0, 158, 115),          # bluish green
    "general": (204, 121, 167),       # reddish purple
}
FOCUS_LETTERS = {"torticollis": "T", "blepharospasm": "B", "speech": "S", "general": "G"}
ORIGIN_COLOR = (17, 17, 17)
MAP_COLUMNS = ["id", "name", "place", "focus_label", "longitude", "latitude", "color", "letter"]
SOURCE_COLUMNS = ["id", "name", "place", "focus", "focus_label", "latitude", "longitude",
                  *(f"is_{code}" for code in FOCI)]  # the columns of a prepared directory a map reads
CLUSTER_SOURCE_COLUMNS = ["latitude", "longitude", *(f"is_{code}" for code in FOCI)]  # all that cells read
CLUSTER_COLUMNS = ["name", "place", "focus_label", "longitude", "latitude", "color", "letter", "size", "bbox"]
OUTLINES_URL = "app/static/us_states.geojson"  # relative, so it also works under a proxy's path prefix
# 2,000 points are about 250 kB of spec and draw smoothly in a laptop's browser; above that the
# markers overlap into a blob at national zoom anyway, and cells say more.
POINT_LIMIT = 2_000
CLUSTER_CELLS = 24      # cells across the longer side of what is shown
COORDINATE_DECIMALS = 4  # about 11 m: finer than a marker at the closest zoom the map opens at
CONTIGUOUS_US = (24.5, -124.8, 49.4, -66.9)  # south, west, north, east
NATIONAL_SPAN_DEGREES = 20.0


# pydeck tries to import its Jupyter widget on every Deck it makes; without ipywidgets the import
# fails and is attempted (module code and all) again next time. The answer cannot change within a
# process, so ask once: a map page's rerun no longer re-executes that module.
pydeck.bindings.deck.has_jupyter_extra = functools.cache(pydeck.bindings.deck.has_jupyter_extra)


@dataclass(frozen=True)
class LegendEntry:
    code: str
    label: str
    letter: str
    hex_color: str


def legend(present: set[str] | None = None) -> list[LegendEntry]:
    """Every focus, or only those in `present`: a legend explains what the map shows, nothing more."""
    return [LegendEntry(code, FOCI[code].label, FOCUS_LETTERS[code], "#%02x%02x%02x" % FOCUS_COLORS[code])
            for code in FOCI if present is None or code in present]


def point_style(focus: tuple[str, ...]) -> tuple[list[int], str]:
    """Colour of an organization's first focus, and the letters of all of them ("B+S")."""
    tags = [t for t in focus if t in FOCUS_COLORS] or ["general"]
    return [*FOCUS_COLORS[tags[0]], 235], "+".join(FOCUS_LETTERS[t] for t in tags)


@functools.cache
def _style(tags: str) -> tuple[list[int], str]:
    """The style of a focus cell as organizations.csv writes it ("blepharospasm;speech")."""
    return point_style(tuple(t for t in tags.split(";") if t))


def focus_codes(frame: pd.DataFrame) -> set[str]:
    """The foci of the organizations in `frame` that have a point: what the legend must explain."""
    located = frame[frame["latitude"].notna() & frame["longitude"].notna()]
    codes = {code for code in FOCI if located[f"is_{code}"].any()}
    untagged = ~np.logical_or.reduce([located[f"is_{code}"].to_numpy(bool) for code in FOCI]) if len(located) else []
    return codes | ({"general"} if np.any(untagged) else set())


def map_points(frame: pd.DataFrame) -> pd.DataFrame:
    """The organizations that have a point, reduced to what the map draws."""
    located = frame[frame["latitude"].notna() & frame["longitude"].notna()]
    styles = [_style(tags) for tags in located["focus"]]
    points = located.assign(color=[s[0] for s in styles], letter=[s[1] for s in styles],
                            longitude=located["longitude"].round(COORDINATE_DECIMALS),
                            latitude=located["latitude"].round(COORDINATE_DECIMALS))
    return points[MAP_COLUMNS].reset_index(drop=True)


def stacked(points: pd.DataFrame) -> pd.DataFrame:
    """Spots where several organizations share one point (a city or ZIP centre): where, and "×3"."""
    if points.empty:
        return pd.DataFrame(columns=["longitude", "latitude", "count"])
    sizes = points.groupby(["longitude", "latitude"], sort=False).size()
    sizes = sizes[sizes > 1]
    return pd.DataFrame({"longitude": sizes.index.get_level_values(0), "latitude": sizes.index.get_level_values(1),
                         "count": [f"×{n}" for n in sizes.to_numpy()]})


def _short_count(count: int) -> str:
    return f"{count}" if count < 1000 else f"{count / 1000:.0f}k" if count >= 10_000 else f"{count / 1000:.1f}k"


def clusters(frame: pd.DataFrame, cells: int = CLUSTER_CELLS) -> pd.DataFrame:
    """Located organizations grouped into grid cells over what is shown: one row per non-empty cell,
    at the mean position of its members, with its count, focus mix and the box that holds them."""
    located = frame[frame["latitude"].notna() & frame["longitude"].notna()]
    lat, lon = located["latitude"].to_numpy(float), located["longitude"].to_numpy(float)
    if lat.size == 0:
        return pd.DataFrame(columns=CLUSTER_COLUMNS + ["count"])
    south, north, west, east = lat.min(), lat.max(), lon.min(), lon.max()
    size = max(north - south, east - west, 1e-6) / cells
    iy = np.floor((lat - south) / size).astype(np.int64)
    ix = np.floor((lon - west) / size).astype(np.int64)
    cell = iy * (cells + 1) + ix
    keys, inverse, counts = np.unique(cell, return_inverse=True, return_counts=True)
    n = keys.size
    mean_lat = np.bincount(inverse, lat, n) / counts
    mean_lon = np.bincount(inverse, lon, n) / counts
    box = [np.full(n, np.inf), np.full(n, np.inf), np.full(n, -np.inf), np.full(n, -np.inf)]
    np.minimum.at(box[0], inverse, lat)
    np.minimum.at(box[1], inverse, lon)
    np.maximum.at(box[2], inverse, lat)
    np.maximum.at(box[3], inverse, lon)
    mix = {code: np.bincount(inverse, located[f"is_{code}"].to_numpy(float), n) for code in FOCI}
    rows = []
    for i in range(n):
        parts = [(code, int(mix[code][i])) for code in FOCI if mix[code][i]]
        top = max(parts, key=lambda part: part[1])[0] if parts else "general"
        count = int(counts[i])
        rows.append({
            "name": f"{count:,} organization{'s' if count != 1 else ''} here",
            "place": "Click to zoom in",
            "focus_label": ", ".join(f"{FOCI[code].short_label} {k:,}" for code, k in parts),
            "longitude": round(float(mean_lon[i]), COORDINATE_DECIMALS),
            "latitude": round(float(mean_lat[i]), COORDINATE_DECIMALS),
            "color": [*FOCUS_COLORS[top], 235], "letter": _short_count(count),
            "size": float(min(36.0, 12.0 + 4.0 * math.log10(count) * 2)),
            "bbox": ",".join(f"{v:.5f}" for v in (np.floor(box[0][i] * 1e5) / 1e5, np.floor(box[1][i] * 1e5) / 1e5,
                                                 np.ceil(box[2][i] * 1e5) / 1e5, np.ceil(box[3][i] * 1e5) / 1e5)),
            "count": count,
        })
    return pd.DataFrame(rows)


@functools.cache
def state_outlines(path: Path = OUTLINES_FILE) -> dict:
    """The bundled outline GeoJSON (for the slide map); an empty collection if the file is absent."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"type": "FeatureCollection", "features": []}


def radius_ring(lat: float, lon: float, miles: float, segments: int = 90) -> list[list[float]]:
    """A closed [lon, lat] path at a fixed geodesic distance around a point."""
    centre = Point(lat, lon)
    ring = []
    for i in range(segments + 1):
        p = distance(miles=miles).destination(centre, bearing=360.0 * i / segments)
        ring.append([round(p.longitude, 5), round(p.latitude, 5)])
    return ring


def fit_view(lats: list[float], lons: list[float], *, width_px: int = 800, height_px: int = 500,
             max_zoom: float = 6.5) -> pdk.ViewState:
    """A view that shows every given point with a margin (Web Mercator zoom for the bounds)."""
    if not lats:
        south, west, north, east = CONTIGUOUS_US
    else:
        south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    lat_c, lon_c = (south + north) / 2, (west + east) / 2

    def mercator_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 0.01) / 360.0
    lat_span = max(mercator_y(north) - mercator_y(south), 0.0002) / (2 * math.pi)
    zoom_x = math.log2(width_px / 512.0 / lon_span)
    zoom_y = math.log2(height_px / 512.0 / lat_span)
    zoom = min(zoom_x, zoom_y, max_zoom) - 0.35  # margin so edge points and labels stay inside
    return pdk.ViewState(latitude=round(lat_c, 4), longitude=round(lon_c, 4), zoom=round(max(zoom, 1.0), 2))


@dataclass(frozen=True)
class Origin:
    label: str
    latitude: float
    longitude: float
    radius_mi: float | None = None


class Deck(pdk.Deck):
    """A Deck that turns itself into JSON once: Streamlit asks on every rerun, and a cached map's
    layers never change."""

    def to_json(self) -> str:
        # pydeck's own JSON is indented, which makes Python's json module fall back to its slow
        # pure-Python encoder and sends every visitor the whitespace. The same document, compact.
        if getattr(self, "_json", None) is None:
            self._json = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
        return self._json


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as the JSON records a layer draws, built column-wise: pydeck's own conversion
    (DataFrame.to_dict) costs several times as much."""
    values = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def build_deck(points: pd.DataFrame, *, origin: Origin | None = None, selected_id: str | None = None,
               basemap: bool = False, height: int = 500, width: int = 800, outlines: dict | str = OUTLINES_URL,
               grouped: bool = False) -> pdk.Deck:
    """`points` is `map_points(...)`, or `clusters(...)` with `grouped=True`. `width` is the map's
    expected width in pixels, used only to choose the starting zoom."""
    layers = [pdk.Layer(
        "GeoJsonLayer", data=outlines, id="state-outlines",
        stroked=True, filled=not basemap, get_fill_color=[238, 238, 232], get_line_color=[140, 140, 140],
        line_width_min_pixels=1, pickable=False,
    )]
    lats, lons = list(points["latitude"]), list(points["longitude"])

    if origin is not None:
        if origin.radius_mi:
            ring = radius_ring(origin.latitude, origin.longitude, origin.radius_mi)
            layers.append(pdk.Layer("PathLayer", data=[{"path": ring}], id="radius-ring", get_path="path",
                                    get_color=[60, 60, 60], width_min_pixels=2, pickable=False))
            lats += [p[1] for p in ring]
            lons += [p[0] for p in ring]
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=[{"name": origin.label, "longitude": origin.longitude,
                                       "latitude": origin.latitude}],
            id="origin", get_position=["longitude", "latitude"], get_fill_color=[255, 255, 255],
            get_line_color=list(ORIGIN_COLOR), stroked=True, line_width_min_pixels=3, radius_units="'pixels'",
            get_radius=8, pickable=False))
        lats.append(origin.latitude)
        lons.append(origin.longitude)

    if selected_id is not None:
        chosen = points[points["id"] == selected_id]
        if not chosen.empty:
            layers.append(pdk.Layer(
                "ScatterplotLayer", data=_records(chosen, ["longitude", "latitude"]), id="selected-ring",
                get_position=["longitude", "latitude"], filled=False, stroked=True, radius_units="'pixels'",
                get_radius=17, get_line_color=list(ORIGIN_COLOR), line_width_min_pixels=3, pickable=False))

    if grouped:
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=_records(points, CLUSTER_COLUMNS), id="clusters", get_position=["longitude", "latitude"],
            get_fill_color="color", get_line_color=[30, 30, 30], stroked=True, line_width_min_pixels=1.5,
            radius_units="'pixels'", get_radius="size", pickable=True, auto_highlight=True))
        layers.append(pdk.Layer(
            "TextLayer", data=_records(points, ["longitude", "latitude", "letter"]), id="cluster-counts",
            get_position=["longitude", "latitude"], get_text="letter", get_size=12, size_units="'pixels'",
            get_color=[17, 17, 17], get_text_anchor="'middle'", get_alignment_baseline="'center'", font_weight=700,
            pickable=False))
    else:
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=_records(points, MAP_COLUMNS), id="organizations", get_position=["longitude", "latitude"],
            get_fill_color="color", get_line_color=[30, 30, 30], stroked=True, line_width_min_pixels=1.5,
            radius_units="'pixels'", get_radius=11, pickable=True, auto_highlight=True))
        layers.append(pdk.Layer(
            "TextLayer", data=_records(points, ["longitude", "latitude", "letter"]), id="organization-letters",
            get_position=["longitude", "latitude"], get_text="letter", get_size=12, size_units="'pixels'",
            get_color=[17, 17, 17], get_text_anchor="'middle'", get_alignment_baseline="'center'", font_weight=700,
            pickable=False))
        stacks = stacked(points)
        if len(stacks):  # several organizations at one spot: a count beside the marker says so
            layers.append(pdk.Layer(
                "TextLayer", data=_records(stacks, ["longitude", "latitude", "count"]), id="stacked-counts", get_position=["longitude", "latitude"],
                get_text="count", get_size=13, size_units="'pixels'", get_color=[17, 17, 17],
                get_pixel_offset=[14, -14], get_text_anchor="'start'", get_alignment_baseline="'bottom'",
                font_weight=700, background=True, get_background_color=[255, 255, 255, 230], pickable=False))

    if origin is None and lons and max(lons) - min(lons) > NATIONAL_SPAN_DEGREES:
        south, west, north, east = CONTIGUOUS_US  # a national spread reads best as the whole country
        lats, lons = lats + [south, north], lons + [west, east]

    # No basemap: map_provider=None with pydeck's own default map_style. Streamlit drops that
    # default, whereas a missing or None style makes it fetch Carto's street style from the internet.
    basemap_options = {"map_provider": "carto", "map_style": "light"} if basemap else {"map_provider": None}
    return Deck(
        layers=layers,
        initial_view_state=fit_view(lats, lons, width_px=width, height_px=height),
        **basemap_options,
        tooltip={"text": "{name}\n{place}\nFocus: {focus_label}"},
        height=height,
    )


@dataclass(frozen=True, eq=False)
class MapSpec:
    """Everything a map widget shows for one view: the deck, its text alternative, the legend's foci."""
    deck: pdk.Deck
    alt: str
    codes: frozenset[str]
    grouped: bool
    located: int


def view_map(frame: pd.DataFrame, rows: np.ndarray, **options) -> MapSpec:
    """The map of rows of a prepared directory frame. Above POINT_LIMIT located rows only the
    coordinates and focus flags are taken: grid cells need nothing else."""
    lat, lon = frame["latitude"].to_numpy(float)[rows], frame["longitude"].to_numpy(float)[rows]
    located = int(np.count_nonzero(np.isfinite(lat) & np.isfinite(lon)))
    columns = CLUSTER_SOURCE_COLUMNS if located > POINT_LIMIT else SOURCE_COLUMNS
    return map_spec(frame[columns].take(rows), **options)


def map_spec(shown: pd.DataFrame, *, origin: Origin | None = None, selected_id: str | None = None,
             basemap: bool = False, height: int = 500, width: int = 800) -> MapSpec:
    """The map of the organizations in `shown` (rows of a prepared directory frame): one point each
    up to POINT_LIMIT, grid cells above it."""
    located = int(shown["latitude"].notna().sum())
    grouped = located > POINT_LIMIT
    points = clusters(shown) if grouped else map_points(shown)
    deck = build_deck(points, origin=origin, selected_id=None if grouped else selected_id, grouped=grouped,
                      basemap=basemap, height=height, width=width)
    deck.to_json()  # worked out here, once, while the spec is cached
    return MapSpec(deck, describe(points, origin, grouped=grouped), frozenset(focus_codes(shown)), grouped, located)


ALT_TEXT_NAMES = 25  # the table beside every map lists the rest


def describe(points: pd.DataFrame, origin: Origin | None = None, grouped: bool = False) -> str:
    """A text alternative for the map, for screen readers and image-less views."""
    if grouped:
        total = int(points["count"].sum()) if len(points) else 0
        lead = f"Map of {total:,} organizations in {len(points):,} areas"
        return lead + (f" around {origin.label}." if origin is not None else ". The table lists them.")
    shown = points.head(ALT_TEXT_NAMES)
    names = "; ".join(f"{row.name} ({row.place})" for row in shown.itertuples())
    if len(points) > len(shown):
        names += f"; and {len(points) - len(shown):,} more, listed in the table"
    lead = f"Map of {len(points)} organization{'s' if len(points) != 1 else ''}"
    if origin is not None:
        lead += f" around {origin.label}"
    return f"{lead}: {names}." if names else f"{lead}."
