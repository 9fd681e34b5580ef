"""The agent's middleware that LangChain does not ship: the channel's tool allow-list, the thread's token budget,
the step limit that says why it stopped, malformed tool calls treated as failures worth a retry, a model that
still fails turned into a reason, and secrets redacted from tool results before they enter the conversation."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NotRequired

from langchain.agents.middleware import (
    AgentMiddleware,
    AgentState,
    ExtendedModelResponse,
    ModelCallLimitMiddleware,
    ModelRequest,
    ModelResponse,
    ToolCallRequest,
    hook_config,
)
from langchain.agents.middleware.model_call_limit import ModelCallLimitState
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime
from langgraph.types import Command

from ratchet.context import PendingAction, TriageContext, merge_pending
from ratchet.redact import redact
from ratchet.slack.formatting import shorten

log = logging.getLogger(__name__)

ModelHandler = Callable[[ModelRequest[TriageContext]], Awaitable[ModelResponse[Any]]]
ToolHandler = Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]]


class ConversationState(AgentState[Any]):
    """The agent's state beyond its messages: where the question was asked, the thread's LLM tokens so far (all
    runs together), why this run stopped without an answer (None when it answered), and the actions its tools
    proposed, which wait for a person's approval once the agent is done."""

    channel_id: NotRequired[str]
    channel_name: NotRequired[str | None]
    tokens: NotRequired[int]
    stopped: NotRequired[str | None]
    pending: NotRequired[Annotated[list[PendingAction], merge_pending]]


class MalformedToolCall(Exception):
    """The model's reply holds a tool call that could not be parsed."""


class ChannelTools(AgentMiddleware[ConversationState, TriageContext]):
    """Offer the model only the tools the channel allows (RATCHET_CHANNELS_CONFIG), and answer a call to any
    other with the reason, so the model can do without it."""

    state_schema = ConversationState

    async def awrap_model_call(self, request: ModelRequest[TriageContext], handler: ModelHandler) -> Any:
        allowed = _allowed(request.runtime.context, request.state)
        if allowed is None:
            return await handler(request)
        offered = [tool for tool in request.tools if getattr(tool, "name", None) in allowed]
        return await handler(request.override(tools=offered))

    async def awrap_tool_call(self, request: ToolCallRequest, handler: ToolHandler) -> ToolMessage | Command[Any]:
        name = request.tool_call["name"]
        allowed = _allowed(request.runtime.context, request.state)
        if allowed is None or name in allowed:
            return await handler(request)
        return ToolMessage(
            content=f"Error: {name} (not allowed in this channel); this channel allows: {', '.join(sorted(allowed))}",
            tool_call_id=request.tool_call["id"],
            name=name,
            status="error",
        )


def _allowed(context: TriageContext, state: Any) -> set[str] | None:
    tools = context.channels.for_channel(state.get("channel_id", ""), state.get("channel_name")).tools
    return None if tools is None else set(tools)


class ThreadTokenBudget(AgentMiddleware[ConversationState, TriageContext]):
    """A thread's runs together spend at most the configured LLM tokens; past that, no model call is made."""

    state_schema = ConversationState

    @hook_config(can_jump_to=["end"])
    async def abefore_model(self, state: ConversationState, runtime: Runtime[TriageContext]) -> dict[str, Any] | None:
        budget = runtime.context.thread_token_budget
        if state.get("tokens", 0) < budget:
            return None
        reason = f"this thread has used its budget of {budget:,} LLM tokens; ask in a new thread"
        return {"jump_to": "end", "stopped": reason}

    async def aafter_model(self, state: ConversationState, runtime: Runtime[TriageContext]) -> dict[str, Any] | None:
        last = state["messages"][-1]
        spent = last.usage_metadata["total_tokens"] if isinstance(last, AIMessage) and last.usage_metadata else 0
        return {"tokens": state.get("tokens", 0) + spent}


class StepLimitState(ModelCallLimitState[Any], ConversationState):
    """The model call limit's counters beside the conversation's fields (the hook reads the one, sets the other)."""


class StepLimit(ModelCallLimitMiddleware[Any, TriageContext]):
    """LangChain's model call limit, ending the run with the reason in `stopped` instead of a message that would
    read as the answer."""

    state_schema = StepLimitState  # type: ignore[assignment]

    def __init__(self, steps: int) -> None:
        super().__init__(run_limit=steps, exit_behavior="end")

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: Any, runtime: Runtime[TriageContext]) -> dict[str, Any] | None:
        if super().before_model(state, runtime) is None:
            return None
        return {"jump_to": "end", "stopped": "I ran out of steps before I had an answer"}

    @hook_config(can_jump_to=["end"])
    async def abefore_model(self, state: Any, runtime: Runtime[TriageContext]) -> dict[str, Any] | None:
        return self.before_model(state, runtime)


class RejectMalformedToolCalls(AgentMiddleware[ConversationState, TriageContext]):
    """A reply with a tool call that could not be parsed is a failed call (retried like a timeout), not an answer."""

    async def awrap_model_call(self, request: ModelRequest[TriageContext], handler: ModelHandler) -> Any:
        response = await handler(request)
        for message in response.result:
            if isinstance(message, AIMessage) and message.invalid_tool_calls:
                bad = message.invalid_tool_calls[0]
                raise MalformedToolCall(
                    f"the model made a malformed call to {bad.get('name') or 'a tool'}: {bad.get('error') or ''}"
                )
        return response


class ModelFailure(AgentMiddleware[ConversationState, TriageContext]):
    """When the model still fails after its retries, the run ends with the reason (the person then gets the
    documentation's passages and why): the conversation keeps a `failure` message, `stopped` says why."""

    def __init__(self, tries: Callable[[Exception], int]) -> None:
        super().__init__()
        self.tries = tries

    async def awrap_model_call(self, request: ModelRequest[TriageContext], handler: ModelHandler) -> Any:
        try:
            return await handler(request)
        except GraphBubbleUp:
            raise
        except Exception as error:
            problem = (
                str(error).strip(": ")
                if isinstance(error, MalformedToolCall)
                else f"the model failed: {type(error).__name__}: {shorten(str(error), 200)}"
            )
            tries = self.tries(error)
            reason = f"{problem}, {tries} {'try' if tries == 1 else 'tries'}"
            log.warning("the agent's model call failed: %s", reason)
            return ExtendedModelResponse(
                model_response=ModelResponse(result=[AIMessage(content=f"({reason})", name="failure")]),
                command=Command(update={"stopped": reason}),
            )


class RedactToolResults(AgentMiddleware[ConversationState, TriageContext]):
    """What tools found (Slack messages, documents, MCP servers' answers) has its secrets replaced before the
    result enters the conversation: the model, the checkpoints and the traces never see them."""

    async def awrap_tool_call(self, request: ToolCallRequest, handler: ToolHandler) -> ToolMessage | Command[Any]:
        result = await handler(request)
        update = result.update if isinstance(result, Command) else None
        for message in [result] if isinstance(result, ToolMessage) else (update or {}).get("messages", []):
            message.content = redact(message.text)
        return result
