"""Overview: the page's information beside the map and table of organizations."""

import streamlit as st

from atlas.directory.request import ViewRequest, carry
from atlas.text import escape_markdown as md
from ui import data, layout, shell, widgets


def show() -> None:
    atlas = shell.start()
    page = atlas.page
    view = data.view(atlas, ViewRequest())

    st.title(md(page.title), anchor=False)
    layout.reviewed_notice(page)

    info, directory = st.columns([5, 7], gap="large")
    with info:
        layout.sections(atlas)

    with directory:
        st.header(f"{len(atlas):,} organizations that help" if len(atlas) else "Organizations", anchor=False)
        if not len(atlas):
            layout.no_organizations()
        widgets.organization_map(view, key="overview_map", height=420)
        widgets.organization_table(view, key="overview_table")
        raw = layout.raw_params()
        st.page_link(shell.page("pages/directory.py"), label="Filter by focus and state",
                     icon=":material/filter_list:", query_params=carry(raw, "directory"))
        st.page_link(shell.page("pages/nearby.py"), label="Find groups near a place",
                     icon=":material/near_me:", query_params=carry(raw, "nearby"))
