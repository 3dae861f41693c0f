"""AppTest helpers: run the real app.py on a chosen page, with a chosen data folder and URL."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def run_page(page: str | None = None, params: dict | None = None, timeout: float = 30) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    if page:
        at.switch_page(f"pages/{page}.py")
    return at.run()


def plain(text: str) -> str:
    """Text as shown on screen: unescaped emphasis markers dropped, backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*\*", "", text))


def texts(at: AppTest) -> str:
    """Everything the page says in Markdown, captions, alerts and headings, escapes removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("info", "warning", "error", "success", "title", "header", "subheader"):
        parts += [e.value for e in getattr(at, kind)]
    return plain("\n".join(str(p) for p in parts))


def table(at: AppTest, index: int = -1):
    return at.dataframe[index].value


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test loads its own data folder; nothing leaks between tests through the cache."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()
