"""Presentation mode's furniture: large type, scene controls and a big-print organization list."""

from __future__ import annotations

import streamlit as st

from atlas.directory.scenes import Scene
from atlas.directory.view import View
from atlas.ingest.tags import focus_label
from atlas.text import escape_markdown as md

# Hides the sidebar and Streamlit's header, widens the page and enlarges the type for a projector.
# Static CSS: no data is ever interpolated into it.
_STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1.5rem 3rem 3rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.35rem; line-height: 1.5; }
[data-testid="stMain"] h1 { font-size: 3.2rem; }
[data-testid="stMain"] h2 { font-size: 1.6rem; font-weight: 400; max-width: 60em; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] ul { columns: 2 28em; column-gap: 3rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { break-inside: avoid; margin-bottom: .5em; }
</style>
"""


def style() -> None:
    st.html(_STYLE)


def controls(all_scenes: list[Scene], index: int, city: str) -> None:
    """Previous / next as links (keyboard-focusable, and each scene has its own URL), plus exit."""
    count = len(all_scenes)
    previous, position, following, settings, leave = st.columns([2, 2, 2, 2, 2], vertical_alignment="center")
    params = lambda i: {"present": "1", "scene": all_scenes[i].slug, "near": city}  # noqa: E731
    previous.page_link("pages/present.py", label="Previous", icon=":material/arrow_back:",
                       query_params=params((index - 1) % count))
    position.markdown(f"Scene {index + 1} of {count}")
    following.page_link("pages/present.py", label="Next", icon=":material/arrow_forward:",
                        query_params=params((index + 1) % count))
    with settings.popover("Set city", icon=":material/location_city:", help="The city of the 'Groups near' scene"):
        st.text_input("City, ZIP code or address", key="present_city", on_change=_go_to_city,
                      help="The 'Groups near' scene measures distances from here.")
    leave.page_link("pages/overview.py", label="Leave presentation", icon=":material/close:")


def _go_to_city() -> None:
    city = (st.session_state.get("present_city") or "").strip()
    if city:
        st.query_params["near"] = city
        st.query_params["scene"] = "near"


LIST_LIMIT = 40  # a room reads a few dozen names; the table and exports hold the rest


def organization_list(view: View) -> None:
    items = []
    distances = view.distances_mi
    for org in view.organizations[:LIST_LIMIT]:
        where = org.locality or "location not given"
        miles = f" · {distances[org.id]:,.0f} miles" if org.id in distances else ""
        focus = ", ".join(focus_label(f, short=True) for f in org.focus)
        items.append(f"- **{md(org.name)}**  \n  {md(where)} · {md(focus)}{md(miles)}")
    if len(view) > LIST_LIMIT:
        items.append(f"- …and {len(view) - LIST_LIMIT:,} more")
    st.markdown("\n".join(items))


def slide_png(view: View) -> bytes:
    from atlas.outputs.staticmap import render_map_png

    return render_map_png(view)
