"""Widgets whose values live in the URL, so every view can be shared and reopened.

The parameters themselves (names, defaults, decoders, encoders) are declared once, in
`atlas.directory.request.PARAMS`; this module only keeps Streamlit widgets in step with them.

Streamlit 1.67's `bind="query-params"` falls short here in two ways: it writes a widget's
*displayed* text into the URL (a friendly label instead of the code `?focus=torticollis`), and it
seeds a widget only from the query string the session started with, so parameters carried by a
link to another page are dropped. So, around one widget call:

    seed(name)             before the widget: a new value in the URL wins; otherwise the value
                           last chosen, on any page, is put back (Streamlit forgets a widget's
                           value when a page without it runs, so it is kept under its own key)
    on_change=remember     the user's own change becomes the value to keep
    choose(name, value)    a change made by code (a map click, "clear filters", "widen")
    publish(name, value)   after the widget: the URL follows the widget, and a default value
                           leaves the URL altogether

Values that cannot be used are left at the default here; `layout.url_values` tells the user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from atlas.directory.request import PAGE_PARAMS, PARAMS, Context, ViewRequest, view_params


_NOTHING = object()


def _seen(key: str) -> str:
    return f"_url_seen_{key}"


def _kept(key: str) -> str:
    return f"_url_kept_{key}"


def _widget_value(name: str, value: Any) -> Any:
    """Widgets hold lists, not tuples (a multiselect), and "" rather than None (a selectbox)."""
    if isinstance(value, tuple):
        return list(value)
    return value


def _arriving(name: str) -> list[str]:
    """The URL's value for `name` when this session has not seen it yet (a shared link), else []."""
    url = st.query_params.get_all(name)
    return url if url and url != st.session_state.get(_seen(name)) else []


def seed(name: str, context: Context, default: Any = None) -> None:
    param = PARAMS[name]
    default = param.default if default is None else default
    url = _arriving(name)
    if url:
        value = param.value_or(url, context, _NOTHING)
        if value is not _NOTHING:
            st.session_state[_kept(name)] = _widget_value(name, value)
        st.session_state[_seen(name)] = url
    if _kept(name) in st.session_state:
        kept = st.session_state[_kept(name)]
        if not _usable(name, kept, context):  # the directory changed under it (a rebuilt data folder)
            kept = st.session_state[_kept(name)] = _widget_value(name, default)
        st.session_state[name] = kept
    elif name not in st.session_state:
        st.session_state[name] = _widget_value(name, default)


def _usable(name: str, value: Any, context: Context) -> bool:
    """Whether a kept value still decodes against this directory (a state it has, an id it knows)."""
    encoded = _encoded(name, value)
    return not encoded or PARAMS[name].value_or(encoded, context, _NOTHING) is not _NOTHING


def current(name: str, context: Context) -> Any:
    """The value on a run that does not draw the widget (it sits in a closed panel): as `bound` would
    give it, so the view and the URL are the same whether the panel is open or not."""
    state, url = st.session_state, st.query_params.get_all(name)
    kept = state.get(_kept(name), _NOTHING)
    if kept is not _NOTHING and url == state.get(_seen(name)) == _encoded(name, kept) and _usable(name, kept, context):
        return kept  # the URL already says what is kept: nothing to take in or write back
    seed(name, context)
    value = state[name]
    publish(name, value)
    return value



def arriving(names: tuple[str, ...]) -> bool:
    """Whether the URL brings a value for any of these that this session has not seen yet (a shared link)."""
    return any(_arriving(name) for name in names)


def chosen(names: tuple[str, ...], context: Context) -> bool:
    """Whether any of these is set away from its default, by a link or by the user on any page."""
    for name in names:
        seed(name, context)
        if st.session_state[name] != _widget_value(name, PARAMS[name].default):
            return True
    return False


def brings(name: str, context: Context) -> bool:
    """Whether a link brings a usable value for `name` that this session has not seen yet."""
    url = _arriving(name)
    return bool(url) and PARAMS[name].value_or(url, context, None) is not None


def held(name: str, context: Context) -> Any:
    """A parameter that no widget shows (the map area a click opened): the value a new link brings,
    else the value last kept; an unusable value from a link is dropped (layout.url_values says so)."""
    url = _arriving(name)
    if url:
        st.session_state[_seen(name)] = url
        st.session_state[_kept(name)] = PARAMS[name].value_or(url, context, None)
    return st.session_state.get(_kept(name))


def link_params(request: ViewRequest, page: str) -> dict[str, list[str]]:
    """A link's parameters that open exactly this view on `page`. A filter this session holds away
    from its default, which the view leaves at the default, is given as an empty value: left out,
    the page would keep applying it (see `seed`)."""
    params = view_params(request)
    for name in PAGE_PARAMS[page]:
        kept = st.session_state.get(_kept(name))
        if name not in params and PARAMS[name].field and kept is not None and _encoded(name, kept):
            params[name] = [""]
    return params


def restore(key: str) -> None:
    """Before a widget that is not in the URL (a switch): put back the value it had when last drawn.
    Streamlit forgets a widget's value when a page without it runs; `hold` saves it under its own key."""
    if key not in st.session_state and _kept(key) in st.session_state:
        st.session_state[key] = st.session_state[_kept(key)]


def hold(name: str, value: Any) -> Any:
    """Keep a value under its own key, and return it: a parameter that no widget shows (see `held`),
    or, after the widget, a switch that is not in the URL (see `restore`)."""
    st.session_state[_kept(name)] = value
    return value


def reset(name: str) -> None:
    """Put a parameter back to its default, as if the user had chosen it."""
    choose(name, _widget_value(name, PARAMS[name].default))


def remember(name: str) -> None:
    st.session_state[_kept(name)] = st.session_state.get(name)


def choose(name: str, value: Any) -> None:
    st.session_state[name] = value
    st.session_state[_kept(name)] = value


def _encoded(name: str, value: Any) -> list[str]:
    """The value as the URL holds it; nothing for the default."""
    param = PARAMS[name]
    default = _widget_value(name, param.default)
    return [] if value in (default, None, "") else param.encode(tuple(value) if isinstance(value, list) else value)


def publish(name: str, value: Any) -> None:
    values = _encoded(name, value)
    if values:
        if st.query_params.get_all(name) != values:
            st.query_params[name] = values if len(values) > 1 else values[0]
    elif name in st.query_params:
        del st.query_params[name]
    st.session_state[_seen(name)] = values
    st.session_state[_kept(name)] = value


def _changed(name: str, then: Callable[[], None] | None) -> None:
    remember(name)
    if then is not None:
        then()


def bound(name: str, context: Context, widget: Callable[..., Any], *args: Any, default: Any = None,
          then: Callable[[], None] | None = None, in_url: bool = True, **kwargs: Any) -> Any:
    """Call a Streamlit widget with its value kept in the URL under the parameter `name`; `then` runs
    after the user changes it. `in_url=False` keeps the value but leaves the URL without it (a
    switched-off radius), rather than writing it and taking it out again on every run."""
    seed(name, context, default)
    value = widget(*args, key=name, on_change=_changed, args=(name, then), **kwargs)
    if in_url:
        publish(name, value)
    else:  # out of the URL, while the widget keeps its value
        if name in st.query_params:
            del st.query_params[name]
        st.session_state[_seen(name)] = []
        st.session_state[_kept(name)] = value
    return value
