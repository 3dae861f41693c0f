"""Overview: the page's information beside the map and table of organizations."""

import streamlit as st

from atlas.directory.request import carry
from atlas.text import escape_markdown as md
from ui import bootstrap, data, layout, widgets

bootstrap.page_setup()
atlas = data.load()
page = atlas.page

st.title(md(page.title), anchor=False)
layout.reviewed_notice(page)

info, directory = st.columns([5, 7], gap="large")
with info:
    for index, section in enumerate(page.sections):
        if index > 0 or section.heading != page.title:
            st.header(md(section.heading), anchor=False)
        for paragraph in section.body.split("\n\n"):
            st.markdown(md(paragraph))

with directory:
    st.header(f"{len(atlas.organizations)} organizations that help", anchor=False)
    widgets.organization_map(atlas.frame, key="overview_map", height=420)
    widgets.organization_table(atlas.frame, key="overview_table")
    raw = layout.raw_params()
    links = st.columns(2)
    links[0].page_link("pages/directory.py", label="Filter by focus and state", icon=":material/filter_list:",
                       query_params=carry(raw, "directory"))
    links[1].page_link("pages/nearby.py", label="Find groups near a place", icon=":material/near_me:",
                       query_params=carry(raw, "nearby"))

layout.attribution(page)
