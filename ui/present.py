"""Presentation mode's furniture: large type, scene controls and a big-print organization list."""

from __future__ import annotations

import streamlit as st

from atlas.directory.scenes import Scene
from atlas.directory.view import View
from atlas.ingest.tags import focus_label
from atlas.text import escape_markdown as md
from ui import shell

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
/* The legend reads as large as the body text (its own inline size is 1em). */
[data-testid="stMain"] .atlas-legend { font-size: 1.35rem !important; }
</style>
"""


MAP_HEIGHT = 420  # px: the whole map is on screen at 1280x720 under the title and caption, and at 1920x1080
MAP_WIDTH = 1400  # px at most (narrower screens get their full width)


def style() -> None:
    st.html(_STYLE)


def controls(all_scenes: list[Scene], index: int, city: str) -> None:
    """Previous / next as links (keyboard-focusable, and each scene has its own URL), plus exit.

    Previous and Next sit side by side in one group; the arrow keys and Page Up / Page Down (what
    a presentation clicker sends) press them, see `keyboard`."""
    count = len(all_scenes)
    steps, position, settings, leave = st.columns([3, 2, 2, 2], vertical_alignment="center")
    params = lambda i: {"present": "1", "scene": all_scenes[i].slug, "near": city}  # noqa: E731
    with steps, st.container(key="present-nav", horizontal=True, wrap=False, gap="small"):
        st.container(key="present-previous", width="content").page_link(
            shell.page("pages/present.py"), label="Previous", icon=":material/arrow_back:",
            query_params=params((index - 1) % count))
        st.container(key="present-next", width="content").page_link(
            shell.page("pages/present.py"), label="Next", icon=":material/arrow_forward:",
            query_params=params((index + 1) % count))
    position.markdown(f"Scene {index + 1} of {count}")
    with settings.popover("Set city", icon=":material/location_city:", help="The city of the 'Groups near' scene"):
        st.text_input("City, ZIP code or address", key="present_city", on_change=_go_to_city,
                      help="The 'Groups near' scene measures distances from here.")
    leave.page_link(shell.page("pages/overview.py"), label="Leave presentation", icon=":material/close:")


# Static script, no data in it. Streamlit's component iframe shares the app's origin, so it can listen
# for keys on the page itself; the listener is replaced, never added twice, and does nothing while the
# presenter types in a box or when the page has no scene links.
_KEYS = """<!doctype html><meta charset="utf-8"><title>Scene keys</title><script>
(function () {
  "use strict";
  var host = window.parent, page = host.document;
  var STEPS = { ArrowRight: "next", PageDown: "next", ArrowLeft: "previous", PageUp: "previous" };
  if (host.__atlasSceneKeys) { page.removeEventListener("keydown", host.__atlasSceneKeys, true); }
  function onKey(event) {
    var step = STEPS[event.key];
    if (!step || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var link = page.querySelector(".st-key-present-" + step + " a[href]");
    if (!link) { return; }
    event.preventDefault();
    event.stopPropagation();
    link.click();
  }
  host.__atlasSceneKeys = onKey;
  page.addEventListener("keydown", onKey, true);
})();
</script>"""


def keyboard() -> None:
    """Left / Right arrows and Page Up / Page Down step through the scenes."""
    st.iframe(_KEYS, height=1, width=1)


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
