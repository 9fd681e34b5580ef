"""Fault injection: answers that go missing after the method acted (500, a dropped connection) or before (503)."""

from __future__ import annotations

import pytest
from aiohttp import ServerDisconnectedError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackSimulator


@pytest.fixture
def client(sim: SlackSimulator) -> AsyncWebClient:
    """A client that never resends, so each call shows what the simulator answered."""
    return AsyncWebClient(token=sim.bot_token, base_url=sim.api_url, retry_handlers=[])


async def test_lost_answers_come_in_the_order_queued_and_only_the_503_leaves_nothing_done(
    sim: SlackSimulator, client: AsyncWebClient
) -> None:
    ops = sim.workspace.channel("ops").id
    sim.lose_responses("chat.postMessage", 1, how="500")
    sim.lose_responses("chat.postMessage", 1, how="drop")
    sim.lose_responses("chat.postMessage", 1, how="503")
    with pytest.raises(SlackApiError) as fatal:
        await client.chat_postMessage(channel=ops, text="first")
    assert fatal.value.response.status_code == 500
    assert fatal.value.response.data == {"ok": False, "error": "fatal_error"}
    with pytest.raises(ServerDisconnectedError):
        await client.chat_postMessage(channel=ops, text="second")
    with pytest.raises(SlackApiError) as unavailable:
        await client.chat_postMessage(channel=ops, text="third")
    assert unavailable.value.response.status_code == 503
    assert unavailable.value.response.data == {"ok": False, "error": "service_unavailable"}
    assert (await client.chat_postMessage(channel=ops, text="fourth"))["ok"] is True, "the server survived the drop"

    assert [m["text"] for m in sim.bot_messages(ops)] == ["first", "second", "fourth"]
    calls = sim.calls_to("chat.postMessage")
    assert [(c.lost, c.status, c.ok) for c in calls] == [
        ("500", 200, True),
        ("drop", 200, True),
        ("503", 503, False),
        (None, 200, True),
    ]
    assert calls[0].response["ts"] == sim.bot_messages(ops)[0]["ts"], "the call records what the method did"


async def test_faults_belong_to_their_method_and_skip_rate_limited_calls(
    sim: SlackSimulator, client: AsyncWebClient
) -> None:
    ops = sim.workspace.channel("ops").id
    sim.force_rate_limit("chat.postMessage", 1)
    sim.lose_responses("chat.postMessage", 1, how="500")
    assert (await client.conversations_history(channel=ops))["ok"] is True
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel=ops, text="limited")
    assert limited.value.response.status_code == 429
    with pytest.raises(SlackApiError) as fatal:
        await client.chat_postMessage(channel=ops, text="acted")
    assert fatal.value.response.status_code == 500
    assert (await client.chat_postMessage(channel=ops, text="answered"))["ok"] is True
    assert [c.lost for c in sim.calls] == [None, None, "500", None]
    assert [m["text"] for m in sim.bot_messages(ops)] == ["acted", "answered"]
