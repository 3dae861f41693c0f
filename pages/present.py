"""Presentation mode: large type, full-width map, preset scenes stepped through with next/previous."""

import streamlit as st

from atlas.directory.distance import nearby, to_frame
from atlas.directory.scenes import default_city, scene_index, scenes
from atlas.directory.view import ViewError, select_view
from atlas.text import escape_markdown as md
from ui import bootstrap, data, layout, present, widgets

bootstrap.page_setup()
atlas = data.load()
present.style()

city = (st.query_params.get("near") or "").strip() or default_city(list(atlas.organizations))
all_scenes = scenes(atlas.page, city)
index = scene_index(all_scenes, st.query_params.get("scene"))
scene = all_scenes[index]
st.query_params["present"] = "1"
st.query_params["scene"] = scene.slug

present.controls(all_scenes, index, city)
st.title(md(scene.title), anchor=False)
if scene.caption:
    st.markdown(f"## {md(scene.caption)}")

try:
    view = select_view(atlas.page, list(atlas.organizations), scene.request)
except ViewError as error:
    st.error(f"{md(str(error))} Choose another city with the settings button above.", icon=":material/wrong_location:")
    st.stop()

shown = view.organizations
if view.empty and view.origin is not None:  # no office within the radius: show the nearest few, and say so
    ranked = nearby(to_frame(list(atlas.organizations)), view.origin.latitude, view.origin.longitude, 0).nearest
    shown = [atlas.organization(i) for i in ranked["id"]]
    st.warning(f"No office within {scene.request.radius_mi:,.0f} miles of {md(view.origin.label)}; "
               "the nearest are shown. Every group here is national and serves people wherever they live.")
frame = to_frame(shown)
origin = present.origin_for(view, scene)
widgets.organization_map(frame, key=f"present_map_{scene.slug}", origin=origin, height=600, width=1200)
present.organization_list(shown, view.distances_mi)
st.download_button("Download this map as an image (PNG)", data=lambda: present.slide_png(view),
                   file_name=f"dystonia-atlas-{scene.slug}.png", mime="image/png", on_click="ignore",
                   icon=":material/image:")
layout.attribution(atlas.page)
