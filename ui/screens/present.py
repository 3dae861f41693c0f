"""Presentation mode: large type, full-width map, preset scenes stepped through with next/previous."""

import streamlit as st

from atlas.directory.load import Atlas
from atlas.directory.scenes import Scene, scene_index
from atlas.directory.view import View
from atlas.text import escape_markdown as md
from ui import data, layout, present, shell, widgets


def show() -> None:
    atlas = shell.start()
    present.style()
    layout.url_values(atlas, "present")  # a scene it does not know: said once, then the URL names the one shown

    all_scenes = data.scenes(atlas, (st.query_params.get("near") or "").strip())
    index = scene_index(all_scenes, st.query_params.get("scene"))
    scene = all_scenes[index]
    city = next(each.request.near for each in all_scenes if each.request.near)  # the "near" scene's city
    st.query_params["present"] = "1"
    st.query_params["scene"] = scene.slug

    present.controls(all_scenes, index, city)
    st.title(md(scene.title), anchor=False)
    if scene.caption:
        st.markdown(f"## {md(scene.caption)}")

    view = data.view(atlas, scene.request)
    if view.problem:  # the keys and the credit stay: the presenter steps on to the next scene
        st.error(f"{md(view.problem)} Choose another city with the settings button above.",
                 icon=":material/wrong_location:")
    else:
        _scene(atlas, scene, view)
    layout.attribution(atlas.page)
    present.keyboard()


def _scene(atlas: Atlas, scene: Scene, view: View) -> None:
    if view.fallback:  # no office within the radius: the nearest few are shown, and said so
        st.warning(f"No office within {scene.request.radius_mi:,.0f} miles of {md(view.origin.label)}; "
                   "the nearest are shown. Every group here is national and serves people wherever they live.")
    if not len(atlas):
        layout.no_organizations()
    # MAP_HEIGHT fits under the controls, the title and a two-line caption on a 1280x720 projector too;
    # MAP_WIDTH keeps a wide screen from turning the map into a strip of empty sea.
    with st.container(horizontal=True, horizontal_alignment="center"), \
            st.container(key="present-map", width=present.MAP_WIDTH):
        widgets.organization_map(view, key=f"present_map_{scene.slug}", height=present.MAP_HEIGHT, width=1200)
    present.organization_list(view)
    st.download_button("Download this map as an image (PNG)", data=lambda: present.slide_png(view),
                       file_name=f"dystonia-atlas-{scene.slug}.png", mime="image/png", on_click="ignore",
                       icon=":material/image:")
