"""The triage graph's state: what a run starts from (`TriageInput`), what `understand` learns about the message,
what each branch adds, and the thread's conversation with the agent, kept across runs by the checkpointer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NotRequired, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel

from ratchet.classify.models import Classification
from ratchet.context import PendingAction, merge_pending


class TriageInput(TypedDict):
    """A stored message to triage."""

    channel_id: str
    ts: str


class Draft(TypedDict):
    """A reply `respond` posts in the thread, in order."""

    module: str  # who speaks: runbook, incidents, commands, approvals (feedback is counted per module)
    markdown: str
    id: NotRequired[str]  # its place in the run's replies, when not its index (a reply added after an approval)


class Decision(BaseModel):
    """A person's answer to an approval request."""

    approved: bool
    user: str
    said: str  # the reply's text, or ":white_check_mark:" for a reaction


class TriageState(TriageInput, total=False):
    # what `understand` learns about the message
    classification: Classification
    thread_ts: str  # where the bot answers: the message's thread, or the message itself
    posted_at: datetime
    author: str  # user id, or the integration's name
    channel_name: str | None  # as the channel's onboarding learned it
    readable: list[str]  # the channels whose messages and incidents may be shown here: itself and its reads_from
    addressed: bool  # a mention, a DM, or a question in a thread the bot answered in
    agent_available: bool  # an LLM is configured
    monitored: bool  # a person's top-level message in a channel with monitor rules (and an LLM to read it)
    # the alert branch: one markdown section each
    runbook: str
    activity: str
    history: str
    # a person's question: the thread's conversation with the agent (all runs), its LLM tokens, why it stopped
    messages: Annotated[list[AnyMessage], add_messages]
    tokens: int
    stopped: str | None  # the reason the agent gave no answer this run (failure, budget, steps), else None
    # what every branch ends with
    replies: list[Draft]
    pending: Annotated[list[PendingAction], merge_pending]
    decision: Decision


CHECKPOINTED_TYPES = {(t.__module__, t.__name__) for t in (Classification, Decision)}
"""The classes in the state that checkpoints may hold (the saver reads back only these and LangGraph's own)."""


def thread_id(team_id: str, channel_id: str, thread_ts: str) -> str:
    return f"slack:{team_id}:{channel_id}:{thread_ts}"
