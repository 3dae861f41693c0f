"""The "export, print or share" panel under a directory view."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

import streamlit as st

from atlas.directory.request import DEFAULT_PUBLIC_URL, view_url
from atlas.directory.view import ViewError, ViewRequest, select_view
from atlas.outputs.export import FORMATS, filename, render
from atlas.settings import public_url
from atlas.text import escape_markdown as md
from atlas.text import long_date
from ui.data import AtlasData


def base_url() -> str:
    """The configured public address, else the address this browser used to reach the app."""
    if public_url():
        return public_url()
    try:
        parts = urlsplit(st.context.url or "")
    except (AttributeError, ValueError):
        return DEFAULT_PUBLIC_URL
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return DEFAULT_PUBLIC_URL


def link_to(request: ViewRequest) -> str:
    return view_url(request, base_url())


def export_panel(atlas: AtlasData, request: ViewRequest, *, key: str) -> None:
    with st.expander("Export, print or share this view", icon=":material/ios_share:"):
        st.markdown("**Copy link to this view**: the copy button is at the right of the box.")
        st.code(link_to(request), language=None, wrap_lines=True)
        export_request = ViewRequest(**{**request.__dict__, "org": ""})  # exports cover the whole filtered list
        try:
            view = select_view(atlas.page, list(atlas.organizations), export_request)
        except ViewError as error:
            st.info(f"Nothing to export yet: {md(str(error))}")
            return
        if view.empty:
            st.info("Nothing to export: no organization is in this view. Widen the filters or the radius.")
            return
        st.markdown(f"Download **{md(view.title)}** ({len(view.organizations)} "
                    f"organization{'s' if len(view.organizations) != 1 else ''}):")
        url = link_to(export_request)
        columns = st.columns(3)
        for index, fmt in enumerate(FORMATS.values()):
            columns[index % 3].download_button(
                fmt.label, data=partial(render, view, fmt.code, url=url), file_name=filename(view, fmt.code),
                mime=fmt.mime, key=f"{key}-export-{fmt.code}", on_click="ignore", icon=":material/download:",
                width="stretch")
        st.caption(f"Contact details date from {long_date(view.page.reviewed_on)}. Spreadsheet files are safe to "
                   "open: no cell runs as a formula.")
