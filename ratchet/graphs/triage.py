"""The triage graph: what happens to every message the bot stores. Read it top to bottom.

    understand ─┬─ alert fired    → runbook ∥ recent activity ∥ past incidents → brief ─┐
                ├─ alert resolved → resolution note ──────────────────────────────────┤
                ├─ a person addressed the bot, with an LLM → agent → compose ──────────┤
                ├─ a person addressed the bot, without one → answer from the docs ────┤→ respond ─┐
                ├─ a person wrote in a monitored channel → monitor rules ─────────────┘           │
                └─ anything else → done (stored, classified, embedded)                             │
                                                                                                   │
    respond ─ something to change outside the bot? → request approval ‖ (waits) → carry out → respond

A Slack thread is one LangGraph thread (`slack:<team>:<channel>:<thread_ts|ts>`), checkpointed in Postgres after
every step, so a run interrupted by a crash resumes where it stopped; `respond` posts through the idempotent
`Poster`, so a step that runs again never posts twice. An approval request stops the run (`interrupt()`) until a
person answers in the thread (graphs/approvals.py). The person's branch (the agent, a `create_agent` subgraph in
ratchet/agent/, or the documentation's answer) is in graphs/conversation.py, the channel monitor in
graphs/monitor.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer
from slack_sdk.errors import SlackApiError

from ratchet.classify.recording import classify_and_record
from ratchet.context import TriageContext
from ratchet.graphs.approvals import carry_out, request_approval
from ratchet.graphs.conversation import agent, answer, compose
from ratchet.graphs.monitor import monitor
from ratchet.graphs.state import CHECKPOINTED_TYPES, TriageInput, TriageState
from ratchet.knowledge.activity import past_incidents, readable_channels, recent_activity
from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.knowledge.synthesis import permalink, synthesize_runbook
from ratchet.slack.formatting import shorten
from ratchet.slack.posting import Reply
from ratchet.storage import channels, incidents, messages, posts

# --- nodes -----------------------------------------------------------------------------------------------------


async def understand(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Classify the message, apply it to incidents, embed it; note who asked what, where."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
        channel = await channels.get(conn, state["channel_id"])
    if stored is None or stored.is_deleted:
        return {"addressed": False, "replies": []}
    [(stored, classification)] = await classify_and_record(
        ctx.pool, ctx.classifier, ctx.embeddings, [stored], bot_user_id=ctx.bot.user_id
    )
    async with ctx.pool.connection() as conn:
        # a question in a thread the bot already answered in is a follow-up addressed to it
        follow_up = (
            bool(stored.thread_ts)
            and classification.kind == "question"
            and bool(await posts.in_thread(conn, stored.channel_id, stored.conversation_ts))
        )
        channel_name = channel.name if channel else None
        readable = await readable_channels(conn, ctx.channels, stored.channel_id, channel_name)
    return {
        "readable": readable,
        "classification": classification,
        "addressed": ctx.bot.is_addressed(stored) or follow_up,
        "thread_ts": stored.conversation_ts,
        "posted_at": stored.posted_at,
        "author": stored.user_id or stored.attrs.get("username") or "?",
        "channel_name": channel_name,
        "monitored": (
            ctx.chat_model is not None
            and stored.is_human
            and stored.thread_ts is None
            and bool(ctx.monitor.rules_for(stored.channel_id, channel_name))
        ),
        "agent_available": ctx.chat_model is not None,
        "replies": [],
        "pending": [],
    }


def route(state: TriageState) -> list[str] | str:
    found = state.get("classification")
    if found is None:  # the message is gone
        return END
    if found.kind == "alert_firing" and found.alert:
        return ["runbook", "activity", "history"]
    if found.kind == "alert_resolved" and found.fingerprint:
        return "resolution"
    if state.get("addressed"):
        return "agent" if state.get("agent_available") else "answer"
    if state.get("monitored"):
        return "monitor"
    return END


async def runbook(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """The runbook the notification links to, else the docs' runbook for the alert; and what past threads say."""
    ctx, found = runtime.context, state["classification"]
    assert found.alert is not None
    async with ctx.pool.connection() as conn:
        curated = await find_curated_runbook(conn, ctx.embeddings, found.alert, runbook_link=found.runbook_url)
    written = await synthesize_runbook(ctx.pool, ctx.chat_model, found.alert, channels=state["readable"])
    if curated:
        link = f"[{curated.title or curated.path}]({curated.url})" if curated.url else f"`{curated.path}`"
        parts = [f"**Runbook:** {link} ({curated.source})"]
    elif found.runbook_url:
        parts = [f"**Runbook:** [{found.runbook_url}]({found.runbook_url}) (linked from the alert)"]
    else:
        parts = [f"**Runbook:** none for {found.alert} in the indexed documentation."]
    if written.statements or written.threads:
        parts.append(written.to_markdown())
    return {"runbook": "\n\n".join(parts)}


