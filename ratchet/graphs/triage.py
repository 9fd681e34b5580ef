"""The triage graph: what happens to every message the bot stores. Read it top to bottom.

    understand ─┬─ alert fired    → runbook ∥ recent activity ∥ past incidents → brief ─┐
                ├─ alert resolved → resolution note ──────────────────────────────────┤
                ├─ a person addressed the bot, with an LLM → agent ⇄ tools → compose ──┤
                ├─ a person addressed the bot, without one → answer from the docs ────┤→ respond ─┐
                ├─ a person wrote in a monitored channel → monitor rules ─────────────┘           │
                └─ anything else → done (stored, classified, embedded)                             │
                                                                                                   │
    respond ─ something to change outside the bot? → request approval ‖ (waits) → carry out → respond

A Slack thread is one LangGraph thread (`slack:<team>:<channel>:<thread_ts|ts>`), checkpointed in Postgres after
every step, so a run interrupted by a crash resumes where it stopped; `respond` posts through the idempotent
`Poster`, so a step that runs again never posts twice. An approval request stops the run (`interrupt()`) until a
person answers in the thread (graphs/approvals.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer, Command
from slack_sdk.errors import SlackApiError

from ratchet.classify import incidents as incident_tracking
from ratchet.graphs.approvals import carry_out, request_approval
from ratchet.graphs.monitor import monitor
from ratchet.graphs.state import TriageContext, TriageState
from ratchet.knowledge.activity import past_incidents, recent_activity
from ratchet.knowledge.answers import answer_question
from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.knowledge.synthesis import permalink, synthesize_runbook
from ratchet.prompts import load_prompt, render_prompt
from ratchet.redact import redact
from ratchet.slack.formatting import shorten
from ratchet.slack.posting import Reply
from ratchet.storage import channels, incidents, messages, posts
from ratchet.storage.messages import StoredMessage
from ratchet.tools import TOOLS

MAX_AGENT_STEPS = 5  # model calls per question
THREAD_CONTEXT = 10  # the thread's latest messages shown to the agent
MODEL_ATTEMPTS = 3  # tries per agent step when the model fails or returns a malformed tool call
RETRY_BACKOFF_SECONDS = 1.0  # doubled after each failed try

log = logging.getLogger(__name__)


# --- nodes -----------------------------------------------------------------------------------------------------


async def understand(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Classify the message, apply it to incidents, embed it."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
        channel = await channels.get(conn, state["channel_id"])
    if stored is None or stored.is_deleted:
        return {"classification": {"kind": "gone"}, "addressed": False, "replies": []}
    found = await ctx.classifier.classify(stored.attrs.get("raw", {}), bot_user_id=ctx.bot.user_id)
    channel_name = channel.name if channel else None
    monitored = (
        ctx.chat_model is not None
        and stored.is_human
        and stored.thread_ts is None
        and bool(ctx.monitor.rules_for(stored.channel_id, channel_name))
    )
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
        "question": stored.text.replace(f"<@{ctx.bot.user_id}>", "").strip(),
        "posted_at": stored.posted_at,
        "author": stored.user_id or stored.attrs.get("username") or "?",
        "channel_name": channel_name,
        "monitored": monitored,
        "replies": [],
        "pending": [],
        "steps": 0,
        "agent_available": ctx.chat_model is not None,
    }


def route(state: TriageState) -> list[str] | str:
    kind = state["classification"].get("kind")
    if kind == "alert_firing" and state["classification"].get("alert"):
        return ["runbook", "activity", "history"]
    if kind == "alert_resolved" and state["classification"].get("fingerprint"):
        return "resolution"
    if state.get("addressed"):
        return "agent" if state.get("agent_available") else "answer"
    if state.get("monitored"):
        return "monitor"
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
        hits = await recent_activity(
            conn, ctx.embeddings, alert=found["alert"], service=found.get("service"), at=state["posted_at"]
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


async def answer(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """A person addressed the bot: the documentation's answer, or its passages, or why there is none."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        found = await answer_question(conn, ctx.embeddings, ctx.chat_model, state["question"])
    return {"replies": [{"module": "commands", "markdown": found.to_markdown()}]}


