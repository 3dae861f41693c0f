"""The directory as a table: filters by focus, state and text, and distance from a place.

Functions take and return pandas DataFrames built by `to_frame`, one row per organization in
page order, so the app can cache the frame once and filter it on every rerun without parsing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from geopy.distance import EARTH_RADIUS

from atlas.ingest.tags import SPECIFIC_FOCI, focus_label
from atlas.model import Organization

KM_PER_MILE = 1.609344


def to_frame(organizations: list[Organization]) -> pd.DataFrame:
    rows = []
    for org in organizations:
        rows.append({
            "id": org.id, "name": org.name, "street": org.street, "city": org.city, "state": org.state,
            "postal_code": org.postal_code, "country": org.country, "phone": org.phone,
            "toll_free": org.toll_free, "fax": org.fax, "email": org.email, "website": org.website,
            "focus": org.focus, "focus_label": ", ".join(focus_label(f, short=True) for f in org.focus),
            "service_area": org.service_area,
            "latitude": np.nan if org.latitude is None else org.latitude,
            "longitude": np.nan if org.longitude is None else org.longitude,
            "location_precision": org.location_precision, "quality_flags": org.quality_flags,
            "place": org.locality if org.country in ("", "US") else f"{org.locality}, {org.country}",
        })
    frame = pd.DataFrame(rows, columns=[
        "id", "name", "street", "city", "state", "postal_code", "country", "phone", "toll_free", "fax",
        "email", "website", "focus", "focus_label", "service_area", "latitude", "longitude",
        "location_precision", "quality_flags", "place"])
    frame["latitude"] = frame["latitude"].astype(float)
    frame["longitude"] = frame["longitude"].astype(float)
    return frame


@dataclass(frozen=True)
class Filters:
    """What the user asked to see. No focus chosen means every focus."""
    focus: tuple[str, ...] = ()
    include_general: bool = True
    state: str = ""
    query: str = ""

    @property
    def is_default(self) -> bool:
        return self == Filters()


def _matches_focus(tags: tuple[str, ...], chosen: frozenset[str], include_general: bool) -> bool:
    if "general" in tags and include_general:
        return True
    specific = [t for t in tags if t != "general"]
    if not chosen:
        return bool(specific)
    return any(t in chosen for t in specific)


def filter_frame(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    chosen = frozenset(f for f in filters.focus if f in SPECIFIC_FOCI)
    mask = np.ones(len(frame), dtype=bool)
    if chosen or not filters.include_general:
        mask &= frame["focus"].map(lambda tags: _matches_focus(tags, chosen, filters.include_general)).to_numpy(bool)
    if filters.state:
        mask &= (frame["state"] == filters.state).to_numpy(bool)
    words = filters.query.casefold().split()
    if words:
        haystack = (frame["name"] + " " + frame["city"]).str.casefold()
        for word in words:
            mask &= haystack.str.contains(word, regex=False).to_numpy(bool)
    return frame[mask]


def states_in(frame: pd.DataFrame) -> list[str]:
    return sorted(s for s in frame["state"].unique() if s)


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances from one point to many, vectorised; geopy's mean Earth radius."""
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi, dlmb = phi2 - phi1, np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def with_distance(frame: pd.DataFrame, lat: float, lon: float) -> pd.DataFrame:
    """Organizations on the map, nearest first, with `distance_mi` and `distance_km` columns.

    Ties keep page order (a stable sort), so the ranking is reproducible.
    """
    located = frame[frame["latitude"].notna() & frame["longitude"].notna()].copy()
    km = haversine_km(lat, lon, located["latitude"].to_numpy(), located["longitude"].to_numpy())
    located["distance_km"] = km
    located["distance_mi"] = km / KM_PER_MILE
    return located.sort_values("distance_km", kind="stable")


@dataclass(frozen=True)
class NearbyResult:
    within: pd.DataFrame    # inside the radius, nearest first
    nearest: pd.DataFrame   # the closest few, whatever the radius
    radius_mi: float

    @property
    def empty(self) -> bool:
        return self.within.empty


def nearby(frame: pd.DataFrame, lat: float, lon: float, radius_mi: float, fallback: int = 3) -> NearbyResult:
    ranked = with_distance(frame, lat, lon)
    return NearbyResult(ranked[ranked["distance_mi"] <= radius_mi], ranked.head(fallback), radius_mi)


def wider_radius(radius_mi: float, nearest_mi: float | None, maximum: float) -> float:
    """A tidy radius at least twice the current one that also reaches the nearest organization."""
    target = max(radius_mi * 2, nearest_mi or 0.0)
    step = 50 if target <= 500 else 250
    return float(min(maximum, math.ceil(target / step) * step))


def all_national(frame: pd.DataFrame) -> bool:
    return bool(len(frame)) and bool((frame["service_area"] == "national").all())

