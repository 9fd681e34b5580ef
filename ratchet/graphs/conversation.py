"""The triage branch for a person who addressed the bot: the agent (with an LLM) or the documentation's answer
(without one). Either way the person gets an answer, or the documentation's passages and the reason there is
no better answer."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from ratchet.agent.agent import build_agent
from ratchet.context import TriageContext
from ratchet.graphs.state import TriageState
from ratchet.knowledge.answers import answer_question
from ratchet.prompts import render_prompt
from ratchet.storage import messages
from ratchet.storage.messages import StoredMessage

THREAD_CONTEXT = 10  # the thread's latest messages shown to the agent


async def answer(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Without an LLM: the documentation's passages, or why there are none."""
    ctx = runtime.context
    found = await answer_question(ctx.pool, ctx.embeddings, ctx.chat_model, await _asked(state, ctx))
    return {"replies": [{"module": "commands", "markdown": found.to_markdown()}]}


async def agent(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """The agent answers in the thread's conversation: the question (and the thread, quoted) joins it."""
    ctx = runtime.context
    assert ctx.chat_model is not None
    # threads from before the agent had its own module keep their system prompt in the conversation
    history = [m for m in state.get("messages", []) if not isinstance(m, SystemMessage)]
    result = await build_agent(ctx.chat_model, ctx.extra_tools).ainvoke(
        {
            "messages": [*history, HumanMessage(await _question(state, ctx))],
            "channel_id": state["channel_id"],
            "channel_name": state.get("channel_name"),
            "tokens": state.get("tokens", 0),
        },
        {"metadata": {"module": "commands"}, "run_name": "agent"},
        context=ctx,
    )
    return {
        "messages": result["messages"],
        "tokens": result.get("tokens", 0),
        "stopped": result.get("stopped"),
        "pending": result.get("pending", []),
    }


async def compose(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """The agent's answer, or, when it stopped without one, the documentation's passages and why."""
    last = state["messages"][-1]
    stopped = state.get("stopped")
    if not stopped and isinstance(last, AIMessage) and not last.tool_calls and last.text.strip():
        return {"replies": [{"module": "commands", "markdown": last.text}]}
    ctx = runtime.context
    passages = await answer_question(ctx.pool, ctx.embeddings, None, await _asked(state, ctx))
    reason = stopped or "the model gave no answer"
    return {
        "replies": [
            {
                "module": "commands",
                "markdown": f"_{reason}; here is what the documentation says._\n\n{passages.to_markdown()}",
            }
        ]
    }


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
