"""One Slack thread driven through the bot's real parts: people act in the simulator, their events go through
ingest, the jobs they start run through the job handlers (triage graph with its checkpointer)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.classify.classifier import Classifier
from ratchet.config import ChannelsConfig, MonitorConfig
from ratchet.context import TriageContext
from ratchet.graphs.state import thread_id
from ratchet.jobs.handlers import JobHandlers
from ratchet.jobs.ingest import ingest
from ratchet.runtime import Runtime
from ratchet.slack.events import BotIdentity
from ratchet.slack.posting import Poster, SlackPoster
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import jobs


class Thread:
    """One Slack thread in the simulator as the bot's workers see it: what people do is posted to the simulator and
    its event goes through ingest; the jobs it starts run through the handlers; the bot posts through the real
    idempotent poster."""

    def __init__(
        self,
        runtime: Runtime,
        sim: SlackSimulator,
        model: BaseChatModel | None,
        *,
        github_api_url: str = "https://api.github.com",
        channels: ChannelsConfig | None = None,
        monitor: MonitorConfig | None = None,
        extra_tools: list[BaseTool] | None = None,
        poster: Poster | None = None,
    ) -> None:
        self.runtime, self.sim = runtime, sim
        self.bot = BotIdentity(team_id=sim.team_id, user_id=sim.bot_user_id, bot_id=sim.bot_id)
        self.channel = sim.workspace.channel("ops").id
        slack = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
        context = TriageContext(
            pool=runtime.pool,
            embeddings=runtime.embeddings,
            classifier=Classifier(),
            poster=poster or SlackPoster(slack, runtime.pool),
            bot=self.bot,
            slack=slack,
            chat_model=model,
            github_api_url=github_api_url,
            channels=channels or ChannelsConfig(),
            monitor=monitor or MonitorConfig(),
            extra_tools=extra_tools or [],
        )
        self.handlers = JobHandlers(context, slack, checkpointer=runtime.checkpointer)
        self.ts = ""  # the thread's first message
        self.lease = timedelta(minutes=1)  # a crashed job is claimed again once its lease is over

    def user(self, name: str) -> str:
        return self.sim.workspace.find_user(name).id

    async def say(self, name: str, text: str) -> str:
        ts = await self.sim.post_message(self.channel, text, user=name, thread_ts=self.ts or None)
        event = {"type": "message", "channel": self.channel, "user": self.user(name), "text": text, "ts": ts}
        self.ts = self.ts or ts
        await self._deliver({**event, "thread_ts": self.ts} if ts != self.ts else event)
        return ts

    async def alert(self, username: str, text: str, attachments: list[dict[str, Any]] | None = None) -> str:
        """An integration posts a notification at the top of the channel; it starts the thread."""
        ts = await self.sim.post_message(self.channel, text, username=username, attachments=attachments)
        event = {"type": "message", "subtype": "bot_message", "bot_id": "B0ALERTS", "username": username}
        if attachments:
            event["attachments"] = attachments
        await self._deliver({**event, "channel": self.channel, "text": text, "ts": ts})
        self.ts = self.ts or ts
        return ts

    async def react(self, user_id: str, name: str, ts: str) -> None:
        item = {"type": "message", "channel": self.channel, "ts": ts}
        await self._deliver({"type": "reaction_added", "user": user_id, "reaction": name, "item": item, "event_ts": ts})

    async def _deliver(self, event: dict[str, Any]) -> None:
        envelope = {"type": "event_callback", "team_id": self.bot.team_id, "event": event}
        assert await ingest(self.runtime.pool, envelope, self.bot) not in ("malformed", "ignored")
        await self.work()

    async def work(self) -> None:
        """Run the queued jobs, as a worker does; a job that raises stays claimed until its lease ends."""
        registry = self.handlers.registry()
        while True:
            async with self.runtime.pool.connection() as conn:
                job = await jobs.claim(conn, "test-worker", self.lease)
            if job is None:
                return
            await registry[job.kind](job)
            async with self.runtime.pool.connection() as conn:
                await jobs.complete(conn, job.id, "test-worker")

    def said(self) -> list[dict[str, Any]]:
        return self.sim.bot_messages(self.channel, thread_ts=self.ts)

    async def waiting(self) -> bool:
        config: Any = {"configurable": {"thread_id": thread_id(self.bot.team_id, self.channel, self.ts)}}
        return bool((await self.handlers.graph.aget_state(config)).interrupts)
