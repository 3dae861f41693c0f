"""Load figures (group "load"): many browser sessions over Streamlit's websocket.

Every figure drives real servers on loopback ports with benchmarks/loaddriver.py, which speaks the
protocol as the browser does (tests/serve/test_protocol.py checks it against Chromium). The app is
measured beside benchmarks/bare_app.py, a one-line Streamlit page, in the same run: Streamlit's
own cost per session is the floor, and the targets say how far above it the atlas may sit.
Replicas are started by deploy/serve.py, the code behind `./dev serve`.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import tempfile
import time
from pathlib import Path

from benchmarks.loaddriver import (
    ProcessMeter,
    Run,
    Session,
    arrivals,
    percentile,
    simultaneous,
)
from benchmarks.registry import ROOT, benchmark
from deploy.serve import Cluster, Streamlit, free_port, replica_env

LANDING = "/"
NEARBY = "/nearby?near=60601"
COUNTS = (1, 10, 50, 100)
WINDOW_SECONDS = 10  # arrivals at a steady rate for this long, then the next rate
RATES = (1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 25, 30)
SATURATION_BURST = 150  # sessions arriving at once to measure capacity: a few seconds of work, not one
SUSTAINED_P95 = 2.0  # a rate is sustained when every session finished and P95 stayed under this
OFFLINE = {"ATLAS_GEOCODE_CACHE": "off", "ATLAS_GEOCODER": None, "ATLAS_DATA_DIR": None}

_workdir = tempfile.TemporaryDirectory(prefix="atlas-bench-load-")
_started: list = []


@atexit.register
def _stop_everything() -> None:
    for thing in reversed(_started):
        thing.stop()
    _workdir.cleanup()


def _server(name: str, script: Path, paths: tuple[str, ...], options: tuple[str, ...] = ()) -> Streamlit:
    """A started, warmed server: every figure measures a running deployment, not a cold start."""
    server = Streamlit(name, script, free_port(), Path(_workdir.name) / f"{name}.log",
                       replica_env("bench-load", OFFLINE), options=options)
    server.start()
    _started.append(server)
    server.wait_healthy()
    for path in paths:
        asyncio.run(_visit(server.url, path))
    return server


@functools.cache
def atlas_server() -> Streamlit:
    return _server("atlas", ROOT / "app.py", (LANDING, NEARBY))


@functools.cache
def bare_server() -> Streamlit:
    """The yardstick: the one-line page with this project's server settings (.streamlit/config.toml)."""
    return _server("bare", ROOT / "benchmarks" / "bare_app.py", ("/",))


@functools.cache
def default_bare_server() -> Streamlit:
    """For context only: the one-line page with Streamlit's default of a full garbage collection
    after every script run, which the project's settings switch off (see .streamlit/config.toml)."""
    return _server("bare-default", ROOT / "benchmarks" / "bare_app.py", ("/",), ("--runner.postScriptGC=true",))


@functools.cache
def floor_server() -> Streamlit:
    """For context: a page of as many one-line Markdown elements as the landing page sends. Streamlit
    spends server CPU on every element a session receives, so this is the floor for a page that
    size, whatever each element holds."""
    script = Path(_workdir.name) / "floor_app.py"
    script.write_text("import streamlit as st\n\n"
                      f"for line in range({landing_elements()}):\n    st.markdown(f'Line {{line}}')\n")
    return _server("floor", script, ("/",))


@functools.cache
def landing_elements() -> int:
    """The elements and blocks (deltas) one session on / receives."""
    return sum(kind.startswith("delta:") for kind in asyncio.run(_visit(atlas_server().url, LANDING)).messages)


def _cluster(replicas: int) -> Cluster:
    cluster = Cluster(replicas=replicas, port=free_port(), env=OFFLINE,
                      workdir=Path(_workdir.name) / f"cluster-{replicas}")
    _started.append(cluster)
    cluster.start()
    for member in cluster.members:  # warm each replica's caches, as a running deployment would be
        for path in (LANDING, NEARBY):
            asyncio.run(_visit(cluster.url, path, member.name))
    return cluster


async def _visit(url: str, path: str, replica: str = "") -> Run:
    """One visit that must render: a warm-up, or a look at what a page sends."""
    session = Session(url, path, replica=replica)
    result = await session.visit()
    await session.close()
    if not result.ok:
        raise RuntimeError(f"warm-up visit to {path} failed: {result.error}")
    return result


def _p(runs: list[Run], q: float) -> float:
    return percentile([r.seconds for r in runs], q)


def _failed(runs: list[Run]) -> str:
    failed = sum(not r.ok for r in runs)
    return f" ({failed} failed)" if failed else ""


