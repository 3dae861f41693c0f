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


def open_panel(at: AppTest, key: str) -> AppTest:
    """Open a panel that is filled only while open (the export panel), as a click on it would."""
    at.session_state[key] = True
    return at.run()


CODE_SPAN = re.compile(r"(`+) (.*?) \1")


def plain(text: str) -> str:
    """Text as shown on screen: code spans shown as written, emphasis markers dropped, escapes removed."""
    parts = CODE_SPAN.split(text)  # [outside, fence, inside, outside, fence, inside, ...]
    shown = []
    for index, part in enumerate(parts):
        if index % 3 == 0:
            part = part.replace("\u2060", "")  # word joiners that keep addresses from becoming links
            shown.append(re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*\*", "", part)))
        elif index % 3 == 2:
            shown.append(part)
    return "".join(shown)


def outside_code(text: str) -> str:
    """The Markdown with code spans removed: what the renderer still interprets."""
    return CODE_SPAN.sub("", text)


def texts(at: AppTest) -> str:
    """Everything the page says in Markdown, captions, alerts and headings, escapes removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("info", "warning", "error", "success", "title", "header", "subheader"):
        parts += [e.value for e in getattr(at, kind)]
    return plain("\n".join(str(p) for p in parts))


def headings(at: AppTest) -> list[str]:
    """Every second-level heading on the page, as shown: `st.header` elements and the `## ` lines of
    Markdown blocks (the page's sections are one block)."""
    found = [plain(h.value) for h in at.header]
    for block in at.markdown:
        found += [plain(line[3:]) for line in block.value.splitlines() if line.startswith("## ")]
    return found


def table(at: AppTest, index: int = -1):
    return at.dataframe[index].value


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test loads its own data folder; nothing leaks between tests through the cache."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
