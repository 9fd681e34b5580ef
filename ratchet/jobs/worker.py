"""Job workers: claim jobs from the ledger and run their handlers.

Workers are woken by Postgres `LISTEN/NOTIFY` when a job is enqueued and poll as a fallback. A failed job is
retried with exponential backoff up to its attempt limit; a running job's lease is extended while its handler
works, so only a job whose worker died becomes claimable again. A worker that loses its job's lease (another worker
took the job over, or it was finished or cancelled elsewhere, or the lease ran out while the database could not be
reached) cancels the handler and leaves the job to whoever holds it now. No database connection is held while a
handler runs, apart from the ones the handler itself takes.

No error ends a worker: one that escapes a worker's loop (a bug) is logged and the loop starts again. Stopping the
pool gives the handlers running then a grace period to finish; the jobs of those still running after it are
cancelled and handed back to the queue, so the next process takes them at once instead of after their lease.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from ratchet.storage import jobs
from ratchet.storage.jobs import Job

Handler = Callable[[Job], Awaitable[None]]
log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0  # how long a stop waits for running handlers before it cancels them
RELEASE_TIMEOUT_SECONDS = 5.0  # handing a job back must not hold up a stop when the database is unreachable


def retry_delay(attempt: int, base: float = 2.0, cap: float = 600.0) -> timedelta:
    """Exponential backoff with jitter: about 2 s, 4 s, 8 s, ... up to 10 minutes."""
    seconds = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


class WorkerPool:
    """N workers in this process, plus one listener that wakes them."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        database_url: str,
        handlers: dict[str, Handler],
        *,
        workers: int,
        lease: timedelta,
        poll_interval: float = 2.0,
        stop_grace: float = STOP_GRACE_SECONDS,
    ) -> None:
        self.pool = pool
        self.database_url = database_url
        self.handlers = handlers
        self.size = workers
        self.lease = lease
        self.poll_interval = poll_interval
        self.stop_grace = stop_grace
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.processed = 0

    async def start(self) -> None:
        self._tasks = [self._spawn("ratchet-job-listener", self._listen)]
        self._tasks += [
            self._spawn(f"ratchet-worker-{n}", functools.partial(self._work, f"{self.name}:{n}"))
            for n in range(self.size)
        ]

    def stopped_tasks(self) -> list[str]:
        """The names of the pool's tasks (its listener and workers) that are not running, though they should be."""
        return [task.get_name() for task in self._tasks if task.done()]

    async def stop(self) -> None:
        """Stop taking jobs and give the handlers running now `stop_grace` seconds to finish; then cancel the rest,
        whose jobs are handed back to the queue."""
        self._stopping = True
        self._wake.set()  # idle workers see the stop now rather than at their next poll
        listener, workers = self._tasks[0], self._tasks[1:]
        listener.cancel()
        try:
            await asyncio.wait(workers, timeout=self.stop_grace)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, name: str, loop: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        return asyncio.create_task(self._restarting(name, loop), name=name)

    async def _restarting(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """Run one of the pool's loops until the pool stops. Whatever error ends it early is a bug: it is logged
        and the loop starts again, so a worker never disappears silently."""
        while not self._stopping:
            try:
                await loop()
            except Exception:
                log.exception("%s stopped on an unexpected error; starting it again", name)
                await asyncio.sleep(self.poll_interval)

    async def _listen(self) -> None:
        while not self._stopping:
            try:
                async with await AsyncConnection.connect(self.database_url, autocommit=True) as conn:
                    await jobs.listen(conn)
                    self._wake.set()  # catch up on anything enqueued while not listening
                    async for _ in conn.notifies():
                        self._wake.set()
            except Exception as error:  # the workers keep polling; try to listen again shortly
                log.warning("job listener lost its connection (%s); polling until it is back", error)
                await asyncio.sleep(self.poll_interval)

    async def _work(self, worker: str) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            claimed_at = loop.time()  # the lease runs from the claim, which is later than this
            try:
                async with self.pool.connection() as conn:
                    job = await jobs.claim(conn, worker, self.lease)
            except Exception as error:
                log.warning("%s could not claim a job: %s", worker, error)
                await asyncio.sleep(self.poll_interval)
                continue
            if job is None:
                self._wake.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
                continue
            await self._run(worker, job, claimed_at)

    async def _run(self, worker: str, job: Job, claimed_at: float) -> None:
        """Run the job to its end; when the pool stops first, hand the job back."""
        try:
            await self._run_and_record(worker, job, claimed_at)
        except asyncio.CancelledError:
            await self._release(worker, job)
            raise

    async def _run_and_record(self, worker: str, job: Job, claimed_at: float) -> None:
        """Run the job's handler while keeping its lease; record how it ended, unless the lease was lost."""
        handling = asyncio.create_task(self._handle(job), name=f"ratchet-job-{job.id}")
        keeping = asyncio.create_task(self._keep_lease(worker, job, claimed_at), name=f"ratchet-lease-{job.id}")
        try:
            await asyncio.wait([handling, keeping], return_when=asyncio.FIRST_COMPLETED)
        finally:  # neither task outlives the run, also when this worker is being stopped
            handling.cancel()
            keeping.cancel()
            await asyncio.wait([handling, keeping])
        lost = None if keeping.cancelled() or keeping.exception() else keeping.result()
        if handling.cancelled() and lost:  # the job is someone else's now (or nobody's): not ours to record
            log.warning("job %s (%s %s) lost its lease: %s; its handler was cancelled", job.id, job.kind, job.key, lost)
        elif handling.cancelled():
            await self._record(worker, job, RuntimeError("the handler was cancelled"))
        else:
            await self._record(worker, job, handling.exception())

    async def _handle(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            raise LookupError(f"no handler for jobs of kind {job.kind!r}")
        if job.attempts > job.max_attempts:
            raise RuntimeError(f"gave up after {job.attempts - 1} attempts whose workers died")
        await handler(job)

    async def _record(self, worker: str, job: Job, error: BaseException | None) -> None:
        """Mark the job done or failed (both only while this worker holds it). With the database out of reach the
        worker keeps going: the job's lease runs out and it is claimed again."""
        try:
            if error is None:
                async with self.pool.connection() as conn:
                    await jobs.complete(conn, job.id, worker)
                self.processed += 1
                return
            delay = retry_delay(job.attempts)
            async with self.pool.connection() as conn:
                status = await jobs.fail(conn, job, worker, f"{type(error).__name__}: {error}", delay)
        except Exception as problem:
            log.warning(
                "job %s (%s %s) %s, but that could not be recorded (%s); it runs again after its lease",
                job.id, job.kind, job.key, "succeeded" if error is None else f"failed ({error})", problem,
            )  # fmt: skip
            return
        log.warning(
            "job %s (%s %s) failed on attempt %s/%s: %s; %s",
            job.id, job.kind, job.key, job.attempts, job.max_attempts, error,
            "giving up" if status == "failed" else f"retrying in {delay.total_seconds():.0f}s",
        )  # fmt: skip

    async def _release(self, worker: str, job: Job) -> None:
        """Queue the job of a cancelled handler again for the next worker, in this process or the next one."""
        try:
            async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS), self.pool.connection() as conn:
                released = await jobs.release(conn, job.id, worker)
        except Exception as error:
            log.warning("job %s (%s %s) was stopped and could not be handed back (%s); it runs again after its lease",
                        job.id, job.kind, job.key, error)  # fmt: skip
            return
        if released:
            log.info(
                "job %s (%s %s) was stopped with its worker and handed back to the queue", job.id, job.kind, job.key
            )

    async def _keep_lease(self, worker: str, job: Job, claimed_at: float) -> str:
        """Extend the job's lease every third of it while its handler runs; return (ending the run) only once the
        lease is lost: the database says another worker holds the job or it is no longer running, or the lease ran
        out with every extension in the meantime failing. A failed extension is tried again at the next tick."""
        loop = asyncio.get_running_loop()
        lease, tick = self.lease.total_seconds(), self.lease.total_seconds() / 3
        extended = claimed_at  # when the last successful extension started: the lease lasts at least until +lease
        while True:
            await asyncio.sleep(max(0.0, min(tick, extended + lease - loop.time())))
            left = extended + lease - loop.time()
            if left <= 0:
                return f"it ran out {lease:g}s after the last extension, and the database could not be reached"
            attempt = loop.time()
            try:
                async with asyncio.timeout(min(tick, left)), self.pool.connection() as conn:
                    kept = await jobs.extend_lease(conn, job.id, worker)
            except Exception as error:
                log.warning("%s could not extend the lease of job %s (%s); trying again", worker, job.id, error)
                continue
            if not kept:
                return "another worker holds the job now, or it was finished or cancelled elsewhere"
            extended = attempt
