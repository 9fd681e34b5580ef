"""Posting replies: to Slack exactly once per idempotency key, or to the terminal in a dry run.

Each Slack message is reserved in `bot_posts` under its key before the call and confirmed after it. The key also
travels with the message as Slack message metadata, so when a crash left a reservation pending, the poster can
look in the thread for a message carrying that key instead of posting a second one. The same look settles a post
whose answer was lost (a 5xx, a dropped connection, a timeout: Slack may have posted it), which the client does not
resend (ratchet.slack.client).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import Any

from aiohttp import ClientError
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel
from rich.console import Console
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.redact import redact
from ratchet.slack.formatting import SlackPost, render_reply
from ratchet.storage import posts

METADATA_EVENT_TYPE = "ratchet_post"
POST_ATTEMPTS = 3
LOOKUP_DELAY = 1.0  # seconds between a lost answer and looking for the post, for Slack to finish what it was doing
# Slack documents these as "it's possible some aspect of the operation succeeded before the error was raised".
MAY_HAVE_ACTED = frozenset({"fatal_error", "internal_error"})
SLACK_CALL_ERRORS = (SlackApiError, ClientError, TimeoutError)
log = logging.getLogger(__name__)


class PostOutcomeUnknown(Exception):
    """Slack's answer to a post was lost and the thread does not tell whether it was posted; the reservation stays
    pending, so the job's next attempt looks in the thread again before posting."""


class Reply(BaseModel):
    """Something the bot wants to say: Markdown, where, from which module, under which idempotency key."""

    channel_id: str
    thread_ts: str | None
    module: str
    markdown: str
    key: str  # stable for the same reply of the same job, e.g. "job:42:0"
    job_id: int | None = None


class Poster(ABC):
    @abstractmethod
    async def post(self, reply: Reply) -> list[str]:
        """Post the reply (one or more Slack messages); returns their ts."""


class SlackPoster(Poster):
    def __init__(self, client: AsyncWebClient, pool: AsyncConnectionPool) -> None:
        self.client = client
        self.pool = pool

    async def post(self, reply: Reply) -> list[str]:
        return [await self._post_once(reply, f"{reply.key}:{index}", part) for index, part in enumerate(_parts(reply))]

    async def _post_once(self, reply: Reply, key: str, part: SlackPost) -> str:
        async with self.pool.connection() as conn:
            reservation, new = await posts.reserve(
                conn,
                key=key,
                channel_id=reply.channel_id,
                thread_ts=reply.thread_ts,
                module=reply.module,
                job_id=reply.job_id,
                text=part.text,
                blocks=part.blocks,
            )
        if reservation.status == "posted" and reservation.ts:
            return reservation.ts
        ts = None if new else await self._find_posted(reply, key)
        if ts is not None:
            log.info("found an unconfirmed post already in Slack; not posting it again (%s)", key)
        else:
            ts = await self._post_until_known(reply, key, part)
        async with self.pool.connection() as conn:
            await posts.confirm(conn, key, ts)
        return ts

    async def _post_until_known(self, reply: Reply, key: str, part: SlackPost) -> str:
        """Post; when Slack's answer is lost, look for the key in the thread before posting again."""
        for _ in range(POST_ATTEMPTS):
            try:
                return await self._post(reply, key, part)
            except SLACK_CALL_ERRORS as error:
                if not answer_lost(error):
                    async with self.pool.connection() as conn:
                        await posts.mark_failed(conn, key, slack_error_code(error) or describe(error))
                    raise
                if (ts := await self._look_after_lost_answer(reply, key, error)) is not None:
                    return ts
        raise PostOutcomeUnknown(f"Slack's answers to post {key} were lost {POST_ATTEMPTS} times")

    async def _post(self, reply: Reply, key: str, part: SlackPost) -> str:
        response = await self.client.chat_postMessage(
            channel=reply.channel_id,
            thread_ts=reply.thread_ts,
            text=part.text,
            blocks=part.blocks,
            unfurl_links=False,
            metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": key}},
        )
        return response["ts"]

    async def _look_after_lost_answer(self, reply: Reply, key: str, lost: Exception) -> str | None:
        """The ts of the post whose answer was lost when it is in the thread, None when it is not."""
        await asyncio.sleep(LOOKUP_DELAY)
        try:
            ts = await self._find_posted(reply, key)
        except SLACK_CALL_ERRORS as error:
            raise PostOutcomeUnknown(
                f"Slack's answer to post {key} was lost ({describe(lost)}) and its thread cannot be read"
            ) from error
        outcome = "found the message in the thread, not posting it again" if ts else "not in the thread, posting again"
        log.warning("Slack's answer to a post was lost (%s); %s (%s)", describe(lost), outcome, key)
        return ts

    async def _find_posted(self, reply: Reply, key: str) -> str | None:
        """The ts of a message already in Slack that carries `key` (a post whose confirmation or answer was lost)."""
        if reply.thread_ts:
            response = await self.client.conversations_replies(
                channel=reply.channel_id, ts=reply.thread_ts, include_all_metadata=True, limit=200
            )
        else:
            response = await self.client.conversations_history(
                channel=reply.channel_id, include_all_metadata=True, limit=200
            )
        for message in response.get("messages", []):
            if _metadata_key(message) == key:
                return message["ts"]
        return None


class DryRunPoster(Poster):
    """Prints what would be posted; posts nothing. Used by replay and `--dry-run`."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.posted: list[tuple[Reply, SlackPost]] = []

    async def post(self, reply: Reply) -> list[str]:
        where = f"{reply.channel_id}" + (f" thread {reply.thread_ts}" if reply.thread_ts else "")
        for part in _parts(reply):
            self.posted.append((reply, part))
            self.console.print(f"[dim]would post to {where} ({reply.module}):[/]\n{part.text}", highlight=False)
        return []


def answer_lost(error: Exception) -> bool:
    """Whether Slack may have acted on a call that failed: a 5xx, an error Slack says may follow a partial success,
    a dropped connection or a timeout."""
    if isinstance(error, SlackApiError):
        return error.response.status_code >= 500 or slack_error_code(error) in MAY_HAVE_ACTED
    return isinstance(error, ClientError | TimeoutError)


def slack_error_code(error: Exception) -> str | None:
    data = error.response.data if isinstance(error, SlackApiError) else None
    return data.get("error") if isinstance(data, dict) else None


def describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return f"HTTP {error.response.status_code} {slack_error_code(error) or ''}".rstrip()
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _parts(reply: Reply) -> list[SlackPost]:
    """The reply's Slack messages, with every secret it quotes (a question, a thread's reply) redacted before it is
    stored in `bot_posts` or sent."""
    return render_reply(redact(reply.markdown), module=reply.module)


def _metadata_key(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    return payload.get("key") if isinstance(payload, dict) else None
