"""Drive many Streamlit sessions over the websocket, as the browser's frontend does, and measure them.

A session here is what one browser tab does when it opens a page (checked against a real Chromium
visit in tests/serve/test_protocol.py):

1. GET /_stcore/health, which sets the `_streamlit_xsrf` cookie (and, through HAProxy, the
   SERVERID cookie that keeps the tab on one replica);
2. open ws://HOST/_stcore/stream with the subprotocols ["streamlit", <xsrf token>] (plus the last
   session id when reconnecting), sending the cookies and an Origin header;
3. send a BackMsg `rerun_script` whose ClientState carries the query string, the page name
   ("" for "/", "nearby" for "/nearby") and the browser's context (URL, time zone, locale, theme);
4. read ForwardMsgs until `script_finished`: the first render is complete.

Per session it records the time from the first request to script_finished, the websocket bytes
received before it and the message types. `ProcessMeter` reads a server's CPU time and RSS from
/proc. Run from a shell against a running app:

    python benchmarks/loaddriver.py --url http://127.0.0.1:8501 --path "/nearby?near=60601" -n 20
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

SESSION_TIMEOUT = 60.0  # generous: on a saturated 2-core machine a first run can queue for many seconds
STICKY_COOKIE = "SERVERID"


# ---------------------------------------------------------------------------------------------
# What a message is, in words a test can compare
# ---------------------------------------------------------------------------------------------

def describe(msg: ForwardMsg) -> str:
    """A ForwardMsg's kind: "new_session", "delta:new_element:markdown", "delta:add_block:column"..."""
    kind = msg.WhichOneof("type") or "none"
    if kind != "delta":
        return kind
    delta_kind = msg.delta.WhichOneof("type") or "none"
    if delta_kind == "new_element":
        return f"delta:new_element:{msg.delta.new_element.WhichOneof('type')}"
    if delta_kind == "add_block":
        return f"delta:add_block:{msg.delta.add_block.WhichOneof('type')}"
    return f"delta:{delta_kind}"


def rerun_message(url: str, path: str) -> BackMsg:
    """The BackMsg the frontend sends to run a page: query string, page name, browser context."""
    parts = urlsplit(path)
    page = parts.path.strip("/")
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = parts.query
    state.page_name = page
    state.widget_states.SetInParent()
    info = state.context_info
    info.timezone = "UTC"
    info.timezone_offset = 0
    info.locale = "en-US"
    info.url = f"{url}/{page}" if page else f"{url}/"
    info.is_embedded = False
    info.color_scheme = "light"
    return msg


# ---------------------------------------------------------------------------------------------
# A minimal HTTP client: loopback only, cookies kept per session like a browser tab's jar
# ---------------------------------------------------------------------------------------------

@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


async def http_get(url: str, cookies: dict[str, str], timeout: float = 30.0) -> HttpResponse:
    """GET with HTTP/1.0 (no chunking, the server closes), storing any Set-Cookie in `cookies`."""
    parts = urlsplit(url)
    request = (f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.0\r\n"
               f"Host: {parts.netloc}\r\nUser-Agent: atlas-loaddriver\r\nAccept: */*\r\n")
    if cookies:
        request += "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()) + "\r\n"
    reader, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port or 80), timeout)
    try:
        writer.write((request + "\r\n").encode("latin-1"))
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or len(lines[0].split()) < 2:
        raise ConnectionError(f"no HTTP response from {url}")
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    store_cookies(cookies, [v for k, v in headers if k == "set-cookie"])
    return HttpResponse(int(lines[0].split()[1]), headers, body)


def store_cookies(cookies: dict[str, str], set_cookie_values: list[str]) -> None:
    for value in set_cookie_values:
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0].strip()


# ---------------------------------------------------------------------------------------------
# One browser tab
# ---------------------------------------------------------------------------------------------

@dataclass
class Run:
    """One script run as the tab saw it."""
    ok: bool
    seconds: float = math.inf
    bytes_received: int = 0
    messages: list[str] = field(default_factory=list)
    error: str = ""


