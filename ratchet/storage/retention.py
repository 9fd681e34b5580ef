"""Retention: what is older than the cutoff is deleted (RATCHET_SCHEDULES_CONFIG `retention_days`).

Messages go with their reactions; an incident opened before the cutoff goes with its opening message once it is
resolved (an open incident keeps its opening message). Finished jobs go; queued and running ones stay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from pydantic import BaseModel


class Purged(BaseModel):
    messages: int
    incidents: int
    reactions: int
    jobs: int


async def purge_before(conn: AsyncConnection[Any], cutoff: datetime) -> Purged:
    """Delete messages, resolved incidents and finished jobs older than `cutoff`, in one transaction."""
    async with conn.transaction():
        incidents = await conn.execute("DELETE FROM incidents WHERE status = 'resolved' AND opened_at < %s", (cutoff,))
        reactions = await conn.execute(
            "DELETE FROM reactions WHERE to_timestamp(message_ts::double precision) < %s", (cutoff,)
        )
        messages = await conn.execute(
            """
            DELETE FROM messages AS m WHERE m.posted_at < %s AND NOT EXISTS (
                SELECT 1 FROM incidents AS i WHERE i.channel_id = m.channel_id AND i.opened_ts = m.ts)
            """,
            (cutoff,),
        )
        finished = await conn.execute(
            "DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled') AND finished_at < %s", (cutoff,)
        )
    return Purged(
        messages=messages.rowcount, incidents=incidents.rowcount, reactions=reactions.rowcount, jobs=finished.rowcount
    )


async def orphaned_threads(conn: AsyncConnection[Any]) -> list[str]:
    """The checkpointed Slack threads (`slack:<team>:<channel>:<thread_ts>`) none of whose messages is stored."""
    rows = await (
        await conn.execute(
            """
            SELECT DISTINCT c.thread_id FROM checkpoints AS c
            WHERE c.thread_id LIKE 'slack:%' AND NOT EXISTS (
                SELECT 1 FROM messages AS m
                WHERE m.channel_id = split_part(c.thread_id, ':', 3)
                  AND split_part(c.thread_id, ':', 4) IN (m.ts, m.thread_ts))
            ORDER BY 1
            """
        )
    ).fetchall()
    return [row[0] for row in rows]
