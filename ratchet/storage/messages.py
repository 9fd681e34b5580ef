"""The `messages` aggregate: every Slack message the bot can see, keyed by `(channel_id, ts)`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import numpy as np
from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

Origin = Literal["live", "backfill", "import"]


class Message(BaseModel):
    """A Slack message, normalised: `text` is the flattened text of `text`, attachments and blocks."""

    channel_id: str
    ts: str
    thread_ts: str | None = None  # set on replies only (never equal to ts)
    user_id: str | None = None
    bot_id: str | None = None
    subtype: str | None = None
    text: str = ""
    origin: Origin = "live"
    attrs: dict[str, Any] = Field(default_factory=dict)

    @property
    def conversation_ts(self) -> str:
        """The ts of the thread this message belongs to (its own ts when top-level)."""
        return self.thread_ts or self.ts

    @property
    def is_human(self) -> bool:
        """Written by a person, not by a bot or an integration."""
        return self.user_id is not None and self.bot_id is None


class StoredMessage(Message):
    posted_at: datetime
    is_deleted: bool
    edited_at: datetime | None


class ScoredMessage(StoredMessage):
    score: float


COLUMNS = "channel_id, ts, thread_ts, user_id, bot_id, subtype, text, origin, attrs, posted_at, is_deleted, edited_at"


_STAGING = """
    CREATE TEMP TABLE IF NOT EXISTS incoming_messages (
        channel_id text, ts text, thread_ts text, user_id text, bot_id text, subtype text, text text, origin text,
        attrs jsonb, embedding vector
    ) ON COMMIT DELETE ROWS
