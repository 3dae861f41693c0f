"""Nearby: organizations ranked by distance from a ZIP code, a city or an address."""

import streamlit as st

from atlas.directory.request import RADIUS_DEFAULT, RADIUS_MAX, RADIUS_MIN, RADIUS_STEP, request_from
from atlas.text import escape_markdown as md
from ui import data, exports, layout, location, shell, urlstate, widgets


def show() -> None:
    atlas = shell.start()
    ctx = widgets.context(atlas)

    st.title("Groups near a place", anchor=False)
    layout.url_values(atlas, "nearby")

    place_column, radius_column = st.columns([3, 2], vertical_alignment="bottom")
    with place_column:
        near = urlstate.bound("near", ctx, st.text_input, "ZIP code, city and state, or address",
                              placeholder="60601, Chicago, IL, or 1 East Wacker Drive, Chicago, IL")
        location.use_my_location()
    with radius_column:
        limited = widgets.radius_switch(atlas)
        radius = urlstate.bound("radius", ctx, st.slider, "Radius in miles", RADIUS_MIN, RADIUS_MAX, step=RADIUS_STEP,
                                default=RADIUS_DEFAULT, then=widgets.switch_radius_on, in_url=limited,
                                help="Moving it switches the radius on.")
    values = widgets.filter_panel(atlas, "Filter by focus, state or name", key="nearby-filters") \
        | widgets.map_area(atlas)  # a map area opened on the Directory ranks only what it holds
    view = data.view(atlas, request_from(values, near=(near or "").strip(),
                                            radius_mi=float(radius) if limited else None))

    if view.all_national:
        st.info("Every organization listed here is **national**: it serves people wherever they live, whatever the "
                "distance to its office. Distance tells you where the office is, not how far help is.",
                icon=":material/public:")

    if view.located is None:
        st.markdown("Enter a place to rank the organizations by distance from it.")
        if not len(atlas):
            layout.no_organizations()
        widgets.organization_map(view, key="nearby_map")
        st.stop()

    if view.origin is None:
        st.error(md(view.problem), icon=":material/wrong_location:")
        widgets.place_choices(view)
        st.stop()
    if view.located.note:
        st.caption(md(view.located.note))

    place = view.origin
    distances = f"Distances from {md(place.label)} ({md(place.precision.replace('_', ' '))} centre)."
    if view.fallback:
        st.markdown(f"{distances} The nearest offices, whatever the radius:")
        st.info(f"No organization has an office within {view.request.radius_mi:,.0f} miles of {md(place.label)}.",
                icon=":material/radar:")
        if view.suggested_radius_mi:
            st.button(f"Widen the search to {view.suggested_radius_mi:,.0f} miles", icon=":material/zoom_out_map:",
                      on_click=urlstate.choose, args=("radius", int(view.suggested_radius_mi)))
    elif view.empty:
        st.caption(distances)
        if not view.unplaced:
            st.info("No organization matches the chosen focus and filters." if len(atlas) else
                    "This page lists no organizations, so there is nothing to rank.", icon=":material/search_off:")
    else:
        st.markdown(f"{view.summary} {distances}")  # one element: each costs the server on every run
    if view.unplaced:
        st.info(md(view.unplaced_sentence), icon=":material/location_off:")
    for nearest in view.nearest_of_focus:
        st.info(md(nearest.sentence), icon=":material/near_me:")

    widgets.organization_map(view, key="nearby_map")
    widgets.organization_table(view, key="nearby_table")
    exports.export_panel(view, key="nearby")
