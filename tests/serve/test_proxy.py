"""Two replicas behind HAProxy, as `./dev serve --replicas 2` runs them: sessions spread and stick,
downloads come from the replica that made them, and a killed replica's users move to a live one.

Sessions are driven over the websocket by benchmarks/loaddriver.py (checked against Chromium in
test_protocol.py). No timing is asserted; every wait ends on the app's or the proxy's own signal.
"""

from __future__ import annotations

import asyncio

from benchmarks.loaddriver import Session, http_get
from tests.serve.conftest import run_async

SIGNAL_SECONDS = 60  # the longest any single wait may take on a busy machine


def run(coro):
    return run_async(coro)


async def visit(url: str, path: str = "/", replica: str = "") -> Session:
    session = Session(url, path, replica=replica)
    result = await session.visit()
    assert result.ok, f"{path}: {result.error}"
    return session


def test_sessions_spread_over_replicas_and_stick(cluster):
    async def scenario():
        sessions = await asyncio.gather(*(visit(cluster.url) for _ in range(6)))
        try:
            assert {s.replica for s in sessions} == {"r1", "r2"}  # leastconn spreads new users
            for session in sessions:
                first_id, replica = session.session_id, session.replica
                # A rerun on the open socket finishes.
                assert (await session.run()).ok
                # Reopening the socket with the tab's cookie reaches the same replica, which still
                # holds the session: Streamlit hands back the same session id.
                result = await session.reconnect()
                assert result.ok, result.error
                assert (session.replica, session.session_id) == (replica, first_id)
        finally:
            await asyncio.gather(*(s.close() for s in sessions))
    run(scenario())


def test_export_download_comes_from_the_replica_that_made_it(cluster):
    async def scenario():
        session = await visit(cluster.url, "/directory")
        try:
            assert (await session.open_panel("Export, print or share this view")).ok
            labels = [label for label in session.download_ids if "CSV" in label]
            assert labels, f"no CSV download button on /directory: {sorted(session.download_ids)}"
            response = await session.download(labels[0])
            assert response.status == 200
            assert response.body.lstrip(b"\xef\xbb\xbf").startswith(b"name,focus")
            assert "attachment" in dict(response.headers).get("content-disposition", "")
            # The file lives only in that replica's memory: the cookie is what finds it.
            media_url = session.last_download_url
            other = "r2" if session.replica == "r1" else "r1"
            elsewhere = await http_get(f"{cluster.url}{media_url}", {"SERVERID": other})
            assert elsewhere.status == 404
        finally:
            await session.close()
    run(scenario())


def test_killed_replica_users_move_to_a_live_one_and_it_comes_back(cluster):
    async def scenario():
        sessions = {name: await visit(cluster.url, "/", replica=name) for name in ("r1", "r2")}
        survivor, orphan = sessions["r2"], sessions["r1"]
        assert (survivor.replica, orphan.replica) == ("r2", "r1")
        cluster.member("r1").kill()
        try:
            # Users of the live replica carry on: a rerun on their open socket finishes there.
            rerun = await survivor.run()
            assert rerun.ok, rerun.error
            assert survivor.replica == "r2"
            # The dead replica's users see their socket close, reconnect as the frontend does, and
            # the proxy sends them to the live replica (a new session there).
            assert await orphan.wait_closed(SIGNAL_SECONDS)
            moved = await orphan.reconnect(SIGNAL_SECONDS)
            assert moved.ok, moved.error
            assert orphan.replica == "r2"
            # New users get the live replica too.
            newcomer = await visit(cluster.url)
            assert newcomer.replica == "r2"
            await asyncio.gather(*(s.close() for s in (survivor, orphan, newcomer)))
            await asyncio.to_thread(cluster.wait_state, "r1", "DOWN", SIGNAL_SECONDS)
        finally:
            await asyncio.to_thread(cluster.restart, "r1")  # leave the cluster whole, whatever happened
        # The proxy's health check takes r1 back, and a browser still carrying r1's cookie is
        # served by r1 again.
        await asyncio.to_thread(cluster.wait_state, "r1", "UP", SIGNAL_SECONDS)
        returning = await visit(cluster.url, "/", replica="r1")
        assert returning.replica == "r1"
        await returning.close()
    run(scenario())
