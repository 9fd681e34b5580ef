"""Reading a channel's history from Slack at the pace Slack allows.

conversations.history and conversations.replies are Tier 3 methods (50+ calls a minute per workspace, short bursts
tolerated): a `Pacer` spaces the calls to that rate, and the client's retry handler waits out any 429 anyway
(its Retry-After honoured), so a busy workspace or a second process slows a walk down without losing a page.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pydantic import BaseModel
from slack_sdk.web.async_client import AsyncWebClient

TIER_3_PER_MINUTE = 50
PAGE_SIZE = 200  # Slack suggests no more than 200 per page for history reads


class Pacer:
    """A token bucket: up to `burst` calls at once, then one every 60/`per_minute` seconds."""

    def __init__(self, per_minute: float = TIER_3_PER_MINUTE, burst: int = 10) -> None:
        self.interval = 60 / per_minute
        self.burst = burst
        self._tokens = float(burst)
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) / self.interval)
            self._updated = now
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) * self.interval)
                self._tokens, self._updated = 1.0, time.monotonic()
            self._tokens -= 1


class HistoryPage(BaseModel):
    """One page of conversations.history: top-level messages, newest first, and where the next page starts."""

    messages: list[dict[str, Any]]
    next_cursor: str | None


async def history_page(
    slack: AsyncWebClient, pacer: Pacer, channel_id: str, *, oldest: str | None, cursor: str | None, limit: int
) -> HistoryPage:
    await pacer.wait()
    response = await slack.conversations_history(
        channel=channel_id, oldest=oldest or "0", cursor=cursor or None, limit=min(limit, PAGE_SIZE)
    )
    next_cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
    return HistoryPage(
        messages=list(response.get("messages", [])), next_cursor=next_cursor if response.get("has_more") else None
    )


async def thread_replies(
    slack: AsyncWebClient, pacer: Pacer, channel_id: str, thread_ts: str, *, oldest: str | None = None
) -> list[dict[str, Any]]:
    """Every reply of a thread (after `oldest` when given), oldest first; the parent, which leads each page, is left
    out."""
    replies: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        await pacer.wait()
        response = await slack.conversations_replies(
            channel=channel_id, ts=thread_ts, oldest=oldest or thread_ts, cursor=cursor, limit=PAGE_SIZE
        )
        replies += [m for m in response.get("messages", []) if m.get("ts") != thread_ts]
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not response.get("has_more") or cursor is None:
            return replies


async def member_channel_ids(slack: AsyncWebClient) -> list[str]:
    """The public and private channels the bot is a member of."""
    member_of = []
    async for page in await slack.conversations_list(
        types="public_channel,private_channel", exclude_archived=True, limit=200
    ):
        member_of += [channel["id"] for channel in page.get("channels", []) if channel.get("is_member")]
    return member_of


async def find_channel_id(slack: AsyncWebClient, ref: str) -> str | None:
    """A channel's id from its id or name (`#ops` or `ops`), among the channels the bot can list."""
    name = ref.removeprefix("#")
    async for page in await slack.conversations_list(types="public_channel,private_channel", limit=200):
        for channel in page.get("channels", []):
            if name in (channel.get("id"), channel.get("name")):
                return str(channel["id"])
    return None
