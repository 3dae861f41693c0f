"""Build `static/us_states.geojson`, the US state outlines drawn under the app's maps.

Why this exists: the pydeck maps must stay readable with no basemap tiles (offline, or with
`map_provider=None`). A thin layer of state outlines gives the organization points a frame of
reference without any network access, so the outlines ship with the project as a small GeoJSON
file.

Where the shapes come from: the `us-atlas` npm package by Mike Bostock (ISC licence), a
TopoJSON redistribution of the US Census Bureau's cartographic boundary files (a US federal
work, public domain). This script reads its unprojected `states-10m.json`, decodes the TopoJSON
itself (standard library only), simplifies the shared borders and writes an RFC 7946
FeatureCollection: one Feature per state or territory, properties `name` and `fips` only,
coordinates as [longitude, latitude].

How the geometry is treated:

- Arcs are decoded once (delta-encoded, quantized, with the topology's `transform`) and
  simplified once with Douglas-Peucker, before they are stitched into rings. A border shared by
  two states is therefore simplified identically on both sides: no slivers or gaps appear between
  neighbours. Arc endpoints (where three or more boundaries meet) are always kept.
- Distances are measured in Web Mercator (the projection the map is drawn in), so the tolerance
  is the same size on screen at every latitude, from Hawaii to Alaska. `TOLERANCE` (0.01 degree
  of longitude, about 1 km at the equator and well under a pixel at a whole-state zoom) keeps
  coastlines and rivers recognisable while keeping the file small.
- Coordinates are rounded to `DECIMALS` places (about 100 m); repeated positions are removed;
  rings left with fewer than 4 positions (islands smaller than the tolerance) are dropped; every
  ring stays closed. Exterior rings are wound counterclockwise and holes clockwise, as RFC 7946
  asks (TopoJSON from us-atlas uses the opposite, spherical convention).
- The output is deterministic: compact JSON, features sorted by FIPS code, one trailing newline.
  Rerunning the script on the same input gives the same bytes.

Rerun it after changing the pinned `us-atlas` version in `package.json`:

    npm install && .venv/bin/python tools/build_state_outlines.py

Options: `--source PATH` (default `node_modules/us-atlas/states-10m.json`) and `--out PATH`
(default `static/us_states.geojson`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "node_modules" / "us-atlas" / "states-10m.json"
DEFAULT_OUT = ROOT / "static" / "us_states.geojson"
OBJECT_NAME = "states"

TOLERANCE = 0.01  # Douglas-Peucker tolerance, in Web Mercator degrees (degrees of longitude)
DECIMALS = 3  # decimal places kept in the output coordinates

Position = list[float]  # [longitude, latitude]
Ring = list[Position]
Polygon = list[Ring]  # exterior ring first, then holes


class TopologyError(ValueError):
    """The input is not a TopoJSON topology this script can read."""


# --- TopoJSON decoding -------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[list[Position]]:
    """Every arc of the topology as absolute [lon, lat] positions.

    With a `transform`, arcs are quantized and delta-encoded: each position after the first is an
    offset from the previous one, in integer grid units, and the running sum is scaled and
    translated back to coordinates. Without one, positions are already absolute.
    """
    if topology.get("type") != "Topology":
        raise TopologyError(f"expected a TopoJSON Topology, got type {topology.get('type')!r}")
    arcs = topology.get("arcs")
    if not isinstance(arcs, list):
        raise TopologyError("the topology has no arcs array")
    transform = topology.get("transform")
    if transform is None:
        return [[[float(p[0]), float(p[1])] for p in arc] for arc in arcs]
    try:
        (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    except (KeyError, TypeError, ValueError) as exc:
        raise TopologyError("the topology's transform needs a two-number scale and translate") from exc
    decoded: list[list[Position]] = []
    for arc in arcs:
        x = y = 0
        positions: list[Position] = []
        for delta in arc:
            x += delta[0]
            y += delta[1]
            positions.append([x * scale_x + shift_x, y * scale_y + shift_y])
        decoded.append(positions)
    return decoded


def arc_positions(arcs: Sequence[Sequence[Position]], index: int) -> list[Position]:
    """The positions of arc `index`; a negative index `~i` (that is, -i - 1) means arc i reversed."""
    if index >= 0:
        return list(arcs[index])
    return list(reversed(arcs[~index]))


def stitch_ring(arcs: Sequence[Sequence[Position]], indexes: Iterable[int]) -> Ring:
    """Join the arcs of one ring end to start; each arc after the first repeats its predecessor's
    last position, which is kept once."""
    ring: Ring = []
    for index in indexes:
        positions = arc_positions(arcs, index)
        ring.extend(positions[1:] if ring else positions)
    return ring


def geometry_polygons(geometry: dict[str, Any], arcs: Sequence[Sequence[Position]]) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon geometry (a null geometry has none)."""
    kind = geometry.get("type")
    if kind is None:
        return []
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise TopologyError(f"unsupported geometry type {kind!r} (only Polygon and MultiPolygon)")
    return [[stitch_ring(arcs, ring) for ring in polygon] for polygon in polygons]


