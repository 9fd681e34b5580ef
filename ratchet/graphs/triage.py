"""The triage graph: what happens to every message the bot stores. Read it top to bottom.

    understand ─┬─ alert fired    → runbook ∥ recent activity ∥ past incidents → brief ─┐
                ├─ alert resolved → resolution note ──────────────────────────────────┤→ respond
                ├─ a person addressed the bot → answer from the docs ─────────────────┘
                └─ anything else → done (stored, classified, embedded)

A Slack thread is one LangGraph thread (`slack:<team>:<channel>:<thread_ts|ts>`), checkpointed in Postgres after
every step, so a run interrupted by a crash resumes where it stopped; `respond` posts through the idempotent
`Poster`, so a step that runs again never posts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypedDict

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer
from psycopg_pool import AsyncConnectionPool
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.agent.events import BotIdentity
from ratchet.agent.posting import Poster, Reply
from ratchet.classify import incidents as incident_tracking
from ratchet.classify.classifier import Classifier
from ratchet.knowledge.activity import past_incidents, recent_activity
from ratchet.knowledge.answers import answer_question
from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.knowledge.synthesis import permalink, synthesize_runbook
from ratchet.storage import incidents, messages, posts


@dataclass
class TriageContext:
    """What the nodes work with: the process's database, models and Slack connection."""

    pool: AsyncConnectionPool
    embeddings: Embeddings
    classifier: Classifier
    poster: Poster
    bot: BotIdentity
    slack: AsyncWebClient | None = None
    chat_model: BaseChatModel | None = None


class TriageState(TypedDict, total=False):
    channel_id: str
    ts: str
    thread_ts: str  # where the bot answers: the message's thread, or the message itself
    classification: dict[str, Any]
    addressed: bool
    runbook: str
    activity: str
    history: str
    replies: list[dict[str, str]]  # {"module", "markdown"}, posted by `respond` in order


def thread_id(team_id: str, channel_id: str, thread_ts: str) -> str:
    return f"slack:{team_id}:{channel_id}:{thread_ts}"


# --- nodes -----------------------------------------------------------------------------------------------------


