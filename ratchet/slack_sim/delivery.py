"""Delivering Events API payloads to the app: Socket Mode envelopes with ack and redelivery, or signed HTTP POSTs to
the request URL with Slack's retry headers. Every delivery is recorded."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import string
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, Field, PrivateAttr

from ratchet.slack_sim.socket_mode import SocketModeHub

log = logging.getLogger(__name__)

Mode = Literal["socket", "http"]
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


class DeliveryAttempt(BaseModel):
    retry_attempt: int
    mode: Mode
    sent_at: float
    retry_reason: str = ""
    envelope_id: str | None = None
    connection_id: str | None = None
    http_status: int | None = None
    outcome: str = "pending"  # acked | no_ack | ok | http_error | http_timeout | connection_failed


class Delivery(BaseModel):
    """One event's journey to the app."""

    event_id: str
    event_type: str | None
    payload: dict[str, Any]
    mode: Mode | None = None
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    acked: bool = False
    succeeded: bool = False
    done: bool = False
    retry_reasons: list[str] = Field(default_factory=list)
    error: str | None = None
    ack_payload: dict[str, Any] | None = None

    _acked: asyncio.Event = PrivateAttr(default_factory=asyncio.Event)
    _finished: asyncio.Event = PrivateAttr(default_factory=asyncio.Event)

    def finish(self, *, error: str | None = None) -> None:
        self.done = True
        self.error = error
        self._finished.set()

    async def wait(self, timeout: float | None = None) -> Delivery:
        await asyncio.wait_for(self._finished.wait(), timeout)
        return self


def new_event_id() -> str:
    return "Ev" + "0" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(9))


def _event_channel(event: dict[str, Any]) -> str:
    channel = event.get("channel")
    if isinstance(channel, dict):
        return str(channel.get("id", ""))
    if isinstance(channel, str):
        return channel
    item = event.get("item")
    return str(item.get("channel", "")) if isinstance(item, dict) else ""


