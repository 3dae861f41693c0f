"""The "export, print or share" panel under a view: a link to copy, and downloads of exactly what is shown."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

import streamlit as st

from atlas.directory.request import DEFAULT_PUBLIC_URL, view_url
from atlas.directory.view import View
from atlas.outputs.export import FORMATS, filename, render
from atlas.outputs.handout import is_local
from atlas.settings import public_url
from atlas.text import escape_markdown as md
from atlas.text import long_date


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


def export_panel(view: View, *, key: str) -> None:
    """Filled only while it is open: most visitors never open it, and its link, notices and six
    downloads would otherwise be built and sent with every run of the page."""
    panel = st.expander("Export, print or share this view", icon=":material/ios_share:", key=f"{key}-export",
                        on_change="rerun")
    if not panel.open:
        return
    request = view.request.replace(org="")  # exports cover the whole list the view shows
    with panel:
        st.markdown("**Copy link to this view**: the copy button is at the right of the box.")
        url = view_url(request, base_url())
        st.code(url, language=None, wrap_lines=True)
        if view.problem:
            st.info(f"Nothing to export yet: {md(view.problem)}")
            return
        if view.empty:
            st.info("Nothing to export: no organization is in this view. Widen the filters or the radius.")
            return
        if not public_url():
            where = "this computer's own address, which works only here" if is_local(url) else \
                "the address this browser used"
            st.warning(f"No public address is set, so the handout's link points to {where}"
                       f"{': it prints how to find the list instead of a QR code' if is_local(url) else ''}. "
                       "To print a link that works anywhere, start the app with ATLAS_PUBLIC_URL set to its "
                       "public address, e.g. `ATLAS_PUBLIC_URL=https://atlas.example.org ./dev run`.",
                       icon=":material/qr_code_2:")
        st.markdown(f"Download **{md(view.title)}** ({len(view):,} "
                    f"organization{'s' if len(view) != 1 else ''}):")
        columns = st.columns(3)
        for index, fmt in enumerate(FORMATS.values()):
            columns[index % 3].download_button(
                fmt.label, data=partial(render, view, fmt.code, url=url), file_name=filename(view, fmt.code),
                mime=fmt.mime, key=f"{key}-export-{fmt.code}", on_click="ignore", icon=":material/download:",
                width="stretch")
        when = f" date from {long_date(view.page.reviewed_on)}" if view.page.reviewed_on else " may be out of date"
        st.caption(f"Contact details{when}. Spreadsheet files are safe to open: no cell runs as a formula.")
