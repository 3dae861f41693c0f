"""A static PNG of a view's map, for slides and handouts, drawn offline with matplotlib.

- Only matplotlib's object API and the Agg canvas are used (no pyplot, no `matplotlib.use`), so
  rendering keeps no global state and can run inside the web server's threads.
- The drawing matches the interactive map (`atlas.mapview`): bundled state outlines instead of
  tiles, Okabe–Ito focus colours with letters on every point, a white origin and a radius ring.
- Text that comes from data (the title, the source, a place name) is drawn with
  `parse_math=False` and `usetex=False`: a "$" in a page must show as a dollar sign, never be
  parsed as mathtext, which would garble it or raise.
- The PNG carries no software version or timestamp, so the same view gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.path import Path

from atlas.directory.view import View
from atlas.errors import ExportError
from atlas.model import Organization
from atlas.outputs.mapview import CONTIGUOUS_US, NATIONAL_SPAN_DEGREES, legend, point_style, radius_ring, state_outlines
from atlas.text import long_date, one_line

# Layout is designed for 1600 x 900 at 100 dpi; other sizes scale the dpi so text keeps its proportion.
DESIGN_WIDTH_PX, DESIGN_HEIGHT_PX, DESIGN_DPI = 1600, 900, 100.0
MIN_SIDE_PX, MAX_SIDE_PX = 100, 10_000

LAND_FILL = "#eeeee8"
STATE_EDGE = "#8c8c8c"
WATER = "#ffffff"
INK = "#111111"
MUTED_INK = "#555555"
POINT_EDGE = "#1e1e1e"
RING_COLOR = "#3c3c3c"

POINT_DIAMETER_PT = 21.0
MIN_FRAME_DEGREES = 4.0  # a single point still gets a state-sized neighbourhood
FRAME_MARGIN = 0.05      # share of the span added on each side, so edge markers are not cut

# Axes rectangles in figure fractions: [left, bottom, width, height].
MAP_BOX = (0.015, 0.095, 0.775, 0.79)
LEGEND_BOX = (0.80, 0.095, 0.19, 0.79)



def render_map_png(view: View, *, width_px: int = 1600, height_px: int = 900) -> bytes:
    """PNG bytes of the view's map, exactly `width_px` x `height_px`, ready to paste into a slide."""
    width_px, height_px = _checked_side(width_px, "width_px"), _checked_side(height_px, "height_px")
    dpi = DESIGN_DPI * min(width_px / DESIGN_WIDTH_PX, height_px / DESIGN_HEIGHT_PX)
    figure = Figure(figsize=(_inches(width_px, dpi), _inches(height_px, dpi)), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)

    located = [org for org in view.organizations if _has_finite_point(org)]
    ring = _ring(view)

    map_axes = figure.add_axes(MAP_BOX)
    _draw_states(map_axes)
    if ring:
        map_axes.plot([p[0] for p in ring], [p[1] for p in ring], color=RING_COLOR, linewidth=2.0, zorder=3,
                      solid_joinstyle="round")
    if view.origin is not None:
        map_axes.scatter([view.origin.longitude], [view.origin.latitude], s=(POINT_DIAMETER_PT * 0.8) ** 2,
                         c="white", edgecolors="black", linewidths=3.0, zorder=4)
    _draw_points(map_axes, located)
    _frame(map_axes, located, view, ring, figure_ratio=width_px / height_px)
    if view.empty:
        _note(map_axes, "No organizations match this view")

    _draw_legend(figure.add_axes(LEGEND_BOX), located, view, ring)
    _draw_title(figure, view.title, width_px / dpi)
    _draw_footer(figure, view, width_in=width_px / dpi)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white",
                   metadata={"Software": None})  # no version string: identical views give identical bytes
    return buffer.getvalue()


