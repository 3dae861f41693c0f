"""The loaded directory and its views: filters, ranking, the nearest fallback, prepared columns."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from geopy.distance import great_circle
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.directory import distance
from atlas.directory.distance import EARTH_RADIUS, KM_PER_MILE, SpatialIndex, haversine_km, wider_radius
from atlas.directory.load import prepare
from atlas.directory.request import ViewRequest
from atlas.directory.view import filter_mask, select_view


@pytest.fixture(scope="module")
def atlas(directory):
    return prepare(directory.page, directory.organizations)


def names(atlas, rows):
    return [atlas.organizations[row].name for row in rows]


def test_frame_keeps_page_order_and_every_field(atlas, directory):
    assert list(atlas.frame["name"]) == [o.name for o in directory.organizations]
    assert atlas.frame.loc[0, "place"] == "Chicago, IL 60601-1905"
    assert atlas.frame.loc[0, "focus_label"] == "General"


@pytest.mark.parametrize("request_, expected", [
    (ViewRequest(), 8),
    (ViewRequest(focus=("torticollis",)), 6),
    (ViewRequest(focus=("torticollis",), include_general=False), 2),
    (ViewRequest(focus=("blepharospasm", "speech"), include_general=False), 2),
    (ViewRequest(include_general=False), 4),
    (ViewRequest(state="NY"), 2),
    (ViewRequest(state="NY", include_general=False), 0),
    (ViewRequest(query="TORTICOLLIS"), 2),
    (ViewRequest(query="dystonia foundation"), 2),
    (ViewRequest(query="princeton"), 1),
    (ViewRequest(focus=("not-a-focus",)), 8),
])
def test_filters(atlas, request_, expected):
    assert int(filter_mask(atlas, request_).sum()) == expected
    assert len(select_view(atlas, request_)) == expected


def test_states(atlas):
    assert list(atlas.states) == ["CA", "IL", "MD", "NJ", "NY", "TX", "WI"]


def test_earth_radius_is_geopys():
    from geopy.distance import EARTH_RADIUS as GEOPY_RADIUS

    assert EARTH_RADIUS == GEOPY_RADIUS


def test_haversine_agrees_with_geopy_great_circle():
    rng = np.random.default_rng(7)
    lats, lons = rng.uniform(-80, 80, 500), rng.uniform(-180, 180, 500)
    ours = haversine_km(41.8858, -87.6181, lats, lons)
    theirs = [great_circle((41.8858, -87.6181), (a, b)).km for a, b in zip(lats, lons)]
    assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-6)


def test_ranking_sorts_nearest_first_and_skips_unplaced(atlas):
    lats, lons = atlas.index.lats.copy(), atlas.index.lons.copy()
    lats[1] = lons[1] = np.nan
    ranked = SpatialIndex(lats, lons).rank(40.7556, -73.9789)  # ZIP 10176
    assert names(atlas, ranked.rows)[0] == "Bachmann-Strauss Dystonia & Parkinson Foundation"
    assert "National Spasmodic Torticollis Association" not in names(atlas, ranked.rows)
    assert len(ranked.rows) == 7 and np.all(np.diff(ranked.km) >= 0)
    view = select_view(atlas, ViewRequest(near="10176"))
    assert np.allclose(view.table()["Km"], np.round(view.miles * KM_PER_MILE, 1))


def test_nearby_radius_and_fallback(atlas):
    far = select_view(atlas, ViewRequest(near="99501", radius_mi=100))  # Anchorage
    assert far.fallback and len(far) == 3 and far.suggested_radius_mi > 100
    near = select_view(atlas, ViewRequest(near="60601", radius_mi=100))
    assert names(atlas, near.rows) == ["Dystonia Medical Research Foundation",
                                       "Spasmodic Torticollis Dystonia/ST Dystonia"]
    assert not near.fallback


def test_no_radius_ranks_every_match(atlas):
    view = select_view(atlas, ViewRequest(near="Denver, CO"))
    assert len(view) == 8 and not view.fallback and view.problem == ""
    assert np.all(np.diff(view.miles) >= 0)


def test_nearest_of_each_chosen_focus_whatever_the_distance(atlas):
    view = select_view(atlas, ViewRequest(near="Chicago, IL", focus=("speech",), radius_mi=500))
    sentence = [n.sentence for n in view.nearest_of_focus]
    assert sentence and sentence[0].startswith("The nearest voice and speech group is American Speech-Language")
    assert "Rockville, MD" in sentence[0]
    assert "American Speech-Language-Hearing Association (ASHA)" in names(atlas, view.rows)


def test_wider_radius_reaches_the_nearest_and_stays_tidy():
    assert wider_radius(100, 2410.3, 3000) == 2500
    assert wider_radius(100, 130, 3000) == 200
    assert wider_radius(250, None, 3000) == 500
    assert wider_radius(2500, 5000, 3000) == 3000


def test_nearest_zip_rounds_a_position_to_a_zip_code_centre():
    assert distance.nearest_zip(41.886, -87.618) == "60601"
    assert distance.nearest_zip(41.8858, -87.6181) == "60601"
    anchorage = distance.nearest_zip(61.2181, -149.9003)
    assert anchorage is not None and anchorage.startswith("995")
    assert distance.nearest_zip(48.8566, 2.3522) is None  # Paris: no US ZIP code within reach
    assert distance.nearest_zip(float("nan"), 0) is None and distance.nearest_zip(91, 0) is None
    assert distance.nearest_zip("x", 1) is None


def test_all_national(atlas, directory):
    assert select_view(atlas, ViewRequest()).all_national
    regional = prepare(directory.page, [directory.organizations[0].replace(service_area="regional"),
                                        *directory.organizations[1:]])
    assert not select_view(regional, ViewRequest()).all_national
    assert not select_view(atlas, ViewRequest(query="nobody is called this")).all_national


def test_table_rows(atlas):
    rows = select_view(atlas, ViewRequest()).table()
    assert list(rows.columns)[:3] == ["id", "Organization", "Focus"]
    asha = rows[rows["Organization"].str.startswith("American Speech")].iloc[0]
    assert asha["Phone"] == "tel:+1-800-638-8255"  # toll-free when there is no other phone
    assert rows.loc[rows["Organization"] == "American Dystonia Society", "Data notes"].item() == \
        "Phone area code in another state"


def test_one_view_geocodes_once_and_ranks_once(atlas, monkeypatch):
    """The one-view rule: a Nearby request asks the geocoder once and the index once, whatever reads it."""
    import atlas.directory.view as view_module

    located, ranked = [], []
    real_locate, real_rank = view_module.locate, SpatialIndex.rank
    monkeypatch.setattr(view_module, "locate", lambda *a, **k: located.append(a) or real_locate(*a, **k))
    monkeypatch.setattr(SpatialIndex, "rank", lambda self, *a, **k: ranked.append(a) or real_rank(self, *a, **k))
    view = select_view(atlas, ViewRequest(near="60601"))
    view.table(), view.organizations, view.distances_mi, view.title, view.summary  # every output reads it
    assert len(located) == 1 and len(ranked) == 1


# Independent check of the spatial index: brute-force haversine over random points.
coordinates = st.tuples(st.floats(-89, 89), st.floats(-179.9, 179.9))


@settings(max_examples=60, deadline=None)
@given(points=st.lists(coordinates, min_size=1, max_size=300), origin=coordinates,
       radius=st.floats(1, 20_000), limit=st.integers(1, 50), seed=st.integers(0, 2**16))
def test_spatial_index_equals_brute_force(points, origin, radius, limit, seed):
    lats, lons = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    mask = np.random.default_rng(seed).random(len(points)) < 0.7
    index = SpatialIndex(lats, lons)
    km = haversine_km(origin[0], origin[1], lats, lons)
    allowed = np.flatnonzero(mask)
    expected = allowed[np.lexsort((allowed, km[allowed]))]
    ranked = index.rank(*origin, mask)
    assert np.allclose(km[ranked.rows], km[expected]) and set(ranked.rows) == set(expected)
    within = index.rank(*origin, mask, radius_km=radius)
    assert set(within.rows) == set(allowed[km[allowed] <= radius])
    top = index.rank(*origin, mask, limit=limit)
    assert np.allclose(top.km, km[expected][:limit])
    with patch.object(distance, "BRUTE_FORCE_UP_TO", 0):  # the tree's k-nearest path, as at national size
        tree_top = index.rank(*origin, mask, limit=limit)
    assert np.allclose(tree_top.km, km[expected][:limit])
