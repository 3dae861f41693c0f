"""Widgets that several pages use: filters, the map, the table, the detail card, the legend.

Each output widget draws from the page's one `View`; none of them filters, ranks or geocodes.
"""

from __future__ import annotations

import html
from functools import cache, partial

import numpy as np
import streamlit as st

from atlas.directory.load import Atlas
from atlas.directory.request import Context, ViewRequest, view_url
from atlas.directory.view import View, names_matching
from atlas.ingest.tags import SPECIFIC_FOCI, focus_label
from atlas.outputs.cards import Card
from atlas.outputs.mapview import legend
from atlas.regions import region_name
from atlas.settings import report_email
from atlas.text import escape_markdown as md
from atlas.text import markdown_code, markdown_link
from ui import data, urlstate
from ui.exports import base_url

FILTERS = ("focus", "general", "state", "q")


def context(atlas: Atlas) -> Context:
    return Context(states=atlas.states, org_ids=atlas.positions, check_org=True)


# --- filters ----------------------------------------------------------------------------

def filter_bar(atlas: Atlas) -> dict:
    """Focus, general groups, state and search text, as URL-parameter values."""
    ctx = context(atlas)
    col_focus, col_state, col_text = st.columns([5, 3, 4], vertical_alignment="bottom")
    with col_focus:
        focus = urlstate.bound("focus", ctx, st.multiselect, "Focus", SPECIFIC_FOCI, format_func=focus_label,
                               placeholder="Every form of dystonia")
        general = urlstate.bound("general", ctx, st.toggle, "Include general dystonia groups",
                                 help="General groups serve every form of dystonia, so they also help someone with "
                                      "torticollis, blepharospasm or a voice dystonia.")
    with col_state:
        state = urlstate.bound("state", ctx, st.selectbox, "State", ["", *atlas.states],
                               format_func=lambda s: f"{region_name(s)} ({s})" if s else "All states")
    with col_text:
        query = urlstate.bound("q", ctx, st.text_input, "Search names and cities",
                               placeholder="e.g. foundation, Chicago")
    return _filters(focus, general, state, query)


def _filters(focus, general, state, query) -> dict:
    return {"focus": tuple(focus), "general": general, "state": state or "", "q": query or ""}


def filter_panel(atlas: Atlas, label: str, *, key: str) -> dict:
    """The filter bar in a panel that is drawn only while open (a page whose filters are secondary).
    Closed, the filters keep their values. It opens by itself when the page is reached with a filter
    on (from a link or another page), so nobody wonders why the list is short."""
    ctx = context(atlas)
    if key not in st.session_state or urlstate.arriving(FILTERS):
        st.session_state[key] = urlstate.chosen(FILTERS, ctx)
    panel = st.expander(label, key=key, on_change="rerun")
    if not panel.open:
        return _filters(*(urlstate.current(name, ctx) for name in FILTERS))
    with panel:
        return filter_bar(atlas)


def reset_filters() -> None:
    for name in (*FILTERS, "bbox"):
        urlstate.reset(name)


def map_area(atlas: Atlas) -> dict:
    """The map area a clicked cluster narrowed the view to (`bbox`), with a way back out."""
    box = urlstate.held("bbox", context(atlas))
    if box:
        st.button("Show the whole map again", icon=":material/zoom_out_map:", on_click=urlstate.hold,
                  args=("bbox", None))
    urlstate.publish("bbox", box)
    return {"bbox": tuple(box) if box else None}


# --- map --------------------------------------------------------------------------------

def legend_html(codes: set[str] | None = None) -> str:
    items = "".join(
        f'<span role="listitem" style="display:inline-flex;align-items:center;gap:.35em;margin-right:1.1em;'
        f'white-space:nowrap">'
        f'<span style="display:inline-flex;align-items:center;justify-content:center;width:1.5em;height:1.5em;'
        f'border-radius:50%;border:1px solid #1e1e1e;background:{html.escape(e.hex_color)};color:#111;'
        f'font-weight:700;font-size:.8em" aria-hidden="true">{html.escape(e.letter)}</span>{html.escape(e.label)}</span>'
        for e in legend(codes))
    return f'<div role="list" aria-label="Map legend" class="atlas-legend" style="line-height:2;font-size:1em">{items}</div>'


