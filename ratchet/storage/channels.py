"""The `channels` aggregate: the conversations the bot is in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel


class Channel(BaseModel):
    channel_id: str
    team_id: str | None
    name: str | None
    is_private: bool
    is_archived: bool
    onboarded_at: datetime | None


async def ensure(
    conn: AsyncConnection[Any], channel_id: str, *, team_id: str | None = None, channel_type: str | None = None
) -> None:
    """Make sure the channel has a row (messages reference it); fills in what was unknown."""
    await conn.execute(
        """
        INSERT INTO channels (channel_id, team_id, is_private, attrs)
        VALUES (%s, %s, %s, jsonb_build_object('channel_type', %s::text))
        ON CONFLICT (channel_id) DO UPDATE SET team_id = coalesce(channels.team_id, EXCLUDED.team_id)
        WHERE channels.team_id IS NULL AND EXCLUDED.team_id IS NOT NULL
        """,
        (channel_id, team_id, channel_type in ("group", "im", "mpim"), channel_type),
    )


async def rename(conn: AsyncConnection[Any], channel_id: str, name: str) -> None:
    await ensure(conn, channel_id)
    await conn.execute("UPDATE channels SET name = %s, updated_at = now() WHERE channel_id = %s", (name, channel_id))


async def set_archived(conn: AsyncConnection[Any], channel_id: str, archived: bool) -> None:
    await ensure(conn, channel_id)
    await conn.execute(
        "UPDATE channels SET is_archived = %s, updated_at = now() WHERE channel_id = %s", (archived, channel_id)
    )


async def update_info(conn: AsyncConnection[Any], channel_id: str, *, name: str | None, is_private: bool) -> None:
    await ensure(conn, channel_id)
    await conn.execute(
        "UPDATE channels SET name = coalesce(%s, name), is_private = %s, updated_at = now() WHERE channel_id = %s",
        (name, is_private, channel_id),
    )


async def mark_onboarded(conn: AsyncConnection[Any], channel_id: str) -> None:
    await conn.execute(
        "UPDATE channels SET onboarded_at = now(), updated_at = now() WHERE channel_id = %s", (channel_id,)
    )


async def get(conn: AsyncConnection[Any], channel_id: str) -> Channel | None:
    async with conn.cursor(row_factory=class_row(Channel)) as cursor:
        await cursor.execute(
            "SELECT channel_id, team_id, name, is_private, is_archived, onboarded_at FROM channels "
            "WHERE channel_id = %s",
            (channel_id,),
        )
        return await cursor.fetchone()


async def find(conn: AsyncConnection[Any], ref: str) -> Channel | None:
    """The known channel with this id, or else this name (without the `#`)."""
    async with conn.cursor(row_factory=class_row(Channel)) as cursor:
        await cursor.execute(
            "SELECT channel_id, team_id, name, is_private, is_archived, onboarded_at FROM channels "
            "WHERE channel_id = %(ref)s OR name = %(ref)s ORDER BY channel_id <> %(ref)s, channel_id LIMIT 1",
            {"ref": ref},
        )
        return await cursor.fetchone()


async def ids_of(conn: AsyncConnection[Any], refs: list[str]) -> list[str]:
    """The ids of the known channels among `refs` (ids or names without the `#`), in no particular order."""
    cursor = await conn.execute(
        "SELECT channel_id FROM channels WHERE channel_id = ANY(%(refs)s) OR name = ANY(%(refs)s)", {"refs": refs}
    )
    return [channel_id for (channel_id,) in await cursor.fetchall()]
