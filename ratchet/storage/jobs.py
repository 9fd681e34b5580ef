"""The `jobs` aggregate: the durable work ledger.

A job is enqueued at most once per `(kind, key)`. Workers claim one with `FOR UPDATE SKIP LOCKED`, so several
processes split the work; a claim is a lease: a job whose worker died is claimable again once `locked_at` is
older than the lease.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

NOTIFY_CHANNEL = "ratchet_jobs"
Status = Literal["queued", "running", "done", "failed", "cancelled"]


class Job(BaseModel):
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    status: Status
    attempts: int
    max_attempts: int
    run_after: datetime
    locked_by: str | None
    last_error: str | None


JOB_COLUMNS = "id, kind, key, payload, status, attempts, max_attempts, run_after, locked_by, last_error"


async def enqueue(
    conn: AsyncConnection[Any],
    kind: str,
    key: str,
    payload: dict[str, Any] | None = None,
    *,
    delay: timedelta = timedelta(0),
    max_attempts: int = 5,
) -> int | None:
    """Add a job unless one with the same kind and key exists; returns its id when new."""
    row = await (
        await conn.execute(
            """
            INSERT INTO jobs (kind, key, payload, run_after, max_attempts) VALUES (%s, %s, %s, now() + %s, %s)
            ON CONFLICT (kind, key) DO NOTHING RETURNING id
            """,
            (kind, key, Jsonb(payload or {}), delay, max_attempts),
        )
    ).fetchone()
    return int(row[0]) if row else None


async def claim(conn: AsyncConnection[Any], worker: str, lease: timedelta) -> Job | None:
    """Take the next runnable job: queued and due, or running under an expired lease."""
    async with conn.cursor(row_factory=class_row(Job)) as cursor:
        await cursor.execute(
            f"""
            UPDATE jobs SET status = 'running', locked_at = now(), locked_by = %(worker)s,
                            attempts = attempts + 1, updated_at = now()
            WHERE id = (
                SELECT id FROM jobs
                WHERE (status = 'queued' AND run_after <= now())
                   OR (status = 'running' AND locked_at < now() - %(lease)s)
                ORDER BY priority DESC, run_after, id
                FOR UPDATE SKIP LOCKED LIMIT 1
            )
            RETURNING {JOB_COLUMNS}
            """,
            {"worker": worker, "lease": lease},
        )
        return await cursor.fetchone()


async def extend_lease(conn: AsyncConnection[Any], job_id: int, worker: str) -> bool:
    cursor = await conn.execute(
        "UPDATE jobs SET locked_at = now() WHERE id = %s AND locked_by = %s AND status = 'running'", (job_id, worker)
    )
    return cursor.rowcount == 1


async def complete(conn: AsyncConnection[Any], job_id: int, worker: str) -> bool:
    """Mark the job done, unless another worker took it over meanwhile."""
    cursor = await conn.execute(
        """
        UPDATE jobs SET status = 'done', finished_at = now(), updated_at = now(), last_error = NULL
        WHERE id = %s AND locked_by = %s AND status = 'running'
        """,
        (job_id, worker),
    )
    return cursor.rowcount == 1


async def fail(conn: AsyncConnection[Any], job: Job, worker: str, error: str, retry_in: timedelta) -> Status:
    """Record the error; queue the job again after `retry_in`, or give up when out of attempts."""
    status: Status = "failed" if job.attempts >= job.max_attempts else "queued"
    await conn.execute(
        """
        UPDATE jobs SET status = %s, last_error = %s, run_after = now() + %s, locked_at = NULL, locked_by = NULL,
                        updated_at = now(), finished_at = CASE WHEN %s = 'failed' THEN now() END
        WHERE id = %s AND locked_by = %s AND status = 'running'
        """,
        (status, error[:4000], retry_in, status, job.id, worker),
    )
    return status


async def get(conn: AsyncConnection[Any], job_id: int) -> Job | None:
    async with conn.cursor(row_factory=class_row(Job)) as cursor:
        await cursor.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = %s", (job_id,))
        return await cursor.fetchone()


async def counts(conn: AsyncConnection[Any]) -> dict[str, int]:
    """How many jobs are in each status."""
    rows = await (await conn.execute("SELECT status, count(*) FROM jobs GROUP BY status")).fetchall()
    return {status: int(n) for status, n in rows}


async def list_jobs(conn: AsyncConnection[Any], kind: str | None = None) -> list[Job]:
    async with conn.cursor(row_factory=class_row(Job)) as cursor:
        await cursor.execute(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE %(kind)s::text IS NULL OR kind = %(kind)s ORDER BY id",
            {"kind": kind},
        )
        return await cursor.fetchall()


@asynccontextmanager
async def serialized(pool: AsyncConnectionPool, key: str) -> AsyncIterator[None]:
    """Hold a session advisory lock on `key` (e.g. a Slack thread) while the block runs, so two workers never run
    the same conversation at once; a worker that dies releases it with its connection."""
    async with pool.connection() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
            await conn.commit()
