"""The report tools (channel_report, usage_report) and classify_message, on a real Postgres fed with real Alertmanager
notifications, Slack reaction events and recorded model calls; and through the triage graph's agent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import Classifier
from ratchet.context import TriageContext
from ratchet.graphs.triage import build_triage_graph
from ratchet.jobs.ingest import ingest
from ratchet.llm import LLMCallRecorder, LocalEmbeddings
from ratchet.reports.channel import build_channel_report
from ratchet.slack.events import BotIdentity, to_message
from ratchet.slack.posting import DryRunPoster
from ratchet.slack.text import message_text
from ratchet.storage import channels, messages, posts
from ratchet.tools.reports import build_usage_report
from tests.conftest import DATA
from tests.helpers import ScriptedModel, store_classified

BOT = BotIdentity(team_id="T0TEAM", user_id="U0RATCHET", bot_id="B0RATCHET")
OPS, DEV = "C0OPS0001", "C0DEV0002"
START = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = timedelta(days=7)


def notification(name: str) -> dict[str, Any]:
    path = next((DATA / "alert-formats" / "rendered_examples").glob(f"{name}*.json"))
    return {**json.loads(path.read_text())["slack_payload_default_config"], "subtype": "bot_message", "bot_id": "B0AM"}


def reply(user: str) -> dict[str, Any]:
    return {"type": "message", "user": user, "text": "looking: the adapter lost its configmap again"}


async def post(
    pool: AsyncConnectionPool, raw: dict[str, Any], at: datetime, *, channel: str = OPS, thread_of: str | None = None
) -> str:
    """Store and classify a message posted at `at` as the message job does; returns its ts."""
    ts = f"{at.timestamp():.6f}"
    await store_classified(pool, channel, raw, ts, thread_of=thread_of)
    return ts


async def alert_week(pool: AsyncConnectionPool) -> None:
    """A week of #ops-alerts from START: a crash loop six times, a filling disk re-notified, a long API outage."""
    async with pool.connection() as conn:
        await channels.ensure(conn, OPS)
        await channels.rename(conn, OPS, "ops-alerts")
    before = START - timedelta(days=1)  # the week before: not in the report
    earlier = await post(pool, notification("1-"), before)
    await post(pool, reply("U0PRIYA"), before + timedelta(minutes=5), thread_of=earlier)
    await post(pool, notification("2-"), before + timedelta(minutes=20))

    crash_threads = []
    for day, minutes in enumerate([30, 60, 90, 30, 60, 90]):
        fired_at = START + timedelta(days=day, hours=2)
        crash_threads.append(await post(pool, notification("1-"), fired_at))
        await post(pool, notification("2-"), fired_at + timedelta(minutes=minutes))
    first, second, third, fourth = crash_threads[:4]
    await post(pool, reply("U0PRIYA"), START + timedelta(hours=2, minutes=4), thread_of=first)
    await post(pool, reply("U0DIEGO"), START + timedelta(hours=2, minutes=9), thread_of=first)
    bot_brief = {"type": "message", "bot_id": BOT.bot_id, "text": "Runbook: none for KubePodCrashLooping."}
    await post(pool, bot_brief, START + timedelta(days=1, hours=2, minutes=1), thread_of=second)
    deleted = await post(pool, reply("U0TOM"), START + timedelta(days=2, hours=2, minutes=3), thread_of=third)
    async with pool.connection() as conn:
        await messages.mark_deleted(conn, OPS, deleted)
    await post(pool, reply("U0PRIYA"), START + timedelta(days=3, hours=2, minutes=2), thread_of=fourth)

    await post(pool, notification("3-"), START + timedelta(days=1, hours=3, minutes=1))  # never resolved
    refired = await post(pool, notification("3-"), START + timedelta(days=2, hours=3))
    await post(pool, reply("U0DIEGO"), START + timedelta(days=2, hours=3, minutes=10), thread_of=refired)

    await post(pool, notification("5-"), START + timedelta(hours=4))
    await post(pool, notification("6-"), START + timedelta(hours=84))

    await post(pool, notification("4-"), START + timedelta(days=2), channel=DEV)  # another channel
    await post(pool, notification("4-"), START + WEEK + timedelta(hours=1))  # after the week


async def bot_post(pool: AsyncConnectionPool, channel: str, ts: str, module: str) -> None:
    """A reply the bot posted, reserved and confirmed as the Slack poster does."""
    async with pool.connection() as conn:
        await posts.reserve(
            conn,
            key=f"test:{channel}:{ts}",
            channel_id=channel,
            thread_ts=None,
            module=module,
            job_id=None,
            text="Runbook: KubePodCrashLooping",
            blocks=None,
        )
        await posts.confirm(conn, f"test:{channel}:{ts}", ts)


async def react(pool: AsyncConnectionPool, channel: str, ts: str, user: str, name: str, added: bool = True) -> str:
    """Deliver a reaction event shaped like Slack's (tests/data/slack_events) through ingest."""
    path = DATA / "slack_events" / "bolt-python" / "reaction_added__test_events_L112.json"
    payload = json.loads(path.read_text())
    payload["event"] |= {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts},
    }
    return await ingest(pool, payload, BOT)


