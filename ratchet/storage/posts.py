"""The `bot_posts` aggregate: what the bot posted, reserved under an idempotency key before the Slack call."""

from __future__ import annotations

from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel


class BotPost(BaseModel):
    idempotency_key: str
    channel_id: str
    thread_ts: str | None
    ts: str | None
    module: str
    status: Literal["pending", "posted", "failed"]
    text: str


POST_COLUMNS = "idempotency_key, channel_id, thread_ts, ts, module, status, text"


async def reserve(
    conn: AsyncConnection[Any],
    *,
    key: str,
    channel_id: str,
    thread_ts: str | None,
    module: str,
    job_id: int | None,
    text: str,
    blocks: list[dict[str, Any]] | None,
) -> tuple[BotPost, bool]:
    """Record the intent to post. Returns the row and whether it is new (False: this key was reserved before)."""
    cursor = await conn.execute(
        """
        INSERT INTO bot_posts (idempotency_key, channel_id, thread_ts, module, job_id, text, blocks)
        VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING
        """,
        (key, channel_id, thread_ts, module, job_id, text, Jsonb(blocks) if blocks is not None else None),
    )
    post = await get(conn, key)
    assert post is not None
    return post, cursor.rowcount == 1


async def confirm(conn: AsyncConnection[Any], key: str, ts: str) -> None:
    """Record the posted message's ts; reactions that arrived before this confirmation get their module now."""
    await conn.execute(
        "UPDATE bot_posts SET status = 'posted', ts = %s, posted_at = now() WHERE idempotency_key = %s", (ts, key)
    )
    await conn.execute(
        """
        UPDATE reactions r SET module = p.module FROM bot_posts p
        WHERE p.idempotency_key = %s AND r.channel_id = p.channel_id AND r.message_ts = p.ts AND r.module IS NULL
        """,
        (key,),
    )


async def mark_failed(conn: AsyncConnection[Any], key: str, error: str) -> None:
    await conn.execute(
        "UPDATE bot_posts SET status = 'failed', attrs = attrs || jsonb_build_object('error', %s::text) "
        "WHERE idempotency_key = %s",
        (error[:2000], key),
    )


async def get(conn: AsyncConnection[Any], key: str) -> BotPost | None:
    async with conn.cursor(row_factory=class_row(BotPost)) as cursor:
        await cursor.execute(f"SELECT {POST_COLUMNS} FROM bot_posts WHERE idempotency_key = %s", (key,))
        return await cursor.fetchone()


async def by_ts(conn: AsyncConnection[Any], channel_id: str, ts: str) -> BotPost | None:
    """The bot's post that became this Slack message (a long reply is several messages: each has its row)."""
    async with conn.cursor(row_factory=class_row(BotPost)) as cursor:
        await cursor.execute(
            f"SELECT {POST_COLUMNS} FROM bot_posts WHERE channel_id = %s AND ts = %s", (channel_id, ts)
        )
        return await cursor.fetchone()


async def in_thread(conn: AsyncConnection[Any], channel_id: str, thread_ts: str) -> list[BotPost]:
    async with conn.cursor(row_factory=class_row(BotPost)) as cursor:
        await cursor.execute(
            f"SELECT {POST_COLUMNS} FROM bot_posts WHERE channel_id = %s AND thread_ts = %s ORDER BY created_at",
            (channel_id, thread_ts),
        )
        return await cursor.fetchall()
