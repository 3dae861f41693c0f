"""Fully offline in the browser: with the street basemap off, no request leaves localhost.

Two nets catch a request that would leave the machine:
- Playwright's request events for the whole browser context: every page, iframe and worker;
- Chromium's proxy setting pointed at a local recorder: Chromium sends every request for another
  host through it (loopback never goes through a proxy), including the ones the browser makes on a
  page's behalf outside the page (the tab's icon). The recorder answers 403, so nothing leaves.

Also: control characters typed into a box are never shown raw.
"""

from __future__ import annotations

import re
import socketserver
import threading
import unicodedata
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import exceptions, launch_chromium, main_text, new_tab, open_app
from tests.e2e.test_pages import PAGES

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}
# Chromium's own services, which it calls whatever page is open (sign-in checks, autofill
# predictions, component updates, safe browsing), so never the app's requests. Each is named
# exactly: a host the app could ask for (fonts.gstatic.com, unpkg.com, cartocdn.com) is never ignored.
BROWSER_OWN_HOSTS = {
    "accounts.google.com", "content-autofill.googleapis.com", "update.googleapis.com", "clients2.google.com",
    "clients2.googleusercontent.com", "safebrowsing.googleapis.com", "optimizationguide-pa.googleapis.com",
    "redirector.gvt1.com", "edgedl.me.gvt1.com", "dl.google.com",
}

OFFLINE_PAGES = {
    **PAGES,
    "directory-card": "directory?org=american-dystonia-society",
    "directory-filtered": "directory?focus=torticollis&state=CA",
    "nearby-within-radius": "nearby?near=60601&radius=500",
    "nearby-unknown-place": "nearby?near=abcde",
    **{f"presentation-{scene}": f"?present=1&scene={scene}"
       for scene in ("torticollis", "blepharospasm", "voice", "near")},
}


class _Recorder(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.targets: list[str] = []
        super().__init__(("127.0.0.1", 0), _RecordingHandler)


class _RecordingHandler(socketserver.StreamRequestHandler):
    """An HTTP proxy that forwards nothing: it notes the request line's target and refuses."""

    def handle(self):
        line = self.rfile.readline(65537).decode("latin-1").strip()
        if line:
            parts = line.split()
            self.server.targets.append(parts[1] if len(parts) > 1 else line)
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def recorder():
    proxy = _Recorder()
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


@pytest.fixture(scope="module")
def proxied_browser(playwright_instance, recorder):
    port = recorder.server_address[1]
    chromium = launch_chromium(playwright_instance, f"--proxy-server=http://127.0.0.1:{port}")
    yield chromium
    chromium.close()


def _host(target: str) -> str:
    """The host of a proxy request's target: `host:443` (CONNECT) or `http://host/path`."""
    return urlsplit(target if "://" in target else f"//{target}").hostname or target


def _leaves_localhost(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


@pytest.mark.parametrize("name", list(OFFLINE_PAGES))
def test_no_request_leaves_localhost(proxied_browser, recorder, server, name):
    page = new_tab(proxied_browser)
    context = page.context
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))  # pages, iframes, service workers
    page.on("worker", lambda worker: seen.append(worker.url))
    page.on("websocket", lambda socket: seen.append(socket.url))
    start = len(recorder.targets)
    try:
        open_app(page, server, OFFLINE_PAGES[name])
        assert exceptions(page) == []
        page.wait_for_load_state("networkidle")  # late requests (the tab's icon, lazy chunks) are made too
    finally:
        context.close()
    assert any(url.startswith(server.url) for url in seen), "the recorder saw the page's own requests"
    assert [url for url in seen if _leaves_localhost(url)] == []
    towards_internet = sorted({target for target in recorder.targets[start:] if _host(target) not in BROWSER_OWN_HOSTS})
    assert towards_internet == [], f"Chromium sent requests towards the internet: {towards_internet}"


# Cc (C0, DEL, C1) and the bidirectional overrides and isolates; newlines and tabs are layout.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("typed", ["%00abc", "abc%1b%5B31mred%07", "%E2%80%AEcba%C2%85x%7F"])
def test_control_characters_in_a_place_are_never_shown_raw(page, server, typed):
    open_app(page, server, f"nearby?near={typed}")
    assert exceptions(page) == []
    shown = [main_text(page), page.title(),
             page.locator('[data-testid="stSidebar"]').inner_text()]
    raw = [f"U+{ord(ch):04X} {unicodedata.name(ch, '')}" for text in shown for ch in RAW_CONTROL.findall(text)]
    assert raw == []
    assert "abc" in main_text(page) or "cba" in main_text(page) or "red" in main_text(page)
