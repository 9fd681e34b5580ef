"""Reading what Slack holds but the store does not: catch-up after downtime, and `ratchet backfill`.

Catch-up (at `serve` start, and as the `catchup` job a scheduler enqueues) reads each member channel's history
since the newest stored message, and the threads with replies newer than their newest stored one. New messages
younger than the reply window go through ingest like live events (their triage reply is posted once: the job and
the post are keyed); older ones are stored, classified and applied to incidents without a reply.

Backfill walks a channel's history page by page, each page with its threads' replies, storing them without
replies; after each stored page the cursor is checkpointed, so a killed run resumes where it stopped (a page
stored twice changes nothing: messages are keyed by `(channel_id, ts)`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.embeddings import Embeddings
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.classify.classifier import Classifier
from ratchet.classify.recording import classify_and_record
from ratchet.jobs.ingest import ingest
from ratchet.slack.events import BotIdentity, MalformedEvent, to_message
from ratchet.slack.history import PAGE_SIZE, Pacer, history_page, member_channel_ids, thread_replies
from ratchet.storage import backfill as store
from ratchet.storage import channels

log = logging.getLogger(__name__)

CATCHUP_JOB = "catchup"

# A thread whose parent is older than the newest stored message can still have new replies; its parent is found
# in the history read this far back before that message.
THREAD_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class HistoryReader:
    """What reading history needs: the store, the classifier and embeddings, the Slack client and who the bot is."""

    pool: AsyncConnectionPool
    embeddings: Embeddings
    classifier: Classifier
    slack: AsyncWebClient
    bot: BotIdentity


class CaughtUp(BaseModel):
    channel_id: str
    live: int  # ingested like live events (young enough for a reply)
    quiet: int  # stored, classified and applied to incidents without a reply


class BackfillProgress(BaseModel):
    channel_id: str
    pages: int
    fetched: int  # top-level messages read from history
    stored: int  # new messages stored (replies included)
    limit: int | None
    finished: bool


def _ts_of(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


def _age(ts: str) -> timedelta:
    return timedelta(seconds=time.time() - float(ts))


async def catch_up(reader: HistoryReader, *, reply_window: timedelta) -> list[CaughtUp]:
    """Catch up every channel the bot is a member of; returns what each channel got."""
    pacer = Pacer()
    done = []
    for channel_id in await member_channel_ids(reader.slack):
        caught = await catch_up_channel(reader, pacer, channel_id, reply_window=reply_window)
        if caught is not None:
            done.append(caught)
    return done


async def catch_up_channel(
    reader: HistoryReader, pacer: Pacer, channel_id: str, *, reply_window: timedelta
) -> CaughtUp | None:
    """None for a channel never onboarded (onboarding reads its history)."""
    async with reader.pool.connection() as conn:
        since = await store.newest_ts(conn, channel_id)
        channel = await channels.get(conn, channel_id)
    if since is None:
        if channel is None or channel.onboarded_at is None:
            return None
        since = _ts_of(channel.onboarded_at)
    window_start = _ts_of(datetime.fromtimestamp(float(since), UTC) - THREAD_LOOKBACK)
    top_level: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await history_page(reader.slack, pacer, channel_id, oldest=window_start, cursor=cursor, limit=PAGE_SIZE)
        top_level += page.messages
        if (cursor := page.next_cursor) is None:
            break
    found = [m for m in top_level if float(m["ts"]) > float(since)]
    for parent in top_level:
        if float(parent.get("latest_reply") or 0) <= float(since) or parent.get("ts") != parent.get("thread_ts"):
            continue
        async with reader.pool.connection() as conn:
            known = await store.newest_reply_ts(conn, channel_id, parent["ts"])
        found += await thread_replies(reader.slack, pacer, channel_id, parent["ts"], oldest=known)
    async with reader.pool.connection() as conn:
        stored = await store.stored_among(conn, channel_id, [m["ts"] for m in found])
    new = sorted({m["ts"]: m for m in found if m["ts"] not in stored}.values(), key=lambda m: float(m["ts"]))
    quiet = [m for m in new if _age(m["ts"]) > reply_window]
    live = [m for m in new if _age(m["ts"]) <= reply_window]
    if quiet:
        await store_history(reader, channel_id, quiet)
        log.info(
            "caught up %d message(s) in %s older than %s: stored and classified without replies",
            len(quiet), channel_id, reply_window,
        )  # fmt: skip
    for raw in live:
        payload = {"type": "event_callback", "team_id": reader.bot.team_id, "event": {**raw, "channel": channel_id}}
        await ingest(reader.pool, payload, reader.bot)
    if live:
        log.info("caught up %d recent message(s) in %s through ingest", len(live), channel_id)
    return CaughtUp(channel_id=channel_id, live=len(live), quiet=len(quiet))


async def store_history(reader: HistoryReader, channel_id: str, raws: list[dict[str, Any]]) -> int:
    """Store messages read from history (catch-up, backfill, onboarding) with no reply started: classified oldest
    first (no LLM: history can be long), applied to incidents, embedded; returns how many were new."""
    backfilled = []
    for raw in raws:
        try:
            backfilled.append(to_message(raw, channel_id=channel_id).model_copy(update={"origin": "backfill"}))
        except MalformedEvent as problem:
            log.warning("skipped a malformed message in %s history: %s", channel_id, problem)
    async with reader.pool.connection() as conn:
        await channels.ensure(conn, channel_id, team_id=reader.bot.team_id)
    recorded = await classify_and_record(
        reader.pool, reader.classifier, reader.embeddings, backfilled, bot_user_id=reader.bot.user_id, use_llm=False,
        insert=True,
    )  # fmt: skip
    return len(recorded)


async def backfill(
    reader: HistoryReader,
    channel_id: str,
    *,
    days: int | None = None,
    limit: int | None = None,
    progress: Callable[[BackfillProgress], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> BackfillProgress:
    """Store a channel's history (the last `days`, or its newest `limit` top-level messages, or all of it) with
    its threads' replies, and no replies from the bot. Resumes an unfinished backfill asked the same way."""
    async with reader.pool.connection() as conn, conn.transaction():
        await channels.ensure(conn, channel_id, team_id=reader.bot.team_id)
        at = await store.get_cursor(conn, channel_id)
        if at is None or at.finished_at is not None or (at.days, at.max_messages) != (days, limit):
            oldest = _ts_of(datetime.now(UTC) - timedelta(days=days)) if days is not None else None
            at = await store.start_cursor(conn, channel_id, days=days, max_messages=limit, oldest=oldest)
        else:
            log.info("resuming the backfill of %s after %d page(s)", channel_id, at.pages)
    pacer = Pacer()
    pages, fetched, stored, cursor = at.pages, at.fetched, at.stored, at.cursor
    while True:
        wanted = page_size if limit is None else min(page_size, limit - fetched)
        page = await history_page(reader.slack, pacer, channel_id, oldest=at.oldest, cursor=cursor, limit=wanted)
        top_level = page.messages[:wanted]
        raws = list(top_level)
        for parent in top_level:
            if parent.get("reply_count") and parent.get("thread_ts") == parent.get("ts"):
                raws += await thread_replies(reader.slack, pacer, channel_id, parent["ts"])
        new = await store_history(reader, channel_id, raws)
        pages, fetched, stored, cursor = pages + 1, fetched + len(top_level), stored + new, page.next_cursor
        finished = cursor is None or (limit is not None and fetched >= limit)
        async with reader.pool.connection() as conn:
            await store.advance_cursor(
                conn, channel_id, cursor=cursor, fetched=len(top_level), stored=new, finished=finished
            )
        report = BackfillProgress(
            channel_id=channel_id, pages=pages, fetched=fetched, stored=stored, limit=limit, finished=finished
        )
        if progress is not None:
            progress(report)
        if finished:
            return report
