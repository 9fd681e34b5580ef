"""Socket Mode: hello, envelopes, acks, redelivery, several connections; slack_sdk's client and a bolt app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackSimulator
from tests.slack_sim_support import RawSocketApp


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    async with SlackSimulator(ack_timeout=0.25, max_retries=2) as simulator:
        yield simulator


async def test_hello_envelope_and_ack(sim: SlackSimulator) -> None:
    app = await RawSocketApp(sim).connect()
    try:
        assert app.hello == {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "applink-sim-1", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": sim.app_id},
        }
        ts = await sim.post_message("#ops", "deploy done", user="tom")
        await sim.wait_for(lambda: len(app.envelopes) == 1)
        envelope = app.envelopes[0]
        assert set(envelope) == {
            "envelope_id",
            "payload",
            "type",
            "accepts_response_payload",
            "retry_attempt",
            "retry_reason",
        }
        assert envelope["type"] == "events_api" and envelope["accepts_response_payload"] is False
        assert envelope["retry_attempt"] == 0 and envelope["retry_reason"] == ""
        assert envelope["payload"]["event"]["ts"] == ts
        await sim.idle(5)
        (delivery,) = sim.deliveries
        assert delivery.mode == "socket" and delivery.acked and delivery.done and len(delivery.attempts) == 1
        assert delivery.event_id == envelope["payload"]["event_id"]
    finally:
        await app.close()


async def test_redelivery_until_acked_or_out_of_retries(sim: SlackSimulator) -> None:
    app = await RawSocketApp(sim, auto_ack=False).connect()
    try:
        await sim.post_message("#ops", "nobody acks this", user="tom")
        await sim.idle(5)
        assert [e["retry_attempt"] for e in app.envelopes] == [0, 1, 2]
        assert [e["retry_reason"] for e in app.envelopes] == ["", "timeout", "timeout"]
        assert len({e["payload"]["event_id"] for e in app.envelopes}) == 1
        assert len({e["envelope_id"] for e in app.envelopes}) == 3
        (delivery,) = sim.deliveries
        assert not delivery.acked and delivery.done and delivery.retry_reasons == ["timeout", "timeout"]
        assert delivery.error == "not acknowledged after 3 attempts"

        # acking the second attempt ends it there
        await sim.post_message("#ops", "ack the retry", user="tom")
        await sim.wait_for(lambda: len(app.envelopes) == 5)
        await app.ack(app.envelopes[-1]["envelope_id"])
        await sim.idle(5)
        assert len(app.envelopes) == 5
        assert sim.deliveries[-1].acked and [a.outcome for a in sim.deliveries[-1].attempts] == ["no_ack", "acked"]
    finally:
        await app.close()


async def test_connections_share_the_events(sim: SlackSimulator) -> None:
    first = await RawSocketApp(sim).connect()
    second = await RawSocketApp(sim).connect()
    try:
        assert (first.hello or {})["num_connections"] == 1 and (second.hello or {})["num_connections"] == 2
        for i in range(4):
            await sim.post_message("#ops", f"event {i}", user="tom")
        await sim.idle(5)
        assert len(first.envelopes) == 2 and len(second.envelopes) == 2
    finally:
        await first.close()
        await second.close()


async def test_ping_pong_and_bad_tickets(sim: SlackSimulator) -> None:
    app = await RawSocketApp(sim, auto_ack=False).connect()
    assert app.ws is not None and app._reader is not None
    app._reader.cancel()
    try:
        await app.ws.ping(b"sdk-ping-pong:123")
        pong = await app.ws.receive(timeout=5)
        assert pong.type == aiohttp.WSMsgType.PONG and pong.data == b"sdk-ping-pong:123"
        await app.ws.send_str("not json")  # ignored, the connection stays up
        await app.ws.send_str(json.dumps({"envelope_id": "never-sent"}))
        await sim.wait_for(lambda: len(sim.dispatcher.unknown_acks) == 1)
        assert sim.hub.ignored_frames == ["not json"]
        assert sim.socket_connections == 1
    finally:
        await app.close()
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await http.ws_connect(f"ws://{sim.base_url.split('//')[1]}/link/?ticket=forged")
        assert caught.value.status == 401


async def test_slack_sdk_socket_mode_client(sim: SlackSimulator) -> None:
    received: list[dict[str, Any]] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request.payload)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = SocketModeClient(app_token=sim.app_token, web_client=AsyncWebClient(base_url=sim.api_url))
    client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    await client.connect()
    try:
        await sim.wait_for(lambda: sim.socket_connections == 1)
        ts = await sim.post_message("#alerts", "hello socket", user="priya")
        await sim.wait_for(lambda: len(received) == 1)
        assert received[0]["event"]["ts"] == ts and received[0]["type"] == "event_callback"
        await sim.idle(5)
        assert sim.deliveries[0].acked and len(sim.deliveries[0].attempts) == 1

        # Slack asks clients to reconnect every few hours; slack_sdk does so and keeps receiving
        await sim.request_socket_refresh()
        await sim.wait_for(lambda: len(sim.calls_to("apps.connections.open")) == 2 and sim.socket_connections == 1)
        await sim.post_message("#alerts", "after refresh", user="priya")
        await sim.wait_for(lambda: len(received) == 2)
    finally:
        await client.close()


async def test_bolt_app_over_socket_mode(sim: SlackSimulator) -> None:
    web = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
    app = AsyncApp(client=web)
    seen: list[dict[str, Any]] = []

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        seen.append(event)
        if event.get("text") == "ping":
            await say(text="pong", thread_ts=event["ts"])

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        seen.append(event)

    handler = AsyncSocketModeHandler(app, sim.app_token)
    await handler.connect_async()
    try:
        await sim.wait_for(lambda: sim.socket_connections == 1)
        ping = await sim.post_message("#ops", "ping", user="amara")
        (pong,) = await sim.wait_for_bot_messages(1, channel="ops", thread_ts=ping)
        assert pong["text"] == "pong"
        mention = await sim.post_message("#ops", f"<@{sim.bot_user_id}> status?", user="amara")
        await sim.wait_for(lambda: any(e["type"] == "app_mention" for e in seen))
        await sim.idle(5)

        # Slack sends the bot its own reply too (with its bot_id); bolt's ignoring-self middleware drops it
        own = [d for d in sim.deliveries if d.payload["event"].get("bot_id") == sim.bot_id]
        assert len(own) == 1 and own[0].acked
        assert own[0].payload["event"]["user"] == sim.bot_user_id
        assert [(e["type"], e["ts"]) for e in seen] == [
            ("message", ping),
            ("message", mention),
            ("app_mention", mention),
        ]
        assert all(d.acked for d in sim.deliveries)
    finally:
        await handler.close_async()
    await asyncio.sleep(0)
