"""Reading Slack history into the store: `ratchet backfill`'s resumable cursors, and what catch-up asks of the
messages already stored (the newest one, which of a page are known, the newest reply of a thread)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel


class BackfillCursor(BaseModel):
    """How far one channel's backfill has come: the next page's cursor and what the pages so far held."""

    channel_id: str
    days: int | None
    max_messages: int | None
    oldest: str | None
    cursor: str | None
    pages: int
    fetched: int
    stored: int
    finished_at: datetime | None


CURSOR_COLUMNS = "channel_id, days, max_messages, oldest, cursor, pages, fetched, stored, finished_at"


async def get_cursor(conn: AsyncConnection[Any], channel_id: str) -> BackfillCursor | None:
    async with conn.cursor(row_factory=class_row(BackfillCursor)) as cursor:
        await cursor.execute(f"SELECT {CURSOR_COLUMNS} FROM backfill_cursors WHERE channel_id = %s", (channel_id,))
        return await cursor.fetchone()


async def start_cursor(
    conn: AsyncConnection[Any], channel_id: str, *, days: int | None, max_messages: int | None, oldest: str | None
) -> BackfillCursor:
    """Begin a channel's backfill from its newest message (replacing a finished or differently asked one)."""
    async with conn.cursor(row_factory=class_row(BackfillCursor)) as cursor:
        await cursor.execute(
            f"""
            INSERT INTO backfill_cursors (channel_id, days, max_messages, oldest) VALUES (%s, %s, %s, %s)
            ON CONFLICT (channel_id) DO UPDATE SET days = EXCLUDED.days, max_messages = EXCLUDED.max_messages,
                oldest = EXCLUDED.oldest, cursor = NULL, pages = 0, fetched = 0, stored = 0, started_at = now(),
                updated_at = now(), finished_at = NULL
            RETURNING {CURSOR_COLUMNS}
            """,
            (channel_id, days, max_messages, oldest),
        )
        started = await cursor.fetchone()
    assert started is not None
    return started


async def advance_cursor(
    conn: AsyncConnection[Any], channel_id: str, *, cursor: str | None, fetched: int, stored: int, finished: bool
) -> None:
    """One more page is stored: keep where the next one starts (or that there is none)."""
    await conn.execute(
        """
        UPDATE backfill_cursors SET cursor = %s, pages = pages + 1, fetched = fetched + %s, stored = stored + %s,
            updated_at = now(), finished_at = CASE WHEN %s THEN now() END
        WHERE channel_id = %s
        """,
        (cursor, fetched, stored, finished, channel_id),
    )


async def newest_ts(conn: AsyncConnection[Any], channel_id: str) -> str | None:
    """The newest message stored for the channel, replies included (Slack ts strings sort as text: 10.6 digits)."""
    row = await (
        await conn.execute("SELECT ts FROM messages WHERE channel_id = %s ORDER BY ts DESC LIMIT 1", (channel_id,))
    ).fetchone()
    return row[0] if row else None


async def newest_reply_ts(conn: AsyncConnection[Any], channel_id: str, thread_ts: str) -> str | None:
    row = await (
        await conn.execute(
            "SELECT ts FROM messages WHERE channel_id = %s AND thread_ts = %s ORDER BY ts DESC LIMIT 1",
            (channel_id, thread_ts),
        )
    ).fetchone()
    return row[0] if row else None


async def stored_among(conn: AsyncConnection[Any], channel_id: str, ts_list: list[str]) -> set[str]:
    """Which of these messages are stored already (deleted ones too: a deletion is not undone by history)."""
    cursor = await conn.execute("SELECT ts FROM messages WHERE channel_id = %s AND ts = ANY(%s)", (channel_id, ts_list))
    return {ts for (ts,) in await cursor.fetchall()}
