"""The scheduler inside `ratchet serve`: APScheduler fires each schedule, and a firing only enqueues a job.

Every serve process runs one, with no leader: the period key makes the job unique, so the first process to fire a
period enqueues it and the others change nothing. At start, each schedule's latest due period is enqueued, so a
firing missed while no process ran runs once (only the latest one: missed firings coalesce).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from psycopg_pool import AsyncConnectionPool

from ratchet.scheduler.config import SchedulesConfig
from ratchet.scheduler.schedules import Schedule, build_schedules
from ratchet.storage import jobs

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    def __init__(
        self, pool: AsyncConnectionPool, config: SchedulesConfig, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.schedules = build_schedules(config)
        self.apscheduler = AsyncIOScheduler(timezone=UTC)

    async def start(self) -> None:
        """Enqueue what is due now, then fire each schedule on time (in this process's event loop)."""
        for schedule in self.schedules:
            if schedule.waiting_for:
                log.info("schedule %s is not run: its %s job comes with %s", schedule.name, schedule.kind,
                         schedule.waiting_for)  # fmt: skip
                continue
            await self.enqueue_due(schedule)
            self.apscheduler.add_job(
                self.enqueue_due, schedule.trigger, args=[schedule], id=schedule.name,
                coalesce=True, misfire_grace_time=None, max_instances=1,
            )  # fmt: skip
        self.apscheduler.start()

    def stop(self) -> None:
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=False)

    async def enqueue_due(self, schedule: Schedule) -> int | None:
        """Enqueue the schedule's job for the period due now; returns its id when this call enqueued it."""
        due = schedule.last_due(self.clock())
        if due is None:
            return None
        key = schedule.period_key(due)
        async with self.pool.connection() as conn:
            job_id = await jobs.enqueue(conn, schedule.kind, key, schedule.payload)
        if job_id is not None:
            log.info("scheduled %s (job %d)", key, job_id)
        return job_id
