"""The app around every page: page settings, the directory (or the page that says why it cannot be
loaded), navigation, the sidebar and presentation mode. app.py runs it on every rerun.

It lives in a module rather than in app.py so that it is compiled once per process: Streamlit
compiles the entry script itself again whenever it has no cached copy (every AppTest run).
"""

from __future__ import annotations

import copy
from functools import cache, partial

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from atlas.directory.load import Atlas
from atlas.directory.request import PARAMS, Context, carry
from atlas.errors import AtlasError, DataDirError
from ui import data, layout

# The default page is served at "/" whatever its url_path; "start" only has to differ from the script's
# name. On a run in Streamlit's old pages-folder mode (a server's first run, every AppTest run) a
# request for a page of the script's name runs pages/overview.py directly, and start() must hand
# the run to the shell from there; a name that folder does not have runs app.py at once.
PAGES = (
    dict(page="pages/overview.py", title="Overview", icon=":material/home:", default=True, url_path="start"),
    dict(page="pages/directory.py", title="Directory", icon=":material/list:", url_path="directory"),
    dict(page="pages/nearby.py", title="Nearby", icon=":material/near_me:", url_path="nearby"),
    dict(page="pages/fit.py", title="Which group fits?", icon=":material/help:", url_path="fit"),
    dict(page="pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
)
PRESENTATION = dict(page="pages/present.py", title="Presentation", icon=":material/slideshow:", url_path="present",
                    visibility="hidden")


@cache
def _built_pages() -> tuple[st.Page, ...]:
    return tuple(st.Page(**page) for page in (*PAGES, PRESENTATION))


@cache
def _by_script() -> dict[str, st.Page]:
    return {spec["page"]: built for spec, built in zip((*PAGES, PRESENTATION), _built_pages())}


def page(script: str) -> st.Page:
    """The app's page for a script path ("pages/nearby.py"), for `st.page_link`: given a Page rather
    than a path, it does not look the file up on disk again on every run."""
    return _by_script()[script]


def navigation_pages() -> list[st.Page]:
    """The app's pages, the presentation last. `st.Page` looks its file up on disk whenever it is
    built, so they are built once per process; each run gets its own copies, because
    `st.navigation` marks the page it returns as the one allowed to run, and sessions run side by side."""
    return [copy.copy(page) for page in _built_pages()]


def start() -> Atlas:
    """Start a page: route a first deep link through the shell, then return the loaded directory.

    Streamlit 1.67 treats a `pages/` folder beside the entry script as an old-style multipage app
    until the entry script has called `st.navigation` once in the process (AppTest resets that on
    every run). A first visit straight to /directory then runs the page script on its own,
    without the app's navigation or sidebar. Here the page hands the run to `run()`, as app.py
    would: its `st.navigation` ends that mode and runs this page inside the app, and the outer
    run stops. (Streamlit runs app.py the same way in that mode, inside its own navigation.) A
    browser test opens a deep link on a fresh server to keep this honest.
    """
    if PagesManager.uses_pages_directory:
        run()
        st.stop()
    atlas = st.session_state.get("_atlas_this_run")
    return atlas if atlas is not None else data.load()


def presenting() -> bool:
    """Whether the URL asks for presentation mode, read by the `present` parameter's own decoder."""
    values = st.query_params.get_all("present")
    return bool(values) and PARAMS["present"].value_or(values, Context(), False)


def run() -> None:
    on_stage = presenting()
    st.set_page_config(page_title="Dystonia Atlas", page_icon="🧭", layout="wide",
                       initial_sidebar_state="collapsed" if on_stage else "auto")
    try:
        atlas = data.load()
    except DataDirError as error:
        st.navigation([st.Page(partial(layout.data_error_page, error), title="Data problem",
                               icon=":material/error:")], position="hidden").run()
        st.stop()

    pages = navigation_pages()
    presentation = pages[-1]
    current = st.navigation(pages, position="hidden" if on_stage else "sidebar")
    if on_stage and current.url_path != "present":
        st.switch_page(presentation, query_params=layout.raw_params())
    if current.url_path == "present" and not on_stage:
        st.switch_page(presentation, query_params={**layout.raw_params(), "present": "1"})
    if not on_stage and layout.sidebar(atlas):  # the place searched, if any, becomes the "near" scene's city
        st.switch_page(presentation, query_params={**carry(layout.raw_params(), "present"), "present": "1"})
    try:
        current.run()
    except AtlasError as error:  # bad input the core explains: a message, never a traceback
        st.error(layout.md(str(error)), icon=":material/error:")
