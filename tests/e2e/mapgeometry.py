"""Where deck.gl draws a point: Web Mercator pixels for a view state, and a look at the pixels there."""

from __future__ import annotations

import io
import json
import math
import time

import numpy as np
from PIL import Image

from atlas.directory.load import prepare
from atlas.ingest.build import open_data_dir
from atlas.outputs.mapview import FOCUS_COLORS, map_points


def project(lat: float, lon: float, view: dict, width: float, height: float) -> tuple[float, float]:
    world = 512 * 2 ** view["zoom"]

    def xy(la: float, lo: float) -> tuple[float, float]:
        phi = math.radians(la)
        return (lo + 180) / 360 * world, (1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2 * world

    x, y = xy(lat, lon)
    cx, cy = xy(view["latitude"], view["longitude"])
    return width / 2 + (x - cx), height / 2 + (y - cy)


def expected_points(data_dir, view: dict) -> list[dict]:
    """Organizations of a data folder with their focus colour, for a map opened at `view` (the
    initialViewState of the deck the app sent: see `sent_view`)."""
    built = open_data_dir(data_dir)
    points = map_points(prepare(built.page, built.organizations).frame)
    return [{"id": row.id, "name": row.name, "colour": tuple(row.color[:3]), "view": view,
             "lat": row.latitude, "lon": row.longitude} for row in points.itertuples()]


def sent_view(page, index: int = -1) -> dict:
    """The view the app opened its map at, from the deck spec it sent the browser."""
    from tests.e2e.conftest import script_runs

    return json.loads(script_runs(page).elements["deck_gl_json_chart"][index].json)["initialViewState"]


def colour_near(image: Image.Image, x: float, y: float, colour: tuple[int, int, int], radius: int = 7,
                tolerance: int = 45) -> int:
    """How many of 12 pixels on a small circle around (x, y) have the given colour."""
    hits = 0
    for step in range(12):
        angle = 2 * math.pi * step / 12
        px, py = round(x + radius * math.cos(angle)), round(y + radius * math.sin(angle))
        if 0 <= px < image.width and 0 <= py < image.height:
            pixel = image.getpixel((px, py))[:3]
            if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour)):
                hits += 1
    return hits


def canvas_image(page, index: int = 0) -> tuple[Image.Image, dict]:
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').nth(index)
    box = chart.bounding_box()
    image = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
    return image, box


OUTLINE_FILL = (238, 238, 232)  # the state outlines' fill, drawn once app/static/us_states.geojson has loaded


def share_of(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 6) -> float:
    """The share of the image's pixels that have about this colour."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)[::4, ::4]
    return float((np.abs(pixels - np.array(colour, dtype=np.int16)) <= tolerance).all(axis=-1).mean())


def outline_fill(page) -> tuple[int, int, int]:
    """The outlines' fill colour from the last deck spec the app sent (OUTLINE_FILL if none)."""
    from tests.e2e.conftest import script_runs

    for chart in reversed(script_runs(page).elements["deck_gl_json_chart"]):
        for layer in json.loads(chart.json).get("layers", []):
            if layer.get("id") == "state-outlines" and isinstance(layer.get("getFillColor"), list):
                return tuple(layer["getFillColor"][:3])
    return OUTLINE_FILL


def outlines_drawn(image: Image.Image, fill: tuple[int, int, int] = OUTLINE_FILL) -> bool:
    """The outlines' fill covers part of the map. While a point is selected, Streamlit draws every
    other object at 40% opacity, so the fill may also show blended over white."""
    dimmed = tuple(round(255 - (255 - c) * 102 / 255) for c in fill)
    return share_of(image, fill) + share_of(image, dimmed) > 0.02


def drawn_canvas(page, ready, index: int = 0, timeout: float = 120) -> tuple[Image.Image, dict]:
    """The map's pixels once `ready(image, box)` holds: the app's own sign that deck.gl has drawn
    what the test looks for. Looks again on each animation frame, up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        image, box = canvas_image(page, index)
        if ready(image, box) or time.monotonic() > deadline:
            return image, box
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


FOCUS_RGB = {code: tuple(rgb) for code, rgb in FOCUS_COLORS.items()}