def decode_topology(topology: dict[str, Any], object_name: str = OBJECT_NAME,
                    arcs: Sequence[Sequence[Position]] | None = None) -> list[dict[str, Any]]:
    """Decode one GeometryCollection of the topology into plain records.

    Each record is `{"id": ..., "properties": {...}, "polygons": [[ring, ...], ...]}` with rings as
    lists of [lon, lat] positions, unsimplified and unrounded. `arcs` may be given already decoded
    (for instance simplified) to build the rings from them instead.
    """
    objects = topology.get("objects") or {}
    collection = objects.get(object_name)
    if collection is None:
        raise TopologyError(f"the topology has no object named {object_name!r}")
    if collection.get("type") != "GeometryCollection":
        raise TopologyError(f"object {object_name!r} is a {collection.get('type')!r}, not a GeometryCollection")
    if arcs is None:
        arcs = decode_arcs(topology)
    return [{"id": geometry.get("id"), "properties": dict(geometry.get("properties") or {}),
             "polygons": geometry_polygons(geometry, arcs)}
            for geometry in collection.get("geometries", [])]


# --- simplification ----------------------------------------------------------------------------


def mercator(position: Position) -> tuple[float, float]:
    """Web Mercator x, y in degrees: x is the longitude, y grows like the map's vertical scale."""
    lon, lat = position
    lat = max(-85.0, min(85.0, lat))
    return lon, math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance from p to the segment a-b (to the point a when the segment has no length)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def simplify_line(positions: Sequence[Position], tolerance: float) -> list[Position]:
    """Douglas-Peucker in Web Mercator: keep both ends and every position that lies farther than
    `tolerance` from the simplified line. A closed line (first == last) small enough to vanish
    comes back as three positions or fewer, which the ring check then drops."""
    count = len(positions)
    if count <= 2:
        return [list(p) for p in positions]
    projected = [mercator(p) for p in positions]
    keep = [False] * count
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            distance = _segment_distance(projected[i], projected[first], projected[last])
            if distance > farthest:
                farthest, index = distance, i
        if index != -1 and farthest > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [list(positions[i]) for i in range(count) if keep[i]]


def clean_ring(ring: Sequence[Position], decimals: int = DECIMALS) -> Ring | None:
    """Round a ring, drop repeated consecutive positions and close it; None when fewer than four
    positions (a triangle at least) remain."""
    cleaned: Ring = []
    for lon, lat in ring:
        position = [round(lon, decimals), round(lat, decimals)]
        if not cleaned or position != cleaned[-1]:
            cleaned.append(position)
    if cleaned and cleaned[0] != cleaned[-1]:
        cleaned.append(list(cleaned[0]))
    if len(cleaned) < 4:
        return None
    return cleaned


