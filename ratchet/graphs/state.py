"""What the triage graph's nodes share: the run's context (process resources) and the thread's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, TypedDict

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langchain_core.tools import BaseTool
from langgraph.graph.message import add_messages
from psycopg_pool import AsyncConnectionPool
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.classify.classifier import Classifier
from ratchet.config import ChannelsConfig, MonitorConfig, Settings
from ratchet.slack.events import BotIdentity
from ratchet.slack.posting import Poster


@dataclass
class TriageContext:
    """What the nodes work with: the process's database, models, Slack connection and outside services."""

    pool: AsyncConnectionPool
    embeddings: Embeddings
    classifier: Classifier
    poster: Poster
    bot: BotIdentity
    slack: AsyncWebClient | None = None
    chat_model: BaseChatModel | None = None
    channels: ChannelsConfig = field(default_factory=ChannelsConfig)
    extra_tools: list[BaseTool] = field(default_factory=list)  # from MCP servers
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    github_api_url: str = Settings.model_fields["github_api_url"].default  # where approved doc changes go
    thread_token_budget: int = Settings.model_fields["thread_token_budget"].default  # all runs in a thread together


class PendingAction(TypedDict):
    """Something that changes the world outside the bot, waiting for a person's approval in the thread."""

    kind: str  # which executor carries it out (graphs/approvals.py)
    summary: str  # one line: what the bot wants to do
    details: str  # markdown shown with the request, e.g. a diff
    data: dict[str, Any]  # what the executor needs


def merge_pending(current: list[PendingAction] | None, update: list[PendingAction]) -> list[PendingAction]:
    """Tools add actions (several may in one step); an empty update clears them once they are decided."""
    return [*(current or []), *update] if update else []


class TriageState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]  # the agent's conversation, kept for the whole thread
    steps: int  # the agent's model calls in this run
    tokens: int  # LLM tokens the agent used in this thread, all runs together
    channel_id: str
    channel_name: str | None  # as the channel's onboarding learned it
    ts: str
    thread_ts: str  # where the bot answers: the message's thread, or the message itself
    question: str  # the message's text without the bot's mention
    posted_at: datetime
    author: str  # user id, or the integration's name
    monitored: bool  # a person's top-level message in a channel with monitor rules (and an LLM to read it)
    classification: dict[str, Any]
    addressed: bool
    agent_available: bool  # an LLM is configured
    runbook: str
    activity: str
    history: str
    replies: list[dict[str, str]]  # {"module", "markdown"[, "id"]}, posted by `respond` in order
    pending: Annotated[list[PendingAction], merge_pending]
    decision: dict[str, Any]  # the person's answer to the approval request: {"approved", "user", "text"}


def thread_id(team_id: str, channel_id: str, thread_ts: str) -> str:
    return f"slack:{team_id}:{channel_id}:{thread_ts}"
