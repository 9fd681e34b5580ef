"""The running bot: database, Slack connection (Socket Mode or HTTP events), and job workers."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.classify.classifier import Classifier
from ratchet.config import (
    ChannelsConfig,
    ConfigError,
    McpConfig,
    MonitorConfig,
    Settings,
    load_channels_config,
    load_mcp_config,
    load_monitor_config,
)
from ratchet.context import TriageContext
from ratchet.jobs.handlers import JobHandlers
from ratchet.jobs.history import HistoryReader, catch_up
from ratchet.jobs.ingest import enqueue_onboarding, ingest
from ratchet.jobs.worker import WorkerPool
from ratchet.runtime import Runtime, open_runtime
from ratchet.scheduler.config import load_schedules_config
from ratchet.scheduler.scheduler import Scheduler
from ratchet.slack.app import SocketModeHandler, build_slack_app
from ratchet.slack.client import bot_identity, make_slack_client
from ratchet.slack.events import BotIdentity
from ratchet.slack.history import member_channel_ids
from ratchet.slack.posting import Poster, SlackPoster
from ratchet.tools import TOOLS
from ratchet.tools.mcp import load_mcp_tools

log = logging.getLogger(__name__)
Mode = Literal["socket", "http"]


@dataclass
class Bot:
    runtime: Runtime
    slack: AsyncWebClient
    identity: BotIdentity
    app: AsyncApp
    workers: WorkerPool
    mode: Mode
    socket_mode: SocketModeHandler | None = None

    async def slack_connected(self) -> bool:
        """Socket Mode's websocket is up; HTTP mode has no connection of its own to lose."""
        return self.socket_mode is None or await self.socket_mode.client.is_connected()


def check_tool_names(channels_config: ChannelsConfig, tools: list[BaseTool], mcp: McpConfig) -> None:
    """Every tool an allow-list names must exist; an MCP server's tools are taken on trust when it is down now."""
    known = {tool.name for tool in tools}
    for name, channel in {"default": channels_config.default, **channels_config.channels}.items():
        unknown = {
            tool
            for tool in set(channel.tools or []) - known
            if not any(tool.startswith(f"{server}_") for server in mcp.servers)
        }
        if unknown:
            raise ConfigError(
                f"RATCHET_CHANNELS_CONFIG: {name}: no tool named {', '.join(sorted(unknown))} "
                f"(tools: {', '.join(sorted(known))})"
            )


def event_mode(settings: Settings) -> Mode:
    """Socket Mode when an app token is set, else HTTP events when a signing secret is set."""
    if settings.slack_app_token is not None:
        return "socket"
    if settings.slack_signing_secret is not None:
        return "http"
    raise ConfigError(
        "RATCHET_SLACK_APP_TOKEN: not set, and neither is RATCHET_SLACK_SIGNING_SECRET; set the app token "
        "(xapp-…) for Socket Mode or the signing secret for HTTP events at /slack/events"
    )


@dataclass
class Tooling:
    """What the agent may use where: the channels' settings and the MCP servers' tools, checked against each other."""

    channels: ChannelsConfig
    extra_tools: list[BaseTool]


async def load_tooling(settings: Settings) -> Tooling:
    channels_config = load_channels_config(settings.channels_config)
    mcp = load_mcp_config(settings.mcp_config)
    mcp_tools = await load_mcp_tools(mcp, reserved=[tool.name for tool in TOOLS])
    check_tool_names(channels_config, [*TOOLS, *mcp_tools], mcp)
    return Tooling(channels=channels_config, extra_tools=mcp_tools)


def triage_context(
    settings: Settings,
    runtime: Runtime,
    tooling: Tooling,
    *,
    poster: Poster,
    bot: BotIdentity,
    slack: AsyncWebClient | None = None,
    monitor: MonitorConfig | None = None,
) -> TriageContext:
    """What the triage graph runs with: in `serve`, and in commands that run it without Slack (`ratchet ask`)."""
    return TriageContext(
        pool=runtime.pool,
        embeddings=runtime.embeddings,
        classifier=Classifier(command=settings.classifier_command, chat_model=runtime.chat_model),
        poster=poster,
        bot=bot,
        slack=slack,
        chat_model=runtime.chat_model,
        channels=tooling.channels,
        extra_tools=tooling.extra_tools,
        monitor=monitor or MonitorConfig(),
        github_api_url=settings.github_api_url,
        thread_token_budget=settings.thread_token_budget,
    )


