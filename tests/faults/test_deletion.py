"""A message deleted in Slack leaves no copy of its text in the database: not in `messages` (text, raw JSON,
embedding), not in the checkpoints of its thread or of the threads that showed it (an alert's recent activity, a
tool result), not in what the bot posted or cached. The bot's real parts on the simulator; the deletion is the
event the simulator sends for it (a tombstone for a thread parent with replies, `message_deleted` for a reply)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from psycopg_pool import AsyncConnectionPool

from ratchet.jobs.ingest import ingest
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.helpers import ScriptedModel, wait_until
from tests.slack_sim_support import RawSocketApp
from tests.slack_thread import Thread

ABSTENTION = "I don't know: nothing in the docs answers this."
WORD = "Quokka7731"  # in the deleted message only: any copy of it, whole, cut short or escaped, holds this
ASKED = f'why does payments-api crash loop since the "{WORD}" vault rotation? it keeps restarting'
ALERT = (
    "[FIRING:1] KubePodCrashLooping (payments payments-api-7d9f8 kube-state-metrics)\n"
    'Pod payments/payments-api-7d9f8 (api) is in waiting state (reason: "CrashLoopBackOff").'
)


@pytest.fixture
async def slack_events(sim: SlackSimulator) -> AsyncIterator[RawSocketApp]:
    """What the simulator sends the app, to pass the deletion through ingest."""
    app = await RawSocketApp(sim).connect()
    try:
        yield app
    finally:
        await app.close()


async def columns_holding(pool: AsyncConnectionPool, needle: str) -> list[str]:
    """`table.column` for every column of every table that holds `needle` in any row: text, json, arrays and
    tsvectors compared as text (case-insensitively: lexemes are lower case), bytea (the checkpoints' msgpack) as
    bytes."""
    async with pool.connection() as conn:
        columns = await (
            await conn.execute(
                """
                SELECT c.table_schema, c.table_name, c.column_name, c.udt_name FROM information_schema.columns c
                JOIN information_schema.tables t USING (table_schema, table_name)
                WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
                """
            )
        ).fetchall()
        found = []
        for schema, table, column, udt in columns:
            name = f'"{schema}"."{table}"'
            if udt == "bytea":
                holds = f"position(convert_to(%(needle)s, 'UTF8') IN \"{column}\") > 0"
            else:
                holds = f'strpos(lower("{column}"::text), lower(%(needle)s)) > 0'
            row = await (
                await conn.execute(f"SELECT count(*) FROM {name} WHERE {holds}", {"needle": needle})
            ).fetchone()
            if row and row[0]:
                found.append(f"{table}.{column}")
        return found


async def delete_in_slack(thread: Thread, app: RawSocketApp, ts: str) -> str:
    """Delete the message in the simulator; the event Slack sends for it goes through ingest and its jobs run."""
    await thread.sim.delete_message(thread.channel, ts)

    def deletion() -> dict[str, Any] | None:
        for payload in app.payloads:
            event = payload["event"]
            deleted = event.get("deleted_ts") or (event.get("message") or {}).get("ts")
            if event.get("subtype") in ("message_deleted", "message_changed") and deleted == ts:
                return payload
        return None

    outcome = await ingest(thread.runtime.pool, await wait_until(deletion), thread.bot)
    await thread.work()
    return outcome


async def test_a_question_answered_without_an_llm_leaves_nothing_once_deleted(
    runtime: Runtime, sim: SlackSimulator, slack_events: RawSocketApp
) -> None:
    asked = Thread(runtime, sim, None)
    question = await asked.say("priya", f"<@{sim.bot_user_id}> {ASKED}")
    [answer] = asked.said()
    assert WORD in answer["text"], "no docs are indexed: the answer says what it searched for"
    alerted = Thread(runtime, sim, None)
    await alerted.alert("Alertmanager", ALERT)
    assert WORD not in alerted.said()[-1]["text"], "a question to the bot is no recent activity of the alert"
    copies = await columns_holding(runtime.pool, WORD)
    assert {"messages.text", "messages.attrs", "messages.tsv", "bot_posts.text"} <= set(copies)
    assert any(column.startswith("checkpoint") for column in copies)

    assert await delete_in_slack(asked, slack_events, question) == "deleted"  # a tombstone: the answer is a reply

    assert await columns_holding(runtime.pool, WORD) == []
    assert await columns_holding(runtime.pool, "vault rotation") == []
    async with runtime.pool.connection() as conn:
        row = await (
            await conn.execute("SELECT is_deleted, embedding FROM messages WHERE ts = %s", (question,))
        ).fetchone()
    assert row == (True, None), "kept as deleted, without the vector of what it said"
    await still_answers(runtime, sim, asked, alerted)


async def test_a_follow_up_the_agent_answered_and_searched_leaves_nothing_once_deleted(
    runtime: Runtime, sim: SlackSimulator, slack_events: RawSocketApp
) -> None:
    model = ScriptedModel(
        responses=[
            AIMessage(content="Looking at the payments-api thread."),
            call("search_messages", query="payments-api vault rotation crash loop"),
            AIMessage(content=f"You asked about the {WORD} rotation: roll the pods after the new token is in."),
            call("search_messages", query="payments-api vault rotation"),
            AIMessage(content="Someone asked about a vault rotation earlier today."),
            AIMessage(content="Still here."),
            AIMessage(content="Still here too."),
        ]
    )
    asked = Thread(runtime, sim, model)
    await asked.say("priya", f"<@{sim.bot_user_id}> payments-api is crash looping")
    question = await asked.say("priya", f"<@{sim.bot_user_id}> {ASKED}")
    [found] = [m for m in model.seen[-1] if isinstance(m, ToolMessage)]
    assert WORD in found.content and WORD in asked.said()[-1]["text"]
    elsewhere = Thread(runtime, sim, model)
    await elsewhere.say("tom", f"<@{sim.bot_user_id}> did anyone mention a vault rotation today?")
    assert WORD in [m for m in model.seen[-1] if isinstance(m, ToolMessage)][-1].content, "another thread saw it"
    alerted = Thread(runtime, sim, None)
    await alerted.alert("Alertmanager", ALERT)

    assert await delete_in_slack(asked, slack_events, question) == "deleted"  # a reply: message_deleted

    assert await columns_holding(runtime.pool, WORD) == []
    await asked.say("priya", f"<@{sim.bot_user_id}> anything else?")
    # each thread's conversation goes on; the model's answers cite nothing, so each is an "I don't know"
    assert asked.said()[-1]["text"].startswith(f"{ABSTENTION} I searched all documentation sources for “anything")
    await elsewhere.say("tom", f"<@{sim.bot_user_id}> thanks")
    assert elsewhere.said()[-1]["text"].startswith(f"{ABSTENTION} I searched all documentation sources for “thanks")
    assert len(model.seen) == 7
    assert await columns_holding(runtime.pool, WORD) == []


async def test_a_reply_a_written_runbook_cites_leaves_nothing_once_deleted(
    runtime: Runtime, sim: SlackSimulator, slack_events: RawSocketApp
) -> None:
    step = f"Restart the adapter with the {WORD} configmap."
    writes = ScriptedModel(responses=[draft(resolution_steps=[{"text": step, "sources": ["m1"]}])])
    incident = Thread(runtime, sim, writes)
    await incident.alert("Alertmanager", ALERT)
    reply = await incident.say("tom", f"fixed: restarted the adapter with the {WORD} configmap")
    again = Thread(runtime, sim, writes)
    await again.alert("Alertmanager", ALERT)
    assert step in again.said()[-1]["text"], "the runbook written from the reply, cached"

    assert await delete_in_slack(incident, slack_events, reply) == "deleted"

    assert await columns_holding(runtime.pool, WORD) == []
    later = Thread(runtime, sim, writes)
    await later.alert("Alertmanager", ALERT)
    brief = later.said()[-1]["text"]
    assert WORD not in brief and "Runbook from past threads" not in brief, "the cached runbook is gone"


def draft(**sections: list[dict[str, Any]]) -> AIMessage:
    """The model's structured answer for a runbook (a RunbookDraft tool call)."""
    return AIMessage(content="", tool_calls=[{"name": "RunbookDraft", "args": sections, "id": "call-runbook"}])


async def still_answers(runtime: Runtime, sim: SlackSimulator, *threads: Thread) -> None:
    """A new question in the channel and a follow-up in each thread still get their answers."""
    fresh = Thread(runtime, sim, None)
    await fresh.say("tom", f"<@{sim.bot_user_id}> how do I restart the ingress controller?")
    assert len(fresh.said()) == 1
    for thread in threads:
        before = len(thread.said())
        await thread.say("amara", f"<@{sim.bot_user_id}> anything new on this?")
        assert len(thread.said()) == before + 1


def call(name: str, **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call-{name}"}])
