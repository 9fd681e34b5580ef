"""The slack-bolt app: every event is acknowledged once ingest has committed it to the database.

Acknowledging after the commit (`process_before_response`) means an event is either stored or redelivered by
Slack: a crash between receipt and storage loses nothing. Ingest takes milliseconds, well inside Slack's 3 s.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from psycopg_pool import AsyncConnectionPool
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.agent.events import BotIdentity
from ratchet.agent.ingest import ingest

log = logging.getLogger(__name__)


def build_slack_app(
    client: AsyncWebClient, pool: AsyncConnectionPool, bot: BotIdentity, *, signing_secret: str | None
) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,  # HTTP mode; Socket Mode needs no signatures
        process_before_response=True,
        ignoring_self_events_enabled=False,  # our own posts are stored (thread context); ingest starts no work
        logger=logging.getLogger("ratchet.slack"),
    )

    @app.event(re.compile(".*"))
    async def on_event(body: dict[str, Any]) -> None:
        outcome = await ingest(pool, body, bot)
        log.debug("event %s: %s", body.get("event_id"), outcome)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("could not handle event %s: %s: %s", body.get("event_id"), type(error).__name__, error)

    return app
