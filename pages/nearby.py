"""Nearby: organizations ranked by distance from a ZIP code, a city or an address."""

import streamlit as st

from atlas.directory.distance import all_national, filter_frame, nearby, wider_radius
from atlas.directory.request import RADIUS_DEFAULT, RADIUS_MAX, RADIUS_MIN, RADIUS_STEP
from atlas.directory.view import ViewRequest
from atlas.geocode import locate
from atlas.outputs.mapview import Origin
from atlas.text import escape_markdown as md
from ui import bootstrap, data, exports, layout, urlstate, widgets

bootstrap.page_setup()
atlas = data.load()
NEAR = urlstate.text("near")
RADIUS = urlstate.number("radius", RADIUS_MIN, RADIUS_MAX, RADIUS_DEFAULT)

st.title("Groups near a place", anchor=False)
layout.param_notices(atlas, "nearby")

place_column, radius_column = st.columns([3, 2], vertical_alignment="bottom")
with place_column:
    near = urlstate.bound(NEAR, st.text_input, "ZIP code, city and state, or address",
                          placeholder="60601, Chicago, IL, or 1 East Wacker Drive, Chicago, IL")
with radius_column:
    radius = urlstate.bound(RADIUS, st.slider, "Radius in miles", RADIUS_MIN, RADIUS_MAX, step=RADIUS_STEP)
with st.expander("Filter by focus, state or name"):
    filters = widgets.filter_bar(atlas)
candidates = filter_frame(atlas.frame, filters)
request = ViewRequest.from_filters(filters, near=(near or "").strip(), radius_mi=float(radius))

if all_national(candidates):
    st.info("Every organization listed here is **national**: it serves people wherever they live, whatever the "
            "distance to its office. Distance tells you where the office is, not how far help is.",
            icon=":material/public:")

if not (near or "").strip():
    st.markdown("Enter a place to rank the organizations by distance from it.")
    widgets.organization_map(candidates, key="nearby_map")
    st.stop()

result = locate(near)
if not result.found:
    st.error(md(result.message), icon=":material/wrong_location:")
    st.stop()
if result.note:
    st.caption(md(result.note))

place = result.place
origin = Origin(place.label, place.latitude, place.longitude, float(radius))
found = nearby(candidates, place.latitude, place.longitude, float(radius))
st.caption(f"Distances from {md(place.label)} ({md(place.precision.replace('_', ' '))} centre).")

if found.empty:
    nearest = found.nearest["distance_mi"].iloc[0] if not found.nearest.empty else None
    wider = wider_radius(float(radius), nearest, RADIUS_MAX)
    st.warning(f"No organization has an office within {radius:,} miles of {md(place.label)}.",
               icon=":material/radar:")
    if wider > radius:
        st.button(f"Widen the search to {wider:,.0f} miles", icon=":material/zoom_out_map:",
                  on_click=urlstate.choose, args=(RADIUS, int(wider)))
    if found.nearest.empty:
        st.markdown("No organization matches the chosen focus.")
        st.stop()
    st.markdown("The nearest offices, whatever the radius:")
    shown = found.nearest
else:
    st.markdown(f"**{len(found.within)}** organization{'s' if len(found.within) != 1 else ''} within "
                f"{radius:,} miles, nearest first.")
    shown = found.within

widgets.organization_map(shown, key="nearby_map", origin=origin)
widgets.organization_table(shown, key="nearby_table")
exports.export_panel(atlas, request, key="nearby")
