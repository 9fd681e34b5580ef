"""The tool-calling agent for people who address the bot: LangChain's `create_agent` with the tools the channel
allows and middleware for limits, retries and redaction. Triage runs it as a subgraph of its `agent` node, so
its steps are checkpointed with the Slack thread's conversation."""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import ModelRetryMiddleware
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langgraph.graph.state import CompiledStateGraph

from ratchet.agent.middleware import (
    ChannelTools,
    ConversationState,
    MalformedToolCall,
    ModelFailure,
    RedactToolResults,
    RejectMalformedToolCalls,
    StepLimit,
    ThreadTokenBudget,
)
from ratchet.context import TriageContext
from ratchet.prompts import load_prompt
from ratchet.tools import TOOLS

MAX_AGENT_STEPS = 5  # model calls per question
MODEL_ATTEMPTS = 3  # tries per step when the model fails or returns a malformed tool call
RETRY_BACKOFF_SECONDS = 1.0  # doubled after each failed try


def build_agent(model: BaseChatModel, extra_tools: list[BaseTool]) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The agent over the built-in tools and `extra_tools` (from MCP servers); the channel's allow-list is applied
    per request by `ChannelTools`."""
    # e.g. ChatOpenAI: its client already retries timeouts, 429s (after Retry-After) and 5xx with backoff
    client_retries = isinstance(getattr(model, "max_retries", None), int)

    def worth_retrying(error: Exception) -> bool:
        return isinstance(error, MalformedToolCall) or not client_retries

    return create_agent(
        model,
        [*TOOLS, *extra_tools],
        system_prompt=load_prompt("agent_system"),
        middleware=[
            ChannelTools(),
            ThreadTokenBudget(),
            StepLimit(MAX_AGENT_STEPS),
            ModelFailure(tries=lambda error: MODEL_ATTEMPTS if worth_retrying(error) else 1),
            ModelRetryMiddleware(
                max_retries=MODEL_ATTEMPTS - 1,
                retry_on=worth_retrying,
                on_failure="error",
                initial_delay=RETRY_BACKOFF_SECONDS,
                backoff_factor=2.0,
            ),
            RejectMalformedToolCalls(),
            RedactToolResults(),
        ],
        state_schema=ConversationState,
        context_schema=TriageContext,
        name="agent",
    )
