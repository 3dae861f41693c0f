"""Page furniture shared by every page: sidebar, notices, attribution, the data error page."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from atlas.directory.load import Atlas
from atlas.directory.request import UrlValues, read_url
from atlas.errors import DataDirError
from atlas.ingest.quality import explain
from atlas.model import Organization, Page
from atlas.text import escape_markdown as md
from atlas.text import long_date
from ui import data, urlstate
from ui.widgets import context


def raw_params() -> dict[str, list[str]]:
    """The URL's query parameters as lists, read before any widget takes its value from them."""
    return {name: st.query_params.get_all(name) for name in st.query_params.keys()}


def url_values(atlas: Atlas, page: str) -> UrlValues:
    """The URL's values for this page, saying which it ignores (widgets would drop them silently)."""
    read = read_url(raw_params(), page, context(atlas))
    for notice in read.notices:
        st.info(md(notice), icon=":material/link_off:")
    return read


def reviewed_on(page: Page) -> str:
    return long_date(page.reviewed_on) if page.reviewed_on else "on an unknown date"


def reviewed_notice(page: Page) -> None:
    if page.reviewed_on is None:
        st.warning("**This copy of the page gives no review date**, so nobody can tell how old its contact details "
                   "are: confirm them before you call, write or visit.", icon=":material/history:")
        return
    text = (f"**Contact details date from {reviewed_on(page)}**, when this page was last reviewed. "
            "Phone numbers, addresses and emails may have changed: confirm them before you call, write or visit.")
    if "stale-source" in page.quality_flags:
        st.warning(text, icon=":material/history:")
    else:
        st.info(text, icon=":material/event:")


def _attribution_lines(page: Page) -> list[str]:
    lines = [f"**Source:** {md(page.source or 'not stated on the page')}. Last reviewed {reviewed_on(page)}."]
    if page.disclaimer:
        lines.append(md(page.disclaimer))
    return lines


def attribution(page: Page) -> None:
    """Under a rule, in one caption: one element fewer than a divider and a caption."""
    st.caption("\n\n".join(["---", *_attribution_lines(page)]))


def sections(atlas: Atlas) -> None:
    """The page's questions and answers, as one Markdown block: a list in an answer stays a list. The
    attribution closes it, in caption type, right under the text it credits."""
    st.markdown(data.derived(atlas, "sections", None, lambda: _section_markdown(atlas.page), limit=1))


def _section_markdown(page: Page) -> str:
    return "\n\n".join([*_section_blocks(page), "---", *(f":small[:gray[{line}]]" for line in _attribution_lines(page))])


def _section_blocks(page: Page) -> list[str]:
    blocks = []
    for index, section in enumerate(page.sections):
        if index > 0 or section.heading != page.title:
            blocks.append(f"## {md(' '.join(section.heading.split()))}")
        for kind, content in section.blocks():
            blocks.append("\n".join(f"- {md(item)}" for item in content) if kind == "list" else md(content))
    return blocks


def no_organizations() -> None:
    st.info("This page lists no organizations, so the map and the table are empty. Its information is still "
            "shown in full.", icon=":material/info:")


NAME_LIST_LIMIT = 30  # the directory holds the rest; a page of names helps nobody


def name_list(organizations: Sequence[Organization]) -> None:
    lines = [f"- {md(o.name)} ({md(o.locality)})" for o in organizations[:NAME_LIST_LIMIT]]
    if len(organizations) > NAME_LIST_LIMIT:
        lines.append(f"- …and {len(organizations) - NAME_LIST_LIMIT:,} more in the directory")
    st.markdown("\n".join(lines))


def sidebar(atlas: Atlas) -> bool:
    """The sidebar every page shares. Returns True when the user switches presentation mode on."""
    with st.sidebar:
        st.caption(data.derived(atlas, "sidebar", None, lambda: _sidebar_text(atlas), limit=1))
        urlstate.restore("basemap")  # kept across presentation mode, which has no sidebar
        urlstate.hold("basemap", st.toggle(
            "Street basemap (needs internet)", key="basemap",
            help="Off: the map draws US state outlines and works offline. On: street tiles from Carto."))
        return st.toggle("Presentation mode", key="present_toggle", value=False,
                         help="Large type, a full-width map and scenes to step through. Share ?present=1 to "
                              "open it directly.")


def _sidebar_text(atlas: Atlas) -> str:
    text = (f"From *{md(atlas.page.title)}* (NIH/NINDS), last reviewed {reviewed_on(atlas.page)}. "
            f"{len(atlas):,} organizations.")
    if "stale-source" in atlas.page.quality_flags:
        text += f"\n\n:material/history: {md(explain('stale-source'))}"
    return text


def data_error_page(error: DataDirError) -> None:
    st.title("The directory could not be loaded")
    st.error(md(error.problem), icon=":material/error:")
    st.markdown(f"**How to fix it:** {md(error.fix)}")
    st.markdown("Then reload this page. To check a data folder from a terminal:")
    st.code("python -m atlas check <folder>\npython -m atlas build <folder>/<page>.txt --out <folder>", language="bash")
