"""Slack acted but its answer was lost (HTTP 500, a dropped connection, a timeout): the bot's replies are still
posted once. The client resends only what cannot act twice (reads, 429s, connections never made); the poster
looks for its message in the thread before posting again."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import ClientError
from psycopg_pool import AsyncConnectionPool
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.bot import running_bot
from ratchet.config import Settings
from ratchet.slack.client import make_slack_client
from ratchet.slack.posting import PostOutcomeUnknown, Reply, SlackPoster
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import posts
from tests.helpers import wait_until
from tests.test_serve import free_port
from tests.test_slack_bot import rows, settings_for

RECOVERED = "found the message in the thread, not posting it again"
POSTED_AGAIN = "not in the thread, posting again"


def bot_client(sim: SlackSimulator) -> AsyncWebClient:
    """The client the bot runs with, retry handlers and all."""
    return make_slack_client(Settings(_env_file=None, slack_bot_token=sim.bot_token, slack_api_url=sim.api_url))


async def question(sim: SlackSimulator, text: str) -> Reply:
    ops = sim.workspace.channel("ops").id
    parent = await sim.post_message(ops, text, user="amara")
    return Reply(channel_id=ops, thread_ts=parent, module="commands", markdown="checking", key=f"lost:{parent}")


def lost_and_sent(sim: SlackSimulator, method: str) -> list[tuple[str | None, int]]:
    return [(call.lost, call.status) for call in sim.calls_to(method)]


async def jobs_settled(pool: AsyncConnectionPool, expected: int) -> bool:
    done = await rows(pool, "SELECT count(*) FROM jobs WHERE kind = 'message' AND status = 'done'")
    unsettled = await rows(pool, "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
    return done == [(expected,)] and unsettled == [(0,)]


async def test_lost_answers_to_the_bots_posts_leave_one_reply_each(
    sim: SlackSimulator, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """16 mentions, and the first 16 chat.postMessage calls act but answer 500 or drop the connection.
    Before the client stopped resending posts: 13 duplicate messages."""
    caplog.set_level(logging.INFO, logger="ratchet.slack.posting")
    for how in ["500", "drop"] * 8:
        sim.lose_responses("chat.postMessage", 1, how=how)
    channels = [sim.workspace.channel("alerts").id, sim.workspace.channel("ops").id]
    async with running_bot(settings_for(sim, database_url)) as bot:
        asked = []
        for n in range(16):
            channel = channels[n % 2]
            asked.append((channel, await sim.post_message(channel, f"<@{sim.bot_user_id}> is db-{n} up?", user="mei")))
        await wait_until(lambda: jobs_settled(bot.runtime.pool, 16), timeout=90)
        await sim.idle()
        posted = await rows(bot.runtime.pool, "SELECT status, count(*) FROM bot_posts GROUP BY status")
        retried = await rows(bot.runtime.pool, "SELECT count(*) FROM jobs WHERE kind = 'message' AND attempts > 1")
    replies = [len(sim.bot_messages(channel, thread_ts=ts)) for channel, ts in asked]
    assert sum(call.lost is not None for call in sim.calls_to("chat.postMessage")) == 16
    assert replies == [1] * 16, f"{sum(replies) - 16} duplicate message(s)"
    assert posted == [("posted", 16)]
    assert retried == [(0,)], "each lost answer was settled within its post, not by retrying the job"
    assert caplog.text.count(RECOVERED) == 16


async def test_a_post_slack_never_acted_on_is_posted_again(
    sim: SlackSimulator, pool: AsyncConnectionPool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ratchet.slack.posting")
    reply = await question(sim, "is checkout degraded?")
    sim.lose_responses("chat.postMessage", 1, how="503")
    [ts] = await SlackPoster(bot_client(sim), pool).post(reply)
    assert [m["ts"] for m in sim.bot_messages(reply.channel_id, thread_ts=reply.thread_ts)] == [ts]
    assert lost_and_sent(sim, "chat.postMessage") == [("503", 503), (None, 200)]
    assert caplog.text.count(POSTED_AGAIN) == 1


async def test_a_post_whose_thread_cannot_be_read_is_left_for_the_jobs_next_attempt(
    sim: SlackSimulator, pool: AsyncConnectionPool
) -> None:
    """The answer is lost and the thread cannot be read (the client's 3 retries too): the post raises, stays
    pending, and the next attempt finds the message instead of posting it again."""
    reply = await question(sim, "did the 14:00 deploy finish?")
    sim.lose_responses("chat.postMessage", 1, how="500")
    sim.lose_responses("conversations.replies", 4, how="503")
    poster = SlackPoster(bot_client(sim), pool)
    with pytest.raises(PostOutcomeUnknown, match="thread cannot be read"):
        await poster.post(reply)
    async with pool.connection() as conn:
        pending = await posts.get(conn, f"{reply.key}:0")
    assert pending is not None and pending.status == "pending"
    [landed] = sim.bot_messages(reply.channel_id, thread_ts=reply.thread_ts)
    assert await poster.post(reply) == [landed["ts"]]
    assert len(sim.bot_messages(reply.channel_id, thread_ts=reply.thread_ts)) == 1
    assert len(sim.calls_to("chat.postMessage")) == 1


async def test_a_post_that_timed_out_is_found_not_posted_again(
    sim: SlackSimulator, pool: AsyncConnectionPool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ratchet.slack.posting")
    reply = await question(sim, "who is on call for payments?")
    client = bot_client(sim)
    client.timeout = 1
    sim.delay_responses("chat.postMessage", 2)
    [ts] = await SlackPoster(client, pool).post(reply)
    assert [m["ts"] for m in sim.bot_messages(reply.channel_id, thread_ts=reply.thread_ts)] == [ts]
    assert "lost (TimeoutError)" in caplog.text and RECOVERED in caplog.text


async def test_a_429_is_still_waited_out_by_the_client_and_posts_once(
    sim: SlackSimulator, pool: AsyncConnectionPool, caplog: pytest.LogCaptureFixture
) -> None:
    """A 429 means Slack did not act: the client waits Retry-After and sends the post again."""
    caplog.set_level(logging.WARNING, logger="ratchet.slack.posting")
    reply = await question(sim, "can someone look at the queue depth?")
    sim.force_rate_limit("chat.postMessage", 2, retry_after=1)
    [ts] = await SlackPoster(bot_client(sim), pool).post(reply)
    assert [m["ts"] for m in sim.bot_messages(reply.channel_id, thread_ts=reply.thread_ts)] == [ts]
    assert [call.status for call in sim.calls_to("chat.postMessage")] == [429, 429, 200]
    assert "lost" not in caplog.text


async def test_reads_are_resent_after_5xx_and_dropped_connections_posts_are_not(sim: SlackSimulator) -> None:
    client = bot_client(sim)
    ops = sim.workspace.channel("ops").id
    parent = await sim.post_message(ops, "pg-main-2 replica lag 40s", user="tom")
    sim.lose_responses("conversations.replies", 1, how="500")
    sim.lose_responses("conversations.replies", 1, how="drop")
    sim.lose_responses("conversations.history", 2, how="503")
    assert [m["ts"] for m in (await client.conversations_replies(channel=ops, ts=parent))["messages"]] == [parent]
    assert [m["ts"] for m in (await client.conversations_history(channel=ops))["messages"]] == [parent]
    assert lost_and_sent(sim, "conversations.replies") == [("500", 200), ("drop", 200), (None, 200)]
    assert lost_and_sent(sim, "conversations.history") == [("503", 503), ("503", 503), (None, 200)]

    for how in ("500", "drop", "503"):
        sim.lose_responses("chat.postMessage", 1, how=how)
        with pytest.raises((SlackApiError, ClientError)):
            await client.chat_postMessage(channel=ops, thread_ts=parent, text=f"answer lost by {how}")
    assert lost_and_sent(sim, "chat.postMessage") == [("500", 200), ("drop", 200), ("503", 503)], "each sent once"
    assert len(sim.bot_messages(ops, thread_ts=parent)) == 2


async def test_a_post_whose_connection_was_never_made_is_sent_again() -> None:
    """Connection refused: the request never left, so the client may send the post again."""
    port = free_port()
    sim = SlackSimulator(connect_wait=0.1)
    client = make_slack_client(
        Settings(_env_file=None, slack_bot_token=sim.bot_token, slack_api_url=f"http://127.0.0.1:{port}/api/")
    )
    posting = asyncio.create_task(client.chat_postMessage(channel="#ops", text="posted after a refusal"))
    await asyncio.sleep(0.2)  # the first attempt is refused; the client's next one comes after 0.5 s
    async with await sim.start(port=port):
        assert (await posting)["ok"] is True
        assert [m["text"] for m in sim.bot_messages()] == ["posted after a refusal"]
        assert len(sim.calls_to("chat.postMessage")) == 1