def _checked_side(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_SIDE_PX <= value <= MAX_SIDE_PX:
        raise ExportError(f"{name} must be a whole number of pixels from {MIN_SIDE_PX} to {MAX_SIDE_PX}, "
                         f"not {value!r}")
    return value


def _inches(pixels: int, dpi: float) -> float:
    """A size in inches that Agg turns back into exactly `pixels` (it truncates, so 799.99… would be 799)."""
    inches = pixels / dpi
    while int(inches * dpi) < pixels:
        inches = math.nextafter(inches, math.inf)
    return inches


def _has_finite_point(org: Organization) -> bool:
    return org.has_point and math.isfinite(org.latitude) and math.isfinite(org.longitude)


def _ring(view: View) -> list[list[float]]:
    radius = view.request.radius_mi
    if view.origin is None or not radius or not math.isfinite(radius) or radius <= 0:
        return []
    return radius_ring(view.origin.latitude, view.origin.longitude, radius)


# --- the map ------------------------------------------------------------------------------------


@functools.cache
def _state_paths() -> tuple[Path, ...]:
    """One compound path per polygon (outer ring plus holes), built once per process and never mutated."""
    paths = []
    for feature in state_outlines().get("features", []):
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
        polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
        for polygon in polygons:
            vertices, codes = [], []
            for ring in polygon:
                if len(ring) < 3:
                    continue
                vertices += [(x, y) for x, y, *_ in ring] + [(0.0, 0.0)]
                codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY]
            if vertices:
                paths.append(Path(vertices, codes, readonly=True))
    return tuple(paths)


def _draw_states(axes) -> None:
    axes.set_facecolor(WATER)
    axes.add_collection(PathCollection(list(_state_paths()), facecolors=LAND_FILL, edgecolors=STATE_EDGE,
                                       linewidths=0.7, zorder=1), autolim=False)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)


def _letter_size(letters: str) -> float:
    """Point size that keeps "T" bold and readable, and still fits "B+S" inside the same circle."""
    return 11.0 if len(letters) == 1 else max(5.0, 24.0 / len(letters))


def _draw_marker(axes, x: float, y: float, colour, letters: str, *, zorder: float, clip: bool = True) -> None:
    """A filled circle with its letters on top: the colour is never the only cue."""
    axes.scatter([x], [y], s=POINT_DIAMETER_PT ** 2, c=[colour], edgecolors=POINT_EDGE, linewidths=1.5,
                 zorder=zorder, clip_on=clip)
    axes.text(x, y, letters, ha="center", va="center_baseline", fontsize=_letter_size(letters), fontweight="bold",
              color=INK, zorder=zorder + 0.5, parse_math=False, usetex=False, clip_on=clip)


def _draw_points(axes, located: list[Organization]) -> None:
    # South to north, so where markers overlap the northern one is drawn on top, the same for every render.
    for rank, org in enumerate(sorted(located, key=lambda o: (-o.latitude, o.longitude, o.id))):
        rgba, letters = point_style(org.focus)
        colour = tuple(c / 255 for c in rgba[:3])  # opaque: a slide projector washes out translucent fills
        _draw_marker(axes, org.longitude, org.latitude, colour, letters, zorder=5 + rank)


def _frame(axes, located: list[Organization], view: View, ring: list[list[float]], figure_ratio: float) -> None:
    """Fit what is drawn with a margin, or show the contiguous US for a national spread or nothing to fit."""
    lons = [org.longitude for org in located] + [p[0] for p in ring]
    lats = [org.latitude for org in located] + [p[1] for p in ring]
    if view.origin is not None:
        lons.append(view.origin.longitude)
        lats.append(view.origin.latitude)

    south, west, north, east = CONTIGUOUS_US
    if not located and not ring:
        lons, lats = lons + [west, east], lats + [south, north]  # an origin alone still shows the country
    elif max(lons) - min(lons) > NATIONAL_SPAN_DEGREES:
        lons, lats = lons + [west, east], lats + [south, north]  # keep any outlying point (Alaska, Hawaii)

    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    half_lon = max(east - west, MIN_FRAME_DEGREES) * (0.5 + FRAME_MARGIN)
    half_lat = max(north - south, MIN_FRAME_DEGREES) * (0.5 + FRAME_MARGIN)
    # A degree of longitude is cos(latitude) times a degree of latitude; without this the country looks stretched.
    aspect = 1.0 / math.cos(math.radians(max(min(centre_lat, 80.0), -80.0)))
    # Widen whichever range is short so the map fills its box exactly, instead of leaving blank bands.
    box_width, box_height = axes.get_position().width * figure_ratio, axes.get_position().height
    if half_lon / (half_lat * aspect) < box_width / box_height:
        half_lon = half_lat * aspect * box_width / box_height
    else:
        half_lat = half_lon / aspect * box_height / box_width
    axes.set_xlim(centre_lon - half_lon, centre_lon + half_lon)
    axes.set_ylim(centre_lat - half_lat, centre_lat + half_lat)
    axes.set_aspect(aspect, adjustable="box")


