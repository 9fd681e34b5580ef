"""The triage branch for a person who addressed the bot: the agent (with an LLM) or the documentation's answer
(without one). Either way the person gets an answer that cites the documentation, an explicit "I don't know" with
what was searched, or the documentation's passages and the reason there is no better answer; what they are told is
decided in knowledge/answers.py. `ask` is the same, without Slack (`ratchet ask`)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime

from ratchet.agent.agent import build_agent
from ratchet.context import TriageContext
from ratchet.graphs.state import TriageState
from ratchet.knowledge.answers import AgentEvidence, DocAnswer, Source, answer_from_agent, answer_question
from ratchet.prompts import render_prompt
from ratchet.storage import channels, messages
from ratchet.storage.messages import StoredMessage
from ratchet.tools import DOCUMENTATION_TOOLS

THREAD_CONTEXT = 10  # the thread's latest messages shown to the agent
ASKED_BY = "ratchet ask"  # who asks, to the agent, when the question comes from the command line


async def answer(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Without an LLM: the documentation's passages, or "I don't know" and the closest ones."""
    ctx = runtime.context
    found = await answer_question(ctx.pool, ctx.embeddings, await _asked(state, ctx))
    return {"replies": [{"module": "commands", "markdown": found.to_markdown()}]}


async def agent(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """The agent answers in the thread's conversation: the question (and the thread, quoted) joins it."""
    ctx = runtime.context
    # threads from before the agent had its own module keep their system prompt in the conversation
    history = [m for m in state.get("messages", []) if not isinstance(m, SystemMessage)]
    result = await _run_agent(
        ctx,
        [*history, HumanMessage(await _question(state, ctx))],
        channel_id=state["channel_id"],
        channel_name=state.get("channel_name"),
        tokens=state.get("tokens", 0),
    )
    return {
        "messages": result["messages"],
        "tokens": result.get("tokens", 0),
        "stopped": result.get("stopped"),
        "pending": result.get("pending", []),
    }


async def compose(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """The agent's answer held to what it found, or, when it stopped without one, the documentation's and why."""
    ctx = runtime.context
    found = await _concluded(ctx, await _asked(state, ctx), state["messages"], state.get("stopped"))
    return {"replies": [{"module": "commands", "markdown": found.to_markdown()}]}


async def ask(ctx: TriageContext, question: str, *, channel: str | None = None) -> DocAnswer:
    """What the bot would answer to `question` asked in `channel` (an id or a name, whose tool allow-list and
    readable channels apply), in a new thread: the agent's answer with an LLM, else the documentation's. Actions
    the agent proposes are not carried out."""
    if ctx.chat_model is None:
        return await answer_question(ctx.pool, ctx.embeddings, question)
    where: dict[str, Any] = {}  # no channel: the default allow-list, and no channel's messages
    if channel is not None:
        ref = channel.removeprefix("#")
        async with ctx.pool.connection() as conn:
            known = await channels.ids_of(conn, [ref])
            stored = await channels.get(conn, known[0]) if known else None
        where = (
            {"channel_id": stored.channel_id, "channel_name": stored.name}
            if stored
            else {"channel_id": ref, "channel_name": ref}
        )
    prompt = render_prompt("agent_question", thread="(none)", user=ASKED_BY, question=question)
    result = await _run_agent(ctx, [HumanMessage(prompt)], **where)
    return await _concluded(ctx, question, result["messages"], result.get("stopped"))


async def _run_agent(ctx: TriageContext, conversation: list[AnyMessage], **state: Any) -> dict[str, Any]:
    assert ctx.chat_model is not None
    return await build_agent(ctx.chat_model, ctx.extra_tools).ainvoke(
        {"messages": conversation, **state},
        {"metadata": {"module": "commands"}, "run_name": "agent"},
        context=ctx,
    )


async def _concluded(
    ctx: TriageContext, question: str, conversation: list[AnyMessage], stopped: str | None
) -> DocAnswer:
    last = conversation[-1]
    if not stopped and isinstance(last, AIMessage) and not last.tool_calls and last.text.strip():
        return await answer_from_agent(ctx.pool, ctx.embeddings, question, last.text, _evidence(conversation))
    found = await answer_question(ctx.pool, ctx.embeddings, question)
    return found.model_copy(
        update={"note": f"{stopped or 'the model gave no answer'}; here is what the documentation says."}
    )


def _evidence(conversation: list[AnyMessage]) -> AgentEvidence:
    """The documentation the conversation's tools returned (the artifacts of DOCUMENTATION_TOOLS), and which kinds
    of tool ran since the question of this run."""
    asked = max((n for n, m in enumerate(conversation) if isinstance(m, HumanMessage)), default=-1)
    passages: list[Source] = []
    documentation = other = False
    for position, message in enumerate(conversation):
        if not isinstance(message, ToolMessage):
            continue
        returned = message.name in DOCUMENTATION_TOOLS and isinstance(message.artifact, list)
        if returned:
            passages += [Source.model_validate(item) for item in message.artifact]
        if position > asked:
            documentation |= returned
            other |= not returned
    return AgentEvidence(passages=passages, documentation=documentation, other_tools=other)


async def _asked(state: TriageState, ctx: TriageContext) -> str:
    """What the person asked, read from the message: the checkpointed state keeps its ids, not its text (a message
    deleted in Slack is then forgotten with its row and its thread's checkpoints)."""
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
    return stored.text.replace(f"<@{ctx.bot.user_id}>", "").strip() if stored else ""


async def _question(state: TriageState, ctx: TriageContext) -> str:
    async with ctx.pool.connection() as conn:
        thread = await messages.thread(conn, state["channel_id"], state["thread_ts"])

    transcript = "\n".join(_transcript_line(m, ctx.bot.bot_id) for m in thread[-THREAD_CONTEXT:] if m.ts != state["ts"])
    return render_prompt(
        "agent_question", thread=transcript or "(none)", user=state["author"], question=await _asked(state, ctx)
    )


def _transcript_line(message: StoredMessage, bot_id: str | None) -> str:
    """`[speaker] text`, the speaker from Slack's ids (an integration cannot pass for the bot or a person by its
    display name) and the text's own lines indented (a line of it cannot pass for another speaker's)."""
    if message.bot_id is not None and message.bot_id == bot_id:
        speaker = "ratchet (you)"
    elif message.user_id is not None and message.bot_id is None:
        speaker = message.user_id
    else:
        speaker = f"integration {message.attrs.get('username') or message.bot_id or '?'}"
    return f"[{speaker}] " + message.text[:1500].replace("\n", "\n    ")
