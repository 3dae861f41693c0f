"""The app's one entry to the core: the directory loaded once, the geocoder built once, one view per rerun.

A page calls `page()` first (it makes a deep link to a fresh server run inside app.py's
navigation, then returns the loaded directory), turns its widgets into one `ViewRequest`, and
calls `view()` once; the map, table, card and exports all read that view.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from atlas.directory.load import Atlas, load_atlas
from atlas.directory.request import ViewRequest
from atlas.directory.view import View, select_view
from atlas.errors import GeocoderConfigError
from atlas.geocode import build_geocoder
from atlas.ingest.build import signature
from atlas.outputs import mapview
from atlas.outputs.cards import Card, organization_card
from atlas.outputs.mapview import MapSpec, Origin
from atlas.settings import data_dir, geocoder_settings


@st.cache_resource(show_spinner="Loading the directory… (a large one takes a few seconds the first time)",
                   max_entries=4)
def _load(folder: str, version: tuple) -> Atlas:
    """Keyed by the folder and its files' sizes and times: a changed file means a new load. A
    resource, not data: every session shares the one read-only copy instead of unpickling its own."""
    return load_atlas(folder)


def load() -> Atlas:
    """Raises atlas.errors.DataDirError when the folder cannot be used."""
    folder = data_dir()
    version = signature(folder)
    st.session_state["_atlas_version"] = repr(version)  # the cache key of everything derived this run
    return _load(str(folder), version)


def _version() -> str:
    return st.session_state.get("_atlas_version") or repr(signature(data_dir()))


def page() -> Atlas:
    """Start a page: route a first deep link through app.py, then return the loaded directory.

    Streamlit 1.67 treats a `pages/` folder beside the entry script as an old-style multipage app
    until the entry script has called `st.navigation` once in the process. A first visit straight
    to /directory would then run the page on its own, without the app's navigation or sidebar.
    Switching that mode off and rerunning hands the request to app.py. A browser test opens a
    deep link on a fresh server to keep this honest.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return load()


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


@st.cache_resource(show_spinner=False, max_entries=512)
def _view(_atlas: Atlas, key: str, _request: ViewRequest) -> View:
    return select_view(_atlas, _request, geocoder())


def view(atlas: Atlas, request: ViewRequest) -> View:
    """The one view of this rerun. Views are read-only and the same request gives the same view, so
    they are shared: a rerun that asks again (a click elsewhere on the page) reuses it."""
    shown = _view(atlas, f"{_version()}|{request!r}|{_settings_key()}", request)
    located = shown.located
    if located is not None and (located.problem == "unavailable" or located.note):
        _view.clear()  # an online geocoder's outage is not an answer to keep: ask again next time
    return shown


@st.cache_resource(show_spinner=False, max_entries=512)
def _map_spec(_view: View, key: str, selected: str | None, basemap: bool, height: int, width: int,
              origin_radius: bool) -> MapSpec:
    place = _view.origin
    origin = None if place is None else Origin(place.label, place.latitude, place.longitude,
                                               _view.request.radius_mi if origin_radius else None)
    shown = _view.atlas.frame[mapview.SOURCE_COLUMNS].take(_view.rows)  # only what the map reads
    return mapview.map_spec(shown, origin=origin, selected_id=selected, basemap=basemap,
                    height=height, width=width)


def map_spec(view: View, *, selected: str | None, basemap: bool, height: int, width: int,
             origin_radius: bool = True) -> MapSpec:
    """The map of a view, built once per view and display size."""
    return _map_spec(view, f"{_version()}|{view.request!r}|{_settings_key()}", selected, bool(basemap),
                     height, width, origin_radius)


@st.cache_resource(show_spinner=False, max_entries=2048)
def _card(_atlas: Atlas, folder_version: str, org_id: str, report_to: str, page_url: str) -> Card:
    return organization_card(_atlas.organization(org_id), report_to=report_to, page_url=page_url)


def card(atlas: Atlas, org_id: str, *, report_to: str, page_url: str) -> Card:
    """An organization's detail card, worked out once per organization and data version."""
    return _card(atlas, _version(), org_id, report_to, page_url)
