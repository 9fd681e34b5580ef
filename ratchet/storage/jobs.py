"""The `jobs` aggregate: the durable work ledger.

A job is enqueued at most once per `(kind, key)`. Workers claim one with `FOR UPDATE SKIP LOCKED`, so several
processes split the work; a claim is a lease: a job whose worker died is claimable again once `locked_at` is
older than the lease.

A job may belong to a Slack thread (`thread_key`): the jobs of one thread run one at a time, oldest first, so a
conversation's graph runs never overlap. That is decided when a job is claimed, not by a lock a worker waits for:
a job whose thread is busy is passed over and the worker takes other work, and nothing is held while a graph runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from psycopg import AsyncConnection, errors
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from ratchet.storage import posts

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
    thread_key: str | None = None


JOB_COLUMNS = "id, kind, key, payload, status, attempts, max_attempts, run_after, locked_by, last_error, thread_key"
CLAIM_TRIES = 5  # claims that lose a race for a thread to another worker try again at once, this many times


def thread_key(channel_id: str, thread_ts: str) -> str:
    """The key that serializes a Slack thread's jobs: the conversation the triage graph's thread id names (the team
    is left out: channel IDs are unique across workspaces, and not every enqueue knows the team)."""
    return f"{channel_id}:{thread_ts}"


async def thread_key_of_post(conn: AsyncConnection[Any], channel_id: str, ts: str) -> str | None:
    """The thread of the bot's post at `(channel_id, ts)`, e.g. an approval request a person reacted to."""
    post = await posts.by_ts(conn, channel_id, ts)
    return thread_key(channel_id, post.thread_ts) if post and post.thread_ts else None


async def enqueue(
    conn: AsyncConnection[Any],
    kind: str,
    key: str,
    payload: dict[str, Any] | None = None,
    *,
    delay: timedelta = timedelta(0),
    max_attempts: int = 5,
    thread_key: str | None = None,
) -> int | None:
    """Add a job unless one with the same kind and key exists; returns its id when new. Jobs with the same
    `thread_key` run one at a time, in the order they were enqueued."""
    row = await (
        await conn.execute(
            """
            INSERT INTO jobs (kind, key, payload, run_after, max_attempts, thread_key)
            VALUES (%s, %s, %s, now() + %s, %s, %s)
            ON CONFLICT (kind, key) DO NOTHING RETURNING id
            """,
            (kind, key, Jsonb(payload or {}), delay, max_attempts, thread_key),
        )
    ).fetchone()
    return int(row[0]) if row else None


async def claim(conn: AsyncConnection[Any], worker: str, lease: timedelta) -> Job | None:
    """Take the next runnable job: queued and due, or running under an expired lease (its worker died).

    A queued job of a thread is runnable only when its thread has no job running (under a live lease or an expired
    one: that job is claimed again first) and no earlier job queued, so a thread's jobs run one at a time, oldest
    first, while other threads' jobs go past them. Two workers claiming at once can each see a different job of one
    idle thread as runnable (say the later one, before the earlier one's enqueue had committed); the partial unique
    index on `thread_key` WHERE status = 'running' (migration 0004) lets only one of them mark its job running: the
    other's UPDATE waits for the first claim to commit, fails with a unique violation, and claims again, now seeing
    the thread busy. The claim is its own transaction (a savepoint when the caller has one open)."""
    for _ in range(CLAIM_TRIES):
        try:
            async with conn.transaction(), conn.cursor(row_factory=class_row(Job)) as cursor:
                await cursor.execute(
                    f"""
                    UPDATE jobs SET status = 'running', locked_at = now(), locked_by = %(worker)s,
                                    attempts = attempts + 1, updated_at = now()
                    WHERE id = (
                        SELECT id FROM jobs AS job
                        WHERE ((job.status = 'queued' AND job.run_after <= now())
                               OR (job.status = 'running' AND job.locked_at < now() - %(lease)s))
                          AND (job.thread_key IS NULL OR job.status = 'running' OR NOT EXISTS (
                                SELECT 1 FROM jobs AS other
                                WHERE other.thread_key = job.thread_key AND other.id <> job.id
                                  AND (other.status = 'running' OR (other.status = 'queued' AND other.id < job.id))
                              ))
                        ORDER BY priority DESC, run_after, id
                        FOR UPDATE OF job SKIP LOCKED LIMIT 1
                    )
                    RETURNING {JOB_COLUMNS}
                    """,
                    {"worker": worker, "lease": lease},
                )
                return await cursor.fetchone()
        except errors.UniqueViolation:  # another worker took this job's thread meanwhile
            continue
    return None


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


async def release(conn: AsyncConnection[Any], job_id: int, worker: str) -> bool:
    """Hand a running job back to the queue (its worker is stopping), claimable at once and in its old place; the
    interrupted attempt is not counted. Only while `worker` still holds it."""
    cursor = await conn.execute(
        """
        UPDATE jobs SET status = 'queued', locked_at = NULL, locked_by = NULL, attempts = attempts - 1,
                        updated_at = now()
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


async def listen(conn: AsyncConnection[Any]) -> None:
    """Subscribe an autocommit connection to the notice sent when a job is enqueued."""
    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")


async def status_of(conn: AsyncConnection[Any], kind: str, key: str) -> Status | None:
    """The status of the job of `kind` enqueued under `key`, if there is one."""
    row = await (await conn.execute("SELECT status FROM jobs WHERE kind = %s AND key = %s", (kind, key))).fetchone()
    return row[0] if row else None


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
