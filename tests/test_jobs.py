"""The work ledger and its workers, on a real Postgres."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool

from ratchet.jobs.worker import WorkerPool
from ratchet.storage import jobs
from ratchet.storage.jobs import Job
from tests.conftest import PostgresHandle
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


# --- one Slack thread at a time, decided when a job is claimed ---------------------------------------------------

THREAD = "C024BE91L:1700000000.000100"
OTHER_THREAD = "C024BE91L:1700000500.000200"


async def claim_one(pool: AsyncConnectionPool, worker: str, lease: timedelta = LEASE) -> Job | None:
    async with pool.connection() as conn:
        return await jobs.claim(conn, worker, lease)


async def test_a_threads_jobs_are_claimed_one_at_a_time_oldest_first(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        first = await jobs.enqueue(conn, "message", "C024BE91L:1700000000.000100", thread_key=THREAD)
        second = await jobs.enqueue(conn, "message", "C024BE91L:1700000001.000100", thread_key=THREAD)
        other = await jobs.enqueue(conn, "message", "C024BE91L:1700000500.000200", thread_key=OTHER_THREAD)

    taken = await claim_one(pool, "w1")
    assert taken is not None and taken.id == first and taken.thread_key == THREAD
    passed_over = await claim_one(pool, "w2")
    assert passed_over is not None and passed_over.id == other, "the busy thread's second job waits; others do not"
    assert await claim_one(pool, "w3") is None
    async with pool.connection() as conn:
        assert await jobs.complete(conn, first, "w1")
    after = await claim_one(pool, "w3")
    assert after is not None and after.id == second


async def test_a_failed_job_keeps_its_place_at_the_head_of_its_thread(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        first = await jobs.enqueue(conn, "message", "C024BE91L:1700000000.000100", thread_key=THREAD)
        second = await jobs.enqueue(conn, "message", "C024BE91L:1700000001.000100", thread_key=THREAD)
    taken = await claim_one(pool, "w1")
    assert taken is not None and taken.id == first
    async with pool.connection() as conn:
        assert await jobs.fail(conn, taken, "w1", "Slack said ratelimited", timedelta(seconds=60)) == "queued"
    assert await claim_one(pool, "w2") is None, "the later message must not overtake the one waiting to retry"
    async with pool.connection() as conn:
        await conn.execute("UPDATE jobs SET run_after = now() WHERE id = %s", (first,))
    again = await claim_one(pool, "w2")
    assert again is not None and (again.id, again.attempts) == (first, 2)
    async with pool.connection() as conn:
        assert await jobs.complete(conn, first, "w2")
    last = await claim_one(pool, "w2")
    assert last is not None and last.id == second


async def test_a_dead_workers_job_is_claimed_again_first_and_then_frees_its_thread(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        first = await jobs.enqueue(conn, "message", "C024BE91L:1700000000.000100", thread_key=THREAD)
        second = await jobs.enqueue(conn, "message", "C024BE91L:1700000001.000100", thread_key=THREAD)
    taken = await claim_one(pool, "dead-worker")
    assert taken is not None and taken.id == first
    assert await claim_one(pool, "other") is None  # lease still valid: the thread is busy
    async with pool.connection() as conn:
        await conn.execute("UPDATE jobs SET locked_at = now() - interval '31 seconds' WHERE id = %s", (first,))
    retaken = await claim_one(pool, "other")
    assert retaken is not None and (retaken.id, retaken.attempts, retaken.locked_by) == (first, 2, "other")
    assert await claim_one(pool, "third") is None, "the job taken over holds its thread again"
    async with pool.connection() as conn:
        assert not await jobs.complete(conn, first, "dead-worker")
        assert await jobs.complete(conn, first, "other")
    freed = await claim_one(pool, "third")
    assert freed is not None and freed.id == second


async def test_claims_racing_for_one_thread_never_run_two_of_its_jobs(database_url: str) -> None:
    """The race a snapshot cannot see: job A of a thread is enqueued but not yet committed when a later job B of
    the thread is, and one worker claims B; a second worker, claiming while that claim is still uncommitted and A
    has just been committed, sees A as the head of an idle thread. The unique index on running thread keys makes
    the second claim wait for the first, fail, and claim again: it gets nothing instead of a second running job."""
    async with (
        await AsyncConnection.connect(database_url) as ingest_a,
        await AsyncConnection.connect(database_url) as ingest_b,
        await AsyncConnection.connect(database_url) as worker_1,
        await AsyncConnection.connect(database_url) as worker_2,
        await AsyncConnection.connect(database_url, autocommit=True) as observer,
    ):
        job_a = await jobs.enqueue(ingest_a, "message", "C024BE91L:1700000000.000100", thread_key=THREAD)
        job_b = await jobs.enqueue(ingest_b, "message", "C024BE91L:1700000001.000100", thread_key=THREAD)
        await ingest_b.commit()  # B is visible, A (the older) is not yet
        async with worker_1.transaction():
            claimed_1 = await jobs.claim(worker_1, "w1", LEASE)
            assert claimed_1 is not None and claimed_1.id == job_b
            await ingest_a.commit()
            second = asyncio.create_task(jobs.claim(worker_2, "w2", LEASE))

            async def waiting_for_worker_1() -> bool:  # worker 2's UPDATE waits for worker 1's to commit
                row = await (
                    await observer.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                        "current_database()"
                    )
                ).fetchone()
                return bool(row and row[0])

            await wait_until(lambda: second.done() or waiting_for_worker_1(), timeout=5)
        claimed_2 = await asyncio.wait_for(second, timeout=5)
        await worker_2.commit()
        assert claimed_2 is None, f"claimed {claimed_2} of a thread that is running {job_b}"
        running = await (
            await observer.execute("SELECT id FROM jobs WHERE thread_key = %s AND status = 'running'", (THREAD,))
        ).fetchall()
        assert running == [(job_b,)] and job_a is not None


async def test_many_workers_never_run_two_jobs_of_one_thread_at_once(
    pool: AsyncConnectionPool, database_url: str
) -> None:
    threads = [f"C024BE91L:17000000{n:02d}.000100" for n in range(4)]
    running: Counter[str] = Counter()
    overlaps: list[str] = []
    order: dict[str, list[int]] = {thread: [] for thread in threads}
    done: list[int] = []

    async def handler(job: Job) -> None:
        thread = job.thread_key
        if thread is not None:
            running[thread] += 1
            if running[thread] > 1:
                overlaps.append(thread)
            order[thread].append(job.id)
        await asyncio.sleep(random.uniform(0.001, 0.02))
        if thread is not None:
            running[thread] -= 1
        done.append(job.id)

    pools = [
        WorkerPool(pool, database_url, {"message": handler}, workers=4, lease=LEASE, poll_interval=0.2)
        for _ in range(2)
    ]
    for worker_pool in pools:
        await worker_pool.start()
    try:
        expected: dict[str, list[int]] = {thread: [] for thread in threads}
        async with pool.connection() as conn:
            for n in range(80):
                thread = threads[n % len(threads)] if n % 5 else None  # every fifth job belongs to no thread
                job_id = await jobs.enqueue(conn, "message", f"m-{n}", thread_key=thread)
                assert job_id is not None
                if thread is not None:
                    expected[thread].append(job_id)
        await wait_until(lambda: len(done) >= 80, timeout=30)
    finally:
        for worker_pool in pools:
            await worker_pool.stop()
    assert overlaps == []
    assert order == expected, "each thread's jobs ran in the order they were enqueued"
    assert sorted(done) == sorted(set(done)) and len(done) == 80


# --- a worker that loses its lease stops, and a worker outlives its database's outages ---------------------------


async def test_a_job_taken_over_by_another_worker_cancels_its_handler(
    pool: AsyncConnectionPool, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def handler(job: Job) -> None:
        if job.key != "slow":
            return
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    lease = timedelta(seconds=0.9)  # extended every 0.3 s
    workers = WorkerPool(pool, database_url, {"message": handler}, workers=1, lease=lease, poll_interval=0.2)
    await workers.start()
    try:
        async with pool.connection() as conn:
            job_id = await jobs.enqueue(conn, "message", "slow")
        await asyncio.wait_for(started.wait(), timeout=5)
        async with pool.connection() as conn:  # what another worker's claim after an expiry leaves behind
            await conn.execute("UPDATE jobs SET locked_by = 'elsewhere:1', attempts = 2 WHERE id = %s", (job_id,))
        await asyncio.wait_for(cancelled.wait(), timeout=2)
        async with pool.connection() as conn:
            await jobs.enqueue(conn, "message", "next")  # the worker goes on with other work
        await wait_until(lambda: workers.processed >= 1, timeout=5)
    finally:
        await workers.stop()
    async with pool.connection() as conn:
        job = await jobs.get(conn, job_id)
    assert job is not None and (job.status, job.locked_by, job.last_error) == ("running", "elsewhere:1", None)
    assert workers.processed == 1, "only the next job; the one taken over is not recorded by the loser"
    [lost] = [r for r in caplog.records if "lost its lease" in r.getMessage()]
    assert lost.levelno == logging.WARNING and f"job {job_id} (message slow)" in lost.getMessage()
    assert "another worker holds the job now" in lost.getMessage()


@asynccontextmanager
async def unreachable(postgres: PostgresHandle, database_url: str, application_name: str) -> AsyncIterator[None]:
    """The database refuses new connections and drops those of `application_name`, until the block ends."""
    name = database_url.partition("?")[0].rsplit("/", 1)[1]
    async with await AsyncConnection.connect(postgres.admin_url, autocommit=True) as admin:
        await admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", (application_name,)
        )
        try:
            yield
        finally:
            await admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name)))


@asynccontextmanager
async def worker_pool_of_its_own(
    database_url: str, handler: Callable[[Job], Awaitable[None]], lease: timedelta
) -> AsyncIterator[WorkerPool]:
    """One worker on a connection pool of its own (named, so an outage can be aimed at it)."""
    connections = AsyncConnectionPool(
        database_url, min_size=1, max_size=3, timeout=0.5, kwargs={"application_name": "doomed-worker"}, open=False
    )
    await connections.open(wait=True)
    workers = WorkerPool(connections, database_url, {"message": handler}, workers=1, lease=lease, poll_interval=0.2)
    await workers.start()
    try:
        yield workers
    finally:
        await workers.stop()
        await connections.close()


async def test_a_lease_is_given_up_only_once_it_ran_out_while_the_database_was_unreachable(
    pool: AsyncConnectionPool, database_url: str, postgres: PostgresHandle, caplog: pytest.LogCaptureFixture
) -> None:
    loop = asyncio.get_running_loop()
    started, cancelled = asyncio.Event(), asyncio.Event()
    attempts: list[int] = []
    cancelled_at = 0.0

    async def handler(job: Job) -> None:
        nonlocal cancelled_at
        attempts.append(job.attempts)
        if job.attempts > 1:
            return
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled_at = loop.time()
            cancelled.set()
            raise

    lease = timedelta(seconds=1.5)  # extended every 0.5 s
    async with worker_pool_of_its_own(database_url, handler, lease) as workers:
        async with pool.connection() as conn:
            job_id = await jobs.enqueue(conn, "message", "long")
        await asyncio.wait_for(started.wait(), timeout=5)
        await asyncio.sleep(0.6)  # one extension went through
        async with unreachable(postgres, database_url, "doomed-worker"):
            down_at = loop.time()
            await asyncio.wait_for(cancelled.wait(), timeout=5)
        # back up: the job's lease has run out, so it is claimed again (here by the same worker) and finishes
        await wait_until(lambda: workers.processed >= 1, timeout=10)
    given_up_after = cancelled_at - down_at
    assert lease.total_seconds() - 0.5 <= given_up_after <= lease.total_seconds() + 0.5, given_up_after
    retries = [r for r in caplog.records if "could not extend the lease" in r.getMessage()]
    assert retries, "the failed extensions were logged and tried again"
    [lost] = [r for r in caplog.records if "lost its lease" in r.getMessage()]
    assert "the database could not be reached" in lost.getMessage()
    assert attempts == [1, 2]
    async with pool.connection() as conn:
        job = await jobs.get(conn, job_id)
    assert job is not None and (job.status, job.attempts) == ("done", 2)


async def test_a_short_outage_does_not_cost_the_lease(
    pool: AsyncConnectionPool, database_url: str, postgres: PostgresHandle, caplog: pytest.LogCaptureFixture
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def handler(job: Job) -> None:
        started.set()
        await release.wait()

    lease = timedelta(seconds=6)  # extended every two seconds: an outage of 1.5 s plus a loaded machine's delays fit
    async with worker_pool_of_its_own(database_url, handler, lease) as workers:
        async with pool.connection() as conn:
            job_id = await jobs.enqueue(conn, "message", "patient")
        await asyncio.wait_for(started.wait(), timeout=5)
        await asyncio.sleep(1.2)
        async with unreachable(postgres, database_url, "doomed-worker"):
            await asyncio.sleep(1.5)  # the extension due at two seconds fails
        await asyncio.sleep(2.0)  # and the next one goes through
        release.set()
        await wait_until(lambda: workers.processed >= 1, timeout=5)
    assert [r for r in caplog.records if "could not extend the lease" in r.getMessage()]
    assert not [r for r in caplog.records if "lost its lease" in r.getMessage()]
    async with pool.connection() as conn:
        job = await jobs.get(conn, job_id)
    assert job is not None and (job.status, job.attempts) == ("done", 1)


@pytest.mark.parametrize("outcome", ["succeeds", "fails"])
async def test_an_outcome_that_cannot_be_recorded_does_not_stop_the_worker(
    pool: AsyncConnectionPool,
    database_url: str,
    postgres: PostgresHandle,
    caplog: pytest.LogCaptureFixture,
    outcome: str,
) -> None:
    started, finish = asyncio.Event(), asyncio.Event()
    runs: list[tuple[str, int]] = []

    async def handler(job: Job) -> None:
        runs.append((job.key, job.attempts))
        if job.key == "first" and job.attempts == 1:
            started.set()
            await finish.wait()
            if outcome == "fails":
                raise RuntimeError("Slack said channel_not_found")

    lease = timedelta(seconds=1.5)
    async with worker_pool_of_its_own(database_url, handler, lease) as workers:
        async with pool.connection() as conn:
            first = await jobs.enqueue(conn, "message", "first")
        await asyncio.wait_for(started.wait(), timeout=5)
        async with unreachable(postgres, database_url, "doomed-worker"):
            finish.set()  # the handler ends while the worker cannot reach the database to say so
            await wait_until(lambda: any("could not be recorded" in r.getMessage() for r in caplog.records))
        async with pool.connection() as conn:
            second = await jobs.enqueue(conn, "message", "second")
        # the same worker goes on: it runs the next job and, once its lease is over, the first one again
        await wait_until(lambda: workers.processed >= 2, timeout=15)
        assert all(not task.done() for task in workers._tasks)
    assert ("second", 1) in runs and ("first", 2) in runs
    async with pool.connection() as conn:
        assert [(j.id, j.status) for j in await jobs.list_jobs(conn)] == [(first, "done"), (second, "done")]