# ---------------------------------------------------------------------------------------------
# N simultaneous first runs: the app's pages against the bare page, interleaved in one sweep
# ---------------------------------------------------------------------------------------------

@functools.cache
def first_run_sweep() -> dict[tuple[str, int], dict]:
    """(target, N) -> runs, server CPU seconds, RSS before and while all N sessions are open."""
    targets = {"landing": (atlas_server(), LANDING), "nearby": (atlas_server(), NEARBY),
               "bare": (bare_server(), "/"), "bare-default": (default_bare_server(), "/"),
               "floor": (floor_server(), "/")}
    results = {}
    for n in COUNTS:
        for target, (server, path) in targets.items():
            meter = ProcessMeter([server.pid])
            before = meter.rss()
            held = {}
            runs = asyncio.run(simultaneous(server.url, path, n, hold=lambda: held.update(rss=meter.rss())))
            results[target, n] = {"runs": runs, "cpu": meter.cpu(), "rss_before": before,
                                  "rss_open": held.get("rss", before)}
    return results


def _first_run_figure(target: str) -> tuple[str, bool]:
    sweep = first_run_sweep()
    parts = []
    for n in COUNTS:
        ours, bare = sweep[target, n]["runs"], sweep["bare", n]["runs"]
        parts.append(f"N={n}: {_p(ours, 50):.2f}/{_p(ours, 95):.2f} s{_failed(ours)} "
                     f"(bare {_p(bare, 50):.2f}/{_p(bare, 95):.2f})")
    p95, bare_p95 = _p(sweep[target, 50]["runs"], 95), _p(sweep["bare", 50]["runs"], 95)
    cpu, bare_cpu = sweep[target, 100]["cpu"] / 100, sweep["bare", 100]["cpu"] / 100
    default_p95, default_cpu = _p(sweep["bare-default", 50]["runs"], 95), sweep["bare-default", 100]["cpu"] / 100
    floor_p95, floor_cpu = _p(sweep["floor", 50]["runs"], 95), sweep["floor", 100]["cpu"] / 100
    ratio = p95 / bare_p95 if bare_p95 > 0 else float("inf")
    figure = (f"P50/P95 to script_finished, {'; '.join(parts)}; at N=50 P95 is {ratio:.1f}x bare; "
              f"server CPU {cpu * 1000:.0f} ms per session (bare {bare_cpu * 1000:.0f} ms). For context, a "
              f"page of {landing_elements()} one-line Markdown elements (as many as / sends): P95 "
              f"{floor_p95 / bare_p95:.1f}x bare at N=50, {floor_cpu * 1000:.0f} ms CPU per session; a bare "
              f"page on Streamlit's default settings (a full garbage collection after each run): P95 "
              f"{default_p95:.2f} s at N=50, {default_cpu * 1000:.0f} ms CPU per session")
    return figure, ratio <= 1.5


@benchmark("load-first-run-landing", "P95 to script_finished with 50 simultaneous sessions on / "
           "<= 1.5x a bare one-line app's P95", group="load")
def first_run_landing() -> tuple[str, bool]:
    return _first_run_figure("landing")


@benchmark("load-first-run-nearby", "P95 to script_finished with 50 simultaneous sessions on "
           "/nearby?near=60601 <= 1.5x a bare one-line app's P95", group="load")
def first_run_nearby() -> tuple[str, bool]:
    return _first_run_figure("nearby")


@benchmark("load-bytes-landing", "websocket bytes before the first render of / finishes <= 30 kB",
           group="load")
def bytes_landing() -> tuple[str, bool]:
    sweep = first_run_sweep()
    landing = sweep["landing", 1]["runs"][0]
    nearby = sweep["nearby", 1]["runs"][0]
    bare = sweep["bare", 1]["runs"][0]
    figure = (f"{landing.bytes_received / 1000:.1f} kB on / (Nearby {nearby.bytes_received / 1000:.1f} kB, "
              f"bare {bare.bytes_received / 1000:.1f} kB), {len(landing.messages)} messages; "
              f"the JavaScript bundle, the same for any Streamlit app and cached by the browser, is not counted")
    return figure, landing.bytes_received <= 30_000


@benchmark("load-memory", "server RSS growth per open session (100 sessions on /) <= 1 MB", group="load")
def memory_per_session() -> tuple[str, bool]:
    sweep = first_run_sweep()
    landing, bare = sweep["landing", 100], sweep["bare", 100]
    per = (landing["rss_open"] - landing["rss_before"]) / 100
    bare_per = (bare["rss_open"] - bare["rss_before"]) / 100
    figure = (f"{per / 1e6:.2f} MB per session (bare {bare_per / 1e6:.2f} MB); server RSS "
              f"{landing['rss_open'] / 1e6:.0f} MB with 100 sessions open")
    return figure, per <= 1e6