"""
_INSERTED = "channel_id, ts, thread_ts, user_id, bot_id, subtype, text, origin, attrs, embedding"
_INSERTED_TYPES = ["text"] * 8 + ["jsonb", "vector"]
_INSERT = f"""
    INSERT INTO messages ({_INSERTED})
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (channel_id, ts) DO NOTHING
"""


def _row(message: Message, vector: list[float] | None) -> tuple[Any, ...]:
    embedding = None if vector is None else np.asarray(vector, dtype=np.float32)
    return (
        message.channel_id,
        message.ts,
        message.thread_ts,
        message.user_id,
        message.bot_id,
        message.subtype,
        message.text,
        message.origin,
        Jsonb(message.attrs),
        embedding,
    )


async def insert_if_new(conn: AsyncConnection[Any], message: Message) -> bool:
    """Store the message unless `(channel_id, ts)` is already there; True when it was new."""
    cursor = await conn.execute(_INSERT, _row(message, None))
    return cursor.rowcount == 1


async def insert_new(
    conn: AsyncConnection[Any], batch: Sequence[tuple[Message, list[float] | None]]
) -> list[StoredMessage]:
    """Store each message (with its vector, if any) unless `(channel_id, ts)` is already there; returns the new
    ones, in the order given. The rows are COPYed into a session-local staging table and inserted from it in one
    statement that empties it: a page of an import costs three round trips, not one per message."""
    if not batch:
        return []
    await conn.execute(_STAGING)
    async with conn.cursor().copy(f"COPY incoming_messages ({_INSERTED}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_INSERTED_TYPES)
        for message, vector in batch:
            await copy.write_row(_row(message, vector))
    async with conn.cursor(row_factory=class_row(StoredMessage)) as cursor:
        await cursor.execute(
            f"WITH staged AS (DELETE FROM incoming_messages RETURNING {_INSERTED}) "
            f"INSERT INTO messages ({_INSERTED}) SELECT {_INSERTED} FROM staged "
            f"ON CONFLICT (channel_id, ts) DO NOTHING RETURNING {COLUMNS}"
        )
        new = {(m.channel_id, m.ts): m for m in await cursor.fetchall()}
    return [new[key] for message, _ in batch if (key := (message.channel_id, message.ts)) in new]


async def take_over_backfilled(conn: AsyncConnection[Any], message: Message) -> bool:
    """Mark live a message that history backfill stored before its own event arrived; True when it was one."""
    cursor = await conn.execute(
        "UPDATE messages SET origin = 'live' WHERE channel_id = %s AND ts = %s AND origin = 'backfill' "
        "AND NOT is_deleted",
        (message.channel_id, message.ts),
    )
    return cursor.rowcount == 1


async def apply_edit(conn: AsyncConnection[Any], message: Message, edited_at: datetime) -> bool:
    """Replace the text and attributes of a stored message and drop its now stale vector."""
    cursor = await conn.execute(
        """
        UPDATE messages SET text = %s, attrs = attrs || %s, edited_at = %s, embedding = NULL, updated_at = now()
        WHERE channel_id = %s AND ts = %s AND (edited_at IS NULL OR edited_at <= %s)
        """,
        (message.text, Jsonb(message.attrs), edited_at, message.channel_id, message.ts, edited_at),
    )
    return cursor.rowcount == 1


class Deletion(BaseModel):
    """What `mark_deleted` did: erased a stored message (whose copies elsewhere are still to be forgotten), or
    recorded the deletion of one not seen yet."""

    erased: bool
    conversation_ts: str  # the thread the message was in (its own ts when top-level or unseen)


async def mark_deleted(conn: AsyncConnection[Any], channel_id: str, ts: str) -> Deletion | None:
    """Mark the message deleted and erase what it said: its text (and so its lexemes), its attributes (the raw
    event among them) and its vector; its ids stay. None if it already was deleted. A deletion that overtakes the
    message itself (Slack events can be handled out of order) leaves a deleted row, so the late message is not
    stored as live."""
    async with conn.cursor(row_factory=class_row(Deletion)) as cursor:
        await cursor.execute(
            """
            INSERT INTO messages (channel_id, ts, is_deleted, attrs) VALUES (%s, %s, true, '{"deleted_unseen": true}')
            ON CONFLICT (channel_id, ts) DO UPDATE
                SET is_deleted = true, text = '', attrs = '{}', embedding = NULL, updated_at = now()
            WHERE NOT messages.is_deleted
            RETURNING xmax <> 0 AS erased, coalesce(thread_ts, ts) AS conversation_ts
            """,
            (channel_id, ts),
        )
        return await cursor.fetchone()


# What the bot keeps elsewhere may quote a message: the checkpoints and posts of its thread, and whatever showed it
# in another thread (a tool's result, an alert's recent activity or past incidents, a cached runbook), which names
# it by its channel and its ts, as such or in a permalink (`p` and the ts without its dot). Finding those reads
# every row of the tables concerned: a deletion's job does it, not ingest.


def _names_message(haystack: str, *, binary: bool = False) -> str:
    """SQL: `haystack` (text, or bytea with `binary`) names the message of the `_naming` parameters."""
    suffix = "_bytes" if binary else ""
    channel, ts, link = (f"position(%({needle}{suffix})s IN {haystack}) > 0" for needle in ("channel", "ts", "link"))
    return f"({channel} AND ({ts} OR {link}))"


def _naming(channel_id: str, ts: str) -> dict[str, Any]:
    needles = {"channel": channel_id, "ts": ts, "link": f"p{ts.replace('.', '')}"}
    return {**needles, **{f"{name}_bytes": value.encode() for name, value in needles.items()}}


async def forget_copies(conn: AsyncConnection[Any], channel_id: str, ts: str, conversation_ts: str) -> None:
    """Erase what the bot keeps outside `messages` that may quote a deleted message: its posts in the message's
    thread (answers restate questions) or that are the message or link to it lose their text, and cached runbooks
    citing it are dropped (the next alert writes them again without it)."""
    params = {**_naming(channel_id, ts), "thread_ts": conversation_ts}
    await conn.execute(
        f"""
        UPDATE bot_posts SET text = '', blocks = NULL
        WHERE ((channel_id = %(channel)s AND (thread_ts = %(thread_ts)s OR ts = %(ts)s))
               OR {_names_message("text")} OR {_names_message("blocks::text")})
          AND (text <> '' OR blocks IS NOT NULL)
        """,
        params,
    )
    await conn.execute(
        f"DELETE FROM runbooks WHERE {_names_message('content::text')} OR {_names_message('citations::text')}", params
    )


async def checkpointed_threads_naming(conn: AsyncConnection[Any], channel_id: str, ts: str) -> list[str]:
    """The LangGraph threads whose checkpoints name the message (their runs showed it); LangGraph's own tables,
    read here so their deletion can go through its saver."""
    cursor = await conn.execute(
        f"""
        SELECT thread_id FROM checkpoints WHERE {_names_message("checkpoint::text")}
        UNION SELECT thread_id FROM checkpoint_blobs WHERE {_names_message("blob", binary=True)}
        UNION SELECT thread_id FROM checkpoint_writes WHERE {_names_message("blob", binary=True)}
        """,
        _naming(channel_id, ts),
    )
    return [thread_id for (thread_id,) in await cursor.fetchall()]


async def get(conn: AsyncConnection[Any], channel_id: str, ts: str) -> StoredMessage | None:
    async with conn.cursor(row_factory=class_row(StoredMessage)) as cursor:
        await cursor.execute(f"SELECT {COLUMNS} FROM messages WHERE channel_id = %s AND ts = %s", (channel_id, ts))
        return await cursor.fetchone()


async def thread(conn: AsyncConnection[Any], channel_id: str, thread_ts: str) -> list[StoredMessage]:
    """The thread's parent and replies, oldest first (deleted ones left out)."""
    async with conn.cursor(row_factory=class_row(StoredMessage)) as cursor:
        await cursor.execute(
            f"""
            SELECT {COLUMNS} FROM messages
            WHERE channel_id = %s AND (ts = %s OR thread_ts = %s) AND NOT is_deleted
            ORDER BY posted_at, ts
            """,
            (channel_id, thread_ts, thread_ts),
        )
        return await cursor.fetchall()


