"""Dystonia Atlas: the entry point. Loads the directory once, then hands over to a page."""

import streamlit as st

from atlas.datadir import DataDirError
from ui import data, layout

st.set_page_config(page_title="Dystonia Atlas", page_icon=":material/explore:", layout="wide",
                   initial_sidebar_state="auto")

try:
    atlas = data.load()
except DataDirError as error:
    st.navigation([st.Page(lambda: layout.data_error_page(error), title="Data problem",
                           icon=":material/error:")], position="hidden").run()
    st.stop()

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/directory.py", title="Directory", icon=":material/list:", url_path="directory"),
    st.Page("pages/nearby.py", title="Nearby", icon=":material/near_me:", url_path="nearby"),
    st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
]
current = st.navigation(pages)
layout.sidebar(atlas)
current.run()
