"""The slack-bolt app: every event is acknowledged once ingest has committed it to the database.

Acknowledging after the commit means an event is either stored or redelivered by Slack: a crash between receipt
and storage loses nothing. Ingest takes milliseconds, well inside Slack's 3 s. Bolt still verifies signatures and
timestamps (HTTP mode), answers url_verification and authorizes the request before the middleware runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient as SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

Ingest = Callable[[Any], Awaitable[str]]
"""Stores what one Events API payload says (jobs/ingest.py); returns a short outcome for logs."""


def build_slack_app(client: AsyncWebClient, ingest: Ingest, *, signing_secret: str | None) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,  # HTTP mode; Socket Mode needs no signatures
        ignoring_self_events_enabled=False,  # our own posts are stored (thread context); ingest starts no work
        logger=logging.getLogger("ratchet.slack.bolt"),
    )

    @app.middleware
    async def store_every_event(body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Every Events API payload goes to ingest, even one bolt could not route (a malformed one is logged
        there and acknowledged, so Slack stops redelivering it)."""
        if body.get("type") != "event_callback":
            return await next()
        outcome = await ingest(body)
        log.debug("event %s: %s", body.get("event_id"), outcome)
        return BoltResponse(status=200, body="")

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("could not handle event %s: %s: %s", body.get("event_id"), type(error).__name__, error)

    return app


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, except that an envelope bolt cannot even parse (a malformed event makes it
    raise before any middleware) still goes to ingest, which logs and drops it, and is then acknowledged.
    Only a failure of ingest itself (say, the database is down) leaves it unacknowledged for Slack to redeliver."""

    def __init__(self, app: AsyncApp, app_token: str, ingest: Ingest) -> None:
        super().__init__(app, app_token)
        self.ingest = ingest

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        try:
            await super().handle(client, req)
        except ConnectionError:
            raise  # the acknowledgement could not be sent: Slack redelivers, nothing to decide
        except Exception as error:
            if req.type != "events_api":
                raise
            log.warning("bolt could not read an event (%s: %s); ingest decides", type(error).__name__, error)
            await self.ingest(req.payload)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
