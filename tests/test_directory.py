from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import great_circle

from atlas.directory.distance import (
    KM_PER_MILE,
    Filters,
    all_national,
    filter_frame,
    haversine_km,
    nearby,
    states_in,
    to_frame,
    wider_radius,
    with_distance,
)


@pytest.fixture(scope="module")
def frame(directory):
    return to_frame(directory.organizations)


def names(frame):
    return list(frame["name"])


def test_frame_keeps_page_order_and_every_field(frame, directory):
    assert names(frame) == [o.name for o in directory.organizations]
    assert frame.loc[0, "place"] == "Chicago, IL 60601-1905"
    assert frame.loc[0, "focus_label"] == "General"


@pytest.mark.parametrize("filters, expected", [
    (Filters(), 8),
    (Filters(focus=("torticollis",)), 6),
    (Filters(focus=("torticollis",), include_general=False), 2),
    (Filters(focus=("blepharospasm", "speech"), include_general=False), 2),
    (Filters(include_general=False), 4),
    (Filters(state="NY"), 2),
    (Filters(state="NY", include_general=False), 0),
    (Filters(query="TORTICOLLIS"), 2),
    (Filters(query="dystonia foundation"), 2),
    (Filters(query="princeton"), 1),
    (Filters(focus=("not-a-focus",)), 8),
])
def test_filters(frame, filters, expected):
    assert len(filter_frame(frame, filters)) == expected


def test_states(frame):
    assert states_in(frame) == ["CA", "IL", "MD", "NJ", "NY", "TX", "WI"]


def test_haversine_agrees_with_geopy_great_circle():
    rng = np.random.default_rng(7)
    lats, lons = rng.uniform(-80, 80, 500), rng.uniform(-180, 180, 500)
    ours = haversine_km(41.8858, -87.6181, lats, lons)
    theirs = [great_circle((41.8858, -87.6181), (a, b)).km for a, b in zip(lats, lons)]
    assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-6)


def test_with_distance_sorts_nearest_first_and_skips_unplaced(frame):
    unplaced = frame.copy()
    unplaced.loc[1, ["latitude", "longitude"]] = np.nan
    ranked = with_distance(unplaced, 40.7556, -73.9789)  # ZIP 10176
    assert ranked["name"].iloc[0] == "Bachmann-Strauss Dystonia & Parkinson Foundation"
    assert "National Spasmodic Torticollis Association" not in set(ranked["name"])
    assert np.allclose(ranked["distance_km"], ranked["distance_mi"] * KM_PER_MILE)
    assert ranked["distance_km"].is_monotonic_increasing


def test_nearby_radius_and_fallback(frame):
    result = nearby(frame, 61.2, -149.9, 100)  # Anchorage
    assert result.empty and len(result.nearest) == 3
    result = nearby(frame, 41.8858, -87.6181, 100)
    assert names(result.within) == ["Dystonia Medical Research Foundation", "Spasmodic Torticollis Dystonia/ST Dystonia"]


def test_wider_radius_reaches_the_nearest_and_stays_tidy():
    assert wider_radius(100, 2410.3, 3000) == 2500
    assert wider_radius(100, 130, 3000) == 200
    assert wider_radius(250, None, 3000) == 500
    assert wider_radius(2500, 5000, 3000) == 3000


def test_all_national(frame):
    assert all_national(frame)
    assert not all_national(frame.assign(service_area=["regional"] + ["national"] * 7))
    assert not all_national(frame.iloc[0:0])
