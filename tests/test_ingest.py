"""Ingest on a real Postgres, fed Slack's own event payloads: one message, one job, whatever Slack repeats."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import Classifier
from ratchet.classify.recording import classify_and_record
from ratchet.jobs.ingest import ingest
from ratchet.llm import LocalEmbeddings
from ratchet.slack.events import BotIdentity, to_message
from ratchet.storage import channels, jobs, messages
from tests.conftest import DATA

EVENTS = DATA / "slack_events" / "bolt-python"
BOT = BotIdentity(team_id="T111", user_id="W23456789", bot_id="B999")


def payload(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def alertmanager_event() -> dict[str, Any]:
    """The firing KubePodCrashLooping notification as Slack delivers it: a bot_message with attachments."""
    rendered = json.loads(
        (DATA / "alert-formats" / "rendered_examples" / "1-KubePodCrashLooping-firing.json").read_text()
    )
    return rendered["as_slack_message_event_constructed"]


async def rows(pool: AsyncConnectionPool, query: str, *params: object) -> list[tuple]:
    async with pool.connection() as conn:
        return await (await conn.execute(query, params or None)).fetchall()


async def test_a_message_becomes_one_row_and_one_job(pool: AsyncConnectionPool) -> None:
    event = payload("message__test_message_L208.json")
    assert await ingest(pool, event, BOT) == "stored, job queued"
    async with pool.connection() as conn:
        stored = await messages.get(conn, "C111", "1596183880.004200")
        queued = await jobs.list_jobs(conn)
    assert stored is not None
    assert (stored.user_id, stored.text, stored.origin) == (
        "W111",
        "This message should match the second listener only",
        "live",
    )
    assert stored.attrs["raw"]["client_msg_id"] == "a8744611-0210-4f85-9f15-5faf7fb225c8"
    assert [(j.kind, j.key, j.payload) for j in queued] == [
        (
            "message",
            "C111:1596183880.004200",
            {"channel_id": "C111", "ts": "1596183880.004200", "thread_ts": "1596183880.004200", "team_id": "T111"},
        )
    ]


async def test_redelivery_and_the_app_mention_twin_change_nothing(pool: AsyncConnectionPool) -> None:
    event = payload("message__test_message_L208.json")
    mention = copy.deepcopy(event)
    mention["event"]["type"] = "app_mention"
    mention["event_id"] = "Ev222"
    outcomes = [await ingest(pool, event, BOT) for _ in range(3)] + [await ingest(pool, mention, BOT)]
    assert outcomes == ["stored, job queued", "duplicate", "duplicate", "duplicate"]
    assert await rows(pool, "SELECT count(*) FROM messages") == [(1,)]
    assert await rows(pool, "SELECT count(*) FROM jobs") == [(1,)]


async def test_alert_bot_message_is_stored_with_its_attachment_text(pool: AsyncConnectionPool) -> None:
    assert await ingest(pool, alertmanager_event(), BOT) == "stored, job queued"
    [(text, subtype, bot_id, username)] = await rows(
        pool, "SELECT text, subtype, bot_id, attrs->>'username' FROM messages"
    )
    assert (subtype, bot_id, username) == ("bot_message", "B888", "Alertmanager")
    assert "[FIRING:1] monitoring (KubePodCrashLooping" in text and "Pod is crash looping." in text


async def test_the_bots_own_posts_are_stored_but_start_no_work(pool: AsyncConnectionPool) -> None:
    own = payload("message.bot_message.bot__test_message_bot_L173.json")
    own["event"]["bot_id"] = BOT.bot_id
    assert await ingest(pool, own, BOT) == "stored"
    assert await rows(pool, "SELECT count(*) FROM jobs") == [(0,)]


async def test_thread_broadcast_is_a_reply_in_its_thread(pool: AsyncConnectionPool) -> None:
    event = payload("message.thread_broadcast.thread__test_message_thread_broadcast_L74.json")
    assert await ingest(pool, event, BOT) == "stored, job queued"
    [(ts, thread_ts, subtype)] = await rows(pool, "SELECT ts, thread_ts, subtype FROM messages")
    assert subtype == "thread_broadcast" and thread_ts == event["event"]["thread_ts"] != ts


async def test_edit_updates_text_drops_the_vector_and_queues_a_re_embed(pool: AsyncConnectionPool) -> None:
    changed = payload("message.message_changed__test_message_changed_L68.json")
    original = {**payload("message__test_message_L208.json")}
    original["event"] = {**changed["event"]["previous_message"], "channel": changed["event"]["channel"]}
    assert await ingest(pool, original, BOT) == "stored, job queued"
    async with pool.connection() as conn:
        await messages.set_embedding(conn, original["event"]["channel"], original["event"]["ts"], [0.1] * 256)
    assert await ingest(pool, changed, BOT) == "edited"
    assert await ingest(pool, changed, BOT) == "unchanged"
    [(text, edited, has_vector)] = await rows(
        pool, "SELECT text, edited_at IS NOT NULL, embedding IS NOT NULL FROM messages"
    )
    assert (text, edited, has_vector) == ("updated message", True, False)
    assert [kind for (kind,) in await rows(pool, "SELECT kind FROM jobs ORDER BY id")] == ["message", "embed"]


async def test_deletion_marks_the_row(pool: AsyncConnectionPool) -> None:
    deleted = payload("message.message_deleted__test_message_deleted_L68.json")
    ts = deleted["event"]["deleted_ts"]
    original = payload("message__test_message_L208.json")
    original["event"].update(ts=ts, channel=deleted["event"]["channel"])
    await ingest(pool, original, BOT)
    assert await ingest(pool, deleted, BOT) == "deleted"
    assert await ingest(pool, deleted, BOT) == "already deleted"
    assert await rows(pool, "SELECT is_deleted FROM messages") == [(True,)]


async def test_a_deletion_that_overtakes_its_message_wins(pool: AsyncConnectionPool) -> None:
    deleted = payload("message.message_deleted__test_message_deleted_L68.json")
    original = payload("message__test_message_L208.json")
    original["event"].update(ts=deleted["event"]["deleted_ts"], channel=deleted["event"]["channel"])
    assert await ingest(pool, deleted, BOT) == "deleted"
    assert await ingest(pool, original, BOT) == "duplicate"
    assert await rows(pool, "SELECT is_deleted FROM messages") == [(True,)]
    assert await rows(pool, "SELECT count(*) FROM jobs") == [(0,)]


async def test_reactions_are_idempotent(pool: AsyncConnectionPool) -> None:
    added = payload("reaction_added__test_events_L112.json")
    removed = copy.deepcopy(added)
    removed["event"]["type"] = "reaction_removed"
    assert [await ingest(pool, added, BOT) for _ in range(2)] == ["reaction added", "duplicate"]
    assert await rows(pool, "SELECT reaction, user_id FROM reactions") == [("heart_eyes", "W111")]
    assert [await ingest(pool, removed, BOT) for _ in range(2)] == ["reaction removed", "unknown reaction"]
    assert await rows(pool, "SELECT count(*) FROM reactions") == [(0,)]


async def test_the_bot_joining_a_channel_queues_onboarding_once(pool: AsyncConnectionPool) -> None:
    joined = payload("member_joined_channel__test_events_L167.json")
    assert joined["event"]["user"] == BOT.user_id
    assert [await ingest(pool, joined, BOT) for _ in range(2)] == ["onboarding queued", "onboarding queued"]
    assert await rows(pool, "SELECT kind, key FROM jobs") == [("onboard", "C111")]
    someone_else = copy.deepcopy(joined)
    someone_else["event"]["user"] = "W111"
    assert await ingest(pool, someone_else, BOT) == "ignored"


async def test_channel_rename_and_archive(pool: AsyncConnectionPool) -> None:
    base = {"type": "event_callback", "team_id": "T111", "event_id": "Ev9"}
    rename = {
        **base,
        "event": {"type": "channel_rename", "channel": {"id": "C111", "name": "ops-alerts", "created": 1}},
    }
    archive = {**base, "event": {"type": "channel_archive", "channel": "C111", "user": "W111"}}
    assert await ingest(pool, rename, BOT) == "renamed"
    assert await ingest(pool, archive, BOT) == "archived"
    assert await rows(pool, "SELECT name, is_archived FROM channels") == [("ops-alerts", True)]


@pytest.mark.parametrize(
    "name", ["app_home_opened__test_events_org_apps_L153.json", "tokens_revoked__test_events_L315.json"]
)
async def test_events_the_bot_does_not_use_are_ignored(pool: AsyncConnectionPool, name: str) -> None:
    assert await ingest(pool, payload(name), BOT) == "ignored"
    assert await rows(pool, "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM jobs)") == [(0,)]


def broken(mutate) -> dict[str, Any]:
    event = payload("message__test_message_L208.json")
    mutate(event)
    return event


MALFORMED = {
    "not an object": ["event_callback"],
    "no event": {"type": "event_callback", "team_id": "T111"},
    "event is a string": {"type": "event_callback", "event": "message"},
    "no type": broken(lambda e: e["event"].pop("type")),
    "no channel": broken(lambda e: e["event"].pop("channel")),
    "channel is a number": broken(lambda e: e["event"].update(channel=111)),
    "no ts": broken(lambda e: e["event"].pop("ts")),
    "ts is not a timestamp": broken(lambda e: e["event"].update(ts="yesterday")),
    "user is a list": broken(lambda e: e["event"].update(user=["W111"])),
    "subtype is an object": broken(lambda e: e["event"].update(subtype={"x": 1})),
    "reaction without item": {"type": "event_callback", "event": {"type": "reaction_added", "user": "W1"}},
    "rename without name": {"type": "event_callback", "event": {"type": "channel_rename", "channel": {"id": "C1"}}},
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
async def test_malformed_payloads_are_logged_and_dropped(
    pool: AsyncConnectionPool, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert await ingest(pool, MALFORMED[case], BOT) == "malformed"
    assert "dropped a malformed event" in caplog.text
    assert "This message should match" not in caplog.text  # logs never carry message text
    assert await rows(pool, "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM jobs)") == [(0,)]


@pytest.mark.parametrize(
    "text",
    [
        "disk full on db-01 " * 2500,  # 47,500 characters
        "nul\x00byte in the middle",
        "RTL \u202eevil\u202c, zero\u200bwidth, 👩\u200d🚒, combining e\u0301, \U0001d518\U0001d52b\U0001d526",
        "half an emoji \ud83d here",
        "",
    ],
    ids=["47k-chars", "nul-byte", "odd-unicode", "lone-surrogate", "empty"],
)
async def test_odd_text_is_stored_whole(pool: AsyncConnectionPool, text: str) -> None:
    event = payload("message__test_message_L208.json")
    event["event"]["text"] = text
    event["event"]["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    assert await ingest(pool, event, BOT) == "stored, job queued"
    [(stored, raw_text)] = await rows(pool, "SELECT text, attrs->'raw'->>'text' FROM messages")
    assert raw_text == text.replace("\x00", "").replace("\ud83d", "?")
    assert stored == raw_text.strip()


async def test_an_alert_that_onboarding_backfilled_before_its_event_still_gets_its_job(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings
) -> None:
    """Onboarding fetched the channel's history a moment after the alert was posted and before its event came."""
    event = alertmanager_event()
    backfilled = to_message(event["event"], channel_id="C111").model_copy(update={"origin": "backfill"})
    async with pool.connection() as conn:
        await channels.ensure(conn, "C111")
    await classify_and_record(pool, Classifier(), local_embeddings, [backfilled], bot_user_id=None, insert=True)

    outcomes = [await ingest(pool, event, BOT) for _ in range(2)]
    assert outcomes == ["stored, job queued", "duplicate"]
    assert await rows(pool, "SELECT kind, key FROM jobs") == [("message", "C111:1610262363.001600")]
    assert await rows(pool, "SELECT origin FROM messages") == [("live",)]
    async with pool.connection() as conn:
        [stored] = await messages.thread(conn, "C111", "1610262363.001600")
    # the message job records it again: the incident it opened counts the firing once
    await classify_and_record(pool, Classifier(), local_embeddings, [stored], bot_user_id=None)
    assert await rows(pool, "SELECT alert, fire_count FROM incidents") == [("KubePodCrashLooping", 1)]
