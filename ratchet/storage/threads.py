"""People's replies in the threads of incident notifications: an incident's threads are those of its first
notification (`opened_ts`) and of every notification that re-fired it (`attrs->'fire_ts'`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel

# subtypes a person's own message can carry; everything else is a bot post or a channel event
HUMAN_SUBTYPES = ("", "thread_broadcast", "file_share", "me_message")


class ThreadReply(BaseModel):
    """A person's reply in the thread of one of an incident's notifications."""

    incident_id: int
    channel_id: str
    thread_ts: str
    ts: str
    user_id: str
    text: str
    posted_at: datetime


async def incident_replies(conn: AsyncConnection[Any], incident_ids: list[int]) -> list[ThreadReply]:
    """The human replies (no bots, nothing deleted or empty) in the threads of these incidents, oldest first."""
    async with conn.cursor(row_factory=class_row(ThreadReply)) as cursor:
        await cursor.execute(
            """
            SELECT i.id AS incident_id, m.channel_id, m.thread_ts, m.ts, m.user_id, m.text, m.posted_at
            FROM incidents i
            JOIN messages m ON m.channel_id = i.channel_id
                           AND (m.thread_ts = i.opened_ts OR i.attrs->'fire_ts' ? m.thread_ts)
            WHERE i.id = ANY(%(ids)s) AND m.thread_ts IS NOT NULL AND NOT m.is_deleted
              AND m.bot_id IS NULL AND m.user_id IS NOT NULL AND btrim(m.text) <> ''
              AND coalesce(m.subtype, '') = ANY(%(subtypes)s)
            ORDER BY m.posted_at, m.ts
            """,
            {"ids": incident_ids, "subtypes": list(HUMAN_SUBTYPES)},
        )
        return await cursor.fetchall()
