"""Page furniture shared by every page: sidebar, notices, attribution, the data error page."""

from __future__ import annotations

import streamlit as st

from atlas.directory.request import check_params
from atlas.ingest.build import DataDirError
from atlas.ingest.quality import explain
from atlas.model import Page
from atlas.text import escape_markdown as md
from atlas.text import long_date
from ui.data import AtlasData


def raw_params() -> dict[str, list[str]]:
    """The URL's query parameters as lists, read before any widget takes its value from them."""
    return {name: st.query_params.get_all(name) for name in st.query_params.keys()}


def param_notices(atlas: AtlasData, page: str) -> None:
    """Say which URL values this page ignores (Streamlit drops them from bound widgets silently)."""
    check = check_params(raw_params(), states=sorted({o.state for o in atlas.organizations if o.state}),
                         org_ids=atlas.ids, page=page)
    for notice in check.notices:
        st.info(md(notice), icon=":material/link_off:")


def reviewed_on(page: Page) -> str:
    return long_date(page.reviewed_on)


def reviewed_notice(page: Page) -> None:
    text = (f"**Contact details date from {reviewed_on(page)}**, when this page was last reviewed. "
            "Phone numbers, addresses and emails may have changed: confirm them before you call, write or visit.")
    if "stale-source" in page.quality_flags:
        st.warning(text, icon=":material/history:")
    else:
        st.info(text, icon=":material/event:")


def attribution(page: Page) -> None:
    st.divider()
    st.caption(f"**Source:** {md(page.source or 'not stated on the page')}. Last reviewed {reviewed_on(page)}.")
    if page.disclaimer:
        st.caption(md(page.disclaimer))


def sidebar(atlas: AtlasData) -> bool:
    """The sidebar every page shares. Returns True when the user switches presentation mode on."""
    with st.sidebar:
        st.caption(f"From *{md(atlas.page.title)}* (NIH/NINDS), last reviewed {reviewed_on(atlas.page)}. "
                   f"{len(atlas.organizations)} organizations.")
        if "stale-source" in atlas.page.quality_flags:
            st.caption(f":material/history: {md(explain('stale-source'))}")
        st.toggle("Street basemap (needs internet)", key="basemap",
                  help="Off: the map draws US state outlines and works offline. On: street tiles from Carto.")
        return st.toggle("Presentation mode", key="present_toggle", value=False,
                         help="Large type, a full-width map and scenes to step through. Share ?present=1 to "
                              "open it directly.")


def data_error_page(error: DataDirError) -> None:
    st.title("The directory could not be loaded")
    st.error(md(error.problem), icon=":material/error:")
    st.markdown(f"**How to fix it:** {md(error.fix)}")
    st.markdown("Then reload this page. To check a data folder from a terminal:")
    st.code("python -m atlas check <folder>\npython -m atlas build <folder>/<page>.txt --out <folder>", language="bash")