def _on_map_select(chart_key: str, target_key: str | None) -> None:
    selection = st.session_state.get(chart_key, {}).get("selection", {})
    objects = selection.get("objects") or {}
    chosen = (objects.get("organizations") or [])
    if chosen and chosen[0].get("id") and target_key:
        urlstate.choose(target_key, chosen[0]["id"])
    cells = objects.get("clusters") or []
    if cells and cells[0].get("bbox"):
        try:
            box = tuple(float(v) for v in str(cells[0]["bbox"]).split(","))
        except ValueError:
            return
        if len(box) == 4:
            urlstate.hold("bbox", box)


def organization_map(view: View, *, key: str, select_into: str | None = None, height: int = 460,
                     width: int = 360, origin_radius: bool = True) -> None:
    """`width`: the narrowest the map is likely to be (a phone), so the first view fits every point."""
    spec = data.map_spec(view, selected=view.selected_organization.id if view.selected is not None else None,
                         basemap=st.session_state.get("basemap", False), height=height, width=width,
                         origin_radius=origin_radius)
    if spec.grouped or select_into:
        st.pydeck_chart(spec.deck, key=key, on_select=partial(_on_map_select, key, select_into),
                        selection_mode="single-object", height=height, alt=spec.alt)
    else:
        st.pydeck_chart(spec.deck, key=key, height=height, alt=spec.alt)
    if spec.grouped:
        st.caption(f"{spec.located:,} organizations are grouped by area: click a circle to zoom in to it.")
    # The table's static CSS rides with the legend, one element fewer on every run: a page that
    # shows a table shows its map too, and a rule that matches nothing costs nothing.
    st.html(PHONE_CSS + legend_html(set(spec.codes)))


# --- table ------------------------------------------------------------------------------

COLUMN_CONFIG: dict[str, dict] = {
    # Organization and Focus together fit the narrowest table (Overview's, beside the page text, about
    # 490 px at 1366 px); long names wrap at a word rather than being cut (see TABLE_ROW_HEIGHT).
    "Organization": st.column_config.TextColumn("Organization", width=270),
    "Focus": st.column_config.TextColumn("Focus", width=170),  # "Torticollis, General" on one line
    "Location": st.column_config.TextColumn("Location", width=190),
    "Phone": st.column_config.LinkColumn("Phone", display_text=r"tel:\+(?:1-)?(.+)", width=120,
                                         help="Opens your phone app (tel: link)"),
    "Email": st.column_config.LinkColumn("Email", display_text=r"mailto:(.+)", width=230),
    "Website": st.column_config.LinkColumn("Website", display_text=r"https?://(?:www\.)?([^/?#]+)", width=190),
    "Data notes": st.column_config.TextColumn("Data notes", width=190,
                                              help="See 'About the data' for what each note means"),
    "Miles": st.column_config.NumberColumn("Miles", format="%.0f", width=80),
    "Km": st.column_config.NumberColumn("Km", format="%.0f", width=80),
}


def _without_empty(config: dict) -> dict:
    return {name: _without_empty(value) if isinstance(value, dict) else value
            for name, value in config.items() if value is not None}


@cache
def column_config(columns: tuple[str, ...]) -> dict[str, dict]:
    """The configuration of the columns a table shows, without the empty fields Streamlit drops:
    it deep-copies and encodes the whole mapping on every run, whatever the table shows."""
    return {name: _without_empty(COLUMN_CONFIG[name]) for name in columns if name in COLUMN_CONFIG}


TABLE_ROW_HEIGHT = 65  # over 4rem, so Streamlit wraps long text at a word instead of cutting it
# Static CSS, no data in it: up to 640 px the card list replaces the dataframe, which would otherwise
# scroll sideways. Both sit in one container; each is hidden by the kind of element it is. It is
# sent with the map's legend (organization_map).
PHONE_CSS = """<style>
@media not all and (max-width: 640px) {
  [class*="-atlas-table"] [data-testid="stElementContainer"]:has([data-testid="stMarkdown"]) { display: none; }
}
@media (max-width: 640px) {
  [class*="-atlas-table"] [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) { display: none; }
}
</style>"""


