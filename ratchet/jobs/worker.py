"""Job workers: claim jobs from the ledger and run their handlers.

Workers are woken by Postgres `LISTEN/NOTIFY` when a job is enqueued and poll as a fallback. A failed job is
retried with exponential backoff up to its attempt limit; a running job's lease is extended while its handler
works, so only a job whose worker died becomes claimable again.
"""

from __future__ import annotations

import asyncio
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
    ) -> None:
        self.pool = pool
        self.database_url = database_url
        self.handlers = handlers
        self.size = workers
        self.lease = lease
        self.poll_interval = poll_interval
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.processed = 0

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen(), name="ratchet-job-listener")]
        self._tasks += [
            asyncio.create_task(self._work(f"{self.name}:{n}"), name=f"ratchet-worker-{n}") for n in range(self.size)
        ]

    async def stop(self) -> None:
        """Stop taking jobs; jobs in progress are cancelled and picked up again after their lease."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> None:
        while not self._stopping:
            try:
                async with await AsyncConnection.connect(self.database_url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {jobs.NOTIFY_CHANNEL}")
                    self._wake.set()  # catch up on anything enqueued while not listening
                    async for _ in conn.notifies():
                        self._wake.set()
            except Exception as error:  # the workers keep polling; try to listen again shortly
                log.warning("job listener lost its connection (%s); polling until it is back", error)
                await asyncio.sleep(self.poll_interval)

    async def _work(self, worker: str) -> None:
        while not self._stopping:
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
            await self._run(worker, job)

    async def _run(self, worker: str, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        keep_lease = asyncio.create_task(self._keep_lease(worker, job))
        try:
            if handler is None:
                raise LookupError(f"no handler for jobs of kind {job.kind!r}")
            if job.attempts > job.max_attempts:
                raise RuntimeError(f"gave up after {job.attempts - 1} attempts whose workers died")
            await handler(job)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            delay = retry_delay(job.attempts)
            async with self.pool.connection() as conn:
                status = await jobs.fail(conn, job, worker, f"{type(error).__name__}: {error}", delay)
            log.warning(
                "job %s (%s %s) failed on attempt %s/%s: %s; %s",
                job.id, job.kind, job.key, job.attempts, job.max_attempts, error,
                "giving up" if status == "failed" else f"retrying in {delay.total_seconds():.0f}s",
            )  # fmt: skip
        else:
            async with self.pool.connection() as conn:
                await jobs.complete(conn, job.id, worker)
            self.processed += 1
        finally:
            keep_lease.cancel()

    async def _keep_lease(self, worker: str, job: Job) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            with suppress(Exception):
                async with self.pool.connection() as conn:
                    await jobs.extend_lease(conn, job.id, worker)
