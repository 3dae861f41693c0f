"""The app's one entry to the core: the directory loaded once, the geocoder built once, one view per rerun.

A page starts with `shell.start()` (which returns the loaded directory), turns its widgets into
one `ViewRequest`, and calls `view()` once; the map, table, card and exports all read that view.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

from atlas.directory.load import Atlas, load_atlas
from atlas.directory.request import ViewRequest
from atlas.directory.scenes import Scene, default_city
from atlas.directory.scenes import scenes as scenes_of
from atlas.directory.view import View, select_view
from atlas.errors import GeocoderConfigError
from atlas.geocode import build_geocoder
from atlas.ingest.build import signature
from atlas.outputs import mapview
from atlas.outputs.cards import Card, QualitySpec, TableSpec, organization_card, quality_spec
from atlas.outputs.cards import table_spec as table_spec_of
from atlas.outputs.mapview import MapSpec, Origin
from atlas.settings import data_dir, geocoder_settings


@st.cache_resource(show_spinner="Loading the directory… (a large one takes a few seconds the first time)",
                   max_entries=4)
def _load(folder: str, version: tuple) -> Atlas:
    """Keyed by the folder and its files' sizes and times: a changed file means a new load. A
    resource, not data: every session shares the one read-only copy instead of unpickling its own."""
    return load_atlas(folder)


SIGNATURE_SECONDS = 1.0  # a changed data folder is noticed this soon; a burst of visitors shares one look
_signatures: dict[str, tuple[float, tuple]] = {}  # folder -> (when looked, signature)
_clock = time.monotonic


def _signature(folder: str) -> tuple:
    """The folder's signature, looked up on disk at most once a second: every new session asks."""
    now = _clock()
    seen = _signatures.get(folder)
    if seen is None or now - seen[0] >= SIGNATURE_SECONDS:
        seen = _signatures[folder] = (now, signature(folder))
    return seen[1]


def load() -> Atlas:
    """Raises atlas.errors.DataDirError when the folder cannot be used.

    A session keeps the directory it was given while the folder's signature stays the same, so
    its reruns skip even the shared cache's lookup; the page script reuses what app.py loaded."""
    folder = str(data_dir())
    key = (folder, _signature(folder))
    state = st.session_state
    atlas = state.get("_atlas_this_run")
    if atlas is None or state.get("_atlas_key") != key:
        atlas = _load(*key)
        state["_atlas_key"] = key
        state["_atlas_this_run"] = atlas
    return atlas


@st.cache_resource(show_spinner=False)
def _geocoder(settings):
    return build_geocoder(settings)


def geocoder():
    """The geocoder the settings ask for (ATLAS_GEOCODER and friends), built once per setting. None
    when the settings cannot be used: locate() then answers every search with the sentence that
    says which setting to fix, and the rest of the app keeps working."""
    try:
        return _geocoder(geocoder_settings())
    except GeocoderConfigError:
        return None


def _settings_key() -> str:
    try:
        return repr(geocoder_settings())
    except GeocoderConfigError as error:
        return f"unusable: {error}"


# --- what one loaded directory derives -----------------------------------------------------------
#
# Views, and the map and table built from a view, are memoised on the object they derive from, not
# in Streamlit's cache: a lookup is then a dictionary read, where a cached function hashes its
# arguments on every rerun. They live exactly as long as their directory (or view), so a reloaded
# directory, or `st.cache_resource.clear()`, leaves nothing stale behind.

# A view of a national directory holds up to 20,000 table rows (a few MB with its map): keep the
# most recent few dozen, which a burst of visitors asking the same thing share, and recompute the rest.
VIEWS_KEPT = 64
_lock = threading.Lock()
_derived: weakref.WeakKeyDictionary[Any, dict[str, OrderedDict]] = weakref.WeakKeyDictionary()


def derived(owner: Any, kind: str, key: Any, build: Callable[[], Any], limit: int) -> Any:
    """`build()` once per owner, kind and key, the newest `limit` of each kind kept. Sessions share
    the result, so it must be read-only; two sessions asking at once may both build, and one result
    is kept."""
    with _lock:
        memo = _derived.setdefault(owner, {}).setdefault(kind, OrderedDict())
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
    value = build()
    with _lock:
        memo[key] = value
        while len(memo) > limit:
            memo.popitem(last=False)
    return value


def _forget(owner: Any, kind: str, key: Any) -> None:
    with _lock:
        _derived.get(owner, {}).get(kind, {}).pop(key, None)


def view(atlas: Atlas, request: ViewRequest) -> View:
    """The one view of this rerun. Views are read-only and the same request gives the same view, so
    they are shared: a rerun that asks again (a click elsewhere on the page) reuses it."""
    key = (request, _settings_key())
    shown = derived(atlas, "view", key, lambda: select_view(atlas, request, geocoder()), limit=VIEWS_KEPT)
    located = shown.located
    if located is not None and (located.problem == "unavailable" or located.outage):
        _forget(atlas, "view", key)  # an online geocoder's outage is not an answer to keep: ask again next time
    return shown


def map_spec(view: View, *, selected: str | None, basemap: bool, height: int, width: int,
             origin_radius: bool = True) -> MapSpec:
    """The map of a view, built once per view and display size."""
    def build() -> MapSpec:
        place = view.origin
        origin = None if place is None else Origin(place.label, place.latitude, place.longitude,
                                                   view.request.radius_mi if origin_radius else None)
        return mapview.view_map(view.atlas.frame, view.rows, origin=origin, selected_id=selected,
                                basemap=bool(basemap), height=height, width=width)

    return derived(view, "map", (selected, bool(basemap), height, width, origin_radius), build, limit=16)


def table_spec(view: View) -> TableSpec:
    """The view's table and phone card list, built once per view."""
    return derived(view, "table", None, lambda: table_spec_of(view), limit=1)


def scenes(atlas: Atlas, near: str) -> list[Scene]:
    """Presentation's scenes near a city (the directory's first US city when none is asked for),
    worked out once per directory and city: their captions are searched for in the page's text."""
    city = near or derived(atlas, "default-city", None, lambda: default_city(atlas.frame), limit=1)
    return derived(atlas, "scenes", city, lambda: scenes_of(atlas.page, city), limit=16)


def quality(atlas: Atlas) -> QualitySpec:
    """About's data-quality report and point table, built once per directory."""
    return derived(atlas, "quality", None, lambda: quality_spec(atlas.frame), limit=1)


def card(atlas: Atlas, org_id: str, *, report_to: str, page_url: str) -> Card:
    """An organization's detail card, worked out once per organization and link settings."""
    def build() -> Card:
        return organization_card(atlas.organization(org_id), links=atlas.links(org_id), report_to=report_to,
                                 page_url=page_url)

    return derived(atlas, "card", (org_id, report_to, page_url), build, limit=2048)