def signed_area(ring: Sequence[Position]) -> float:
    """Planar shoelace area in square degrees: positive when the ring runs counterclockwise."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        total += x1 * y2 - x2 * y1
    return total / 2.0


def wind(ring: Ring, counterclockwise: bool) -> Ring:
    """The ring in the requested direction (RFC 7946: exteriors counterclockwise, holes clockwise)."""
    area = signed_area(ring)
    if area != 0.0 and (area > 0.0) != counterclockwise:
        return list(reversed(ring))
    return ring


def clean_polygons(polygons: Iterable[Polygon], decimals: int = DECIMALS) -> list[Polygon]:
    """Round, close and wind every ring; a polygon whose exterior collapses is dropped with its
    holes, a collapsed hole is dropped alone."""
    result: list[Polygon] = []
    for polygon in polygons:
        if not polygon:
            continue
        exterior = clean_ring(polygon[0], decimals)
        if exterior is None:
            continue
        holes = [hole for hole in (clean_ring(h, decimals) for h in polygon[1:]) if hole is not None]
        result.append([wind(exterior, True)] + [wind(hole, False) for hole in holes])
    return result


# --- GeoJSON output ----------------------------------------------------------------------------


def build_feature_collection(topology: dict[str, Any], tolerance: float = TOLERANCE,
                             decimals: int = DECIMALS, object_name: str = OBJECT_NAME) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the topology's states, simplified, sorted by FIPS code."""
    arcs = [simplify_line(arc, tolerance) for arc in decode_arcs(topology)]
    features = []
    for record in decode_topology(topology, object_name, arcs=arcs):
        fips, name = record["id"], record["properties"].get("name")
        if not isinstance(fips, str) or not isinstance(name, str) or not fips or not name:
            raise TopologyError(f"every geometry needs a string id and a name, got id={fips!r} name={name!r}")
        polygons = clean_polygons(record["polygons"], decimals)
        if not polygons:
            raise TopologyError(f"{name} ({fips}) has no ring left after simplification")
        geometry = ({"type": "Polygon", "coordinates": polygons[0]} if len(polygons) == 1
                    else {"type": "MultiPolygon", "coordinates": polygons})
        features.append({"type": "Feature", "properties": {"name": name, "fips": fips.zfill(2)},
                         "geometry": geometry})
    features.sort(key=lambda feature: (feature["properties"]["fips"], feature["properties"]["name"]))
    fips_codes = [feature["properties"]["fips"] for feature in features]
    if len(set(fips_codes)) != len(fips_codes):
        raise TopologyError("two geometries share a FIPS code")
    return {"type": "FeatureCollection", "features": features}


def dump(collection: dict[str, Any]) -> str:
    """Compact, stable JSON text with one trailing newline."""
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


def _count(collection: dict[str, Any]) -> tuple[int, int]:
    rings = positions = 0
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            rings += len(polygon)
            positions += sum(len(ring) for ring in polygon)
    return rings, positions


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline US state outlines GeoJSON from us-atlas.")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="us-atlas states TopoJSON (default: node_modules/us-atlas/states-10m.json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="GeoJSON file to write (default: static/us_states.geojson)")
    args = parser.parse_args(argv)
    try:
        topology = json.loads(args.source.read_text(encoding="utf-8"))
        collection = build_feature_collection(topology)
    except FileNotFoundError:
        print(f"error: {args.source} not found; run `npm install` first", file=sys.stderr)
        return 1
    except (json.JSONDecodeError, TopologyError, KeyError, IndexError, TypeError) as exc:
        print(f"error: cannot read {args.source}: {exc}", file=sys.stderr)
        return 1
    data = dump(collection).encode("utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(args.out)
    rings, positions = _count(collection)
    print(f"wrote {_display(args.out)}: {len(collection['features'])} features, {rings} rings, "
          f"{positions} positions, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
