"""Widgets whose values live in the URL, so every view can be shared and reopened.

Streamlit 1.67's `bind="query-params"` was the first choice, but it falls short here in two ways:
it writes a widget's *displayed* text into the URL (a friendly label instead of the code
`?focus=torticollis`), and it seeds a widget only from the query string the session started
with, so parameters carried by a link to another page are dropped. This module does the same
job explicitly:

    seed(param)            before the widget: a new value in the URL wins; otherwise the value
                           last chosen, on any page, is put back (Streamlit forgets a widget's
                           value when a page without it runs, so it is kept under its own key)
    on_change=remember     the user's own change becomes the value to keep
    choose(param, value)   a change made by code (a map click, "clear filters", "widen")
    publish(param, value)  after the widget: the URL follows the widget, and a default value
                           leaves the URL altogether

`bound(param, widget, ...)` does all three around one widget call. Values that cannot be used
are ignored here; `atlas.params` tells the user which ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from atlas.directory.request import FALSE_WORDS, TRUE_WORDS


@dataclass(frozen=True)
class Param:
    key: str
    default: Any
    decode: Callable[[list[str]], Any]  # URL values -> widget value, or None when unusable
    encode: Callable[[Any], list[str]]  # widget value -> URL values


def many(key: str, valid: Sequence[str]) -> Param:
    return Param(key, [], lambda values: list(dict.fromkeys(v for v in values if v in valid)) or None, list)


def one_of(key: str, valid: Sequence[str], default: str = "") -> Param:
    return Param(key, default, lambda values: values[-1] if values[-1] in valid else None,
                 lambda value: [value] if value else [])


def text(key: str) -> Param:
    return Param(key, "", lambda values: values[-1], lambda value: [value] if value else [])


def flag(key: str, default: bool = True) -> Param:
    def decode(values: list[str]) -> bool | None:
        word = values[-1].lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None

    return Param(key, default, decode, lambda value: ["true" if value else "false"])


def number(key: str, low: int, high: int, default: int) -> Param:
    def decode(values: list[str]) -> int | None:
        try:
            value = float(values[-1])
        except ValueError:
            return None
        return int(round(value)) if low <= value <= high else None

    return Param(key, default, decode, lambda value: [str(int(value))])


def _seen(key: str) -> str:
    return f"_url_seen_{key}"


def _kept(key: str) -> str:
    return f"_url_kept_{key}"


def seed(param: Param) -> None:
    url = st.query_params.get_all(param.key)
    if url and url != st.session_state.get(_seen(param.key)):
        value = param.decode(url)
        if value is not None:
            st.session_state[_kept(param.key)] = value
        st.session_state[_seen(param.key)] = url
    if _kept(param.key) in st.session_state:
        st.session_state[param.key] = st.session_state[_kept(param.key)]
    elif param.key not in st.session_state:
        st.session_state[param.key] = param.default


def remember(key: str) -> None:
    st.session_state[_kept(key)] = st.session_state.get(key)


def choose(param: Param, value: Any) -> None:
    st.session_state[param.key] = value
    st.session_state[_kept(param.key)] = value


def publish(param: Param, value: Any) -> None:
    values = [] if value == param.default or value is None else param.encode(value)
    if values:
        if st.query_params.get_all(param.key) != values:
            st.query_params[param.key] = values if len(values) > 1 else values[0]
    elif param.key in st.query_params:
        del st.query_params[param.key]
    st.session_state[_seen(param.key)] = values
    st.session_state[_kept(param.key)] = value


def bound(param: Param, widget: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a Streamlit widget with its value kept in the URL under `param.key`."""
    seed(param)
    value = widget(*args, key=param.key, on_change=remember, args=(param.key,), **kwargs)
    publish(param, value)
    return value
