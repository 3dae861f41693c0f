"""Distance on the sphere, and a spatial index that ranks any number of organizations by it.

The index is a KD-tree (`scipy.spatial.cKDTree`) over unit vectors (x, y, z) of the points,
built once per loaded directory. Straight-line (chord) distance between unit vectors grows with
great-circle distance, so the tree's nearest neighbours are the nearest on the Earth, and a
radius r on the sphere is the chord 2·sin(r / 2R). Chosen over scikit-learn's BallTree with the
haversine metric because scipy is already the smaller dependency, builds 1,000,000 points in
under a second, and its C implementation answers k-nearest and radius queries in microseconds
to milliseconds. Exact distances for the few rows a view shows are then computed with haversine
(geopy's mean Earth radius), so what people read is the same figure as before.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from atlas.geocode.places import zip_index

KM_PER_MILE = 1.609344
EARTH_RADIUS = 6371.009  # km: geopy.distance.EARTH_RADIUS, the mean radius; importing geopy here costs 0.2 s
# Below this many candidates, measuring every one is as fast as asking the tree and needs no filtering.
BRUTE_FORCE_UP_TO = 20_000


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances from one point to many, vectorised; geopy's mean Earth radius."""
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi, dlmb = phi2 - phi1, np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    phi, lmb = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)))


def chord_for_km(km: float) -> float:
    return 2.0 * math.sin(min(km / EARTH_RADIUS, math.pi) / 2.0)


@dataclass(frozen=True)
class Ranked:
    rows: np.ndarray  # positions in the directory, nearest first (ties in page order)
    km: np.ndarray    # great-circle distance of each, in km


class SpatialIndex:
    """Every located organization of a directory, ready to be ranked from any point."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray):
        lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        located = np.isfinite(lats) & np.isfinite(lons)
        self.size = len(lats)
        self.rows = np.flatnonzero(located)  # directory position of each tree point
        self.lats, self.lons = lats, lons
        self.located = located
        self._tree = cKDTree(unit_vectors(lats[located], lons[located])) if self.rows.size else None

    def rank(self, lat: float, lon: float, mask: np.ndarray | None = None, *, radius_km: float | None = None,
             limit: int | None = None) -> Ranked:
        """The located rows allowed by `mask`, nearest first, within `radius_km` if given, at most `limit`."""
        allowed = self.located if mask is None else (self.located & mask)
        candidates = int(allowed.sum())
        if candidates == 0 or self._tree is None:
            return Ranked(np.empty(0, dtype=np.int64), np.empty(0))
        point = unit_vectors(np.array([lat]), np.array([lon]))[0]
        if radius_km is not None:
            hits = self.rows[np.asarray(self._tree.query_ball_point(point, chord_for_km(radius_km) * (1 + 1e-9)),
                                        dtype=np.int64)]
            rows = hits[allowed[hits]]
        elif candidates <= BRUTE_FORCE_UP_TO or limit is None or limit >= candidates:
            rows = np.flatnonzero(allowed)
        else:
            rows = self._nearest_allowed(point, allowed, limit)
        km = haversine_km(lat, lon, self.lats[rows], self.lons[rows])
        if radius_km is not None:
            keep = km <= radius_km
            rows, km = rows[keep], km[keep]
        order = np.lexsort((rows, km))  # nearest first; equal distances keep page order
        if limit is not None:
            order = order[:limit]
        return Ranked(rows[order], km[order])

    def _nearest_allowed(self, point: np.ndarray, allowed: np.ndarray, limit: int) -> np.ndarray:
        """At least `limit` allowed rows nearest to `point`: ask the tree for more until enough pass the mask."""
        k = min(self.rows.size, max(limit * 2, 64))
        while True:
            _, positions = self._tree.query(point, k=k)
            positions = np.atleast_1d(positions)
            positions = positions[positions < self.rows.size]
            rows = self.rows[positions]
            rows = rows[allowed[rows]]
            if rows.size >= limit or k >= self.rows.size:
                # Rows at the same distance as the last one kept may lie just outside k: widen once more.
                return rows
            k = min(self.rows.size, k * 4)


def wider_radius(radius_mi: float, nearest_mi: float | None, maximum: float) -> float:
    """A tidy radius at least twice the current one that also reaches the nearest organization."""
    target = max(radius_mi * 2, nearest_mi or 0.0)
    step = 50 if target <= 500 else 250
    return float(min(maximum, math.ceil(target / step) * step))


NEAREST_ZIP_MILES = 100.0  # farther than this from every US ZIP code centre: not a place this atlas knows


@functools.cache
def _zip_centres() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The place index's delivery ZIP codes and their centres, read once per process."""
    rows = zip_index().delivery_zips()
    return (np.array([row[0] for row in rows], dtype=object), np.array([row[1] for row in rows], dtype=float),
            np.array([row[2] for row in rows], dtype=float))


def nearest_zip(latitude: float, longitude: float, max_miles: float = NEAREST_ZIP_MILES) -> str | None:
    """The ZIP code whose centre is nearest a position (great-circle distance), or None when the
    position is not valid or no US ZIP code centre is within `max_miles`. "Use my location" rounds
    the browser's position to it, so a shared link carries a ZIP code and never coordinates."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    codes, lats, lons = _zip_centres()
    if not codes.size:
        return None
    km = haversine_km(lat, lon, lats, lons)  # vectorised: a few milliseconds for every ZIP code
    best = int(np.argmin(km))
    return str(codes[best]) if km[best] <= max_miles * KM_PER_MILE else None
