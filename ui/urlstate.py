"""Keep a labelled choice widget and its query parameter in step.

Streamlit's `bind="query-params"` writes a widget's *displayed* text into the URL. That suits
text boxes, sliders and toggles. For choices shown with friendly labels ("Torticollis (cervical
dystonia)", an organization's name) the URL should carry the stable code instead
(`?focus=torticollis`, `?org=<id>`), so these two steps sync it by hand:

    seed(key, ...)      before the widget: a value named in the URL wins, once per change of URL
    publish(key, ...)   after the widget: the URL shows the current value (absent when default)
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def _marker(key: str) -> str:
    return f"_url_seen_{key}"


def seed(key: str, valid: Sequence[str], *, multi: bool) -> None:
    url = st.query_params.get_all(key)
    if url and url != st.session_state.get(_marker(key)):
        good = [value for value in url if value in valid]
        st.session_state[key] = list(dict.fromkeys(good)) if multi else (good[-1] if good else "")
        st.session_state[_marker(key)] = url


def publish(key: str, value: str | Sequence[str] | None) -> None:
    values = [v for v in ([value] if isinstance(value, str) else (value or [])) if v]
    if values:
        if st.query_params.get_all(key) != values:
            st.query_params[key] = values if len(values) > 1 else values[0]
    elif key in st.query_params:
        del st.query_params[key]
    st.session_state[_marker(key)] = values