async def record_llm_calls(pool: AsyncConnectionPool) -> None:
    """Model calls as the runtime's recorder writes them: two models, three modules, one failed call."""
    recorder = LLMCallRecorder(pool)

    def answer(input_tokens: int, output_tokens: int) -> AIMessage:
        usage = {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": 0}
        return AIMessage(content="Check the previous logs.", usage_metadata=usage)

    generic = GenericFakeChatModel(messages=iter([answer(412, 17), answer(300, 40)]))
    for module in ("runbook", "commands"):
        await generic.ainvoke("KubePodCrashLooping?", config={"callbacks": [recorder], "metadata": {"module": module}})
    with pytest.raises(Exception):  # noqa: B017 - its answers are used up: the failure is what gets recorded
        await generic.ainvoke("and now?", config={"callbacks": [recorder], "metadata": {"module": "commands"}})
    listed = FakeMessagesListChatModel(responses=[answer(120, 8)])
    await listed.ainvoke("FIRING?", config={"callbacks": [recorder], "metadata": {"module": "classifier"}})


async def feedback_week(pool: AsyncConnectionPool) -> None:
    """Three bot posts (two modules, two channels) with 👍/👎 in every spelling Slack uses, and model calls."""
    async with pool.connection() as conn:
        await channels.rename(conn, OPS, "ops-alerts")
        await channels.ensure(conn, DEV)
    runbook_ts, answer_ts, dev_ts, human_ts = (f"17956000{n}0.000100" for n in range(4))
    await bot_post(pool, OPS, runbook_ts, "runbook")
    await bot_post(pool, OPS, answer_ts, "commands")
    await bot_post(pool, DEV, dev_ts, "commands")
    runbook_reactions = [
        ("U01", "+1"),
        ("U02", "thumbsup"),
        ("U03", "-1"),
        ("U04", "heart_eyes"),
        ("U05", "+1::skin-tone-3"),
    ]
    for user, name in runbook_reactions:
        assert await react(pool, OPS, runbook_ts, user, name) == "reaction added"
    assert await react(pool, OPS, runbook_ts, "U01", "+1") == "duplicate"
    for user, name in [("U01", "-1"), ("U02", "thumbsdown"), ("U03", "+1")]:
        await react(pool, OPS, answer_ts, user, name)
    assert await react(pool, OPS, answer_ts, "U03", "+1", added=False) == "reaction removed"
    await react(pool, DEV, dev_ts, "U01", "+1")
    await react(pool, OPS, human_ts, "U01", "+1")  # a person's message, not the bot's
    await record_llm_calls(pool)


async def test_usage_report_counts_feedback_per_channel_and_module_and_model_calls(pool: AsyncConnectionPool) -> None:
    began = datetime.now(UTC)
    await feedback_week(pool)
    report = await build_usage_report(pool, since=began, until=datetime.now(UTC) + timedelta(seconds=1))
    assert [f.model_dump() for f in report.feedback_by_channel] == [
        {"channel_id": OPS, "channel_name": "ops-alerts", "thumbs_up": 3, "thumbs_down": 3},
        {"channel_id": DEV, "channel_name": None, "thumbs_up": 1, "thumbs_down": 0},
    ]
    assert [f.model_dump() for f in report.feedback_by_module] == [
        {"module": "runbook", "thumbs_up": 3, "thumbs_down": 1},
        {"module": "commands", "thumbs_up": 1, "thumbs_down": 2},
    ]
    assert [u.model_dump() for u in report.llm_by_model] == [
        {"model": "generic-fake-chat-model", "requests": 3, "input_tokens": 712, "output_tokens": 57, "errors": 1},
        {"model": "fake-messages-list-chat-model", "requests": 1, "input_tokens": 120, "output_tokens": 8, "errors": 0},
    ]
    assert [u.model_dump() for u in report.llm_by_module] == [
        {"module": "commands", "requests": 2, "input_tokens": 300, "output_tokens": 40, "errors": 1},
        {"module": "classifier", "requests": 1, "input_tokens": 120, "output_tokens": 8, "errors": 0},
        {"module": "runbook", "requests": 1, "input_tokens": 412, "output_tokens": 17, "errors": 0},
    ]

    before = await build_usage_report(pool, since=began - WEEK, until=began)
    assert before.model_dump(exclude={"since", "until"}) == {
        "feedback_by_channel": [],
        "feedback_by_module": [],
        "llm_by_model": [],
        "llm_by_module": [],
    }


# --- through the triage graph's agent -------------------------------------------------------------------------------


async def ask(pool: AsyncConnectionPool, embeddings: LocalEmbeddings, model: ScriptedModel, text: str) -> DryRunPoster:
    """A person asks the bot in OPS, now; the scripted model drives the agent and its tools."""
    ts = f"{datetime.now(UTC).timestamp():.6f}"
    async with pool.connection() as conn, conn.transaction():
        await channels.ensure(conn, OPS)
        raw = {"type": "message", "user": "U0PRIYA", "text": f"<@{BOT.user_id}> {text}", "ts": ts}
        await messages.insert_if_new(conn, to_message(raw, channel_id=OPS))
    poster = DryRunPoster()
    context = TriageContext(
        pool=pool, embeddings=embeddings, classifier=Classifier(), poster=poster, bot=BOT, chat_model=model
    )
    await build_triage_graph().ainvoke({"channel_id": OPS, "ts": ts}, context=context)
    return poster


def calls(*requested: tuple[str, dict[str, Any]]) -> AIMessage:
    """One model turn that calls these tools (name, arguments) in parallel."""
    tool_calls = [{"name": name, "args": args, "id": f"call-{i}"} for i, (name, args) in enumerate(requested)]
    return AIMessage(content="", tool_calls=tool_calls)


def tool_results(model: ScriptedModel) -> list[ToolMessage]:
    return [m for m in model.seen[1] if isinstance(m, ToolMessage)]


async def test_the_agent_reports_on_the_channel_it_was_asked_in(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings
) -> None:
    await alert_week(pool)
    final = "Last week: KubePodCrashLooping fired six times."
    model = ScriptedModel(
        responses=[
            calls(("channel_report", {"week": "2026-W48"}),
                  ("channel_report", {"channel": "#ops-alerts", "week": "2026-W48", "tz": "Europe/Berlin"}),
                  ("channel_report", {"week": "last week"})),
            AIMessage(content=final),
        ]
    )  # fmt: skip
    poster = await ask(pool, local_embeddings, model, "what did this channel's alerts cost us last week?")
    assert [reply.markdown for reply, _ in poster.posted] == [final]
    this_week, in_berlin, unknown = (json.loads(m.content) for m in tool_results(model))
    async with pool.connection() as conn:
        direct = await build_channel_report(conn, local_embeddings, OPS, week="2026-W48")
    assert this_week == json.loads(direct.model_dump_json())  # one implementation
    assert (this_week["channel"], this_week["channel_name"], this_week["totals"]["firings"]) == (OPS, "ops-alerts", 9)
    keys = ("alert", "firings", "incidents", "resolved", "untriaged", "mttr_seconds")
    assert [tuple(a[k] for k in keys) for a in this_week["alerts"]] == [
        ("KubePodCrashLooping", 6, 6, 6, 4, 3600.0),  # 30 to 90 min; one reply deleted, one by the bot
        ("NodeFilesystemSpaceFillingUp", 2, 1, 0, 1, None),  # the reply went to the repeat's thread, not the opening's
        ("KubeAPIDown", 1, 1, 1, 1, 80 * 3600.0),
    ]
    keys = ("median_first_response_seconds", "label", "previous_week_firings")
    assert [tuple(a[k] for k in keys) for a in this_week["alerts"]] == [
        (180.0, "frequent", 1),  # 4 and 2 min
        (None, "new", 0),
        (None, "new", 0),
    ]
    [disk] = this_week["long_running"]
    assert disk["open_seconds"] == (WEEK - timedelta(days=1, hours=3, minutes=1)).total_seconds()
    assert in_berlin["start"] == "2026-11-22T23:00:00Z"
    assert "not an ISO week" in unknown["error"]


async def test_the_agent_reads_the_usage_report(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings) -> None:
    await feedback_week(pool)
    model = ScriptedModel(responses=[calls(("usage_report", {"days": 1})), AIMessage(content="Mostly 👍.")])
    await ask(pool, local_embeddings, model, "how has the bot been received this week?")
    [result] = tool_results(model)
    usage = json.loads(result.content)
    assert usage["feedback_by_module"] == [
        {"module": "runbook", "thumbs_up": 3, "thumbs_down": 1},
        {"module": "commands", "thumbs_up": 1, "thumbs_down": 2},
    ]
    assert [(u["model"], u["requests"], u["errors"]) for u in usage["llm_by_model"]] == [
        ("generic-fake-chat-model", 3, 1),
        ("fake-messages-list-chat-model", 1, 0),
    ]


async def test_the_agent_classifies_a_pasted_alert_and_a_question(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings
) -> None:
    opsgenie = json.loads((DATA / "alert-formats" / "opsgenie" / "01-new-alert-p1.json").read_text())["message"]
    pasted = message_text(opsgenie)
    model = ScriptedModel(
        responses=[
            calls(
                ("classify_message", {"text": pasted, "username": "Opsgenie"}),
                ("classify_message", {"text": "why does KubePodCrashLooping keep firing on the adapter?"}),
            ),
            AIMessage(content="An Opsgenie P1 alert."),
        ]
    )
    await ask(pool, local_embeddings, model, "what do you make of this Opsgenie alert?")
    alert, question = (json.loads(m.content) for m in tool_results(model))
    assert {k: alert[k] for k in ("kind", "alert", "service", "severity", "source", "confidence", "layer")} == {
        "kind": "alert_firing",
        "alert": "Our servers are in danger",
        "service": "EC2",
        "severity": "P1",
        "source": "opsgenie",
        "confidence": 1.0,
        "layer": "recogniser",
    }
    assert alert["fingerprint"].startswith("Our servers are in danger:")
    assert (question["kind"], question["alert"], question["layer"]) == ("question", None, "heuristic")
