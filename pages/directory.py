"""Directory: filter the organizations, see them on the map and in the table, open one."""

import streamlit as st

from atlas.directory.distance import filter_frame
from atlas.directory.request import carry
from atlas.directory.view import ViewRequest
from ui import bootstrap, data, exports, layout, widgets

bootstrap.page_setup()
atlas = data.load()

st.title("Directory", anchor=False)
layout.param_notices(atlas, "directory")
filters = widgets.filter_bar(atlas)
shown = filter_frame(atlas.frame, filters)

st.caption(f"Showing {len(shown)} of {len(atlas.frame)} organizations.")
if shown.empty:
    st.info("No organization matches these filters. Try another focus, include general dystonia groups, "
            "or clear the search.", icon=":material/search_off:")
    st.button("Clear all filters", on_click=widgets.reset_filters, icon=":material/restart_alt:")

map_column, card_column = st.columns([3, 2], gap="large")
with card_column:
    selected = widgets.organization_picker(atlas)
    widgets.show_detail(atlas, selected)
with map_column:
    widgets.organization_map(shown, key="directory_map", selected=selected, select_into="org")

widgets.organization_table(shown, key="directory_table", select_into="org")
exports.export_panel(atlas, ViewRequest.from_filters(filters, org=selected or ""), key="directory")
st.page_link("pages/nearby.py", label="Rank these by distance from a place", icon=":material/near_me:",
             query_params=carry(layout.raw_params(), "nearby"))