@asynccontextmanager
async def running_bot(
    settings: Settings, *, poster: Poster | None = None, chat_model: BaseChatModel | None = None
) -> AsyncIterator[Bot]:
    """Start everything the bot needs; stop it all (workers first) on the way out. `poster` and `chat_model`
    replace the Slack poster and RATCHET_LLM's model (dry runs, benchmarks)."""
    mode = event_mode(settings)
    monitor = load_monitor_config(settings.monitor_config)
    schedules = load_schedules_config(settings.schedules_config)
    tooling = await load_tooling(settings)
    slack = make_slack_client(settings)
    identity = await bot_identity(slack)
    async with open_runtime(settings, chat_model=chat_model) as runtime:
        signing_secret = settings.slack_signing_secret.get_secret_value() if mode == "http" else None
        store_event = functools.partial(ingest, runtime.pool, bot=identity)
        app = build_slack_app(slack, store_event, signing_secret=signing_secret)
        poster = poster or SlackPoster(slack, runtime.pool)
        context = triage_context(settings, runtime, tooling, poster=poster, bot=identity, slack=slack, monitor=monitor)
        catchup_window = timedelta(minutes=settings.catchup_reply_minutes)
        handlers = JobHandlers(
            context, slack, checkpointer=runtime.checkpointer, runtime=runtime, catchup_reply_window=catchup_window
        )
        workers = WorkerPool(
            runtime.pool,
            runtime.database_url,
            handlers.registry(),
            workers=settings.workers,
            lease=timedelta(seconds=settings.job_lease_seconds),
        )
        await workers.start()
        scheduler = Scheduler(runtime.pool, schedules)
        socket_mode = None
        catching_up: asyncio.Task[None] | None = None
        try:
            if mode == "socket":
                assert settings.slack_app_token is not None
                socket_mode = SocketModeHandler(app, settings.slack_app_token.get_secret_value(), store_event)
                await socket_mode.connect_async()
            await onboard_member_channels(slack, runtime, identity)
            reader = HistoryReader(runtime.pool, runtime.embeddings, context.classifier, slack, identity)
            catching_up = asyncio.create_task(catch_up_at_start(reader, catchup_window))
            await scheduler.start()
            log.info(
                "ratchet ready: @%s in %s, events over %s, %d workers",
                identity.user_id, identity.team_id,
                "Socket Mode" if mode == "socket" else f"HTTP at http://{settings.http_addr}/slack/events",
                settings.workers,
            )  # fmt: skip
            yield Bot(runtime, slack, identity, app, workers, mode, socket_mode)
        finally:
            scheduler.stop()
            if catching_up is not None:
                catching_up.cancel()
            if socket_mode is not None:  # a peer that never answers the close frame must not hold up shutdown
                with suppress(TimeoutError):
                    await asyncio.wait_for(socket_mode.close_async(), timeout=5)
            await workers.stop()


async def onboard_member_channels(slack: AsyncWebClient, runtime: Runtime, identity: BotIdentity) -> None:
    """Channels the bot was added to while it was not running get onboarded like newly joined ones."""
    queued = await enqueue_onboarding(runtime.pool, await member_channel_ids(slack), identity.team_id)
    if queued:
        log.info("onboarding %d channel(s) the bot is already in", queued)


async def catch_up_at_start(reader: HistoryReader, reply_window: timedelta) -> None:
    """Store what was posted while no process listened; a failure is logged, the bot keeps running."""
    try:
        caught = await catch_up(reader, reply_window=reply_window)
    except Exception:
        log.exception("catch-up at start failed; a later catch-up reads the same history again")
        return
    log.info("caught up %d channel(s): %d new message(s)", len(caught), sum(c.live + c.quiet for c in caught))
