"""Catch-up after downtime and `ratchet backfill`, against the Slack simulator and a real Postgres."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from ratchet.bot import running_bot
from ratchet.classify.classifier import Classifier
from ratchet.jobs.history import BackfillProgress, HistoryReader, backfill, catch_up
from ratchet.llm import LocalEmbeddings
from ratchet.slack.client import make_slack_client
from ratchet.slack.events import BotIdentity
from ratchet.slack_sim import SlackSimulator
from ratchet.slack_sim.ids import format_ts
from tests.conftest import DATA
from tests.helpers import ratchet_cli, wait_until
from tests.test_slack_bot import rows, settings_for

EXAMPLES = DATA / "alert-formats" / "rendered_examples"


def alertmanager(name: str) -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / name).read_text())["slack_payload_default_config"]["attachments"]


def ts_ago(minutes: float) -> str:
    return format_ts(int((time.time() - minutes * 60) * 1_000_000))


def insert_unseen(
    sim: SlackSimulator, channel: str, ts: str, *, text: str = "", user: str | None = None, **extra: Any
) -> str:
    """A message that reaches Slack while nobody listens: stored in the workspace, no event delivered."""
    ch = sim.workspace.channel(channel)
    if user is not None:
        message = sim.actions.user_message(sim.workspace.find_user(user), text)
    else:
        bot = sim.workspace.bots[sim.workspace.create_bot("Alertmanager")]
        message = sim.actions.integration_message(bot, text, attachments=extra.pop("attachments"))
    message.update(ts=ts, **extra)
    sim.workspace.insert(ch, message)
    return ts


async def stored(pool: AsyncConnectionPool, channel: str) -> list[str]:
    return [ts for (ts,) in await rows(pool, "SELECT ts FROM messages WHERE channel_id = %s ORDER BY ts", channel)]


async def test_messages_posted_while_down_are_stored_and_only_fresh_alerts_get_a_reply(
    sim: SlackSimulator, database_url: str
) -> None:
    alerts = sim.workspace.channel("alerts").id
    before = insert_unseen(sim, alerts, ts_ago(180), text="deploying payments-api 2.14 now", user="diego")
    settings = settings_for(sim, database_url)
    async with running_bot(settings) as bot:
        await wait_until(lambda: _has(bot.runtime.pool, alerts, before))
    # down: an old alert, a reply in an old thread and a fresh alert arrive, and no event reaches the bot
    old = insert_unseen(sim, alerts, ts_ago(120), attachments=alertmanager("5-KubeAPIDown-firing.json"))
    reply = insert_unseen(sim, alerts, ts_ago(90), text="rollout done", user="diego", thread_ts=before)
    fresh = insert_unseen(sim, alerts, ts_ago(2), attachments=alertmanager("4-TargetDown-firing.json"))
    async with running_bot(settings) as bot:
        pool = bot.runtime.pool
        [answer] = await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=fresh, timeout=30)
        assert answer["thread_ts"] == fresh
        await wait_until(lambda: _has(pool, alerts, old, reply, fresh))
        await sim.idle()
        assert sim.bot_messages(alerts, thread_ts=old) == [], "an alert older than the reply window gets no reply"
        [(kind, incident)] = await rows(
            pool, "SELECT attrs->'classification'->>'kind', attrs->'classification'->'incident' FROM messages "
            "WHERE channel_id = %s AND ts = %s", alerts, old,
        )  # fmt: skip
        assert kind == "alert_firing" and incident is not None, "the old alert still counts for incidents"
        assert await rows(pool, "SELECT count(*) FROM jobs WHERE kind = 'message' AND key = %s", f"{alerts}:{old}") == [
            (0,)
        ]
        # a second catch-up (the scheduler's) finds nothing new and posts nothing again
        reader = HistoryReader(pool, bot.runtime.embeddings, Classifier(), bot.slack, bot.identity)
        again = await catch_up(reader, reply_window=timedelta(minutes=settings.catchup_reply_minutes))
        assert sum(c.live + c.quiet for c in again) == 0
        await sim.idle()
        assert len(sim.bot_messages(alerts, thread_ts=fresh)) == 1
        assert len(await stored(pool, alerts)) == len(set(await stored(pool, alerts)))


async def _has(pool: AsyncConnectionPool, channel: str, *ts_list: str) -> bool:
    return set(ts_list) <= set(await stored(pool, channel))


class Interrupted(Exception):
    """Stands for a kill: raised from the progress callback once some pages are stored."""


@pytest.fixture
async def reader(sim: SlackSimulator, pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings) -> HistoryReader:
    slack = make_slack_client(settings_for(sim, "postgresql://unused"))
    auth = await slack.auth_test()
    identity = BotIdentity(team_id=auth["team_id"], user_id=auth["user_id"], bot_id=auth.get("bot_id"))
    return HistoryReader(pool, local_embeddings, Classifier(), slack, identity)


def ops_history(sim: SlackSimulator, count: int) -> tuple[str, list[str]]:
    """#ops with `count` messages, every fifth of them a thread with two replies; returns every ts."""
    ops = sim.workspace.channel("ops").id
    everything = []
    for n in range(count):
        parent = insert_unseen(sim, ops, ts_ago(600 - n), text=f"restarted worker-{n}", user="diego")
        everything.append(parent)
        if n % 5 == 0:
            for k in range(2):
                everything.append(
                    insert_unseen(
                        sim, ops, ts_ago(300 - n - k / 10), text=f"ack {n}.{k}", user="priya", thread_ts=parent
                    )
                )
    return ops, everything


