"""Make every page run inside app.py's navigation, even on a deep link to a fresh server.

Streamlit 1.67 treats a `pages/` folder beside the entry script as an old-style multipage app
until the entry script has called `st.navigation` once in the process. A first visit straight
to /directory then runs pages/directory.py on its own: no app navigation, no wide layout, no
sidebar. Switching that mode off and rerunning hands the request to app.py, which routes it to
the same page. The browser tests open a deep link on a fresh server to keep this honest.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def page_setup() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
