"""Warm AppTest reruns of the app's pages, each beside a bare one-line page measured in the same process.

Interleaving matters on a shared machine: a page and the yardstick are timed in alternation, so a
busy neighbour slows both alike and the ratio holds. Figures are medians of warm reruns.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable

from benchmarks.registry import ROOT

BARE = "import streamlit as st\nst.write('Dystonia Atlas')"


def quiet() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)


def app(page: str | None = None, params: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params.update(params or {})
    if page:
        at.switch_page(f"pages/{page}.py")
    return at


def bare():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_string(BARE, default_timeout=600)


def interleaved_ms(make_page: Callable, step: Callable | None = None, runs: int = 200) -> tuple[float, float]:
    """Median warm rerun of a page and of the bare page, timed alternately: (page ms, bare ms).

    `step(at, i)` changes a widget before rerun i (a filter rerun); without it the page reruns as is.
    A median of 60 pairs still moved by a tenth of the ratio between repetitions on a quiet machine;
    200 pairs take a few seconds."""
    page, yardstick = make_page(), bare()
    for at in (page, yardstick, page, yardstick):  # imports, caches and the directory load happen here
        at.run()
    page_ms, bare_ms = [], []
    for i in range(runs):
        start = time.perf_counter()
        if step is not None:
            step(page, i)
        page.run()
        page_ms.append(time.perf_counter() - start)
        start = time.perf_counter()
        yardstick.run()
        bare_ms.append(time.perf_counter() - start)
    if page.exception:
        raise RuntimeError([e.value for e in page.exception])
    return statistics.median(page_ms) * 1000, statistics.median(bare_ms) * 1000


def with_data_dir(folder: str | None):
    """Point the app at a data folder (None: the committed data) and forget what was loaded before."""
    import streamlit as st

    if folder is None:
        os.environ.pop("ATLAS_DATA_DIR", None)
    else:
        os.environ["ATLAS_DATA_DIR"] = str(folder)
    st.cache_data.clear()
    st.cache_resource.clear()


def element_bytes(at) -> tuple[int, int]:
    """(bytes of the map spec, bytes of every element proto on the page) as the browser would receive them."""
    total, deck = 0, 0
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
            if getattr(node, "type", "") == "deck_gl_json_chart":
                deck += len(proto.json.encode("utf-8"))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
    return deck, total