async def understand(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Classify the message, apply it to incidents, embed it."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
    if stored is None or stored.is_deleted:
        return {"classification": {"kind": "gone"}, "addressed": False, "replies": []}
    found = await ctx.classifier.classify(stored.attrs.get("raw", {}), bot_user_id=ctx.bot.user_id)
    vector = await ctx.embeddings.aembed_query(stored.text) if stored.text.strip() else None
    async with ctx.pool.connection() as conn, conn.transaction():
        classification = await incident_tracking.record_classification(conn, stored, found)
        if vector is not None:
            await messages.set_embedding(conn, stored.channel_id, stored.ts, vector)
        # a question in a thread the bot already answered in is a follow-up addressed to it
        follow_up = (
            bool(stored.thread_ts)
            and found.kind == "question"
            and bool(await posts.in_thread(conn, stored.channel_id, stored.conversation_ts))
        )
    return {
        "classification": classification,
        "addressed": ctx.bot.is_addressed(stored) or follow_up,
        "thread_ts": stored.conversation_ts,
        "replies": [],
    }


def route(state: TriageState) -> list[str] | str:
    kind = state["classification"].get("kind")
    if kind == "alert_firing" and state["classification"].get("alert"):
        return ["runbook", "activity", "history"]
    if kind == "alert_resolved" and " resolved after " in (state["classification"].get("incident") or ""):
        return "resolution"
    if state.get("addressed"):
        return "answer"
    return END


async def runbook(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    ctx, alert = runtime.context, state["classification"]["alert"]
    async with ctx.pool.connection() as conn:
        curated = await find_curated_runbook(conn, ctx.embeddings, alert)
        written = await synthesize_runbook(conn, ctx.chat_model, alert)
    parts = []
    if curated:
        link = f"[{curated.title or curated.path}]({curated.url})" if curated.url else f"`{curated.path}`"
        parts.append(f"**Runbook:** {link} ({curated.source})")
    else:
        parts.append(f"**Runbook:** none for {alert} in the indexed documentation.")
    if written.statements or written.threads:
        parts.append(written.to_markdown())
    return {"runbook": "\n\n".join(parts)}


async def activity(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    ctx, found = runtime.context, state["classification"]
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
        assert stored is not None
        hits = await recent_activity(
            conn, ctx.embeddings, alert=found["alert"], service=found.get("service"), at=stored.posted_at
        )
    if not hits:
        return {"activity": "**Recent activity:** nothing related said in the last hour."}
    lines = [f"• <{permalink(h.channel_id, h.ts, thread_ts=h.thread_ts)}|{_short(h.text)}>" for h in hits[:3]]
    return {"activity": "**Recent activity:**\n" + "\n".join(lines)}


async def history(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    ctx, found = runtime.context, state["classification"]
    async with ctx.pool.connection() as conn:
        past = await past_incidents(conn, fingerprint=found.get("fingerprint"), excluding=state["ts"])
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
        said = f", last word: “{_short(item.resolution)}”" if item.resolution else ""
        lines.append(
            f"• {incident.opened_at:%Y-%m-%d %H:%M} UTC, {lasted}, {len(incident.responders)} responder(s){said}"
        )
    return {"history": "**Past incidents:**\n" + "\n".join(lines)}


async def brief(state: TriageState) -> TriageState:
    sections = [state.get("runbook"), state.get("activity"), state.get("history")]
    return {"replies": [{"module": "runbook", "markdown": "\n\n".join(s for s in sections if s)}]}


async def resolution(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Close the loop in the alert's thread: duration, who responded; and mark the original notification."""
    ctx, found = runtime.context, state["classification"]
    async with ctx.pool.connection() as conn:
        [incident] = await incidents.recent(conn, fingerprint=found["fingerprint"], limit=1) or [None]
    if incident is None or incident.status != "resolved":
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


async def answer(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """A person addressed the bot: the documentation's answer, or its passages, or why there is none."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
        assert stored is not None
        question = stored.text.replace(f"<@{ctx.bot.user_id}>", "").strip()
        found = await answer_question(conn, ctx.embeddings, ctx.chat_model, question)
    return {"replies": [{"module": "commands", "markdown": found.to_markdown()}]}


async def respond(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Post every reply once: the key is the message and the reply's place, whatever step runs again."""
    for index, reply in enumerate(state.get("replies", [])):
        await runtime.context.poster.post(
            Reply(
                channel_id=state["channel_id"],
                thread_ts=state["thread_ts"],
                module=reply["module"],
                markdown=reply["markdown"],
                key=f"triage:{state['channel_id']}:{state['ts']}:{index}",
            )
        )
    return {}


def _short(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split()).translate({ord("|"): "/", ord("<"): None, ord(">"): None})  # a link label
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "an unknown time"
    minutes = round(value.total_seconds() / 60)
    if minutes < 1:
        return f"{round(value.total_seconds())}s"
    return f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"


# --- the graph -------------------------------------------------------------------------------------------------


def build_triage_graph(checkpointer: Checkpointer | None = None) -> Any:
    graph = StateGraph(TriageState, context_schema=TriageContext)
    graph.add_node("understand", understand)
    graph.add_node("runbook", runbook)
    graph.add_node("activity", activity)
    graph.add_node("history", history)
    graph.add_node("brief", brief)
    graph.add_node("resolution", resolution)
    graph.add_node("answer", answer)
    graph.add_node("respond", respond)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges("understand", route, ["runbook", "activity", "history", "resolution", "answer", END])
    graph.add_edge(["runbook", "activity", "history"], "brief")
    for node in ("brief", "resolution", "answer"):
        graph.add_edge(node, "respond")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer, name="triage")


graph = build_triage_graph()  # for LangGraph Studio / `langgraph dev` (langgraph.json); the bot adds a checkpointer
