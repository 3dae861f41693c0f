"""Seed-scale figures: the build, parsing, memory and each page's warm rerun against a bare page."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.registry import ROOT, benchmark
from benchmarks.registry import median_seconds as _median_seconds


@benchmark("build-cli", "python -m atlas build data/dystonias.txt: under 2 s wall time, cold process, offline")
def build_cli() -> tuple[str, bool]:
    with tempfile.TemporaryDirectory() as out:
        def run():
            subprocess.run([sys.executable, "-m", "atlas", "build", "data/dystonias.txt", "--out", out],
                           cwd=ROOT, check=True, capture_output=True, env={"ATLAS_GEOCODE_CACHE": "off",
                                                                          "PATH": "/usr/bin:/bin"})
        median, worst = _median_seconds(run, 5)
    return f"median {median:.2f} s, worst {worst:.2f} s over 5 runs", worst < 2.0


@benchmark("parse", "parse_page on the committed page: under 20 ms warm")
def parse() -> tuple[str, bool]:
    from atlas.ingest.source import parse_page
    text = (ROOT / "data" / "dystonias.txt").read_text()
    parse_page(text)
    median, _ = _median_seconds(lambda: parse_page(text), 50)
    return f"median {median * 1000:.2f} ms over 50 runs", median < 0.020


@benchmark("memory", "building and loading the directory: under 50 MB peak Python allocation")
def memory() -> tuple[str, bool]:
    import tracemalloc

    from atlas.directory.distance import to_frame
    from atlas.ingest.build import build_directory
    text = (ROOT / "data" / "dystonias.txt").read_text()
    tracemalloc.start()
    directory = build_directory(text)
    to_frame(directory.organizations)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return f"peak {peak / 1e6:.1f} MB (ZIP index for the states on the page included)", peak < 50e6


@benchmark("nearby-100k", "ranking 100,000 organizations by distance: under 100 ms")
def nearby_100k() -> tuple[str, bool]:
    import numpy as np
    import pandas as pd

    from atlas.directory.distance import with_distance
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"latitude": rng.uniform(25, 49, 100_000), "longitude": rng.uniform(-124, -67, 100_000)})
    median, _ = _median_seconds(lambda: with_distance(frame, 41.8858, -87.6181), 10)
    return f"median {median * 1000:.1f} ms over 10 runs", median < 0.100


def _warm_rerun_ms(make_app, runs: int = 30) -> float:
    at = make_app()
    at.run()
    at.run()  # caches and imports are warm from here on
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - start)
    assert not at.exception, [e.value for e in at.exception]
    return statistics.median(samples) * 1000


@benchmark("rerun", "each page's warm AppTest rerun: within 60 ms of a bare one-line page")
def rerun() -> tuple[str, bool]:
    import logging

    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    bare = _warm_rerun_ms(lambda: AppTest.from_string("import streamlit as st\nst.write('Dystonia Atlas')"))
    lines, met = [f"bare page {bare:.1f} ms"], True
    pages = {"overview": (None, {}), "directory": ("pages/directory.py", {}),
             "nearby": ("pages/nearby.py", {"near": "60601"}), "about": ("pages/about.py", {})}
    for name, (page, params) in pages.items():
        def make(page=page, params=params):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.query_params.update(params)
            if page:
                at.switch_page(page)
            return at
        ms = _warm_rerun_ms(make)
        met &= ms - bare <= 60
        lines.append(f"{name} {ms:.1f} ms (+{ms - bare:.1f})")
    return "; ".join(lines), met
