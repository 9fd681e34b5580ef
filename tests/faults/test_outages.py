"""The database goes away under a running `ratchet serve`: its workers outlive the outage, `/readyz` says why it is
not ready meanwhile (while `/healthz`, liveness, stays up), and work that arrived during the outage is done after.

The outage is the database refusing connections (`ALLOW_CONNECTIONS false`) with the bot's backends terminated.
It lasts longer than the connection pool's 30 s timeout, so every path a longer outage takes is taken: each claim
waits for a connection, times out, is logged and tried again, as it would be for the whole of a 120 s outage."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool

from ratchet.jobs.ingest import ingest
from ratchet.jobs.worker import WorkerPool
from ratchet.slack.events import BotIdentity
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import jobs
from ratchet.storage.jobs import Job
from tests.conftest import DATA, PostgresHandle
from tests.helpers import wait_until
from tests.test_serve import base_env, free_port, healthy, scalar, serve

OUTAGE_SECONDS = 40
REPLICA = "ratchet-replica"  # another process that still reaches the database, and ingests meanwhile
UNFINISHED_JOBS = "SELECT count(*) FROM jobs WHERE status <> 'done'"


async def readiness(port: int) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/readyz") as response:
        return response.status, await response.json()


@asynccontextmanager
async def refusing_connections(postgres: PostgresHandle, database_url: str) -> AsyncIterator[None]:
    """The database refuses new connections and drops every existing one but the replica's, until the block ends."""
    name = database_url.partition("?")[0].rsplit("/", 1)[1]
    async with await AsyncConnection.connect(postgres.admin_url, autocommit=True) as admin:
        await admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND application_name <> %s",
            (name, REPLICA),
        )
        try:
            yield
        finally:
            await admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name)))


@pytest.mark.timeout(300)
async def test_a_database_outage_leaves_every_worker_alive_and_the_work_done_after(
    sim: SlackSimulator, database_url: str, postgres: PostgresHandle, tmp_path: Path
) -> None:
    port = free_port()
    env = {**base_env(sim, database_url, port), "RATCHET_SLACK_APP_TOKEN": sim.app_token, "RATCHET_WORKERS": "2"}
    notification = json.loads((DATA / "alert-formats" / "rendered_examples" / "5-KubeAPIDown-firing.json").read_text())
    alerts = sim.workspace.channel("alerts").id
    identity = BotIdentity(team_id=sim.team_id, user_id=sim.bot_user_id, bot_id=sim.bot_id)
    replica = AsyncConnectionPool(
        database_url, min_size=1, max_size=1, kwargs={"application_name": REPLICA}, open=False
    )
    await replica.open(wait=True)
    log_file = tmp_path / "serve.log"
    try:
        with serve(env, log_file):
            await wait_until(lambda: healthy(port), timeout=60)
            status, ready = await readiness(port)
            assert status == 200, ready
            await wait_until(lambda: scalar(database_url, UNFINISHED_JOBS) == 0, timeout=30)  # onboarding at start

            async with refusing_connections(postgres, database_url):
                down_at = time.monotonic()
                status, not_ready = await wait_until(lambda: not_ready_yet(port), timeout=15)
                fired = await sim.post_message(
                    alerts,
                    "",
                    username="Alertmanager",
                    attachments=notification["slack_payload_default_config"]["attachments"],
                )
                delivered = next(d for d in sim.deliveries if d.payload["event"].get("ts") == fired)
                assert await ingest(replica, delivered.payload, identity) == "stored, job queued"
                assert await healthy(port), "liveness does not depend on the database"
                await asyncio.sleep(OUTAGE_SECONDS - (time.monotonic() - down_at))
                still = await readiness(port)
            up_at = time.monotonic()

            status, ready = await wait_until(lambda: ready_again(port), timeout=90)
            ready_after = time.monotonic() - up_at
            [brief] = await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=fired, timeout=60)
            answered_after = time.monotonic() - up_at
            await wait_until(lambda: scalar(database_url, UNFINISHED_JOBS) == 0, timeout=30)
    finally:
        await replica.close()
    print(f"ready {ready_after:.1f}s and answered {answered_after:.1f}s after a {OUTAGE_SECONDS}s outage")
    assert (status, ready) == (200, {"status": "ready", "events": "socket", "workers": 2})
    assert not_ready["status"] == "not ready" and set(not_ready["problems"]) == {"database"}, not_ready
    assert still[0] == 503 and set(still[1]["problems"]) == {"database"}, still
    assert "KubeAPIDown" in brief["text"]
    log = log_file.read_text()
    assert "could not claim a job" in log, "the workers waited for the pool and timed out, as in a long outage"
    assert "unexpected error" not in log


async def not_ready_yet(port: int) -> tuple[int, dict[str, Any]] | None:
    status, body = await readiness(port)
    return (status, body) if status == 503 else None


async def ready_again(port: int) -> tuple[int, dict[str, Any]] | None:
    status, body = await readiness(port)
    return (status, body) if status == 200 else None


class Unprintable(Exception):
    """An error whose message cannot even be formatted, as some libraries' errors are when half-built."""

    def __str__(self) -> str:
        raise AttributeError("'Unprintable' object has no attribute 'detail'")


async def test_an_error_that_escapes_a_workers_loop_is_logged_and_the_worker_goes_on(
    pool: AsyncConnectionPool, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(job: Job) -> None:
        if job.key == "unprintable":
            raise Unprintable()

    lease = timedelta(seconds=1)
    workers = WorkerPool(pool, database_url, {"message": handler}, workers=1, lease=lease, poll_interval=0.2)
    await workers.start()
    try:
        async with pool.connection() as conn:
            unprintable = await jobs.enqueue(conn, "message", "unprintable", max_attempts=1)
            await jobs.enqueue(conn, "message", "next")
        await wait_until(lambda: workers.processed >= 1, timeout=10)
        assert workers.stopped_tasks() == []

        async def given_up() -> Job | None:  # claimed again after its lease, past its attempts
            async with pool.connection() as conn:
                job = await jobs.get(conn, unprintable) if unprintable else None
            return job if job and job.status == "failed" else None

        job = await wait_until(given_up, timeout=10)
    finally:
        await workers.stop()
    assert job.last_error == "RuntimeError: gave up after 1 attempts whose workers died"
    [crash] = [r for r in caplog.records if "stopped on an unexpected error" in r.getMessage()]
    assert crash.exc_info is not None and crash.getMessage().startswith("ratchet-worker-0 ")