class Session:
    """One browser tab's conversation with a Streamlit app (directly or through a proxy)."""

    def __init__(self, url: str, path: str = "/", replica: str = "") -> None:
        """`replica` pins the tab to a replica behind the proxy, as its SERVERID cookie would."""
        self.url = url.rstrip("/")
        self.path = path
        self.cookies: dict[str, str] = {STICKY_COOKIE: replica} if replica else {}
        self.session_id = ""
        self.ws = None
        self.download_ids: dict[str, str] = {}  # download button label -> deferred file id
        self.panel_ids: dict[str, str] = {}  # label of an expander that reruns when opened -> its id
        self.sent: list[BackMsg] = []
        self.last_download_url = ""

    @property
    def replica(self) -> str:
        """Which replica the proxy pinned this tab to (its SERVERID cookie), "" when direct."""
        return self.cookies.get(STICKY_COOKIE, "")

    async def connect(self, timeout: float = SESSION_TIMEOUT) -> None:
        """Health ping (sets the cookies), then the websocket, as the frontend connects."""
        health = await http_get(f"{self.url}/_stcore/health", self.cookies, timeout)
        if health.status != 200:
            raise ConnectionError(f"/_stcore/health answered {health.status}")
        xsrf = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        protocols = ["streamlit", xsrf, *([self.session_id] if self.session_id else [])]
        ws_url = "ws" + self.url[len("http"):] + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url, subprotocols=protocols, origin=self.url, compression=None, proxy=None,
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())},
            max_size=None, max_queue=None, open_timeout=timeout, ping_interval=None, user_agent_header=None)
        store_cookies(self.cookies, self.ws.response.headers.get_all("Set-Cookie"))

    async def send(self, msg: BackMsg) -> None:
        self.sent.append(msg)
        await self.ws.send(msg.SerializeToString())

    async def run(self, timeout: float = SESSION_TIMEOUT, started: float | None = None) -> Run:
        """Ask for the page and read until script_finished. `started` lets the caller count the
        connection handshake in the time."""
        started = time.perf_counter() if started is None else started
        await self.send(rerun_message(self.url, self.path))
        return await self.read_until_finished(started, timeout)

    async def read_until_finished(self, started: float, timeout: float) -> Run:
        run = Run(ok=False)
        remaining = started + timeout - time.perf_counter()
        try:
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {timeout:.0f} s")
            # One deadline for the whole read: a timer per message cost the driver more CPU than
            # parsing the message, and the driver shares the machine with the servers it measures.
            async with asyncio.timeout(remaining):
                while True:
                    data = await self.ws.recv()
                    run.bytes_received += len(data)
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    run.messages.append(describe(msg))
                    self._note(msg)
                    if msg.WhichOneof("type") != "script_finished":
                        continue
                    if msg.script_finished in (ForwardMsg.FINISHED_EARLY_FOR_RERUN,
                                               ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                        continue  # the page asked for a rerun (st.rerun, URL sync): the render isn't done
                    run.seconds = time.perf_counter() - started
                    if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                        run.error = f"script finished with status {msg.script_finished}"
                    elif "delta:new_element:exception" in run.messages:
                        run.error = "the page showed an exception (see the server log)"
                    run.ok = not run.error
                    return run
        except (OSError, TimeoutError, asyncio.TimeoutError, websockets.ConnectionClosed) as error:
            run.error = f"{type(error).__name__}: {error}"
            return run

    def _note(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id
        elif kind == "delta" and msg.delta.add_block.WhichOneof("type") == "expandable" and msg.delta.add_block.id:
            self.panel_ids[msg.delta.add_block.expandable.label] = msg.delta.add_block.id
        elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "download_button":
            button = msg.delta.new_element.download_button
            if button.deferred_file_id:
                self.download_ids[button.label] = button.deferred_file_id

    async def visit(self, timeout: float = SESSION_TIMEOUT) -> Run:
        """A first visit: connect and run the page, timed from the first request."""
        started = time.perf_counter()
        try:
            await self.connect(timeout)
        except (OSError, TimeoutError, asyncio.TimeoutError, websockets.InvalidHandshake, ConnectionError) as error:
            return Run(ok=False, error=f"connect: {type(error).__name__}: {error}")
        return await self.run(timeout - (time.perf_counter() - started), started)

    async def reconnect(self, timeout: float = SESSION_TIMEOUT, retry_every: float = 0.25) -> Run:
        """What the frontend does when its socket drops: ping /_stcore/health until a replica
        answers, reopen the socket with the last session id, run the page again."""
        started = time.perf_counter()
        await self.close()
        last_error = ""
        while time.perf_counter() - started < timeout:
            try:
                await self.connect(timeout)
                return await self.run(timeout - (time.perf_counter() - started), started)
            except (OSError, TimeoutError, asyncio.TimeoutError, websockets.InvalidHandshake,
                    ConnectionError) as error:
                last_error = f"{type(error).__name__}: {error}"
                await asyncio.sleep(retry_every)
        return Run(ok=False, error=f"reconnect: {last_error or 'timed out'}")

    async def open_panel(self, label: str, timeout: float = SESSION_TIMEOUT) -> Run:
        """Open an expander that is filled only while open, as a click does: a rerun whose widget
        states say it is open."""
        msg = rerun_message(self.url, self.path)
        opened = msg.rerun_script.widget_states.widgets.add()
        opened.id = self.panel_ids[label]
        opened.bool_value = True
        started = time.perf_counter()
        await self.send(msg)
        return await self.read_until_finished(started, timeout)

    async def download(self, label: str, timeout: float = SESSION_TIMEOUT) -> HttpResponse:
        """Click a deferred download button: ask the session for the file, then GET the /media URL
        it answers with, carrying this tab's cookies (so the proxy picks the replica that made it)."""
        request_id = str(uuid.uuid4())
        msg = BackMsg()
        msg.backend_operation_request.request_id = request_id
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = self.download_ids[label]
        await self.send(msg)
        deadline = time.perf_counter() + timeout
        while True:
            data = await asyncio.wait_for(self.ws.recv(), max(0.1, deadline - time.perf_counter()))
            reply = ForwardMsg()
            reply.ParseFromString(data)
            if reply.WhichOneof("type") == "backend_operation_response" and \
                    reply.backend_operation_response.request_id == request_id:
                response = reply.backend_operation_response
                if response.error_msg:
                    raise RuntimeError(f"download failed: {response.error_msg}")
                media_url = response.deferred_file.url
                self.last_download_url = media_url
                return await http_get(media_url if "://" in media_url else f"{self.url}{media_url}",
                                      self.cookies, timeout)

    async def wait_closed(self, timeout: float) -> bool:
        """True once the server side has dropped the socket (for example, its replica died)."""
        try:
            await asyncio.wait_for(self.ws.wait_closed(), timeout)
            return True
        except (asyncio.TimeoutError, TimeoutError):
            return False

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except (OSError, asyncio.TimeoutError, TimeoutError, websockets.ConnectionClosed):
                pass
            self.ws = None


# ---------------------------------------------------------------------------------------------
# Load patterns
# ---------------------------------------------------------------------------------------------

async def simultaneous(url: str, path: str, n: int, *, hold=None, timeout: float = SESSION_TIMEOUT) -> list[Run]:
    """n tabs open the page at the same moment. All stay open until every run is done; then
    `hold()` (if given) is called while they are still open, e.g. to read the server's RSS."""
    sessions = [Session(url, path) for _ in range(n)]
    try:
        runs = await asyncio.gather(*(s.visit(timeout) for s in sessions))
        if hold is not None:
            hold()
        return list(runs)
    finally:
        await asyncio.gather(*(s.close() for s in sessions))


async def arrivals(url: str, path: str, rate: float, window: float, *,
                   timeout: float = SESSION_TIMEOUT) -> tuple[list[Run], float]:
    """New tabs arrive at a steady `rate` per second for `window` seconds; each runs the page,
    then closes. Returns the runs and the seconds until the last one finished."""
    count = max(1, int(round(rate * window)))
    started = time.perf_counter()

    async def one(index: int) -> Run:
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        session = Session(url, path)
        try:
            return await session.visit(timeout)
        finally:
            await session.close()

    runs = await asyncio.gather(*(one(i) for i in range(count)))
    return list(runs), time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; a failed run counts as infinitely slow."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


# ---------------------------------------------------------------------------------------------
# The server's side: CPU time and RSS from /proc (psutil is not a dependency)
# ---------------------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14 and 15


def rss_bytes(pid: int) -> int:
    """Resident set size, from VmRSS in /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ProcessLookupError(pid)


@dataclass
class ProcessMeter:
    """CPU seconds and RSS of one or more server processes, from a starting point."""
    pids: list[int]

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.cpu0 = sum(cpu_seconds(p) for p in self.pids)

    def cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self.pids) - self.cpu0

    def rss(self) -> int:
        return sum(rss_bytes(p) for p in self.pids)


def summary(runs: list[Run]) -> str:
    times = [r.seconds for r in runs]
    failed = sum(not r.ok for r in runs)
    return (f"{len(runs)} sessions, P50 {percentile(times, 50):.2f} s, P95 {percentile(times, 95):.2f} s"
            f"{f', {failed} FAILED' if failed else ''}, {max(r.bytes_received for r in runs) / 1000:.1f} kB each")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Open N Streamlit sessions at once and report time to script_finished.")
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--path", default="/", help='page and query, e.g. "/nearby?near=60601"')
    parser.add_argument("-n", type=int, default=10, help="simultaneous sessions (at most 500)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="server PID(s) to meter")
    args = parser.parse_args(argv)
    meter = ProcessMeter(args.pid) if args.pid else None
    runs = asyncio.run(simultaneous(args.url, args.path, min(args.n, 500)))
    print(summary(runs))
    for error in sorted({r.error for r in runs if r.error}):
        print("  error:", error)
    if meter:
        print(f"server CPU {meter.cpu():.2f} s, RSS {meter.rss() / 1e6:.0f} MB")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
