"""The load driver speaks to Streamlit exactly as the browser does.

A real Chromium visit and a driven session open the same URL through the proxy; both must send the
same first BackMsg and receive the same ForwardMsgs (type and element type, in order) up to the
first complete render. If a Streamlit upgrade changes the frontend's protocol, this fails before
the load figures quietly measure something else.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.loaddriver import Session, describe
from tests.serve.conftest import run_async

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
FIRST_RENDER_SECONDS = 120
PATHS = ["/", "/nearby?near=60601"]
UNFINISHED = (ForwardMsg.FINISHED_EARLY_FOR_RERUN, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


def first_render(frames: list[bytes]) -> list[str] | None:
    """The message kinds up to the first script_finished that ends a render, or None if not yet."""
    kinds = []
    for frame in frames:
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        kinds.append(describe(msg))
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished not in UNFINISHED:
            return kinds
    return None


@pytest.fixture(scope="module")
def chromium_visits(cluster) -> dict[str, dict]:
    """Each path opened once in Chromium through the proxy: the frames and the handshake it sent."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./dev test, which installs it")
    loopback = urlsplit(cluster.url).netloc
    visits = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in PATHS:
                context = browser.new_context()
                # No internet: anything not served by the app is refused (icons from Google's font CDN).
                context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc
                              == loopback else route.abort())
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                handshakes: list[dict] = []
                cdp.on("Network.webSocketWillSendHandshakeRequest",
                       lambda event: handshakes.append(event["request"]["headers"]))
                sent: list[bytes] = []
                received: list[bytes] = []

                def watch(ws):
                    if ws.url.endswith("/_stcore/stream"):
                        ws.on("framesent", lambda payload: sent.append(payload))
                        ws.on("framereceived", lambda payload: received.append(payload))

                page.on("websocket", watch)
                page.goto(cluster.url + path)
                deadline = time.monotonic() + FIRST_RENDER_SECONDS
                while first_render(received) is None:
                    assert time.monotonic() < deadline, f"Chromium saw no finished render of {path}"
                    page.wait_for_timeout(100)
                visits[path] = {"sent": list(sent), "received": first_render(received),
                                "handshake": handshakes[0] if handshakes else {},
                                "cookies": {c["name"]: c["value"] for c in context.cookies()}}
                context.close()
        finally:
            browser.close()
    return visits


def drive(url: str, path: str) -> tuple[Session, object, dict]:
    async def visit():
        session = Session(url, path)
        run = await session.visit()
        headers = dict(session.ws.request.headers.raw_items())
        await session.close()
        return session, run, headers
    return run_async(visit())


def header(headers: dict, name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


@pytest.mark.parametrize("path", PATHS)
def test_driver_receives_what_chromium_receives(cluster, chromium_visits, path):
    browser = chromium_visits[path]
    session, run, _ = drive(cluster.url, path)
    assert run.ok, run.error
    assert "script_finished" in browser["received"]
    assert any(kind.startswith("delta:new_element:") for kind in browser["received"])
    assert run.messages == browser["received"]


@pytest.mark.parametrize("path", PATHS)
def test_driver_sends_what_chromium_sends(cluster, chromium_visits, path):
    browser = chromium_visits[path]
    first = BackMsg()
    first.ParseFromString(browser["sent"][0])
    assert first.WhichOneof("type") == "rerun_script"
    session, run, headers = drive(cluster.url, path)
    assert run.ok, run.error
    ours = session.sent[0]
    assert ours.WhichOneof("type") == "rerun_script"
    for name in ("query_string", "page_name", "page_script_hash", "fragment_id", "is_auto_rerun"):
        assert getattr(ours.rerun_script, name) == getattr(first.rerun_script, name), name
    assert ours.rerun_script.widget_states == first.rerun_script.widget_states
    assert ours.rerun_script.context_info.url == first.rerun_script.context_info.url
    # The handshake: subprotocols "streamlit" then the XSRF cookie's token; cookies and Origin sent.
    browser_protocols = [p.strip() for p in header(browser["handshake"], "Sec-WebSocket-Protocol").split(",")]
    our_protocols = [p.strip() for p in header(headers, "Sec-WebSocket-Protocol").split(",")]
    assert browser_protocols == ["streamlit", browser["cookies"]["_streamlit_xsrf"]]
    assert our_protocols == ["streamlit", session.cookies["_streamlit_xsrf"]]
    assert header(headers, "Origin") == header(browser["handshake"], "Origin")
    assert "SERVERID" in browser["cookies"] and session.replica in ("r1", "r2")
