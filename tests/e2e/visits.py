"""Every page, in the states people reach, opened once per session and read for several checks.

A visit loads one state in a Chromium whose proxy is a local recorder, waits for the full render,
and keeps what the checks need: every request the page made, what reached the recorder, the
exceptions shown, the axe-core findings, the text and toggles shown, and a full-page screenshot.
The offline, accessibility and page tests each assert their part of the same visit, so no state is
loaded three times. A walk goes on from a visit's first state with clicks, and checks (axe,
exceptions) every state it stops at, so one load covers the presentation's scenes.

Two nets catch a request that would leave the machine:
- Playwright's request events for the whole browser context: every page, iframe and worker;
- Chromium's proxy setting pointed at the recorder: Chromium sends every request for another host
  through it (loopback never goes through a proxy), including the ones the browser makes on a
  page's behalf outside the page (the tab's icon). The recorder answers 403, so nothing leaves.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page

from deploy.serve import Streamlit
from tests.e2e.conftest import (
    AXE,
    OUTPUT,
    exceptions,
    grid_rows,
    main_text,
    new_tab,
    open_app,
    screenshot,
    wait_for_app,
)


def _expand_export(page: Page) -> None:
    page.get_by_text("Export, print or share this view").click()
    page.get_by_role("button", name="Spreadsheet (CSV)").wait_for(state="visible")


def _open_state_menu(page: Page) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="State").click()
    page.get_by_role("option", name="New York (NY)").wait_for(state="visible")


def _choose_new_york(page: Page) -> None:
    page.get_by_role("option", name="New York (NY)").click()
    wait_for_app(page)
    grid_rows(page, expect=2)  # only waits for the grid to take the new rows: the page test asserts them


def _download_exports(page: Page) -> dict[str, Path]:
    """Each export the panel offers, downloaded as a user would: {button label: saved file}."""
    files, folder = {}, OUTPUT / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    for label in ("Spreadsheet (CSV)", "Printable handout (PDF)", "Map image for slides (PNG)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        files[label] = folder / download.value.suggested_filename
        download.value.save_as(files[label])
    return files


def _follow_link_to_nearby(page: Page) -> None:
    page.get_by_role("link", name="Rank these by distance from a place").click()
    wait_for_app(page)


def _next_scene(page: Page) -> None:
    page.get_by_role("link", name="Next").click()
    wait_for_app(page)


# The pages, one each (the page tests screenshot these)...
PAGES = {
    "overview": "",
    "directory": "directory",
    "nearby": "nearby?near=60601",
    "fit": "fit?area=voice",
    "about": "about",
    "presentation": "?present=1",
}
@dataclass(frozen=True)
class State:
    """How a visit reaches a state: its address, what the user does once it has rendered (not a
    stop), and a walk of further steps. Each step leads to another stop, checked (axe, exceptions)
    like the first, so one load covers several states. A step may return the files it downloaded;
    the rest a visit keeps (text, tables, the screenshot) is read at its last stop."""
    path: str
    action: Callable[[Page], None] | None = None
    walk: tuple[Callable[[Page], dict[str, Path] | None], ...] = ()


# ...and every state worth checking
VISITS: dict[str, State] = {
    **{name: State(path) for name, path in PAGES.items()},
    "directory-card": State("directory?org=american-dystonia-society"),
    # The filters go along to Nearby; the chosen card does not.
    "directory-filtered": State("directory?focus=torticollis&state=CA&org=american-dystonia-society",
                                walk=(_follow_link_to_nearby,)),
    "directory-export": State("directory?focus=torticollis", _expand_export, walk=(_download_exports,)),
    "directory-state-menu": State("directory", _open_state_menu, walk=(_choose_new_york,)),
    "directory-nothing-found": State("directory?q=no+such+group"),
    "nearby-within-radius": State("nearby?near=60601&radius=100"),
    "nearby-nothing-within": State("nearby?near=99501&radius=25"),
    "nearby-unknown-place": State("nearby?near=abcde"),
    "fit-eyelids": State("fit?area=eyelids"),
    # A scene's own link opens the first focused scene; Next reaches blepharospasm, speech and near.
    "presentation-scenes": State("?present=1&scene=torticollis", walk=(_next_scene,) * 3),
}


# --- the recorder ------------------------------------------------------------------------------

class Recorder(socketserver.ThreadingTCPServer):
    """An HTTP proxy that forwards nothing: it notes each request line's target and refuses."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.targets: list[str] = []
        super().__init__(("127.0.0.1", 0), _RecordingHandler)

    def start(self) -> Recorder:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _RecordingHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline(65537).decode("latin-1").strip()
        if line:
            parts = line.split()
            self.server.targets.append(parts[1] if len(parts) > 1 else line)
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


