"""The `reactions` aggregate: emoji people put on messages; 👍/👎 on the bot's posts are its feedback."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from pydantic import BaseModel


class Reaction(BaseModel):
    channel_id: str
    message_ts: str
    user_id: str
    reaction: str
    event_ts: str | None = None


async def add(conn: AsyncConnection[Any], reaction: Reaction) -> bool:
    """Record a reaction (attributed to the bot module that made the message, if any); False if already there."""
    cursor = await conn.execute(
        """
        INSERT INTO reactions (channel_id, message_ts, user_id, reaction, event_ts, module)
        VALUES (%(channel_id)s, %(message_ts)s, %(user_id)s, %(reaction)s, %(event_ts)s,
                (SELECT module FROM bot_posts WHERE channel_id = %(channel_id)s AND ts = %(message_ts)s))
        ON CONFLICT (channel_id, message_ts, user_id, reaction) DO NOTHING
        """,
        reaction.model_dump(),
    )
    return cursor.rowcount == 1


async def remove(conn: AsyncConnection[Any], reaction: Reaction) -> bool:
    cursor = await conn.execute(
        "DELETE FROM reactions WHERE channel_id = %s AND message_ts = %s AND user_id = %s AND reaction = %s",
        (reaction.channel_id, reaction.message_ts, reaction.user_id, reaction.reaction),
    )
    return cursor.rowcount == 1
