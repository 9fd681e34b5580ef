"""A clean stop (a deploy's SIGTERM) hands the jobs in flight back: their handlers get a short grace period, and what
is still running then is cancelled and queued again at once, so the next process answers without waiting for the
stopped one's leases to run out."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from datetime import timedelta
from pathlib import Path

from psycopg_pool import AsyncConnectionPool

from ratchet.jobs.worker import WorkerPool
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import jobs
from ratchet.storage.jobs import Job
from tests.conftest import DATA
from tests.helpers import wait_until
from tests.test_serve import base_env, free_port, healthy, scalar, serve, up_and_onboarded

LEASE = timedelta(seconds=120)  # RATCHET_JOB_LEASE_SECONDS' default: what a deploy used to wait for


async def test_stopping_lets_a_quick_handler_finish_and_hands_a_slow_ones_job_back(
    pool: AsyncConnectionPool, database_url: str
) -> None:
    started: set[str] = set()
    finished: set[str] = set()

    async def handler(job: Job) -> None:
        started.add(job.key)
        await asyncio.sleep(0.3 if job.key == "quick" else 60)
        finished.add(job.key)

    workers = WorkerPool(pool, database_url, {"message": handler}, workers=2, lease=LEASE, stop_grace=1.0)
    await workers.start()
    async with pool.connection() as conn:
        quick = await jobs.enqueue(conn, "message", "quick")
        slow = await jobs.enqueue(conn, "message", "slow")
    await wait_until(lambda: started == {"quick", "slow"}, timeout=5)
    stopping_at = time.monotonic()
    await workers.stop()
    stopped_after = time.monotonic() - stopping_at

    assert finished == {"quick"}
    assert 1.0 <= stopped_after < 2.0, stopped_after
    async with pool.connection() as conn:
        done, released = await jobs.get(conn, quick), await jobs.get(conn, slow)
        assert done is not None and done.status == "done"
        assert released is not None
        assert (released.status, released.locked_by, released.attempts, released.last_error) == (
            "queued",
            None,
            0,
            None,
        )
        taken = await jobs.claim(conn, "next-process:0", LEASE)  # at once, not after the lease
    assert taken is not None and (taken.id, taken.attempts) == (slow, 1)


async def test_release_only_hands_back_a_job_the_worker_still_holds(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        job_id = await jobs.enqueue(conn, "message", "held")
        assert job_id is not None and await jobs.claim(conn, "w1", LEASE) is not None
        assert not await jobs.release(conn, job_id, "w2")
        assert await jobs.release(conn, job_id, "w1")
        assert not await jobs.release(conn, job_id, "w1"), "queued again already"
        again = await jobs.claim(conn, "w2", LEASE)
        assert again is not None and again.attempts == 1
        assert await jobs.complete(conn, job_id, "w2")
        assert not await jobs.release(conn, job_id, "w2"), "a finished job stays finished"
        job = await jobs.get(conn, job_id)
    assert job is not None and job.status == "done"


async def test_sigterm_during_an_alerts_triage_and_a_restart_answer_it_once_without_waiting_for_the_lease(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {**base_env(sim, database_url, port), "RATCHET_SLACK_APP_TOKEN": sim.app_token}
    env["RATCHET_JOB_LEASE_SECONDS"] = str(int(LEASE.total_seconds()))
    notification = json.loads((DATA / "alert-formats" / "rendered_examples" / "4-TargetDown-firing.json").read_text())
    alerts = sim.workspace.channel("alerts").id
    sim.delay_responses("chat.postMessage", 60)  # the brief is posted, and the handler waits for Slack's answer
    with serve(env, tmp_path / "first.log") as first:
        await up_and_onboarded(port, database_url)
        fired = await sim.post_message(
            alerts, "", username="Alertmanager", attachments=notification["slack_payload_default_config"]["attachments"]
        )
        await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=fired, timeout=30)
        first.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(first.wait, 30) == 0
    key = f"{alerts}:{fired}"
    assert scalar(database_url, "SELECT status FROM jobs WHERE kind = 'message' AND key = %s", key) == "queued"
    sim.delay_responses("chat.postMessage", 0)

    with serve(env, tmp_path / "second.log") as second:
        await wait_until(lambda: healthy(port), timeout=60)
        restarted_at = time.monotonic()
        await wait_until(
            lambda: scalar(database_url, "SELECT status FROM jobs WHERE kind = 'message' AND key = %s", key) == "done",
            timeout=LEASE.total_seconds(),
        )
        answered_after = time.monotonic() - restarted_at
        second.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(second.wait, 30) == 0
    print(f"answered {answered_after:.1f}s after the new process was up")
    assert answered_after < 10
    assert len(sim.bot_messages(alerts, thread_ts=fired)) == 1
    assert scalar(database_url, "SELECT attempts FROM jobs WHERE key = %s", key) == 1, "the stop was not a failure"
    first_log, second_log = (tmp_path / "first.log").read_text(), (tmp_path / "second.log").read_text()
    assert "handed back" in first_log and "ratchet stopped" in first_log
    assert "not posting it again" in second_log