async def set_classification(
    conn: AsyncConnection[Any], channel_id: str, ts: str, classification: dict[str, Any]
) -> None:
    await conn.execute(
        "UPDATE messages SET attrs = attrs || jsonb_build_object('classification', %s::jsonb) "
        "WHERE channel_id = %s AND ts = %s",
        (Jsonb(classification), channel_id, ts),
    )


async def set_embedding(conn: AsyncConnection[Any], channel_id: str, ts: str, vector: list[float]) -> None:
    await conn.execute(
        "UPDATE messages SET embedding = %s WHERE channel_id = %s AND ts = %s",
        (np.asarray(vector, dtype=np.float32), channel_id, ts),
    )


async def count(conn: AsyncConnection[Any], channel_id: str | None = None) -> int:
    row = await (
        await conn.execute(
            "SELECT count(*) FROM messages WHERE %(channel)s::text IS NULL OR channel_id = %(channel)s",
            {"channel": channel_id},
        )
    ).fetchone()
    return int(row[0]) if row else 0


async def similar(
    conn: AsyncConnection[Any], vector: list[float], *, channel_id: str | None = None, limit: int = 5
) -> list[tuple[StoredMessage, float]]:
    """The messages closest in meaning to `vector` (cosine similarity), best first."""
    async with conn.cursor(row_factory=class_row(ScoredMessage)) as cursor:
        await cursor.execute(
            f"""
            SELECT {COLUMNS}, 1 - (embedding <=> %(vector)s) AS score FROM messages
            WHERE embedding IS NOT NULL AND NOT is_deleted AND (%(channel)s::text IS NULL OR channel_id = %(channel)s)
            ORDER BY embedding <=> %(vector)s LIMIT %(limit)s
            """,
            {"vector": np.asarray(vector, dtype=np.float32), "channel": channel_id, "limit": limit},
        )
        return [
            (StoredMessage.model_validate(row.model_dump(exclude={"score"})), row.score)
            for row in await cursor.fetchall()
        ]
