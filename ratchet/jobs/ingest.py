"""Ingest: apply one Slack event to the database, in one transaction, and enqueue the work it starts.

A message is inserted only if `(channel_id, ts)` is new, and its job is enqueued in the same transaction only
then: a retried delivery, a backfill overlap or the `app_mention` twin of a `message` event changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from ratchet.graphs.approvals import APPROVING_REACTIONS
from ratchet.slack import events
from ratchet.slack.events import BotIdentity, MalformedEvent
from ratchet.storage import channels, jobs, messages, reactions

log = logging.getLogger(__name__)

MESSAGE_JOB = "message"
EMBED_JOB = "embed"
ONBOARD_JOB = "onboard"
APPROVAL_JOB = "approval"  # a ✅ that may approve what the bot asked to do
FORGET_JOB = "forget"  # a message deleted in Slack: the copies of its text go too


def message_job_key(channel_id: str, ts: str) -> str:
    return f"{channel_id}:{ts}"


async def ingest(pool: AsyncConnectionPool, payload: Any, bot: BotIdentity) -> str:
    """Store what one Events API payload says; returns a short outcome for logs and tests.

    Malformed payloads are logged (event type and reason, never message text) and dropped.
    """
    try:
        action = events.interpret(payload, bot)
    except MalformedEvent as problem:
        log.warning("dropped a malformed event (%s): %s", _describe(payload), problem)
        return "malformed"
    if isinstance(action, events.Ignored):
        log.debug("ignored event (%s): %s", _describe(payload), action.reason)
        return "ignored"
    async with pool.connection() as conn, conn.transaction():
        return await _apply(conn, action)


async def _apply(conn: AsyncConnection[Any], action: events.Action) -> str:
    match action:
        case events.NewMessage(message=message, team_id=team_id, channel_type=channel_type):
            await channels.ensure(conn, message.channel_id, team_id=team_id, channel_type=channel_type)
            new = await messages.insert_if_new(conn, message)
            # onboarding may have fetched it from the channel's history a moment before its event came: still live
            if not new and not (action.starts_work and await messages.take_over_backfilled(conn, message)):
                return "duplicate"
            if action.starts_work:
                payload = {
                    "channel_id": message.channel_id,
                    "ts": message.ts,
                    "thread_ts": message.conversation_ts,
                    "team_id": team_id,
                }
                key = message_job_key(message.channel_id, message.ts)
                thread = jobs.thread_key(message.channel_id, message.conversation_ts)
                await jobs.enqueue(conn, MESSAGE_JOB, key, payload, thread_key=thread)
                return "stored, job queued"
            return "stored"
        case events.EditedMessage(message=message, team_id=team_id, channel_type=channel_type):
            await channels.ensure(conn, message.channel_id, team_id=team_id, channel_type=channel_type)
            stored = await messages.get(conn, message.channel_id, message.ts)
            if stored is None:  # an edit of a message from before the bot was there: keep the latest version
                await messages.insert_if_new(conn, message)
            elif stored.text == message.text:  # e.g. a reply count changed: nothing to re-embed
                return "unchanged"
            elif not await messages.apply_edit(conn, message, action.edited_at):
                return "stale edit"
            key = f"{message_job_key(message.channel_id, message.ts)}:{action.edited_at.timestamp():.6f}"
            await jobs.enqueue(conn, EMBED_JOB, key, {"channel_id": message.channel_id, "ts": message.ts})
            return "edited"
        case events.DeletedMessage(channel_id=channel_id, ts=ts):
            await channels.ensure(conn, channel_id)
            deletion = await messages.mark_deleted(conn, channel_id, ts)
            if deletion is None:
                return "already deleted"
            if deletion.erased:  # its copies elsewhere are forgotten off the ingest path, after its thread's runs
                payload = {"channel_id": channel_id, "ts": ts, "thread_ts": deletion.conversation_ts}
                thread = jobs.thread_key(channel_id, deletion.conversation_ts)
                await jobs.enqueue(conn, FORGET_JOB, message_job_key(channel_id, ts), payload, thread_key=thread)
            return "deleted"
        case events.ReactionChanged(reaction=reaction, added=True):
            if not await reactions.add(conn, reaction):
                return "duplicate"
            if reaction.reaction in APPROVING_REACTIONS:
                key = f"{reaction.channel_id}:{reaction.message_ts}:{reaction.user_id}"
                thread = await jobs.thread_key_of_post(conn, reaction.channel_id, reaction.message_ts)
                await jobs.enqueue(conn, APPROVAL_JOB, key, reaction.model_dump(), thread_key=thread)
                return "reaction added, approval job queued"
            return "reaction added"
        case events.ReactionChanged(reaction=reaction):
            return "reaction removed" if await reactions.remove(conn, reaction) else "unknown reaction"
        case events.BotJoinedChannel(channel_id=channel_id, team_id=team_id):
            await channels.ensure(conn, channel_id, team_id=team_id)
            await jobs.enqueue(conn, ONBOARD_JOB, channel_id, {"channel_id": channel_id})
            return "onboarding queued"
        case events.ChannelRenamed(channel_id=channel_id, name=name):
            await channels.rename(conn, channel_id, name)
            return "renamed"
        case events.ChannelArchived(channel_id=channel_id, archived=archived):
            await channels.set_archived(conn, channel_id, archived)
            return "archived" if archived else "unarchived"
    raise AssertionError(f"unhandled action {type(action).__name__}")


def _describe(payload: Any) -> str:
    """Event type and id for a log line: enough to find the event, nothing of what it says."""
    if not isinstance(payload, dict):
        return f"a {type(payload).__name__}"
    event = payload.get("event")
    kind = event.get("type") if isinstance(event, dict) else None
    subtype = event.get("subtype") if isinstance(event, dict) else None
    return f"type={kind!r} subtype={subtype!r} event_id={payload.get('event_id')!r}"


async def enqueue_onboarding(pool: AsyncConnectionPool, channel_ids: list[str], team_id: str | None) -> int:
    """Queue onboarding for channels the bot is in (each channel once, ever); returns how many were new."""
    queued = 0
    async with pool.connection() as conn, conn.transaction():
        for channel_id in channel_ids:
            await channels.ensure(conn, channel_id, team_id=team_id)
            queued += await jobs.enqueue(conn, ONBOARD_JOB, channel_id, {"channel_id": channel_id}) is not None
    return queued
