"""What the weekly channel report reads: a channel's alert notifications as classified, and the first reply a
person wrote in each of a set of threads. The report replays incidents from these (ratchet/reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel


class AlertNotification(BaseModel):
    """A firing or resolved notification with a fingerprint, as its classification recorded it."""

    ts: str
    thread_key: str  # the thread it opens or sits in: its thread_ts, else its own ts
    posted_at: datetime
    kind: Literal["alert_firing", "alert_resolved"]
    alert: str
    fingerprint: str
    runbook_url: str | None


async def alert_notifications(conn: AsyncConnection[Any], channel_id: str) -> list[AlertNotification]:
    """Every firing and resolved notification of the channel (deleted ones left out), oldest first."""
    async with conn.cursor(row_factory=class_row(AlertNotification)) as cursor:
        await cursor.execute(
            """
            SELECT ts, coalesce(thread_ts, ts) AS thread_key, posted_at, attrs->'classification'->>'kind' AS kind,
                   attrs->'classification'->>'alert' AS alert,
                   attrs->'classification'->>'fingerprint' AS fingerprint,
                   attrs->'classification'->>'runbook_url' AS runbook_url
            FROM messages
            WHERE channel_id = %s AND NOT is_deleted
              AND attrs->'classification'->>'kind' IN ('alert_firing', 'alert_resolved')
              AND attrs->'classification'->>'fingerprint' IS NOT NULL
              AND attrs->'classification'->>'alert' IS NOT NULL
            ORDER BY posted_at, ts
            """,
            (channel_id,),
        )
        return await cursor.fetchall()


async def first_replies(conn: AsyncConnection[Any], channel_id: str, thread_keys: list[str]) -> dict[str, datetime]:
    """For each of these threads that has one, when a person (not a bot or an integration) first replied in it."""
    cursor = await conn.execute(
        """
        SELECT thread_ts, min(posted_at) FROM messages
        WHERE channel_id = %s AND thread_ts = ANY(%s)
          AND user_id IS NOT NULL AND bot_id IS NULL AND NOT is_deleted
        GROUP BY thread_ts
        """,
        (channel_id, thread_keys),
    )
    return {thread: at for thread, at in await cursor.fetchall()}
