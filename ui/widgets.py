"""Widgets that several pages use: filters, the map, the table, the detail card, the legend."""

from __future__ import annotations

import html
from functools import partial

import pandas as pd
import streamlit as st

from atlas.directory.distance import Filters
from atlas.directory.view import ViewRequest
from atlas.ingest.regions import region_name
from atlas.ingest.tags import SPECIFIC_FOCI, focus_label
from atlas.outputs.cards import DISTANCE_COLUMNS, TABLE_COLUMNS, Card, organization_card, table_rows
from atlas.outputs.mapview import Origin, build_deck, describe, legend, map_points
from atlas.settings import report_email
from atlas.text import escape_markdown as md
from atlas.text import markdown_code, markdown_link
from ui import urlstate
from ui.data import AtlasData
from ui.exports import link_to

# Filters shared by the Directory and Nearby pages; their values live in the URL (see ui/urlstate.py).
FOCUS = urlstate.many("focus", SPECIFIC_FOCI)
GENERAL = urlstate.flag("general", default=True)
QUERY = urlstate.text("q")


def state_param(states: list[str]) -> urlstate.Param:
    return urlstate.one_of("state", states)


# --- filters ----------------------------------------------------------------------------

def focus_filters() -> tuple[tuple[str, ...], bool]:
    focus = urlstate.bound(FOCUS, st.multiselect, "Focus", SPECIFIC_FOCI, format_func=focus_label,
                           placeholder="Every form of dystonia")
    general = urlstate.bound(GENERAL, st.toggle, "Include general dystonia groups",
                             help="General groups serve every form of dystonia, so they also help someone with "
                                  "torticollis, blepharospasm or a voice dystonia.")
    return tuple(focus), general


def filter_bar(atlas: AtlasData) -> Filters:
    states = sorted({o.state for o in atlas.organizations if o.state})
    col_focus, col_state, col_text = st.columns([5, 3, 4], vertical_alignment="bottom")
    with col_focus:
        focus, general = focus_filters()
    with col_state:
        state = urlstate.bound(state_param(states), st.selectbox, "State", ["", *states],
                               format_func=lambda s: f"{region_name(s)} ({s})" if s else "All states")
    with col_text:
        query = urlstate.bound(QUERY, st.text_input, "Search names and cities", placeholder="e.g. foundation, Chicago")
    return Filters(focus=focus, include_general=general, state=state or "", query=query or "")


def reset_filters() -> None:
    for param in (FOCUS, GENERAL, QUERY, state_param([])):
        urlstate.choose(param, param.default)


# --- map --------------------------------------------------------------------------------

def legend_html() -> str:
    items = "".join(
        f'<span role="listitem" style="display:inline-flex;align-items:center;gap:.35em;margin-right:1.1em;'
        f'white-space:nowrap">'
        f'<span style="display:inline-flex;align-items:center;justify-content:center;width:1.5em;height:1.5em;'
        f'border-radius:50%;border:1px solid #1e1e1e;background:{html.escape(e.hex_color)};color:#111;'
        f'font-weight:700;font-size:.8em" aria-hidden="true">{html.escape(e.letter)}</span>{html.escape(e.label)}</span>'
        for e in legend())
    return f'<div role="list" aria-label="Map legend" style="line-height:2;font-size:.9em">{items}</div>'


def show_legend() -> None:
    st.html(legend_html())


def _on_map_select(chart_key: str, target_key: str) -> None:
    selection = st.session_state.get(chart_key, {}).get("selection", {})
    objects = (selection.get("objects") or {}).get("organizations") or []
    if objects and objects[0].get("id"):
        urlstate.choose(urlstate.text(target_key), objects[0]["id"])


def organization_map(frame: pd.DataFrame, *, key: str, origin: Origin | None = None, selected: str | None = None,
                     select_into: str | None = None, height: int = 460, width: int = 460) -> None:
    """`width`: the map's likely width in pixels on a laptop, so the first view fits every point."""
    points = map_points(frame)
    deck = build_deck(points, origin=origin, selected_id=selected, basemap=st.session_state.get("basemap", False),
                      height=height, width=width)
    alt = describe(points, origin)
    if select_into:
        st.pydeck_chart(deck, key=key, on_select=partial(_on_map_select, key, select_into),
                        selection_mode="single-object", height=height, alt=alt)
    else:
        st.pydeck_chart(deck, key=key, height=height, alt=alt)
    show_legend()


