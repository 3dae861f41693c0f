"""Which group fits? From where symptoms show to the groups and the research institute."""

import streamlit as st

from atlas.directory.fit import BODY_AREAS, fit
from atlas.directory.request import ViewRequest
from atlas.ingest.tags import FOCI
from atlas.text import escape_markdown as md
from atlas.text import sentence_mentioning
from ui import layout, shell, urlstate, widgets


def show() -> None:
    atlas = shell.start()

    st.title("Which group fits?", anchor=False)
    layout.url_values(atlas, "fit")
    st.markdown("Dystonia is named by where it shows. Choose the part of the body where symptoms show, and see the "
                "groups that focus on it, the general groups that also help, and where the research happens.")

    area = urlstate.bound("area", widgets.context(atlas), st.radio, "Where do symptoms show?", list(BODY_AREAS),
                          format_func=lambda code: BODY_AREAS[code].label)

    if area is None:
        st.info("Choose a body area to see which groups fit.", icon=":material/touch_app:")
        st.stop()

    result = fit(area, atlas)
    focus = FOCI[result.area.focus]
    st.header(f"Best fit: {md(focus.label)}", anchor=False)
    st.markdown(md(result.area.why))

    if result.specific:
        st.markdown(f"**Groups that focus on {md(focus.short_label.lower())}:**")
        layout.name_list(result.specific)
    if result.general:
        lead = "General dystonia groups that also help" if result.specific else "General dystonia groups that help"
        st.markdown(f"**{lead}:**")
        layout.name_list(result.general)
    if not result.specific and not result.general:
        st.warning("The page lists no group for this area.")

    if result.area.focus != "general":
        these = ViewRequest(focus=(result.area.focus,))
        label = "Open these groups in the directory"
    else:  # the directory has no "general groups only" filter: it opens whole, general groups among the rest
        these, label = ViewRequest(), "Open the whole directory"
    st.page_link(shell.page("pages/directory.py"), label=label, icon=":material/list:",
                 query_params=urlstate.link_params(these, "directory"))

    st.header("Research", anchor=False)
    if result.institute:
        st.markdown(f"The page names the **{md(result.institute)}** for research in this area.")
        sentence = sentence_mentioning(atlas.page, result.institute)
        if sentence:
            st.caption(f"From the page: “{md(sentence)}”")
    else:
        st.markdown("The page does not name an NIH institute for this area.")
    layout.attribution(atlas.page)
