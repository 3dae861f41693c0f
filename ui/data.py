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
from atlas.geocode import build_geocoder
from atlas.ingest.build import signature
from atlas.outputs.cards import Card, organization_card
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
    return _load(str(folder), signature(folder))


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
    """The geocoder the settings ask for (ATLAS_GEOCODER and friends), built once per setting."""
    return _geocoder(geocoder_settings())


def view(atlas: Atlas, request: ViewRequest) -> View:
    return select_view(atlas, request, geocoder())


@st.cache_resource(show_spinner=False, max_entries=2048)
def _card(_atlas: Atlas, folder_version: tuple, org_id: str, report_to: str, page_url: str) -> Card:
    return organization_card(_atlas.organization(org_id), report_to=report_to, page_url=page_url)


def card(atlas: Atlas, org_id: str, *, report_to: str, page_url: str) -> Card:
    """An organization's detail card, worked out once per organization and data version."""
    folder = data_dir()
    return _card(atlas, signature(folder), org_id, report_to, page_url)