# --- table ------------------------------------------------------------------------------

COLUMN_CONFIG = {
    "Organization": st.column_config.TextColumn("Organization", width="large"),
    "Focus": st.column_config.TextColumn("Focus"),
    "Location": st.column_config.TextColumn("Location"),
    "Phone": st.column_config.LinkColumn("Phone", display_text=r"tel:\+(?:1-)?(.+)",
                                         help="Opens your phone app (tel: link)"),
    "Email": st.column_config.LinkColumn("Email", display_text=r"mailto:(.+)"),
    "Website": st.column_config.LinkColumn("Website", display_text=r"https?://(?:www\.)?([^/?#]+)"),
    "Data notes": st.column_config.TextColumn("Data notes", help="See 'About the data' for what each note means"),
    "Miles": st.column_config.NumberColumn("Miles", format="%.0f"),
    "Km": st.column_config.NumberColumn("Km", format="%.0f"),
}


def _on_table_select(table_key: str, target_key: str) -> None:
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows") or []
    ids = st.session_state.get(f"{table_key}__ids", [])
    if rows and rows[0] < len(ids):
        urlstate.choose(urlstate.text(target_key), ids[rows[0]])


def organization_table(frame: pd.DataFrame, *, key: str, select_into: str | None = None) -> None:
    rows = table_rows(frame)
    st.session_state[f"{key}__ids"] = rows["id"].tolist()
    columns = TABLE_COLUMNS + (DISTANCE_COLUMNS if "Miles" in rows.columns else [])
    if "Miles" in rows.columns:
        columns = ["Organization", *DISTANCE_COLUMNS, *TABLE_COLUMNS[1:]]
    options = dict(column_config=COLUMN_CONFIG, column_order=columns, hide_index=True, key=key, width="stretch")
    if select_into:
        st.dataframe(rows, on_select=partial(_on_table_select, key, select_into), selection_mode="single-row",
                     **options)
    else:
        st.dataframe(rows, **options)


# --- detail card ------------------------------------------------------------------------

def organization_picker(atlas: AtlasData, *, key: str = "org") -> str | None:
    names = {o.id: o.name for o in atlas.organizations}
    chosen = urlstate.bound(urlstate.one_of(key, list(names)), st.selectbox, "Organization details", ["", *names],
                            format_func=lambda i: names.get(i, "Choose an organization, a map point or a table row"))
    return chosen or None


def detail_card(card: Card) -> None:
    with st.container(border=True):
        st.header(md(card.name), anchor=False)
        st.caption(" · ".join(md(part) for part in [*card.focus, card.service_area_text] if part))
        if card.address_lines:
            st.markdown("  \n".join(md(line) for line in card.address_lines))
        for contact in card.contacts:
            # A value that is not a valid number or address is shown as published, in a code span,
            # so that nothing in it can become a link.
            value = markdown_link(contact.text, contact.href) if contact.href else markdown_code(contact.text)
            st.markdown(f"**{md(contact.label)}:** {value}")
        for line in card.extra_lines:
            st.markdown(f"**Also listed:** {md(line)}")
        buttons = st.columns(2)
        if card.directions:
            buttons[0].link_button("Directions", card.directions, icon=":material/directions:", width="stretch")
        if card.report_problem:
            buttons[1].link_button("Report a problem with this listing", card.report_problem, icon=":material/flag:",
                                   width="stretch", help="Opens an email to the atlas's curators, naming this listing.")
        st.caption(f"**Location:** {md(card.precision_text)}")
        for note in card.notes:
            st.warning(f"**{md(note.title)}.** {md(note.detail)} {md(note.explanation)}", icon=":material/flag:")


def show_detail(atlas: AtlasData, org_id: str | None) -> None:
    org = atlas.organization(org_id)
    if org is None:
        st.info("Select an organization on the map or in the table to see its address, phone numbers and "
                "directions.", icon=":material/touch_app:")
        return
    detail_card(organization_card(org, report_to=report_email(), page_url=link_to(ViewRequest(org=org.id))))
