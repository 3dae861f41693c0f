"""Keep a labelled choice widget and its query parameter in step.

Streamlit's `bind="query-params"` writes a widget's *displayed* text into the URL. That suits
text boxes, sliders and toggles. For choices shown with friendly labels ("Torticollis (cervical
dystonia)", an organization's name) the URL should carry the stable code instead
(`?focus=torticollis`, `?org=<id>`), so these widgets are synced by hand:

    seed(key, ...)          before the widget: a new value in the URL wins; otherwise the value
                            last chosen, on any page, is put back
    on_change=remember      the user's own change becomes the value to keep
    choose(key, value)      a change made by code (a map click, "clear filters")
    publish(key, value)     after the widget: the URL follows the widget

Streamlit does not hand one page's widget value to the same-keyed widget on another page, so
the chosen value is kept under a separate, non-widget key and re-assigned on every run.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def _seen(key: str) -> str:
    return f"_url_seen_{key}"


def _kept(key: str) -> str:
    return f"_url_kept_{key}"


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    return [v for v in ([value] if isinstance(value, str) else (value or [])) if v]


def seed(key: str, valid: Sequence[str], *, multi: bool) -> None:
    url = st.query_params.get_all(key)
    if url and url != st.session_state.get(_seen(key)):
        st.session_state[_kept(key)] = list(dict.fromkeys(v for v in url if v in valid))
        st.session_state[_seen(key)] = url
    if _kept(key) in st.session_state:
        kept = [v for v in st.session_state[_kept(key)] if v in valid]
        st.session_state[key] = kept if multi else (kept[-1] if kept else "")


def remember(key: str) -> None:
    st.session_state[_kept(key)] = _as_list(st.session_state.get(key))


def choose(key: str, value: str | Sequence[str] | None) -> None:
    st.session_state[key] = value
    st.session_state[_kept(key)] = _as_list(value)


def publish(key: str, value: str | Sequence[str] | None) -> None:
    values = _as_list(value)
    if values:
        if st.query_params.get_all(key) != values:
            st.query_params[key] = values if len(values) > 1 else values[0]
    elif key in st.query_params:
        del st.query_params[key]
    st.session_state[_seen(key)] = values
    st.session_state[_kept(key)] = values