# ---------------------------------------------------------------------------------------------
# Sustained arrivals of new sessions
# ---------------------------------------------------------------------------------------------

def sustained_rate(url: str, path: str) -> tuple[float, str]:
    """Raise the arrival rate until a window fails or its P95 reaches SUSTAINED_P95; return the
    highest rate that held and a description of the first one that did not."""
    best, note = 0.0, ""
    for rate in RATES:
        runs, elapsed = asyncio.run(arrivals(url, path, rate, WINDOW_SECONDS))
        p95 = _p(runs, 95)
        completed = sum(r.ok for r in runs) / elapsed
        if all(r.ok for r in runs) and p95 < SUSTAINED_P95:
            best = rate
            continue
        note = f"at {rate}/s P95 {p95:.1f} s{_failed(runs)}, {completed:.1f} completed/s"
        break
    return best, note


@benchmark("load-sustained-landing", f"new sessions per second on / sustained over {WINDOW_SECONDS} s "
           f"with P95 < {SUSTAINED_P95:.0f} s: >= 15", group="load")
def sustained_landing() -> tuple[str, bool]:
    rate, note = sustained_rate(atlas_server().url, LANDING)
    bare_rate, bare_note = sustained_rate(bare_server().url, "/")
    capacity, capacity_note = saturation_throughput(atlas_server().url, LANDING)
    figure = (f"{rate:g}/s on one process ({note}); under saturation {capacity:.1f} completed/s "
              f"({capacity_note}); bare app {bare_rate:g}/s{f' ({bare_note})' if bare_note else ' or more'}")
    return figure, rate >= 15


def saturation_throughput(url: str, path: str, burst: int = SATURATION_BURST) -> tuple[float, str]:
    """Completed first renders per second when `burst` sessions arrive at once: the server's
    capacity with no idle time. The best of three bursts: other work on the machine only slows one."""
    best, note = 0.0, ""
    for _ in range(3):
        runs = asyncio.run(simultaneous(url, path, burst))
        finished = [r.seconds for r in runs if r.ok]
        rate = len(finished) / max(finished) if finished else 0.0
        if rate > best:
            best, note = rate, f"{burst} at once, last done after {max(finished):.1f} s{_failed(runs)}"
    return best, note


@functools.cache
def replica_throughputs() -> tuple[tuple[float, str], tuple[float, str]]:
    one = _cluster(1)
    single = saturation_throughput(one.url, LANDING)
    one.stop()
    double = saturation_throughput(two_replicas().url, LANDING)
    return single, double


@functools.cache
def two_replicas() -> Cluster:
    return _cluster(2)


@benchmark("load-replicas", "completed first renders of / per second under saturation, through HAProxy: "
           "2 replicas >= 1.6x one replica", group="load")
def replicas() -> tuple[str, bool]:
    (one, one_note), (two, two_note) = replica_throughputs()
    ratio = two / one if one else float("inf")
    figure = (f"1 replica {one:.1f}/s ({one_note}), 2 replicas {two:.1f}/s ({two_note}): {ratio:.2f}x; "
              f"the driver, HAProxy and the replicas share this machine's {os.cpu_count()} cores")
    return figure, ratio >= 1.6


@benchmark("load-reconnect", "after SIGKILL of one of 2 replicas, its users' sessions render again "
           "on the other within 10 s", group="load")
def reconnect() -> tuple[str, bool]:
    cluster = two_replicas()
    users = 10
    for member in cluster.members:  # a previous figure may have left the proxy mid-check
        cluster.wait_state(member.name, "UP", 60)

    async def scenario() -> list[float]:
        orphans = [Session(cluster.url, LANDING, replica="r1") for _ in range(users)]
        firsts = await asyncio.gather(*(s.visit() for s in orphans))
        if not all(r.ok and s.replica == "r1" for r, s in zip(firsts, orphans)):
            raise RuntimeError("could not open the sessions on r1")
        killed = time.perf_counter()
        cluster.member("r1").kill()

        async def come_back(session: Session) -> float:
            await session.wait_closed(60)
            result = await session.reconnect(60)
            await session.close()
            return time.perf_counter() - killed if result.ok and session.replica == "r2" else float("inf")
        return list(await asyncio.gather(*(come_back(s) for s in orphans)))

    seconds = asyncio.run(scenario())
    cluster.restart("r1")
    worst = max(seconds)
    figure = (f"{users} users of the killed replica rendered again on the live one: P50 "
              f"{percentile(seconds, 50):.1f} s, worst {worst:.1f} s after the kill")
    return figure, worst <= 10
