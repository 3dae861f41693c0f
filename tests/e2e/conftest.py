"""Browser tests: `streamlit run app.py` on a free localhost port, driven by Playwright in Debian's Chromium.

Each server is started once per session and per data folder (once per pytest-xdist worker when the
suite runs in parallel). Every wait keys on the app's own signals, never on a short fixed delay:

- Streamlit's script runs, counted from the `script_finished` messages the page receives on its
  websocket (`ScriptRuns`): after a click, the test waits for a run that finished after it;
- `stApp[data-test-script-state=notRunning]`, steady, and no `stSkeleton` placeholder left;
- every map: a canvas with the chart's size, the state outlines fetched, and a frame painted after.

Every limit is generous (`TIMEOUT`, 120 s), so a loaded machine is slower, not failing.
Screenshots and logs go to test-output/ (ignored by git).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from deploy.serve import Streamlit, free_port, replica_env
from tests.conftest import PAGES, ROOT

CHROMIUM = "/usr/bin/chromium"
OUTPUT = ROOT / "test-output" / "e2e"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--no-first-run",
    # A loaded machine must not make Chromium throttle or discard the page it is testing.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT = 120_000  # ms: the limit of every wait; a slow machine takes longer, it does not fail
SETTLED_MS = 400  # a finished run counts once it has stayed finished this long (a run can start another)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"-{worker}" if worker else ""


def start_server(name: str, data_dir: Path | None = None, *, timeout: float = TIMEOUT / 1000) -> Streamlit:
    """The app on a free loopback port, started as deploy/serve.py starts every replica, with only the
    settings a test chooses (no ATLAS_* from outside)."""
    changes = {variable: None for variable in os.environ if variable.startswith("ATLAS_")}
    changes.update({"ATLAS_GEOCODE_CACHE": "off", "ATLAS_REPORT_EMAIL": "corrections@example.org",
                    "ATLAS_DATA_DIR": None if data_dir is None else str(data_dir)})
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / f"server-{name}{_worker_suffix()}.log"
    log.unlink(missing_ok=True)
    server = Streamlit(name, ROOT / "app.py", free_port(), log, replica_env(f"e2e-{name}", changes))
    server.start()  # dies with its test run: a run that is killed leaves no server behind
    try:
        server.wait_healthy(timeout)
    except RuntimeError:
        server.kill()
        raise
    return server


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


def launch_chromium(playwright, *args: str) -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./dev test, which installs it")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args], timeout=TIMEOUT)


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance) -> Browser:
    chromium = launch_chromium(playwright_instance)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def recorder():
    """A local proxy that records and refuses every request Chromium sends towards another host."""
    from tests.e2e.visits import Recorder

    proxy = Recorder().start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def proxied_browser(playwright_instance, recorder) -> Browser:
    chromium = launch_chromium(playwright_instance, f"--proxy-server=http://127.0.0.1:{recorder.server_address[1]}")
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def visits(proxied_browser, recorder, server):
    """`visits(name)`: what one state of tests/e2e/visits.py showed and asked for, loaded once."""
    from tests.e2e.visits import Visits

    return Visits(proxied_browser, recorder, server)


def new_context(browser: Browser, **options) -> BrowserContext:
    """A browser context with generous limits."""
    context = browser.new_context(**{"viewport": VIEWPORT, "accept_downloads": True, **options})
    context.set_default_timeout(TIMEOUT)
    context.set_default_navigation_timeout(TIMEOUT)
    # Keep every resource timing (Streamlit loads many chunks): MAPS_READY_JS looks for the outlines.
    context.add_init_script("performance.setResourceTimingBufferSize(100000)")
    return context


def new_tab(browser: Browser, **options) -> Page:
    """A page in a fresh context, with generous limits and its script runs counted."""
    tab = new_context(browser, **options).new_page()
    ScriptRuns.attach(tab)
    return tab


@pytest.fixture(scope="session")
def shared_context(browser) -> BrowserContext:
    """One context for the plain `page` fixture: its HTTP and compiled-script caches keep
    Streamlit's JavaScript between tests. Each test still gets its own tab, and so its own
    Streamlit session; tests that need their own viewport, permissions or request log make a
    context of their own with new_tab()."""
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(shared_context, request):
    tab = shared_context.new_page()
    ScriptRuns.attach(tab)
    console: list[str] = []
    tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    tab.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    yield tab
    if console:  # kept for diagnosis (a WebGL context lost, a failed fetch); never asserted here
        OUTPUT.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        (OUTPUT / f"console-{name}.log").write_text("\n".join(console) + "\n")
    tab.close()


# --- the app's own signals -------------------------------------------------------------

class ScriptRuns:
    """Streamlit's messages to one page, read from its websocket as the browser receives them.

    `finished` counts script runs that ended (a run cut short by a rerun is not an end: another
    run follows); `requested` counts the reruns the page asked for (a widget changed). `elements` keeps every new element by kind, with cached references resolved, so
    a test can read what the server sent, e.g. a dataframe's Arrow data.
    """

    KEEP = {"dataframe", "deck_gl_json_chart"}

    def __init__(self) -> None:
        self.finished = 0
        self.requested = 0
        self.waited_for = 0
        self.elements: dict[str, list] = {kind: [] for kind in self.KEEP}
        self._by_hash: dict[str, ForwardMsg] = {}

    @classmethod
    def attach(cls, page: Page) -> ScriptRuns:
        runs = cls()
        page._atlas_runs = runs
        page.on("websocket", runs._socket)
        return runs

    def _socket(self, socket) -> None:
        if "/_stcore/stream" in socket.url:
            socket.on("framereceived", self._frame)
            socket.on("framesent", self._sent)

    def _sent(self, payload) -> None:
        if isinstance(payload, bytes):
            message = BackMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                self.requested += 1

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            message = self._by_hash.get(message.ref_hash, message)
            kind = message.WhichOneof("type")
        if kind == "script_finished":
            if message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.finished += 1
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            if message.hash:
                self._by_hash[message.hash] = message
            element = message.delta.new_element
            if element.WhichOneof("type") in self.KEEP:
                self.elements[element.WhichOneof("type")].append(getattr(element, element.WhichOneof("type")))


def script_runs(page: Page) -> ScriptRuns:
    runs = getattr(page, "_atlas_runs", None)
    if runs is None:
        raise RuntimeError("open pages with the `page` fixture or new_tab(): their script runs are counted")
    return runs


def _wait_until(page: Page, predicate, timeout: float, what: str) -> None:
    """Poll a Python-side condition; Playwright delivers websocket events while the page waits."""
    deadline = time.monotonic() + timeout / 1000
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout / 1000:.0f} s for {what}")
        page.wait_for_timeout(50)


SETTLED_JS = """(settledMs) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const done = app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');  // lazy elements still loading
    if (!done) { window.__atlasDoneSince = undefined; return false; }
    window.__atlasDoneSince = window.__atlasDoneSince || performance.now();
    return performance.now() - window.__atlasDoneSince > settledMs;
}"""

MAPS_READY_JS = """() => [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')].every(chart => {
    const canvas = chart.querySelector('canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const box = canvas.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
}) && (document.querySelectorAll('[data-testid="stDeckGlJsonChart"]').length === 0
       || performance.getEntriesByType('resource').some(e => e.name.includes('us_states.geojson') && e.responseEnd > 0))"""

TWO_FRAMES_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def wait_for_app(page: Page, timeout: float = TIMEOUT, *, rerun: bool = True) -> None:
    """Wait until Streamlit has finished the script run, every lazily loaded element (map, table) has
    replaced its placeholder, and every map canvas has its size, its outlines and a painted frame.

    `rerun=True` (after a click or a key press) first waits for a script run that finished after the
    previous wait, so the page the test reads is the one its action produced.
    """
    runs = script_runs(page)
    target = runs.waited_for + 1 if rerun else 1
    _wait_until(page, lambda: runs.finished >= target, timeout, "Streamlit to finish a script run")
    page.wait_for_function(SETTLED_JS, arg=SETTLED_MS, timeout=timeout, polling=100)
    page.wait_for_function(MAPS_READY_JS, timeout=timeout, polling=100)
    wait_for_maps_drawn(page, timeout)
    runs.waited_for = runs.finished


def wait_for_maps_drawn(page: Page, timeout: float = TIMEOUT) -> None:
    """Every map has painted its state outlines: deck.gl has loaded its layers and drawn a frame
    with them (seen on screen, since a WebGL canvas cannot be read back once shown)."""
    from tests.e2e.mapgeometry import drawn_canvas, outline_fill, outlines_drawn

    fill = outline_fill(page)
    for index in range(page.locator('[data-testid="stDeckGlJsonChart"]').count()):
        image, _ = drawn_canvas(page, lambda image, box: outlines_drawn(image, fill), index, timeout / 1000)
        if not outlines_drawn(image, fill):
            path = OUTPUT / f"blank-map{_worker_suffix()}.png"
            image.save(path)
            raise AssertionError(f"map {index} drew no state outlines within {timeout / 1000:.0f} s (see {path})")


def click_until_rerun(page: Page, click, timeout: float = TIMEOUT, retry_after: float = 10) -> None:
    """Repeat a click that may land before its target can take it (a map point deck.gl cannot pick
    yet) until the page asks the app to rerun, then wait for that run. `retry_after` seconds is only
    the pause between tries, never a limit: the limit is `timeout`."""
    runs = script_runs(page)
    before = runs.requested
    deadline = time.monotonic() + timeout / 1000
    while runs.requested == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page asked for no rerun after {timeout / 1000:.0f} s of clicks")
        click()
        retry_at = min(time.monotonic() + retry_after, deadline)
        while runs.requested == before and time.monotonic() < retry_at:
            page.wait_for_timeout(50)
    wait_for_app(page, max(1.0, deadline - time.monotonic()) * 1000)


def open_app(page: Page, server: Streamlit, path: str = "") -> float:
    """Open a page, wait for the full render, and return the time it took in the browser (ms)."""
    script_runs(page).waited_for = script_runs(page).finished = 0
    page.goto(f"{server.url}/{path}")
    wait_for_app(page, rerun=False)
    return page.evaluate("performance.now()") - SETTLED_MS


def exceptions(page: Page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot: Streamlit scrolls inside its main block, so grow the viewport to fit."""
    height = page.evaluate(
        """() => Math.max(document.querySelector('[data-testid="stMain"]')?.scrollHeight || 0, window.innerHeight)""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_function(MAPS_READY_JS, timeout=TIMEOUT)
    wait_for_maps_drawn(page)  # a map resized with the viewport redraws
    path = OUTPUT / f"{name}{_worker_suffix()}.png"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    page.evaluate(TWO_FRAMES_JS)
    return path


def grid_rows(page: Page, index: int = 0, *, expect: int | None = None, timeout: float = TIMEOUT) -> int:
    """Data rows in a dataframe, from the grid's own aria-rowcount (the header row excluded).

    The grid takes its new rows a moment after the script run that sent them. With `expect`, wait
    (up to `timeout`) for the grid's own count to reach it, then return whatever it shows: a wrong
    count still fails the test's assertion, it just is not read before the grid has caught up."""
    if expect is not None:
        try:
            page.wait_for_function(
                """([index, want]) => {
                    const grid = document.querySelectorAll('[data-testid="stDataFrame"] [aria-rowcount]')[index];
                    return grid && Number(grid.getAttribute('aria-rowcount')) - 1 === want;
                }""", arg=[index, expect], timeout=timeout, polling=100)
        except PlaywrightTimeout:
            pass
    grid = page.locator('[data-testid="stDataFrame"] [aria-rowcount]').nth(index)
    return int(grid.get_attribute("aria-rowcount")) - 1


def main_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()
