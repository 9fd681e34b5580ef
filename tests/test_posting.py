"""Posting replies: once per idempotency key to Slack (the simulator), or to the terminal in a dry run."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool
from rich.console import Console
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack.formatting import module_of
from ratchet.slack.posting import DryRunPoster, Reply, SlackPoster
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import posts
from tests.conftest import DATA

RUNBOOKS = sorted((DATA / "runbooks").glob("*.md"))


def poster_for(sim: SlackSimulator, pool: AsyncConnectionPool) -> SlackPoster:
    return SlackPoster(AsyncWebClient(token=sim.bot_token, base_url=sim.api_url), pool)


async def test_the_same_reply_is_posted_once(sim: SlackSimulator, pool: AsyncConnectionPool) -> None:
    ops = sim.workspace.channel("ops").id
    parent = await sim.post_message(ops, "payments-api p99 latency is 2.3s", user="amara")
    reply = Reply(
        channel_id=ops, thread_ts=parent, module="recent_activity", markdown="**Related:** deploy 2.14", key="job:7:0"
    )
    first = await poster_for(sim, pool).post(reply)
    again = await poster_for(sim, pool).post(reply)
    assert first == again and len(first) == 1
    [posted] = sim.bot_messages(ops, thread_ts=parent)
    assert posted["text"].startswith("*Related:* deploy 2.14")
    assert module_of(posted["blocks"]) == "recent_activity"
    assert posted["metadata"] == {"event_type": "ratchet_post", "event_payload": {"key": "job:7:0:0"}}


async def test_a_pending_post_already_in_slack_is_confirmed_not_reposted(
    sim: SlackSimulator, pool: AsyncConnectionPool
) -> None:
    """The process died after Slack took the post and before it was confirmed: the key finds it in the thread."""
    ops = sim.workspace.channel("ops").id
    parent = await sim.post_message(ops, "is the ingress healthy?", user="tom")
    client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
    reply = Reply(channel_id=ops, thread_ts=parent, module="commands", markdown="yes", key="job:9:0")
    async with pool.connection() as conn:
        await posts.reserve(
            conn,
            key="job:9:0:0",
            channel_id=ops,
            thread_ts=parent,
            module="commands",
            job_id=None,
            text="yes",
            blocks=None,
        )
    landed = await client.chat_postMessage(
        channel=ops,
        thread_ts=parent,
        text="yes",
        metadata={"event_type": "ratchet_post", "event_payload": {"key": "job:9:0:0"}},
    )
    assert await poster_for(sim, pool).post(reply) == [landed["ts"]]
    assert len(sim.bot_messages(ops, thread_ts=parent)) == 1
    async with pool.connection() as conn:
        stored = await posts.get(conn, "job:9:0:0")
    assert stored is not None and (stored.status, stored.ts) == ("posted", landed["ts"])


async def test_a_long_reply_is_split_into_messages_in_order(sim: SlackSimulator, pool: AsyncConnectionPool) -> None:
    runbooks = "\n\n".join(path.read_text() for path in RUNBOOKS)
    document = runbooks * (200_000 // len(runbooks) + 1)  # past 50 blocks of 3,000 characters
    ops = sim.workspace.channel("ops").id
    parent = await sim.post_message(ops, "what does the runbook say?", user="mei")
    reply = Reply(channel_id=ops, thread_ts=parent, module="runbook", markdown=document, key="job:11:0")
    posted = await poster_for(sim, pool).post(reply)
    messages = sim.bot_messages(ops, thread_ts=parent)
    assert len(posted) > 1 and [m["ts"] for m in messages] == posted
    assert all(len(m["blocks"]) <= 50 for m in messages)
    assert module_of(messages[-1]["blocks"]) == "runbook"


async def test_dry_run_prints_and_posts_nothing() -> None:
    console = Console(record=True, width=120)
    poster = DryRunPoster(console)
    reply = Reply(
        channel_id="C111",
        thread_ts="1700000000.000100",
        module="runbook",
        markdown="# KubePodCrashLooping\n- check `kubectl describe pod`",
        key="replay:1",
    )
    assert await poster.post(reply) == []
    shown = console.export_text()
    assert "would post to C111 thread 1700000000.000100 (runbook)" in shown
    assert "*KubePodCrashLooping*" in shown and "• check `kubectl describe pod`" in shown
    assert [r.key for r, _ in poster.posted] == ["replay:1"]