async def test_an_interrupted_backfill_resumes_with_no_loss_and_no_duplicate(
    sim: SlackSimulator, reader: HistoryReader
) -> None:
    ops, everything = ops_history(sim, 23)
    before = set(await stored(reader.pool, ops))  # nothing yet, unless the workspace came with history
    seen: list[BackfillProgress] = []

    def stop_after_two_pages(at: BackfillProgress) -> None:
        seen.append(at)
        if at.pages == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        await backfill(reader, ops, progress=stop_after_two_pages, page_size=5)
    halfway = await stored(reader.pool, ops)
    assert 10 <= len(set(halfway) - before) < len(everything)
    calls_before = len(sim.calls_to("conversations.history"))
    done = await backfill(reader, ops, progress=seen.append, page_size=5)
    resumed = sim.calls_to("conversations.history")[calls_before:]
    assert resumed[0].params.get("cursor"), "the resumed run starts from its checkpoint, not from the top"
    assert done.finished and done.pages == len(resumed) + 2
    final = await stored(reader.pool, ops)
    assert set(everything) <= set(final), "nothing lost"
    assert len(final) == len(set(final))
    assert await rows(reader.pool, "SELECT count(*) FROM jobs WHERE kind = 'message'") == [(0,)], "no replies start"
    # asked again once finished, it starts over and adds nothing
    again = await backfill(reader, ops, page_size=50)
    assert again.stored == 0 and await stored(reader.pool, ops) == final


async def test_backfill_limit_and_429s_waited_out(sim: SlackSimulator, reader: HistoryReader) -> None:
    ops, _ = ops_history(sim, 12)
    sim.force_rate_limit("conversations.history", 2, retry_after=1)
    sim.force_rate_limit("conversations.replies", 1, retry_after=1)
    done = await backfill(reader, ops, limit=7, page_size=3)
    assert done.finished and done.fetched == 7 and done.pages == 3
    statuses = [c.status for c in sim.calls_to("conversations.history")]
    assert statuses.count(429) == 2 and statuses.count(200) == 3
    newest = sorted(sim.workspace.channel(ops).top_level(), key=lambda m: float(m["ts"]))[-7:]
    top_level = await rows(reader.pool, "SELECT ts FROM messages WHERE channel_id = %s AND thread_ts IS NULL", ops)
    assert {ts for (ts,) in top_level} == {m["ts"] for m in newest}


async def test_the_backfill_command_reads_the_newest_messages(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    ops, _ = ops_history(sim, 6)
    env = {
        "RATCHET_DATABASE_URL": database_url,
        "RATCHET_SLACK_BOT_TOKEN": sim.bot_token,
        "RATCHET_SLACK_API_URL": sim.api_url,
        "HF_HUB_OFFLINE": "1",
    }
    first = await asyncio.to_thread(ratchet_cli, "backfill", "#ops", "--limit", "4", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "#ops: 4 messages read in 1 pages" in first.stdout
    both = await asyncio.to_thread(ratchet_cli, "backfill", ops, "--days", "1", "--limit", "2", env=env, cwd=tmp_path)
    assert both.returncode == 2 and "not both" in both.stderr
