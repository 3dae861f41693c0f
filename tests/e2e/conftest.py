"""Browser tests: `streamlit run app.py` on a free localhost port, driven by Playwright in Debian's Chromium.

Each server is started once per session and per data folder. Every page helper waits for Streamlit
to finish the script run (`stApp[data-test-script-state=notRunning]`) before a test asserts.
Screenshots and timings go to test-output/ (ignored by git).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import PAGES, ROOT

CHROMIUM = "/usr/bin/chromium"
OUTPUT = ROOT / "test-output" / "e2e"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(name: str, data_dir: Path | None = None) -> AppServer:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env.update({"ATLAS_GEOCODE_CACHE": "off", "ATLAS_REPORT_EMAIL": "corrections@example.org"})
    if data_dir is not None:
        env["ATLAS_DATA_DIR"] = str(data_dir)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / f"server-{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return AppServer(url, process, log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within 60 s; see {log}")


@pytest.fixture(scope="session")
def server():
    app = start_server("committed")
    yield app
    app.stop()


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-data")
    shutil.copy(PAGES / "hostile.txt", folder / "hostile.txt")
    app = start_server("hostile", folder)
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./dev test, which installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


# --- waiting and looking ----------------------------------------------------------------

def wait_for_app(page: Page, timeout: float = 30_000, *, rerun: bool = True) -> None:
    """Wait until Streamlit has finished the script run, every lazily loaded element (map, table) has
    replaced its placeholder, and every map canvas has drawn.

    After a click or a key press the app may still show the previous run as finished, so first
    give the new run a moment to start (it may also start and finish within that moment).
    """
    if rerun:
        try:
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=1500)
        except PlaywrightTimeout:
            pass
    # Finished means finished for a moment: a run can end by starting another (st.rerun, a page switch).
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const done = app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');  // lazy elements still loading
            if (!done) { window.__atlasDoneSince = undefined; return false; }
            window.__atlasDoneSince = window.__atlasDoneSince || performance.now();
            return performance.now() - window.__atlasDoneSince > 400;
        }""", timeout=timeout, polling=100)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')]
                 .every(chart => { const c = chart.querySelector('canvas'); return c && c.width > 0; })""",
        timeout=timeout)
    page.wait_for_timeout(200)  # one more frame for deck.gl to paint


def open_app(page: Page, server: AppServer, path: str = "") -> float:
    """Open a page, wait for the full render, and return the time it took in the browser (ms)."""
    page.goto(f"{server.url}/{path}")
    wait_for_app(page, rerun=False)
    return page.evaluate("performance.now()") - 600  # less the settle time wait_for_app adds


def exceptions(page: Page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot: Streamlit scrolls inside its main block, so grow the viewport to fit."""
    height = page.evaluate(
        """() => Math.max(document.querySelector('[data-testid="stMain"]')?.scrollHeight || 0, window.innerHeight)""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(400)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def grid_rows(page: Page, index: int = 0) -> int:
    """Data rows in a dataframe, from the grid's own aria-rowcount (the header row excluded)."""
    grid = page.locator('[data-testid="stDataFrame"] [aria-rowcount]').nth(index)
    return int(grid.get_attribute("aria-rowcount")) - 1


def main_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


# --- timings for the closing report -----------------------------------------------------

@dataclass
class Timings:
    pages: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, ms: float) -> None:
        self.pages.setdefault(name, []).append(ms)


TIMINGS = Timings()


@pytest.fixture(scope="session")
def timings() -> Timings:
    return TIMINGS


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS.pages:
        return
    OUTPUT.mkdir(parents=True, exist_ok=True)
    summary = {name: {"runs": len(ms), "median_ms": round(sorted(ms)[len(ms) // 2]), "max_ms": round(max(ms))}
               for name, ms in sorted(TIMINGS.pages.items())}
    (OUTPUT / "timings.json").write_text(json.dumps(summary, indent=2) + "\n")
    terminalreporter.section("time to first full render, in the browser")
    for name, figures in summary.items():
        terminalreporter.write_line(f"{name:<22} median {figures['median_ms']:>5} ms   max {figures['max_ms']:>5} ms"
                                    f"   ({figures['runs']} loads)")
