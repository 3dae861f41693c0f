"""Map building: a pydeck Deck that reads well offline, in tests, and on a projector.

- The US-states outline layer comes from `data/us_states.geojson`, so no basemap tiles are
  needed; a street basemap (Carto) is an option for users who are online.
- Points are coloured by focus with the Okabe–Ito palette (safe for colour-blind viewers) and
  carry a letter (T, B, S, G), so colour is never the only cue.
- Tooltips use pydeck's plain-text form: organization names are shown as text, never as HTML.
- The map receives only the columns it draws.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pydeck as pdk
from geopy import Point
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
CONTIGUOUS_US = (24.5, -124.8, 49.4, -66.9)  # south, west, north, east
NATIONAL_SPAN_DEGREES = 20.0


@dataclass(frozen=True)
class LegendEntry:
    code: str
    label: str
    letter: str
    hex_color: str


def legend() -> list[LegendEntry]:
    return [LegendEntry(code, FOCI[code].label, FOCUS_LETTERS[code], "#%02x%02x%02x" % FOCUS_COLORS[code])
            for code in FOCI]


def point_style(focus: tuple[str, ...]) -> tuple[list[int], str]:
    """Colour of an organization's first focus, and the letters of all of them ("B+S")."""
    tags = [t for t in focus if t in FOCUS_COLORS] or ["general"]
    return [*FOCUS_COLORS[tags[0]], 235], "+".join(FOCUS_LETTERS[t] for t in tags)


def map_points(frame: pd.DataFrame) -> pd.DataFrame:
    """The organizations that have a point, reduced to what the map draws."""
    located = frame[frame["latitude"].notna() & frame["longitude"].notna()]
    styles = [point_style(tags) for tags in located["focus"]]
    points = located.assign(color=[s[0] for s in styles], letter=[s[1] for s in styles])
    return points[MAP_COLUMNS].reset_index(drop=True)


@functools.cache
def state_outlines(path: Path = OUTLINES_FILE) -> dict:
    """The bundled outline GeoJSON; an empty collection if the file is absent (points still show)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"type": "FeatureCollection", "features": []}


@functools.cache
def _outlines_json(path: Path = OUTLINES_FILE) -> str:
    return json.dumps(state_outlines(path), separators=(",", ":"))


_OUTLINES_PLACEHOLDER = "__atlas_state_outlines__"


class AtlasDeck(pdk.Deck):
    """A Deck whose bundled outline layer is serialised once per process, not on every rerun.

    pydeck re-encodes every coordinate of a layer's data each time a chart is drawn; for the
    13,000-point state outlines that is most of a page's rerun time. The outline layer carries a
    placeholder instead, and `to_json` (which Streamlit calls) splices in the cached encoding.
    """

    def to_json(self) -> str:
        return super().to_json().replace(json.dumps(_OUTLINES_PLACEHOLDER), _outlines_json(), 1)


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


def build_deck(points: pd.DataFrame, *, origin: Origin | None = None, selected_id: str | None = None,
               basemap: bool = False, height: int = 500, width: int = 800, outlines: dict | None = None) -> AtlasDeck:
    """`width` is the map's expected width in pixels, used only to choose the starting zoom."""
    layers = [pdk.Layer(
        "GeoJsonLayer", data=outlines if outlines is not None else _OUTLINES_PLACEHOLDER, id="state-outlines",
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
                "ScatterplotLayer", data=chosen[["longitude", "latitude"]], id="selected-ring",
                get_position=["longitude", "latitude"], filled=False, stroked=True, radius_units="'pixels'",
                get_radius=17, get_line_color=list(ORIGIN_COLOR), line_width_min_pixels=3, pickable=False))

    layers.append(pdk.Layer(
        "ScatterplotLayer", data=points, id="organizations", get_position=["longitude", "latitude"],
        get_fill_color="color", get_line_color=[30, 30, 30], stroked=True, line_width_min_pixels=1.5,
        radius_units="'pixels'", get_radius=11, pickable=True, auto_highlight=True))
    layers.append(pdk.Layer(
        "TextLayer", data=points, id="organization-letters", get_position=["longitude", "latitude"],
        get_text="letter", get_size=12, size_units="'pixels'", get_color=[17, 17, 17],
        get_text_anchor="'middle'", get_alignment_baseline="'center'", font_weight=700, pickable=False))

    if origin is None and lons and max(lons) - min(lons) > NATIONAL_SPAN_DEGREES:
        south, west, north, east = CONTIGUOUS_US  # a national spread reads best as the whole country
        lats, lons = lats + [south, north], lons + [west, east]

    # No basemap: map_provider=None with pydeck's own default map_style. Streamlit drops that
    # default, whereas a missing or None style makes it fetch Carto's street style from the internet.
    basemap_options = {"map_provider": "carto", "map_style": "light"} if basemap else {"map_provider": None}
    return AtlasDeck(
        layers=layers,
        initial_view_state=fit_view(lats, lons, width_px=width, height_px=height),
        **basemap_options,
        tooltip={"text": "{name}\n{place}\nFocus: {focus_label}"},
        height=height,
    )


def describe(points: pd.DataFrame, origin: Origin | None = None) -> str:
    """A text alternative for the map, for screen readers and image-less views."""
    names = "; ".join(f"{row.name} ({row.place})" for row in points.itertuples())
    lead = f"Map of {len(points)} organization{'s' if len(points) != 1 else ''}"
    if origin is not None:
        lead += f" around {origin.label}"
    return f"{lead}: {names}." if names else f"{lead}."
