"""The triage graph through the job handlers: typed state in the checkpoints, the notification's own runbook link,
and runs left by an older shape of the graph. Real Postgres, checkpointer, ledger and simulator; no LLM."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import START, StateGraph

from ratchet.classify.models import Classification
from ratchet.graphs.state import TriageState, thread_id
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.conftest import DATA
from tests.slack_thread import Thread

CORPUS = DATA / "alert-formats" / "alertmanager-eval" / "notifications.jsonl"


def runbook_url(alert: str) -> str:
    """The `runbook_url` annotation of the real rule."""
    with (DATA / "alerts" / "alerts.jsonl").open() as rules:
        return next(r["runbook_url"] for line in rules if (r := json.loads(line))["alert"] == alert)


def attachment(alert: str, text_template: str) -> dict[str, Any]:
    """The attachment of a rendered Alertmanager notification of `alert` from the committed corpus."""
    with CORPUS.open() as corpus:
        for line in corpus:
            example = json.loads(line)
            if example["alert"] == alert and example["slices"]["text"] == text_template:
                [found] = example["message"]["attachments"]
                return dict(found)
    raise LookupError(alert)


def config(thread: Thread, ts: str) -> Any:
    return {"configurable": {"thread_id": thread_id(thread.bot.team_id, thread.channel, ts)}}


async def test_the_notifications_runbook_link_reaches_its_thread(runtime: Runtime, sim: SlackSimulator) -> None:
    """The common community template adds `*Runbook:* <url|:spiral_note_pad:>`; CoreDNS's runbook is in no
    indexed documentation, so the bot can only know it from the notification."""
    url = runbook_url("CoreDNSDown")
    notification = attachment("CoreDNSDown", "alerts_range")
    notification["text"] += f"*Runbook:* <{url}|:spiral_note_pad:>\n"
    thread = Thread(runtime, sim, None)
    ts = await thread.alert("Alertmanager", "", attachments=[notification])

    [reply] = thread.said()
    assert f"*Runbook:* <{url}> (linked from the alert)" in reply["text"]
    state = (await thread.handlers.graph.aget_state(config(thread, ts))).values
    found = state["classification"]
    assert isinstance(found, Classification), "the checkpoint gives the model back, not a dict"
    assert (found.kind, found.alert, found.runbook_url) == ("alert_firing", "CoreDNSDown", url)


async def test_without_a_link_the_reply_says_there_is_no_runbook(runtime: Runtime, sim: SlackSimulator) -> None:
    thread = Thread(runtime, sim, None)
    await thread.alert("Alertmanager", "", attachments=[attachment("CoreDNSDown", "alerts_range")])
    [reply] = thread.said()
    assert "*Runbook:* none for CoreDNSDown in the indexed documentation." in reply["text"]


async def test_a_run_left_by_an_older_graph_shape_is_abandoned_with_a_word_in_its_thread(
    runtime: Runtime, sim: SlackSimulator
) -> None:
    thread = Thread(runtime, sim, None)
    first = await thread.say("amara", "is checkout degraded right now?")
    # what the graph before the agent was a subgraph left behind when its worker died before the `tools` step
    old = StateGraph(TriageState)
    old.add_node(  # its agent step kept the system prompt in the thread's conversation
        "agent",
        lambda state: {
            "thread_ts": first,
            "messages": [SystemMessage("You are ratchet."), HumanMessage("is checkout degraded right now?")],
        },
    )
    old.add_node("tools", lambda state: {})
    old.add_edge(START, "agent")
    old.add_edge("agent", "tools")
    old_graph = old.compile(checkpointer=runtime.checkpointer, interrupt_before=["tools"])
    await old_graph.ainvoke({"channel_id": thread.channel, "ts": first}, config(thread, first))
    assert not (await thread.handlers.graph.aget_state(config(thread, first))).next, "invisible to the new graph"

    await thread.say("amara", f"<@{sim.bot_user_id}> anyone?")
    said = [message["text"] for message in thread.said()]
    assert said[0] == "_I was upgraded while working on this thread and could not finish; ask me again._"
    assert len(said) == 2, "the new message got its own answer"
    assert not (await thread.handlers.graph.aget_state(config(thread, first))).next
    saved = await runtime.checkpointer.aget_tuple(config(thread, first))
    assert saved is not None and "branch:to:tools" not in saved.checkpoint["channel_values"], "the old step is gone"
