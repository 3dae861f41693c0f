"""Seed-scale figures: the build, parsing, memory and each page's warm rerun against a bare page."""

from __future__ import annotations

from benchmarks.registry import ROOT, benchmark
from benchmarks.registry import median_seconds as _median_seconds


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

    from atlas.directory.load import prepare
    from atlas.ingest.build import build_directory
    text = (ROOT / "data" / "dystonias.txt").read_text()
    tracemalloc.start()
    directory = build_directory(text)
    prepare(directory.page, directory.organizations)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return f"peak {peak / 1e6:.1f} MB (the build, the place index's answers and the prepared directory)", peak < 50e6


@benchmark("rerun-landing", "landing page warm rerun (AppTest): at most 3x a bare one-line page's, interleaved")
def rerun_landing() -> tuple[str, bool]:
    from benchmarks import apptest

    apptest.quiet()
    apptest.with_data_dir(None)
    page, bare = apptest.interleaved_ms(lambda: apptest.app())
    return f"{page:.1f} ms vs bare {bare:.1f} ms: {page / bare:.1f}x", page <= 3 * bare


@benchmark("rerun-nearby", "Nearby warm rerun with near=60601 (AppTest): at most 4x a bare page's, interleaved")
def rerun_nearby() -> tuple[str, bool]:
    from benchmarks import apptest

    apptest.quiet()
    apptest.with_data_dir(None)
    page, bare = apptest.interleaved_ms(lambda: apptest.app("nearby", {"near": "60601"}))
    return f"{page:.1f} ms vs bare {bare:.1f} ms: {page / bare:.1f}x", page <= 4 * bare


@benchmark("rerun-pages", "every other page's warm rerun, beside a bare page (no target: for the record)")
def rerun_pages() -> tuple[str, bool]:
    from benchmarks import apptest

    apptest.quiet()
    apptest.with_data_dir(None)
    lines = []
    for name, params in (("directory", {}), ("fit", {"area": "voice"}), ("about", {}), ("present", {})):
        page, bare = apptest.interleaved_ms(lambda name=name, params=params: apptest.app(name, params), runs=20)
        lines.append(f"{name} {page:.1f} ms ({page / bare:.1f}x)")
    return "; ".join(lines), True