async def activity(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    ctx, found = runtime.context, state["classification"]
    assert found.alert is not None
    async with ctx.pool.connection() as conn:
        hits = await recent_activity(
            conn,
            ctx.embeddings,
            alert=found.alert,
            service=found.service,
            fingerprint=found.fingerprint,
            at=state["posted_at"],
            readable=state["readable"],
            bot_user_id=ctx.bot.user_id,
        )
    if not hits:
        return {"activity": "**Recent activity:** nothing related said in the last hour."}
    lines = [f"• <{permalink(h.channel_id, h.ts, thread_ts=h.thread_ts)}|{_short(h.text)}>" for h in hits[:3]]
    return {"activity": "**Recent activity:**\n" + "\n".join(lines)}


async def history(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    ctx, found = runtime.context, state["classification"]
    async with ctx.pool.connection() as conn:
        past = await past_incidents(
            conn, fingerprint=found.fingerprint, readable=state["readable"], excluding=state["ts"]
        )
    if not past:
        return {"history": "**Past incidents:** this alert has not fired here before."}
    lines = []
    for item in past:
        incident = item.incident
        lasted = (
            f"lasted {_duration(incident.duration)}"
            if incident.duration is not None
            else f"open again, fired {incident.fire_count} times"
        )
        said = f", last word: <{item.resolution_link}|“{_short(item.resolution)}”>" if item.resolution else ""
        lines.append(
            f"• {incident.opened_at:%Y-%m-%d %H:%M} UTC, {lasted}, {len(incident.responders)} responder(s){said}"
        )
    return {"history": "**Past incidents:**\n" + "\n".join(lines)}


async def brief(state: TriageState) -> TriageState:
    sections = [state.get("runbook"), state.get("activity"), state.get("history")]
    return {"replies": [{"module": "runbook", "markdown": "\n\n".join(s for s in sections if s)}]}


async def resolution(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Close the loop in the alert's thread: duration, who responded; and mark the original notification."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        incident = await incidents.resolved_by(conn, state["channel_id"], state["ts"])
    if incident is None:  # nothing was open to resolve (it fired before the bot was here)
        return {"replies": []}
    responders = ", ".join(f"<@{user}>" for user in incident.responders) or "nobody replied in the thread"
    first = (
        f" First response after {_duration(incident.first_response_at - incident.opened_at)}."
        if incident.first_response_at
        else ""
    )
    note = f"**Resolved** after {_duration(incident.duration)}. Responders: {responders}.{first}"
    if ctx.slack is not None:
        try:
            await ctx.slack.reactions_add(
                channel=incident.channel_id, timestamp=incident.opened_ts, name="white_check_mark"
            )
        except SlackApiError as error:
            if error.response.get("error") != "already_reacted":
                raise
    return {"thread_ts": incident.opened_ts, "replies": [{"module": "incidents", "markdown": note}]}


async def respond(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Post every reply once: the key is the message and the reply's place, whatever step runs again."""
    for index, reply in enumerate(state.get("replies", [])):
        await runtime.context.poster.post(
            Reply(
                channel_id=state["channel_id"],
                thread_ts=state["thread_ts"],
                module=reply["module"],
                markdown=reply["markdown"],
                key=f"triage:{state['channel_id']}:{state['ts']}:{reply.get('id', index)}",
            )
        )
    return {}


def after_respond(state: TriageState) -> str:
    """Actions that change things outside the bot wait for a person's approval; the rest is done."""
    return "request_approval" if state.get("pending") else END


def _short(text: str, limit: int = 140) -> str:
    """One line of a message, fit for a link label."""
    return shorten(text.translate({ord("|"): "/", ord("<"): None, ord(">"): None}), limit)


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "an unknown time"
    minutes = round(value.total_seconds() / 60)
    if minutes < 1:
        return f"{round(value.total_seconds())}s"
    return f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"


# --- the graph -------------------------------------------------------------------------------------------------


def build_triage_graph(checkpointer: Checkpointer | None = None) -> Any:
    graph = StateGraph(TriageState, context_schema=TriageContext, input_schema=TriageInput)
    graph.add_node("understand", understand)
    graph.add_node("runbook", runbook)
    graph.add_node("activity", activity)
    graph.add_node("history", history)
    graph.add_node("brief", brief)
    graph.add_node("resolution", resolution)
    graph.add_node("answer", answer)
    graph.add_node("agent", agent)
    graph.add_node("compose", compose)
    graph.add_node("monitor", monitor)
    graph.add_node("respond", respond)
    graph.add_node("request_approval", request_approval)
    graph.add_node("carry_out", carry_out)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges(
        "understand", route, ["runbook", "activity", "history", "resolution", "agent", "answer", "monitor", END]
    )
    graph.add_edge("agent", "compose")
    graph.add_edge(["runbook", "activity", "history"], "brief")
    for node in ("brief", "resolution", "answer", "compose", "monitor"):
        graph.add_edge(node, "respond")
    graph.add_conditional_edges("respond", after_respond, ["request_approval", END])
    graph.add_edge("request_approval", "carry_out")
    graph.add_edge("carry_out", "respond")
    if isinstance(checkpointer, BaseCheckpointSaver):
        checkpointer = checkpointer.with_allowlist(CHECKPOINTED_TYPES)
    return graph.compile(checkpointer=checkpointer, name="triage")


graph = build_triage_graph()  # for LangGraph Studio / `langgraph dev` (langgraph.json); the bot adds a checkpointer
