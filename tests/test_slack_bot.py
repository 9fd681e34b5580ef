"""The real bot against the Slack simulator over Socket Mode, in this process, on a real Postgres."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from psycopg_pool import AsyncConnectionPool
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.bot import Bot, running_bot
from ratchet.config import Settings
from ratchet.slack.client import retry_after_seconds
from ratchet.slack.formatting import module_of
from ratchet.slack.posting import Reply, SlackPoster
from ratchet.slack_sim import SlackSimulator
from tests.conftest import DATA
from tests.helpers import wait_until


def settings_for(sim: SlackSimulator, database_url: str, *, socket_mode: bool = True, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        slack_bot_token=sim.bot_token,
        slack_app_token=sim.app_token if socket_mode else None,
        slack_signing_secret=None if socket_mode else sim.signing_secret,
        slack_api_url=sim.api_url,
        workers=2,
        **extra,
    )


@pytest.fixture
async def bot(sim: SlackSimulator, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(settings_for(sim, database_url)) as bot:
        yield bot


async def rows(pool: AsyncConnectionPool, query: str, *params: object) -> list[tuple]:
    async with pool.connection() as conn:
        return await (await conn.execute(query, params or None)).fetchall()


async def job_done(pool: AsyncConnectionPool, channel: str, ts: str) -> bool:
    found = await rows(pool, "SELECT status FROM jobs WHERE kind = 'message' AND key = %s", f"{channel}:{ts}")
    return found == [("done",)]


async def test_a_message_becomes_one_stored_message_and_one_job(sim: SlackSimulator, bot: Bot) -> None:
    ops = sim.workspace.channel("ops").id
    ts = await sim.post_message(ops, "deploy of payments-api 2.14 is rolling out", user="diego")
    await wait_until(lambda: job_done(bot.runtime.pool, ops, ts))
    assert await rows(bot.runtime.pool, "SELECT user_id, text FROM messages WHERE ts = %s", ts) == [
        (sim.workspace.find_user("diego").id, "deploy of payments-api 2.14 is rolling out")
    ]
    assert await rows(bot.runtime.pool, "SELECT count(*) FROM jobs WHERE key = %s", f"{ops}:{ts}") == [(1,)]
    await sim.idle()
    assert sim.bot_messages() == [], "nobody addressed the bot"


async def test_a_mention_gets_one_reply_in_its_thread_and_the_bots_own_post_starts_nothing(
    sim: SlackSimulator, bot: Bot
) -> None:
    alerts = sim.workspace.channel("alerts").id
    ts = await sim.post_message(alerts, f"<@{sim.bot_user_id}> is KubeAPIDown ours?", user="priya")
    [reply] = await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=ts)
    assert module_of(reply["blocks"]) == "commands"
    await sim.idle()  # the reply's own message event has reached the bot by now
    own = await wait_until(lambda: rows(bot.runtime.pool, "SELECT ts FROM messages WHERE bot_id = %s", sim.bot_id))
    assert own == [(reply["ts"],)]
    assert await rows(bot.runtime.pool, "SELECT count(*) FROM jobs WHERE key = %s", f"{alerts}:{reply['ts']}") == [(0,)]
    assert len(sim.bot_messages()) == 1
    assert await rows(bot.runtime.pool, "SELECT status, ts FROM bot_posts") == [("posted", reply["ts"])]


async def test_alertmanager_notification_is_stored_with_its_attachment(sim: SlackSimulator, bot: Bot) -> None:
    rendered = json.loads(
        (
            DATA / "alert-formats" / "rendered_examples" / "3-NodeFilesystemSpaceFillingUp-firing-2-alerts.json"
        ).read_text()
    )
    payload = rendered["slack_payload_default_config"]
    alerts = sim.workspace.channel("alerts").id
    ts = await sim.post_message(alerts, "", username="Alertmanager", attachments=payload["attachments"])
    await wait_until(lambda: job_done(bot.runtime.pool, alerts, ts))
    [(text, subtype, has_vector)] = await rows(
        bot.runtime.pool, "SELECT text, subtype, embedding IS NOT NULL FROM messages WHERE ts = %s", ts
    )
    assert subtype == "bot_message" and has_vector
    assert text.startswith("[FIRING:2] monitoring (NodeFilesystemSpaceFillingUp")


async def test_unacked_envelopes_are_redelivered_and_processed_once(sim: SlackSimulator, bot: Bot) -> None:
    """A second Socket Mode connection that never acks takes every other delivery; Slack redelivers those.

    Direct messages make one event each (no app_mention twin), so half of them go to the silent connection."""
    opened = await AsyncWebClient(base_url=sim.api_url).apps_connections_open(app_token=sim.app_token)
    dm = sim.workspace.open_dm(sim.workspace.find_user("tom").id)
    async with aiohttp.ClientSession() as session, session.ws_connect(opened["url"]) as silent:
        assert json.loads((await silent.receive()).data)["type"] == "hello"
        asked = [await sim.post_message(dm, f"status of db-{n}?", user="tom") for n in range(4)]
        await sim.idle()
    asked_deliveries = [d for d in sim.deliveries if d.payload["event"].get("ts") in asked]
    assert len(asked_deliveries) == 4
    assert any("timeout" in d.retry_reasons for d in asked_deliveries), "some went unacked first"
    assert all(d.acked for d in asked_deliveries)
    for ts in asked:
        await sim.wait_for_bot_messages(1, channel=dm, thread_ts=ts)
    await sim.idle()
    assert [len(sim.bot_messages(dm, thread_ts=ts)) for ts in asked] == [1, 1, 1, 1]
    assert await rows(bot.runtime.pool, "SELECT count(*) FROM jobs WHERE kind = 'message'") == [(4,)]


async def test_replies_land_in_order_through_a_429_storm(sim: SlackSimulator, bot: Bot) -> None:
    ops = sim.workspace.channel("ops").id
    parent = await sim.post_message(ops, "incident 4121: checkout latency", user="amara")
    sim.force_rate_limit("chat.postMessage", 5, retry_after=1)
    poster = SlackPoster(bot.slack, bot.runtime.pool)
    for n in range(4):
        await poster.post(
            Reply(channel_id=ops, thread_ts=parent, module="runbook", markdown=f"step {n}", key=f"storm:{n}")
        )
    texts = [m["text"] for m in sim.bot_messages(ops, thread_ts=parent)]
    assert [t.split("\n")[0] for t in texts] == ["step 0", "step 1", "step 2", "step 3"]
    assert sum(call.status == 429 for call in sim.calls_to("chat.postMessage")) == 5


async def test_mentions_during_a_429_storm_each_get_exactly_one_reply(sim: SlackSimulator, bot: Bot) -> None:
    alerts = sim.workspace.channel("alerts").id
    sim.force_rate_limit("chat.postMessage", 6, retry_after=1)
    asked = [await sim.post_message(alerts, f"<@{sim.bot_user_id}> q{n}", user="mei") for n in range(3)]
    for ts in asked:
        await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=ts, timeout=20)
    await sim.idle()
    assert [len(sim.bot_messages(alerts, thread_ts=ts)) for ts in asked] == [1, 1, 1]


def test_retry_after_is_read_whole() -> None:
    def response(headers: dict[str, Any]) -> HttpResponse:
        return HttpResponse(status_code=429, headers=headers, data=b"{}")

    assert retry_after_seconds(response({"Retry-After": "30"})) == 30
    assert retry_after_seconds(response({"retry-after": ["12"]})) == 12
    assert retry_after_seconds(response({"Retry-After": "soon"})) == 1
    assert retry_after_seconds(response({})) == 1


MALFORMED: dict[str, Any] = {
    "event without a type": {"event": {"channel": "C1", "ts": "1.2"}},
    "message without ts": {"event": {"type": "message", "channel": "CHANNEL", "text": "hi"}},
    "channel is a list": {"event": {"type": "message", "channel": ["C1"], "ts": "1700000000.000100"}},
    "user is a number": {"event": {"type": "message", "channel": "C1", "ts": "1700000000.000100", "user": 7}},
    "reaction without item": {"event": {"type": "reaction_added", "user": "U1", "reaction": "eyes"}},
}


async def test_malformed_deliveries_are_logged_and_the_bot_keeps_working(
    sim: SlackSimulator, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for name, body in MALFORMED.items():
        payload = {"type": "event_callback", "team_id": sim.team_id, "event_id": f"EvBAD{len(name)}", **body}
        delivery = await sim.deliver(payload, timeout=10)
        assert delivery.acked, name  # acknowledged, so Slack stops retrying it
    assert caplog.text.count("dropped a malformed event") >= 4
    assert await rows(bot.runtime.pool, "SELECT count(*) FROM messages") == [(0,)]
    ops = sim.workspace.channel("ops").id
    ts = await sim.post_message(ops, f"<@{sim.bot_user_id}> still there?", user="tom")
    await sim.wait_for_bot_messages(1, channel=ops, thread_ts=ts)


async def test_edits_deletions_and_feedback_reach_the_database(sim: SlackSimulator, bot: Bot) -> None:
    ops = sim.workspace.channel("ops").id
    ts = await sim.post_message(ops, f"<@{sim.bot_user_id}> who owns the ingress?", user="priya")
    [reply] = await sim.wait_for_bot_messages(1, channel=ops, thread_ts=ts)
    await sim.edit_message(ops, ts, f"<@{sim.bot_user_id}> who owns the ingress controller?")
    await sim.add_reaction(ops, reply["ts"], "priya", "thumbsup")
    other = await sim.post_message(ops, "wrong channel, sorry", user="tom")
    await sim.delete_message(ops, other)
    pool = bot.runtime.pool

    async def settled() -> bool:
        edited = await rows(pool, "SELECT text FROM messages WHERE ts = %s", ts)
        deleted = await rows(pool, "SELECT is_deleted FROM messages WHERE ts = %s", other)
        feedback = await rows(pool, "SELECT reaction, module FROM reactions")
        return (
            edited == [(f"<@{sim.bot_user_id}> who owns the ingress controller?",)]
            and deleted == [(True,)]
            and (feedback == [("thumbsup", "commands")])
        )

    await wait_until(settled)
    await sim.idle()
    assert len(sim.bot_messages(ops, thread_ts=ts)) == 1, "an edit is not a new question"


async def test_joining_a_channel_onboards_its_history_and_threads(sim: SlackSimulator, bot: Bot) -> None:
    ws = sim.workspace
    db = ws.create_channel("db-oncall", members=[ws.find_user("tom").id, ws.find_user("amara").id])
    parent = await sim.post_message(db, "replica lag on pg-main-2 is 40s", user="tom")
    await sim.post_message(db, "vacuum on the events table, it will catch up", user="amara", thread_ts=parent)
    await sim.post_message(db, "ok, watching it", user="tom")
    rendered = [
        json.loads((DATA / "alert-formats" / "rendered_examples" / name).read_text())["slack_payload_default_config"]
        for name in ("5-KubeAPIDown-firing.json", "6-KubeAPIDown-resolved.json")
    ]
    for payload in rendered:
        await sim.post_message(db, "", username="Alertmanager", attachments=payload["attachments"])
    await sim.invite_bot(db)
    pool = bot.runtime.pool
    await wait_until(lambda: rows(pool, "SELECT 1 FROM jobs WHERE kind = 'backfill_thread' AND status = 'done'"))
    assert await rows(pool, "SELECT alert, status FROM incidents WHERE channel_id = %s", db) == [
        ("KubeAPIDown", "resolved")
    ]
    stored = await rows(
        pool, "SELECT text, origin, thread_ts IS NOT NULL FROM messages WHERE channel_id = %s ORDER BY ts", db
    )
    said = [(text, origin, reply) for text, origin, reply in stored if not text.startswith(("<@", "["))]
    assert said == [
        ("replica lag on pg-main-2 is 40s", "backfill", False),
        ("vacuum on the events table, it will catch up", "backfill", True),
        ("ok, watching it", "backfill", False),
    ]
    assert await rows(pool, "SELECT name, onboarded_at IS NOT NULL FROM channels WHERE channel_id = %s", db) == [
        ("db-oncall", True)
    ]


async def test_alert_threads_get_the_brief_the_resolution_and_history(sim: SlackSimulator, bot: Bot) -> None:
    """Fire, resolve, fire again: each notification's thread gets what an on-call engineer wants first."""
    rendered = {
        name: json.loads((DATA / "alert-formats" / "rendered_examples" / name).read_text())[
            "slack_payload_default_config"
        ]
        for name in ("1-KubePodCrashLooping-firing.json", "2-KubePodCrashLooping-resolved.json")
    }
    alerts = sim.workspace.channel("alerts").id

    async def notify(name: str) -> str:
        return await sim.post_message(alerts, "", username="Alertmanager", attachments=rendered[name]["attachments"])

    fired = await notify("1-KubePodCrashLooping-firing.json")
    [brief] = await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=fired)
    assert "*Runbook:* none for KubePodCrashLooping" in brief["text"] and "not fired here before" in brief["text"]
    await sim.post_message(alerts, "restarting the adapter with the fixed configmap", user="priya", thread_ts=fired)
    priya = sim.workspace.find_user("priya").id
    await wait_until(lambda: rows(bot.runtime.pool, "SELECT 1 FROM incidents WHERE %s = ANY(responders)", priya))
    await sim.post_message(
        alerts, "", username="Alertmanager", attachments=rendered["2-KubePodCrashLooping-resolved.json"]["attachments"]
    )
    resolved = await sim.wait_for_bot_messages(2, channel=alerts, thread_ts=fired)
    assert (
        resolved[1]["text"].startswith("*Resolved* after")
        and f"<@{sim.workspace.find_user('priya').id}>" in resolved[1]["text"]
    )
    await sim.wait_for(
        lambda: any(r["name"] == "white_check_mark" for r in sim.messages(alerts)[0].get("reactions", []))
    )

    again = await notify("1-KubePodCrashLooping-firing.json")
    [second] = await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=again)
    assert "*Past incidents:*" in second["text"] and "open again, fired 2 times" in second["text"], "flapping"
    assert "restarting the adapter with the fixed configmap" in second["text"], "the thread's last word"
    assert module_of(second["blocks"]) == "runbook"


async def test_a_question_in_a_thread_the_bot_posted_in_is_answered_without_a_mention(
    sim: SlackSimulator, bot: Bot
) -> None:
    rendered = json.loads((DATA / "alert-formats" / "rendered_examples" / "5-KubeAPIDown-firing.json").read_text())
    alerts = sim.workspace.channel("alerts").id
    fired = await sim.post_message(
        alerts, "", username="Alertmanager", attachments=rendered["slack_payload_default_config"]["attachments"]
    )
    await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=fired)
    await sim.post_message(alerts, "checking the apiserver pods now", user="diego", thread_ts=fired)
    await sim.post_message(alerts, "what does KubeAPIDown mean for us?", user="mei", thread_ts=fired)
    replies = await sim.wait_for_bot_messages(2, channel=alerts, thread_ts=fired)
    await sim.idle()
    assert len(sim.bot_messages(alerts, thread_ts=fired)) == 2, "the remark got no reply, the question one"
    assert module_of(replies[1]["blocks"]) == "commands"
