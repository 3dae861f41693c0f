"""Directory: filter the organizations, see them on the map and in the table, open one."""

import streamlit as st

from atlas.directory.request import carry, request_from
from ui import data, exports, layout, shell, widgets


def show() -> None:
    atlas = shell.start()

    st.title("Directory", anchor=False)
    layout.url_values(atlas, "directory")
    values = widgets.filter_bar(atlas) | widgets.map_area(atlas)
    summary = st.container()
    map_column, card_column = st.columns([3, 2], gap="large")
    with card_column:
        chosen = widgets.organization_picker(atlas)
    view = data.view(atlas, request_from(values, org=chosen or ""))

    with summary:
        st.caption(view.summary)
        if view.empty and not len(atlas):
            layout.no_organizations()
        elif view.empty:
            st.info("No organization matches these filters. Try another focus, include general dystonia groups, "
                    "or clear the search.", icon=":material/search_off:")
            st.button("Clear all filters", on_click=widgets.reset_filters, icon=":material/restart_alt:")
    with card_column:
        widgets.show_detail(atlas, view)
    with map_column:
        widgets.organization_map(view, key="directory_map", select_into="org")

    widgets.organization_table(view, key="directory_table", select_into="org")
    exports.export_panel(view, key="directory")
    st.page_link(shell.page("pages/nearby.py"), label="Rank these by distance from a place",
                 icon=":material/near_me:",
                 query_params=carry(layout.raw_params(), "nearby"))