def _note(axes, message: str) -> None:
    axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center", fontsize=20, color=INK,
              zorder=50, parse_math=False, usetex=False,
              bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": STATE_EDGE})


# --- legend, title and footer -------------------------------------------------------------------


def _draw_legend(axes, located: list[Organization], view: View, ring: list[list[float]]) -> None:
    """Only what the map shows is explained, so a torticollis map carries no blue swatch."""
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    shown = {tag for org in located for tag in (point_style(org.focus)[1].split("+"))}
    entries = [entry for entry in legend() if entry.letter in shown]
    step, y = 0.085, 0.97
    if entries:
        axes.text(0.0, y, "Focus", fontsize=13, fontweight="bold", color=INK, va="top", parse_math=False,
                  usetex=False)
        y -= 0.085
    for entry in entries:
        _draw_marker(axes, 0.07, y, entry.hex_color, entry.letter, zorder=5, clip=False)
        axes.text(0.16, y, _wrap(entry.label, 24, 2), fontsize=10.5, color=INK, va="center", linespacing=1.1,
                  parse_math=False, usetex=False)
        y -= step
    if view.origin is not None:
        y -= 0.03
        axes.scatter([0.07], [y], s=(POINT_DIAMETER_PT * 0.8) ** 2, c="white", edgecolors="black", linewidths=3.0,
                     clip_on=False, zorder=5)
        axes.text(0.16, y, _wrap(f"Search point: {one_line(view.origin.label)}", 24, 3), fontsize=10.5, color=INK,
                  va="center", linespacing=1.1, parse_math=False, usetex=False)
        y -= step + 0.03
        if ring:
            axes.plot([0.0, 0.14], [y, y], color=RING_COLOR, linewidth=2.0, clip_on=False)
            axes.text(0.16, y, f"{view.request.radius_mi:,.0f}-mile radius", fontsize=10.5, color=INK, va="center",
                      parse_math=False, usetex=False)


def _draw_title(figure, title: str, width_in: float) -> None:
    size = 20.0
    chars_per_line = _chars_that_fit(width_in * 0.97, size)
    figure.text(0.015, 0.975, _wrap(title, chars_per_line, 2), fontsize=size, fontweight="bold", color=INK,
                ha="left", va="top", linespacing=1.15, parse_math=False, usetex=False)


def footer_lines(view: View) -> tuple[str, str]:
    """Where the data came from and how old it is; kept apart from drawing so it can be checked as text."""
    source = one_line(view.page.source) or "not stated"
    reviewed = view.page.reviewed_on
    facts = [f"Contact details as of {long_date(reviewed)}" if reviewed else "Review date of the page unknown"]
    unlocated = sum(1 for org in view.organizations if not _has_finite_point(org))
    if unlocated:
        facts.append(f"{unlocated} not shown: no location")
    return f"Source: {source}", " · ".join(facts)


def _draw_footer(figure, view: View, width_in: float) -> None:
    size = 10.5
    chars = _chars_that_fit(width_in * 0.80, size)
    for text, y in zip(footer_lines(view), (0.052, 0.018)):
        figure.text(0.015, y, _wrap(text, chars, 1), fontsize=size, color=MUTED_INK, ha="left", va="bottom",
                    parse_math=False, usetex=False)
    figure.text(0.985, 0.018, "Dystonia Atlas", fontsize=size + 1, fontweight="bold", color=MUTED_INK,
                ha="right", va="bottom", parse_math=False, usetex=False)



def _chars_that_fit(width_in: float, font_pt: float) -> int:
    """A rough count of characters per line: an average DejaVu Sans glyph is about 0.6 em wide."""
    return max(10, int(width_in * 72 / (0.6 * font_pt)))


def _wrap(text: str, width: int, max_lines: int) -> str:
    lines = textwrap.wrap(one_line(text), width=width, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, width - 1)].rstrip() + "…"
    return "\n".join(lines)
