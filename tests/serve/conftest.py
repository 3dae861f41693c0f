"""Serving tests: two replicas of the app behind HAProxy, started by the same code as `./dev serve`.

Every wait is keyed on a signal from the app or the proxy (GET /_stcore/health, script_finished,
the proxy's own view of its servers) with generous limits, so a slow machine makes the tests
slower, not red.
"""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from benchmarks.loaddriver import Session
from deploy.serve import Cluster, free_port, haproxy_binary
from tests.conftest import ROOT

# Logs and the rendered haproxy.cfg stay here after the run; one folder per xdist worker.
OUTPUT = ROOT / "test-output" / "serve" / os.environ.get("PYTEST_XDIST_WORKER", "main")
WARM_PATHS = ["/", "/nearby?near=60601"]  # the pages the load figures and protocol test use


def run_async(coro):
    """Run a coroutine to the end on its own event loop, in its own thread: the browser tests'
    Playwright keeps an event loop running in this thread, where asyncio.run would refuse."""
    result: dict = {}

    def target():
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread
            result["error"] = error

    thread = threading.Thread(target=target, name="serve-tests-driver")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.fixture(scope="session")
def cluster():
    try:
        haproxy_binary()
    except RuntimeError as error:
        pytest.fail(f"{error}: run ./dev test, which installs it")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    env = {"ATLAS_GEOCODE_CACHE": "off", "ATLAS_REPORT_EMAIL": "corrections@example.org",
           "ATLAS_DATA_DIR": None, "ATLAS_GEOCODER": None, "ATLAS_PUBLIC_URL": None}
    with Cluster(replicas=2, port=free_port(), env=env, workdir=OUTPUT) as running:
        warm(running)
        yield running


def warm(cluster: Cluster) -> None:
    """One visit per replica, so every test sees warm caches (a replica's first run also shows the
    loading spinner, which later runs do not)."""
    async def visit_each():
        for member in cluster.members:
            for path in WARM_PATHS:
                session = Session(cluster.url, path, replica=member.name)
                run = await session.visit()
                await session.close()
                assert run.ok and session.replica == member.name, run.error
    run_async(visit_each())
