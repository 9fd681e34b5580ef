"""Rate limits: 429 + Retry-After, slack_sdk's retry handler getting through, and the tiers themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackSimulator
from ratchet.slack_sim.rate_limits import METHOD_TIERS, TIER_2, RateLimiter
from ratchet.slack_sim.web_api import implemented_methods


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    async with SlackSimulator(connect_wait=0.1) as simulator:
        yield simulator


async def test_forced_429_and_the_retry_handler_gets_through(sim: SlackSimulator) -> None:
    alerts = sim.workspace.channel("alerts").id
    sim.force_rate_limit("chat.postMessage", 1, retry_after=1)
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            sim.api_url + "chat.postMessage",
            json={"channel": alerts, "text": "x"},
            headers={"Authorization": f"Bearer {sim.bot_token}"},
        ) as resp,
    ):
        assert resp.status == 429 and resp.headers["Retry-After"] == "1"
        assert await resp.json() == {"ok": False, "error": "ratelimited"}

    plain = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
    sim.force_rate_limit("chat.postMessage", 1, retry_after=1)
    with pytest.raises(SlackApiError) as caught:
        await plain.chat_postMessage(channel=alerts, text="no retry handler")
    assert caught.value.response.status_code == 429 and caught.value.response["error"] == "ratelimited"
    assert caught.value.response.headers["Retry-After"] == "1"

    patient = AsyncWebClient(
        token=sim.bot_token, base_url=sim.api_url, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)]
    )
    sim.force_rate_limit("chat.postMessage", 1, retry_after=1)
    posted = await patient.chat_postMessage(channel=alerts, text="after the wait")
    assert posted["ok"] is True
    statuses = [c.status for c in sim.calls_to("chat.postMessage")]
    assert statuses == [429, 429, 429, 200]
    assert [m["text"] for m in sim.bot_messages()] == ["after the wait"]


async def test_post_message_is_limited_per_channel(sim: SlackSimulator) -> None:
    client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
    alerts, ops = sim.workspace.channel("alerts").id, sim.workspace.channel("ops").id
    for i in range(20):  # a short burst is fine
        await client.chat_postMessage(channel=alerts, text=f"burst {i}")
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=alerts, text="one too many")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "1"  # about one message per second per channel
    assert (await client.chat_postMessage(channel=ops, text="another channel"))["ok"] is True


async def test_rate_limits_can_be_off() -> None:
    async with SlackSimulator(rate_limits=False, connect_wait=0.1) as sim:
        client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
        for i in range(30):
            await client.chat_postMessage(channel="#alerts", text=f"flood {i}")
        sim.force_rate_limit("users.list", 2, retry_after=3)  # forcing still works
        for _ in range(2):
            with pytest.raises(SlackApiError, match="ratelimited"):
                await client.users_list()
        assert (await client.users_list())["ok"] is True


def test_tiers_refill_at_their_documented_rate() -> None:
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert all(limiter.check("users.list") is None for _ in range(TIER_2.burst))
    assert limiter.check("users.list") == 3  # Tier 2: 20 per minute, one call every 3 s
    now[0] += 3.0
    assert limiter.check("users.list") is None
    assert limiter.check("users.list") == 3
    assert limiter.check("conversations.history") is None  # each method has its own budget
    assert set(METHOD_TIERS) == set(implemented_methods())
    assert METHOD_TIERS["apps.connections.open"].per_minute == 1
    assert METHOD_TIERS["conversations.history"].per_minute == 50
    assert METHOD_TIERS["users.info"].per_minute == 100
