"""Events over HTTP: Slack's request signing (checked with slack_sdk's SignatureVerifier), retries with their
headers, url_verification, and a real bolt app in HTTP mode."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackSimulator


@dataclass
class Receiver:
    """An app's Request URL: records each request; answers per `plan` (a status, or "slow"), then 200."""

    plan: list[int | str] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        step = self.plan.pop(0) if self.plan else 200
        if step == "slow":
            await asyncio.sleep(1.0)
            step = 200
        if b'"url_verification"' in body:
            import json

            return web.json_response({"challenge": json.loads(body)["challenge"]})
        return web.Response(status=int(step), text="ok")


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    return runner, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/slack/events", rec.handle)
    runner, base = await _serve(app)
    rec.url = base + "/slack/events"
    try:
        yield rec
    finally:
        await runner.cleanup()


@pytest.fixture
async def sim(receiver: Receiver) -> AsyncIterator[SlackSimulator]:
    async with SlackSimulator(http_retry_delays=(0.05, 0.05, 0.05), http_timeout=0.3) as simulator:
        simulator.events_url = receiver.url
        yield simulator


async def test_signed_post(sim: SlackSimulator, receiver: Receiver) -> None:
    ts = await sim.post_message("#alerts", "disk full", user="amara")
    await sim.idle(5)
    ((headers, body),) = receiver.requests
    verifier = SignatureVerifier(sim.signing_secret)
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier("some-other-secret").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert headers["Content-Type"] == "application/json"
    assert "X-Slack-Retry-Num" not in headers
    assert b'"ts": "' + ts.encode() + b'"' in body
    (delivery,) = sim.deliveries
    assert delivery.mode == "http" and delivery.succeeded and delivery.attempts[0].http_status == 200


async def test_retries_carry_slack_retry_headers(sim: SlackSimulator, receiver: Receiver) -> None:
    receiver.plan = [500, "slow", 503]
    await sim.post_message("#alerts", "flaky app", user="amara")
    await sim.idle(10)
    assert len(receiver.requests) == 4
    retry_headers = [(h.get("X-Slack-Retry-Num"), h.get("X-Slack-Retry-Reason")) for h, _ in receiver.requests]
    assert retry_headers == [(None, None), ("1", "http_error"), ("2", "http_timeout"), ("3", "http_error")]
    assert len({body for _, body in receiver.requests}) == 1  # the same payload, same event_id
    verifier = SignatureVerifier(sim.signing_secret)
    assert all(
        verifier.is_valid(b, h["X-Slack-Request-Timestamp"], h["X-Slack-Signature"]) for h, b in receiver.requests
    )
    (delivery,) = sim.deliveries
    assert delivery.succeeded and delivery.retry_reasons == ["http_error", "http_timeout", "http_error"]
    assert [a.outcome for a in delivery.attempts] == ["http_error", "http_timeout", "http_error", "ok"]

    receiver.plan = [500, 500, 500, 500]
    await sim.post_message("#alerts", "broken app", user="amara")
    await sim.idle(10)
    assert not sim.deliveries[-1].succeeded and sim.deliveries[-1].error == "http_error after 4 attempts"


async def test_unreachable_url_and_url_verification(sim: SlackSimulator, receiver: Receiver) -> None:
    assert await sim.verify_url() is True
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed_port = sock.getsockname()[1]
    sock.close()
    sim.events_url = f"http://127.0.0.1:{closed_port}/slack/events"
    await sim.post_message("#alerts", "nobody listens", user="amara")
    await sim.idle(5)
    assert sim.deliveries[-1].retry_reasons == ["connection_failed"] * 3


async def test_bolt_app_over_http(sim: SlackSimulator) -> None:
    app = AsyncApp(signing_secret=sim.signing_secret, client=AsyncWebClient(token=sim.bot_token, base_url=sim.api_url))
    seen: list[dict[str, Any]] = []

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        seen.append(event)
        await say(text="seen", thread_ts=event["ts"])

    runner, base = await _serve(app.web_app(path="/slack/events"))
    try:
        sim.events_url = base + "/slack/events"
        assert await sim.verify_url() is True
        ts = await sim.post_message("#ops", "over http", user="diego")
        await sim.wait_for_bot_messages(1, thread_ts=ts)
        await sim.idle(5)
        assert [e["ts"] for e in seen] == [ts]  # the bot's own reply came back over HTTP and bolt ignored it
        assert len(sim.deliveries) == 2 and all(d.succeeded and d.mode == "http" for d in sim.deliveries)
    finally:
        await runner.cleanup()
