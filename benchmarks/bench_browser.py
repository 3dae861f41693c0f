"""Browser figures (group "browser"): each page's time to first full render in Chromium.

A page counts as rendered when Streamlit's script run has finished, no lazily loaded element is
still a placeholder, and every map canvas has drawn (the same signals the browser tests wait for,
from tests/e2e/conftest.py). The first load in a fresh browser also fetches Streamlit's JavaScript
(cold); later loads in the same browser show the steady state (warm). Needs Chromium at
/usr/bin/chromium and Playwright, as the browser tests do (./dev test installs them).
"""

from __future__ import annotations

import json
import statistics

from benchmarks.registry import ROOT, benchmark

ROUNDS = 5  # the first is cold, the rest warm
TARGET_WARM_MS = 2_000
TARGET_COLD_MS = 6_000


def _measure() -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import OUTPUT, exceptions, launch_chromium, new_tab, open_app, start_server
    from tests.e2e.test_pages import PAGES

    server = start_server("bench")
    timings: dict[str, list[float]] = {name: [] for name in PAGES}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = new_tab(browser)
            try:
                for _ in range(ROUNDS):
                    for name, path in PAGES.items():
                        ms = open_app(page, server, path)
                        if exceptions(page):
                            raise RuntimeError(f"{name} shows an exception: {exceptions(page)}")
                        timings[name].append(ms)
            finally:
                browser.close()
    finally:
        server.stop()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "timings.json").write_text(json.dumps(
        {name: {"cold_ms": round(ms[0]), "warm_median_ms": round(statistics.median(ms[1:])),
                "warm_max_ms": round(max(ms[1:]))} for name, ms in timings.items()}, indent=2) + "\n")
    return timings


@benchmark("browser-render", f"time to first full render in Chromium, every page: warm median <= {TARGET_WARM_MS:,} ms, "
           f"cold (first load, JavaScript fetched) <= {TARGET_COLD_MS:,} ms", group="browser")
def browser_render() -> tuple[str, bool]:
    timings = _measure()
    parts, met = [], True
    for name, ms in timings.items():
        cold, warm = ms[0], statistics.median(ms[1:])
        met = met and warm <= TARGET_WARM_MS and cold <= TARGET_COLD_MS
        parts.append(f"{name} {warm:,.0f} ms (cold {cold:,.0f})")
    figure = "warm median per page: " + ", ".join(parts) + f"; details in {ROOT.name}/test-output/e2e/timings.json"
    return figure, met