# --- visits ------------------------------------------------------------------------------------

def run_axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))  # inline: the injected script is not a request
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300)}))}));
    }""")


@dataclass
class Visit:
    name: str
    requests: list[str] = field(default_factory=list)  # every URL the context asked for
    proxied: list[str] = field(default_factory=list)   # what Chromium sent to the recorder meanwhile
    exceptions: list[str] = field(default_factory=list)
    headings: int = 0
    text: str = ""  # the main area's text, as shown
    switches: dict[str, bool] = field(default_factory=dict)  # each toggle in the main area: on or off
    maps: list[tuple[str | None, str | None]] = field(default_factory=list)  # each map's (role, aria-label)
    table_rows: list[int] = field(default_factory=list)  # data rows of each table, from the grid's own count
    violations: list[dict] = field(default_factory=list)  # at every stop of a walk, each naming its stop
    stops: list[str] = field(default_factory=list)  # the address of each state checked, in order
    downloads: dict[str, Path] = field(default_factory=dict)  # files a walk downloaded, by button label
    screenshot: Path | None = None


class Visits:
    """Each state visited once, on first request, in the proxied Chromium."""

    def __init__(self, browser: Browser, recorder: Recorder, server: Streamlit):
        self.browser, self.recorder, self.server = browser, recorder, server
        self._done: dict[str, Visit] = {}

    def __call__(self, name: str) -> Visit:
        if name not in self._done:
            self._done[name] = self._visit(name)
        return self._done[name]

    @staticmethod
    def _check_stop(page: Page, visit: Visit) -> None:
        stop = page.url
        visit.stops.append(stop)
        visit.exceptions += [f"{stop}: {text}" for text in exceptions(page)]
        visit.violations += [{**violation, "stop": stop} for violation in run_axe(page)]

    def _visit(self, name: str) -> Visit:
        state = VISITS[name]
        visit = Visit(name)
        page = new_tab(self.browser)
        context = page.context
        context.on("request", lambda request: visit.requests.append(request.url))  # pages, iframes, workers
        page.on("worker", lambda worker: visit.requests.append(worker.url))
        page.on("websocket", lambda socket: visit.requests.append(socket.url))
        start = len(self.recorder.targets)
        try:
            open_app(page, self.server, state.path)
            if state.action:
                state.action(page)
            for step in state.walk:
                self._check_stop(page, visit)
                visit.downloads.update(step(page) or {})
            self._check_stop(page, visit)
            visit.headings = page.locator('[data-testid="stHeading"]').count()
            visit.text = main_text(page)
            visit.switches = dict(page.locator('[data-testid="stMain"] label:has([role="switch"])').evaluate_all(
                "labels => labels.map(l => [l.innerText.trim(), l.querySelector('[role=switch]').checked])"))
            charts = page.locator('[data-testid="stDeckGlJsonChart"]')
            visit.maps = [(charts.nth(i).get_attribute("role"), charts.nth(i).get_attribute("aria-label"))
                          for i in range(charts.count())]
            visit.table_rows = [grid_rows(page, i) for i in range(
                page.locator('[data-testid="stDataFrame"] [aria-rowcount]').count())]
            visit.screenshot = screenshot(page, f"page-{name}")
            page.wait_for_load_state("networkidle")  # late requests (the tab's icon, lazy chunks) are made too
        finally:
            context.close()
        visit.proxied = self.recorder.targets[start:]
        return visit
