"""Dystonia Atlas: the entry point. Loads the directory once, then hands over to a page."""

from functools import partial

import streamlit as st

from atlas.errors import AtlasError, DataDirError
from ui import data, layout

PRESENTING = st.query_params.get("present", "").lower() in ("1", "true", "yes", "on")

st.set_page_config(page_title="Dystonia Atlas", page_icon="🧭", layout="wide",
                   initial_sidebar_state="collapsed" if PRESENTING else "auto")

try:
    atlas = data.load()
except DataDirError as error:
    st.navigation([st.Page(partial(layout.data_error_page, error), title="Data problem",
                           icon=":material/error:")], position="hidden").run()
    st.stop()

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/directory.py", title="Directory", icon=":material/list:", url_path="directory"),
    st.Page("pages/nearby.py", title="Nearby", icon=":material/near_me:", url_path="nearby"),
    st.Page("pages/fit.py", title="Which group fits?", icon=":material/help:", url_path="fit"),
    st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
]
presentation = st.Page("pages/present.py", title="Presentation", icon=":material/slideshow:", url_path="present",
                       visibility="hidden")
current = st.navigation([*pages, presentation], position="hidden" if PRESENTING else "sidebar")
if PRESENTING and current.url_path != "present":
    st.switch_page(presentation, query_params=layout.raw_params())
if current.url_path == "present" and not PRESENTING:
    st.switch_page(presentation, query_params={**layout.raw_params(), "present": "1"})
if not PRESENTING:
    if layout.sidebar(atlas):
        st.switch_page(presentation, query_params={"present": "1"})
try:
    current.run()
except AtlasError as error:  # bad input the core explains: a message, never a traceback
    st.error(layout.md(str(error)), icon=":material/error:")
