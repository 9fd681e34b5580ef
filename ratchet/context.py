"""What a run works with: the process's resources (the context every graph node, the agent and its tools read),
and the actions that wait for a person's approval (tools and the monitor propose them, graphs/approvals.py
carries them out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
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
