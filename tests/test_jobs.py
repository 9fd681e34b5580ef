"""The work ledger and its workers, on a real Postgres."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from psycopg_pool import AsyncConnectionPool

from ratchet.jobs.worker import WorkerPool
from ratchet.storage import jobs
from ratchet.storage.jobs import Job
from tests.helpers import wait_until

LEASE = timedelta(seconds=30)


async def test_enqueue_is_once_per_kind_and_key(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        first = await jobs.enqueue(conn, "message", "C024BE91L:1700000000.000100", {"n": 1})
        again = await jobs.enqueue(conn, "message", "C024BE91L:1700000000.000100", {"n": 2})
        other_kind = await jobs.enqueue(conn, "embed", "C024BE91L:1700000000.000100")
        assert first is not None and again is None and other_kind not in (None, first)
        stored = await jobs.get(conn, first)
    assert stored is not None and stored.payload == {"n": 1} and stored.status == "queued"


async def test_concurrent_claims_never_share_a_job(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        for n in range(6):
            await jobs.enqueue(conn, "message", f"key-{n}")

    async def claim(worker: str) -> Job | None:
        async with pool.connection() as conn:
            return await jobs.claim(conn, worker, LEASE)

    claimed = await asyncio.gather(*(claim(f"w{n}") for n in range(4)))
    ids = [job.id for job in claimed if job]
    assert len(ids) == 4 and len(set(ids)) == 4


async def test_expired_lease_makes_a_job_claimable_again(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        await jobs.enqueue(conn, "message", "orphan")
        taken = await jobs.claim(conn, "dead-worker", LEASE)
        assert taken is not None
        assert await jobs.claim(conn, "other", LEASE) is None  # lease still valid
        await conn.execute("UPDATE jobs SET locked_at = now() - interval '31 seconds' WHERE id = %s", (taken.id,))
        retaken = await jobs.claim(conn, "other", LEASE)
        assert retaken is not None and retaken.id == taken.id and retaken.attempts == 2
        # the dead worker's late completion must not overwrite the new owner's state
        assert not await jobs.complete(conn, taken.id, "dead-worker")
        assert await jobs.complete(conn, taken.id, "other")


async def test_failure_retries_with_backoff_then_gives_up(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        job_id = await jobs.enqueue(conn, "message", "flaky", max_attempts=2)
        first = await jobs.claim(conn, "w", LEASE)
        assert first is not None and first.id == job_id
        assert await jobs.fail(conn, first, "w", "boom", timedelta(seconds=60)) == "queued"
        assert await jobs.claim(conn, "w", LEASE) is None  # not due yet
        await conn.execute("UPDATE jobs SET run_after = now() WHERE id = %s", (job_id,))
        second = await jobs.claim(conn, "w", LEASE)
        assert second is not None
        assert await jobs.fail(conn, second, "w", "boom again", timedelta(seconds=1)) == "failed"
        final = await jobs.get(conn, job_id)
    assert final is not None and (final.status, final.last_error, final.attempts) == ("failed", "boom again", 2)


async def test_two_worker_pools_split_the_work_without_double_processing(
    pool: AsyncConnectionPool, database_url: str
) -> None:
    seen: Counter[str] = Counter()

    async def handler(job: Job) -> None:
        seen[job.key] += 1
        await asyncio.sleep(0.01)

    pools = [
        WorkerPool(pool, database_url, {"message": handler}, workers=3, lease=LEASE, poll_interval=5) for _ in range(2)
    ]
    for worker_pool in pools:
        await worker_pool.start()
    try:
        async with pool.connection() as conn:
            for n in range(60):
                await jobs.enqueue(conn, "message", f"m-{n}")
        await wait_until(lambda: sum(p.processed for p in pools) >= 60, timeout=20)
    finally:
        for worker_pool in pools:
            await worker_pool.stop()
    assert len(seen) == 60 and set(seen.values()) == {1}
    assert all(p.processed > 0 for p in pools), "both pools should have taken part"
    async with pool.connection() as conn:
        assert await jobs.counts(conn) == {"done": 60}


async def test_notify_wakes_idle_workers_before_the_poll_interval(pool: AsyncConnectionPool, database_url: str) -> None:
    done = asyncio.Event()

    async def handler(job: Job) -> None:
        done.set()

    workers = WorkerPool(pool, database_url, {"message": handler}, workers=1, lease=LEASE, poll_interval=30)
    await workers.start()
    try:
        await asyncio.sleep(0.5)  # the worker found nothing and is waiting
        async with pool.connection() as conn:
            await jobs.enqueue(conn, "message", "wake-up")
        async with asyncio.timeout(5):  # far below the 30 s poll
            await done.wait()
    finally:
        await workers.stop()


async def test_failing_handler_is_retried_and_its_error_recorded(pool: AsyncConnectionPool, database_url: str) -> None:
    calls: list[int] = []

    async def flaky(job: Job) -> None:
        calls.append(job.attempts)
        if job.attempts == 1:
            raise RuntimeError("Slack said channel_not_found")

    workers = WorkerPool(pool, database_url, {"message": flaky}, workers=1, lease=LEASE, poll_interval=0.2)
    await workers.start()
    try:
        async with pool.connection() as conn:
            job_id = await jobs.enqueue(conn, "message", "retry-me")
            await asyncio.sleep(0.5)
            await conn.execute("UPDATE jobs SET run_after = now() WHERE id = %s", (job_id,))  # skip the backoff
        await wait_until(lambda: workers.processed >= 1)
    finally:
        await workers.stop()
    assert calls == [1, 2]
    async with pool.connection() as conn:
        job = await jobs.get(conn, job_id)
    assert job is not None and job.status == "done"


async def test_unknown_job_kind_fails_with_a_clear_error(pool: AsyncConnectionPool, database_url: str) -> None:
    workers = WorkerPool(pool, database_url, {}, workers=1, lease=LEASE, poll_interval=0.2)
    await workers.start()
    try:
        async with pool.connection() as conn:
            job_id = await jobs.enqueue(conn, "mystery", "x", max_attempts=1)

        async def failed() -> Job | None:
            async with pool.connection() as conn:
                job = await jobs.get(conn, job_id)
            return job if job and job.status == "failed" else None

        job = await wait_until(failed, timeout=5)
    finally:
        await workers.stop()
    assert job.last_error == "LookupError: no handler for jobs of kind 'mystery'"