def _on_table_select(table_key: str, target_key: str) -> None:
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows") or []
    ids = st.session_state.get(f"{table_key}__ids")
    if rows and ids is not None and rows[0] < len(ids):
        urlstate.choose(target_key, str(ids[rows[0]]))


def organization_table(view: View, *, key: str, select_into: str | None = None) -> None:
    """The view's organizations: a dataframe on a wide screen, a short list of cards on a phone.

    Both are drawn; a static CSS media query, sent with the map's legend, shows one. Both come
    ready-made from the view's table spec, so a table of 100,000 rows costs a rerun no more than one of 50.
    """
    spec = data.table_spec(view)
    st.session_state[f"{key}__ids"] = spec.ids  # kept here: a selected row's id never goes to the browser
    if spec.note:
        st.caption(spec.note)
    # A short table is shown whole; a long one scrolls inside ten rows' height.
    height = TABLE_ROW_HEIGHT * min(max(len(spec), 1), 10) + 38
    options = dict(column_config=column_config(tuple(spec.columns)), column_order=spec.columns, hide_index=True,
                   key=key, width="stretch", row_height=TABLE_ROW_HEIGHT, height=height)
    with st.container(key=f"{key}-atlas-table"):
        if select_into:
            st.dataframe(spec.grid, on_select=partial(_on_table_select, key, select_into),
                         selection_mode="single-row", **options)
        else:
            st.dataframe(spec.grid, **options)
        if spec.phone_cards:
            st.markdown(spec.phone_cards)


# --- detail card ------------------------------------------------------------------------

PICKER_CHOICES = 50  # the picker searches names; it never lists a whole national directory


def organization_picker(atlas: Atlas, *, key: str = "org") -> str | None:
    """Choose one organization: from a list for a small directory; for a large one, a search box over
    names and its best matches. A map point or a table row chooses too."""
    urlstate.seed(key, context(atlas))
    chosen = st.session_state.get(key) or ""
    if len(atlas) <= PICKER_CHOICES:
        ids = atlas.ids
    else:
        typed = st.text_input("Find an organization by name", key=f"{key}_search", placeholder="Type part of a name")
        ids = names_matching(atlas, np.arange(len(atlas)), typed or "", PICKER_CHOICES)
    options = ["", *dict.fromkeys(([chosen] if chosen else []) + ids)]
    names = {org_id: atlas.organizations[atlas.positions[org_id]].name for org_id in options if org_id in atlas.positions}
    value = st.selectbox("Organization details", options, key=key, on_change=urlstate.remember, args=(key,),
                         format_func=lambda i: names.get(i, "Choose an organization, a map point or a table row"))
    urlstate.publish(key, value or "")
    return value or None


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


def show_detail(atlas: Atlas, view: View) -> None:
    org = view.selected_organization
    if org is None:
        st.info("Select an organization on the map or in the table to see its address, phone numbers and "
                "directions.", icon=":material/touch_app:")
        return
    detail_card(data.card(atlas, org.id, report_to=report_email(),
                          page_url=view_url(ViewRequest(org=org.id), base_url())))


# --- place search -----------------------------------------------------------------------

def radius_switch(atlas: Atlas) -> bool:
    """Whether Nearby keeps only organizations within a radius. Off by default: national groups
    serve people wherever they live, so every match is ranked. A link with `radius` switches it on."""
    urlstate.restore("radius_on")  # kept when the user visits another page and comes back
    if urlstate.brings("radius", context(atlas)):
        st.session_state["radius_on"] = True
    return urlstate.hold("radius_on", st.toggle(
        "Only within a radius", key="radius_on",
        help="Off: every matching organization, nearest first. On: only those within the radius."))


def switch_radius_on() -> None:
    """Moving the radius slider means the user wants a radius."""
    st.session_state["radius_on"] = True


def place_choices(view: View) -> None:
    """Buttons for the places a typed name could mean, most ZIP codes (a proxy for size) first."""
    choices = tuple(getattr(view.located, "choices", ()) or ())
    if not choices:
        return
    st.markdown("Did you mean:")
    columns = st.columns(min(len(choices), 5))
    for column, choice in zip(columns, choices[:5]):
        column.button(choice, key=f"place-choice-{choice}", on_click=urlstate.choose, args=("near", choice),
                      width="stretch")
