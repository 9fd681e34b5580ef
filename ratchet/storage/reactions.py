"""The `reactions` aggregate: emoji people put on messages; 👍/👎 on the bot's posts are its feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel

# Slack names 👍/👎 "+1"/"-1" in reaction events, older clients "thumbsup"/"thumbsdown"; a skin tone is a suffix
THUMBS_UP = ["+1", "thumbsup"]
THUMBS_DOWN = ["-1", "thumbsdown"]
FEEDBACK_COUNTS = """
    count(*) FILTER (WHERE split_part(r.reaction, '::', 1) = ANY(%(up)s)) AS thumbs_up,
    count(*) FILTER (WHERE split_part(r.reaction, '::', 1) = ANY(%(down)s)) AS thumbs_down
"""
FEEDBACK_ON_BOT_POSTS = """
    FROM reactions r JOIN bot_posts p ON p.channel_id = r.channel_id AND p.ts = r.message_ts
    WHERE r.created_at >= %(since)s AND r.created_at < %(until)s
      AND split_part(r.reaction, '::', 1) = ANY(%(up)s || %(down)s)
"""


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


class Feedback(BaseModel):
    thumbs_up: int
    thumbs_down: int


class ChannelFeedback(Feedback):
    channel_id: str
    channel_name: str | None


class ModuleFeedback(Feedback):
    module: str


async def feedback_by_channel(conn: AsyncConnection[Any], *, since: datetime, until: datetime) -> list[ChannelFeedback]:
    """👍/👎 put on the bot's posts in `[since, until)`, per channel."""
    async with conn.cursor(row_factory=class_row(ChannelFeedback)) as cursor:
        await cursor.execute(
            f"""
            SELECT p.channel_id, (SELECT name FROM channels c WHERE c.channel_id = p.channel_id) AS channel_name,
                   {FEEDBACK_COUNTS}
            {FEEDBACK_ON_BOT_POSTS}
            GROUP BY p.channel_id ORDER BY count(*) DESC, p.channel_id
            """,
            {"since": since, "until": until, "up": THUMBS_UP, "down": THUMBS_DOWN},
        )
        return await cursor.fetchall()


async def feedback_by_module(conn: AsyncConnection[Any], *, since: datetime, until: datetime) -> list[ModuleFeedback]:
    """👍/👎 put on the bot's posts in `[since, until)`, per module that wrote the post."""
    async with conn.cursor(row_factory=class_row(ModuleFeedback)) as cursor:
        await cursor.execute(
            f"""
            SELECT p.module, {FEEDBACK_COUNTS}
            {FEEDBACK_ON_BOT_POSTS}
            GROUP BY p.module ORDER BY count(*) DESC, p.module
            """,
            {"since": since, "until": until, "up": THUMBS_UP, "down": THUMBS_DOWN},
        )
        return await cursor.fetchall()