def event_callback(
    event: dict[str, Any], *, team_id: str, app_id: str, bot_user_id: str, verification_token: str
) -> dict[str, Any]:
    """The outer Events API payload, as in Slack's current deliveries (authorizations, event_context...)."""
    context = {"et": event.get("type"), "tid": team_id, "aid": app_id, "cid": _event_channel(event)}
    encoded = base64.urlsafe_b64encode(json.dumps(context, separators=(",", ":")).encode()).decode().rstrip("=")
    return {
        "token": verification_token,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": app_id,
        "event": event,
        "type": "event_callback",
        "event_id": new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + encoded,
    }


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """X-Slack-Signature: v0= + HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class Dispatcher:
    def __init__(
        self,
        hub: SocketModeHub,
        *,
        signing_secret: str,
        events_url: Callable[[], str | None],
        ack_timeout: float = 3.0,
        max_retries: int = 3,
        http_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0),
        http_timeout: float = 3.0,
        connect_wait: float = 10.0,
    ) -> None:
        self.hub = hub
        self.signing_secret = signing_secret
        self._events_url = events_url
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self.http_retry_delays = http_retry_delays or (0.0,)
        self.http_timeout = http_timeout
        self.connect_wait = connect_wait
        self.deliveries: list[Delivery] = []
        self._envelopes: dict[str, Delivery] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self.unknown_acks: list[dict[str, Any]] = []

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for delivery in self.deliveries:
            if not delivery.done:
                delivery.finish(error="simulator stopped")
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def idle(self, timeout: float | None = None) -> None:
        """Wait until every delivery so far is finished (acked, succeeded, or out of retries)."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- dispatch ----------------------------------------------------------------------------------------------

    async def dispatch(self, payload: dict[str, Any]) -> Delivery:
        event = payload.get("event")
        delivery = Delivery(
            event_id=str(payload.get("event_id", "")),
            event_type=event.get("type") if isinstance(event, dict) else None,
            payload=payload,
        )
        self.deliveries.append(delivery)
        connection = self.hub.next_connection()
        if connection is not None:
            # First attempt sent before returning, so events reach the app in the order they happened.
            envelope_id = await self._send_envelope(delivery, connection, 0, "")
            self._spawn(self._run_socket(delivery, envelope_id))
        else:
            self._spawn(self._run_later(delivery))
        return delivery

    def on_ack(self, envelope_id: str, message: dict[str, Any]) -> None:
        delivery = self._envelopes.get(envelope_id)
        if delivery is None:
            self.unknown_acks.append(message)
            return
        for attempt in delivery.attempts:
            if attempt.envelope_id == envelope_id:
                attempt.outcome = "acked"
        delivery.acked = True
        delivery.succeeded = True
        if isinstance(message.get("payload"), dict):
            delivery.ack_payload = message["payload"]
        delivery._acked.set()

    async def _run_later(self, delivery: Delivery) -> None:
        """No socket client connected and no request URL yet: wait a while for either."""
        deadline = time.monotonic() + self.connect_wait
        while time.monotonic() < deadline:
            if self.hub.connected:
                await self._run_socket(delivery, None)
                return
            if self._events_url():
                await self._run_http(delivery)
                return
            await asyncio.sleep(0.02)
        delivery.finish(error="no Socket Mode connection and no events_url")

    # -- Socket Mode ---------------------------------------------------------------------------------------------

    async def _send_envelope(self, delivery: Delivery, connection: Any, attempt: int, reason: str) -> str:
        envelope_id = str(uuid.uuid4())
        delivery.mode = "socket"
        self._envelopes[envelope_id] = delivery
        delivery.attempts.append(
            DeliveryAttempt(
                retry_attempt=attempt,
                mode="socket",
                sent_at=time.time(),
                retry_reason=reason,
                envelope_id=envelope_id,
                connection_id=connection.id,
            )
        )
        if reason:
            delivery.retry_reasons.append(reason)
        envelope = {
            "envelope_id": envelope_id,
            "payload": delivery.payload,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": attempt,
            "retry_reason": reason,
        }
        if not await self.hub.send(connection, envelope):
            delivery.attempts[-1].outcome = "send_failed"
        return envelope_id

    async def _run_socket(self, delivery: Delivery, first_envelope: str | None) -> None:
        attempt = 0
        if first_envelope is None:
            connection = self.hub.next_connection()
            if connection is None:
                delivery.finish(error="Socket Mode connection lost")
                return
            await self._send_envelope(delivery, connection, 0, "")
        while True:
            try:
                await asyncio.wait_for(delivery._acked.wait(), self.ack_timeout)
            except TimeoutError:
                for a in delivery.attempts:
                    if a.outcome == "pending":
                        a.outcome = "no_ack"
            else:
                delivery.finish()
                return
            if attempt >= self.max_retries:
                delivery.finish(error=f"not acknowledged after {attempt + 1} attempts")
                return
            attempt += 1
            connection = self.hub.next_connection()
            if connection is None:
                if self._events_url():
                    await self._run_http(delivery, first_attempt=attempt, reason="timeout")
                    return
                deadline = time.monotonic() + self.ack_timeout
                while connection is None and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                    connection = self.hub.next_connection()
                if connection is None:
                    delivery.finish(error="Socket Mode connection lost")
                    return
            await self._send_envelope(delivery, connection, attempt, "timeout")

    # -- HTTP request URL --------------------------------------------------------------------------------------

    async def post_signed(self, url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        timestamp = str(int(time.time()))
        all_headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
            **(headers or {}),
        }
        timeout = aiohttp.ClientTimeout(total=self.http_timeout)
        async with self._session.post(url, data=body, headers=all_headers, timeout=timeout) as response:
            return response.status, await response.text()

    async def _run_http(self, delivery: Delivery, *, first_attempt: int = 0, reason: str = "") -> None:
        body = json.dumps(delivery.payload).encode()
        attempt = first_attempt
        while True:
            url = self._events_url()
            if not url:
                delivery.finish(error="events_url unset")
                return
            delivery.mode = "http"
            headers: dict[str, str] = {}
            if attempt > 0:
                headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason}
                delivery.retry_reasons.append(reason)
            record = DeliveryAttempt(retry_attempt=attempt, mode="http", sent_at=time.time(), retry_reason=reason)
            delivery.attempts.append(record)
            try:
                status, _ = await self.post_signed(url, body, headers)
            except TimeoutError:
                record.outcome = reason = "http_timeout"
            except aiohttp.ClientError as exc:
                log.debug("event POST to %s failed: %s", url, exc)
                record.outcome = reason = "connection_failed"
            else:
                record.http_status = status
                if 200 <= status < 300:
                    record.outcome = "ok"
                    delivery.succeeded = True
                    delivery.finish()
                    return
                record.outcome = reason = "http_error"
            if attempt >= self.max_retries:
                delivery.finish(error=f"{reason} after {attempt + 1} attempts")
                return
            await asyncio.sleep(self.http_retry_delays[min(attempt, len(self.http_retry_delays) - 1)])
            attempt += 1