async def agent(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """One model step: on the first, the question (and the thread, quoted) joins the thread's conversation."""
    ctx = runtime.context
    assert ctx.chat_model is not None
    new: list[AnyMessage] = []
    if state.get("steps", 0) == 0:
        if not state.get("messages"):
            new.append(SystemMessage(load_prompt("agent_system")))
        new.append(HumanMessage(await _question(state, ctx)))
    used = state.get("tokens", 0)
    if used >= ctx.thread_token_budget:
        reason = f"(this thread has used its budget of {ctx.thread_token_budget:,} LLM tokens; ask in a new thread)"
        return {"messages": [*new, AIMessage(content=reason, name="failure")], "steps": MAX_AGENT_STEPS}
    allowed = allowed_tools(ctx, state["channel_id"], state.get("channel_name"))
    reply = await _call_model(ctx, allowed, [*state.get("messages", []), *new])
    names = {tool.name for tool in allowed}
    if any(call["name"] not in names for call in reply.tool_calls):
        # a tool this channel does not allow is called under a name no tool has: the call fails, the model is told
        reply.tool_calls = [
            c if c["name"] in names else {**c, "name": f"{c['name']} (not allowed in this channel)"}
            for c in reply.tool_calls
        ]
    spent = reply.usage_metadata["total_tokens"] if reply.usage_metadata else 0
    return {"messages": [*new, reply], "steps": state.get("steps", 0) + 1, "tokens": used + spent}


async def _call_model(ctx: TriageContext, tools: list[BaseTool], conversation: list[AnyMessage]) -> AIMessage:
    """The model's next message; timeouts, rate limits, errors and malformed tool calls are retried with backoff,
    then become a `failure` message whose text is the reason, so the person still gets an answer or a reason."""
    assert ctx.chat_model is not None
    model = ctx.chat_model.bind_tools(tools)
    config: RunnableConfig = {"metadata": {"module": "commands"}, "run_name": "agent"}
    # e.g. ChatOpenAI: its client already retries timeouts, 429s (after Retry-After) and 5xx with backoff
    client_retries = isinstance(getattr(ctx.chat_model, "max_retries", None), int)
    problem, tries = "", 0
    for tries in range(1, MODEL_ATTEMPTS + 1):
        if tries > 1:
            await asyncio.sleep(RETRY_BACKOFF_SECONDS * 2 ** (tries - 2))
        try:
            reply = await model.ainvoke(conversation, config=config)
        except Exception as error:
            problem = f"the model failed: {type(error).__name__}: {shorten(str(error), 200)}"
            log.warning("agent model call %d/%d failed: %s", tries, MODEL_ATTEMPTS, problem)
            if client_retries:
                break
            continue
        if not isinstance(reply, AIMessage):
            problem = f"the model returned a {type(reply).__name__}, not a message"
        elif reply.invalid_tool_calls:
            bad = reply.invalid_tool_calls[0]
            problem = f"the model made a malformed call to {bad.get('name') or 'a tool'}: {bad.get('error') or ''}"
            log.warning("agent model call %d/%d: %s", tries, MODEL_ATTEMPTS, problem)
        else:
            return reply
    return AIMessage(content=f"({problem.strip(': ')}, {tries} {'try' if tries == 1 else 'tries'})", name="failure")


def allowed_tools(ctx: TriageContext, channel_id: str, channel_name: str | None) -> list[BaseTool]:
    """The agent's tools (built-in and from MCP servers) this channel allows (RATCHET_CHANNELS_CONFIG)."""
    allowed = ctx.channels.for_channel(channel_id, channel_name).tools
    return [tool for tool in [*TOOLS, *ctx.extra_tools] if allowed is None or tool.name in allowed]


async def tools(state: TriageState, runtime: Runtime[TriageContext], config: RunnableConfig) -> Any:
    """Run the tool calls of the agent's last message (in parallel); a call to a tool the channel does not allow
    was renamed by `agent`, so it fails here and the model reads why. What the tools found (Slack messages, docs,
    MCP servers' answers) has secrets redacted before the model sees it."""
    ran = await ToolNode([*TOOLS, *runtime.context.extra_tools]).ainvoke(state, config)
    for output in ran if isinstance(ran, list) else [ran]:  # a list when a tool returned a Command
        update = output.update if isinstance(output, Command) else output
        for message in update.get("messages", []):
            message.content = redact(message.text)
    return ran


def after_agent(state: TriageState) -> str:
    last = state["messages"][-1]
    wants_tools = isinstance(last, AIMessage) and bool(last.tool_calls) and last.name != "failure"
    return "tools" if wants_tools and state.get("steps", 0) < MAX_AGENT_STEPS else "compose"


async def compose(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """The agent's last word, or, when it failed or ran out of steps, the documentation's passages and why."""
    last = state["messages"][-1]
    text = last.content if isinstance(last, AIMessage) and isinstance(last.content, str) else ""
    if isinstance(last, AIMessage) and last.name != "failure" and not last.tool_calls and text.strip():
        return {"replies": [{"module": "commands", "markdown": text}]}
    reason = text.strip("()") if last.name == "failure" else "I ran out of steps before I had an answer"
    async with runtime.context.pool.connection() as conn:
        passages = await answer_question(conn, runtime.context.embeddings, None, state["question"])
    markdown = f"_{reason}; here is what the documentation says._\n\n{passages.to_markdown()}"
    # every tool call in the conversation needs its answer, or the next question in the thread is refused (OpenAI)
    unanswered = [
        ToolMessage(content="Not run: the step budget ran out.", tool_call_id=call["id"], status="error")
        for call in (last.tool_calls if isinstance(last, AIMessage) else [])
    ]
    return {"messages": unanswered, "replies": [{"module": "commands", "markdown": markdown}]}


async def _question(state: TriageState, ctx: TriageContext) -> str:
    async with ctx.pool.connection() as conn:
        thread = await messages.thread(conn, state["channel_id"], state["thread_ts"])

    def author(m: StoredMessage) -> str:
        return "ratchet" if m.bot_id == ctx.bot.bot_id else m.user_id or m.attrs.get("username") or "bot"

    transcript = "\n".join(f"[{author(m)}] {m.text[:1500]}" for m in thread[-THREAD_CONTEXT:] if m.ts != state["ts"])
    return render_prompt(
        "agent_question", thread=transcript or "(none)", user=state["author"], question=state["question"]
    )


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
    graph = StateGraph(TriageState, context_schema=TriageContext)
    graph.add_node("understand", understand)
    graph.add_node("runbook", runbook)
    graph.add_node("activity", activity)
    graph.add_node("history", history)
    graph.add_node("brief", brief)
    graph.add_node("resolution", resolution)
    graph.add_node("answer", answer)
    graph.add_node("agent", agent)
    graph.add_node("tools", tools)
    graph.add_node("compose", compose)
    graph.add_node("monitor", monitor)
    graph.add_node("respond", respond)
    graph.add_node("request_approval", request_approval)
    graph.add_node("carry_out", carry_out)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges(
        "understand", route, ["runbook", "activity", "history", "resolution", "agent", "answer", "monitor", END]
    )
    graph.add_conditional_edges("agent", after_agent, ["tools", "compose"])
    graph.add_edge("tools", "agent")
    graph.add_edge(["runbook", "activity", "history"], "brief")
    for node in ("brief", "resolution", "answer", "compose", "monitor"):
        graph.add_edge(node, "respond")
    graph.add_conditional_edges("respond", after_respond, ["request_approval", END])
    graph.add_edge("request_approval", "carry_out")
    graph.add_edge("carry_out", "respond")
    return graph.compile(checkpointer=checkpointer, name="triage")


graph = build_triage_graph()  # for LangGraph Studio / `langgraph dev` (langgraph.json); the bot adds a checkpointer
