"""Where deck.gl draws a point: Web Mercator pixels for a view state, and a look at the pixels there."""

from __future__ import annotations

import io
import json
import math

from PIL import Image

from atlas.directory.load import prepare
from atlas.ingest.build import open_data_dir
from atlas.outputs.mapview import FOCUS_COLORS, build_deck, map_points


def project(lat: float, lon: float, view: dict, width: float, height: float) -> tuple[float, float]:
    world = 512 * 2 ** view["zoom"]

    def xy(la: float, lo: float) -> tuple[float, float]:
        phi = math.radians(la)
        return (lo + 180) / 360 * world, (1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2 * world

    x, y = xy(lat, lon)
    cx, cy = xy(view["latitude"], view["longitude"])
    return width / 2 + (x - cx), height / 2 + (y - cy)


def expected_points(data_dir, *, height: int, width: int) -> list[dict]:
    """Organizations of a data folder with the pixel each should be drawn at, as the app builds its map."""
    built = open_data_dir(data_dir)
    frame = prepare(built.page, built.organizations).frame
    points = map_points(frame)
    view = json.loads(build_deck(points, height=height, width=width).to_json())["initialViewState"]
    return [{"id": row.id, "name": row.name, "colour": tuple(row.color[:3]), "view": view,
             "lat": row.latitude, "lon": row.longitude} for row in points.itertuples()]


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


FOCUS_RGB = {code: tuple(rgb) for code, rgb in FOCUS_COLORS.items()}
