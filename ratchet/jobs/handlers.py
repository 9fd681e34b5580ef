"""What each kind of job does. Later issues plug the triage graph in here (the `message` job)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.messages import SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Checkpointer, Command, StateSnapshot
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.context import TriageContext
from ratchet.graphs.approvals import approval_key, decision_from_reply
from ratchet.graphs.state import Decision, thread_id
from ratchet.graphs.triage import build_triage_graph
from ratchet.jobs.history import CATCHUP_JOB, HistoryReader, catch_up, store_history
from ratchet.jobs.ingest import APPROVAL_JOB, EMBED_JOB, FORGET_JOB, MESSAGE_JOB, ONBOARD_JOB
from ratchet.jobs.worker import Handler
from ratchet.knowledge import library
from ratchet.reports.channel import ReportError, build_channel_report, report_reply
from ratchet.runtime import Runtime
from ratchet.slack.posting import Reply
from ratchet.storage import channels, jobs, messages, posts, retention
from ratchet.storage.jobs import Job
from ratchet.storage.messages import Message
from ratchet.storage.reactions import Reaction

BACKFILL_THREAD_JOB = "backfill_thread"
DOCS_REFRESH_JOB = "docs_refresh"  # enqueued by the scheduler
RETENTION_JOB = "retention"  # enqueued by the scheduler; payload: {"days": N}
REPORT_JOB = "report"  # enqueued by the scheduler; payload: {"channel_id": id, "tz": zone}
log = logging.getLogger(__name__)


class JobHandlers:
    """The handlers for every job kind, sharing the process's database pool, models and Slack client."""

    def __init__(
        self,
        context: TriageContext,
        slack: AsyncWebClient,
        *,
        checkpointer: Checkpointer | None = None,
        backfill_limit: int = 1000,
        runtime: Runtime | None = None,
        catchup_reply_window: timedelta = timedelta(minutes=30),
    ) -> None:
        self.context = context
        self.graph = build_triage_graph(checkpointer)
        self.pool = context.pool
        self.embeddings = context.embeddings
        self.classifier = context.classifier
        self.bot = context.bot
        self.slack = slack
        self.backfill_limit = backfill_limit
        self.catchup_reply_window = catchup_reply_window
        self.runtime = runtime  # refreshing docs needs it

    def registry(self) -> dict[str, Handler]:
        return {
            MESSAGE_JOB: self.message,
            EMBED_JOB: self.embed,
            ONBOARD_JOB: self.onboard,
            BACKFILL_THREAD_JOB: self.backfill_thread,
            APPROVAL_JOB: self.approval,
            FORGET_JOB: self.forget,
            CATCHUP_JOB: self.catch_up,
            RETENTION_JOB: self.purge_expired,
            REPORT_JOB: self.weekly_report,
            **({DOCS_REFRESH_JOB: self.docs_refresh} if self.runtime else {}),
        }

    async def message(self, job: Job) -> None:
        """A new message goes through the triage graph, in its Slack thread's conversation. First, what the thread
        left waiting is settled: a run a dead worker left unfinished is finished from its last checkpoint, and an
        approval request is answered by this message (a person's "approve" or "yes" resumes it, anything else
        cancels). A retried job of the message that started a run resumes that run instead of starting it again."""
        channel_id, ts, thread_ts = job.payload["channel_id"], job.payload["ts"], job.payload["thread_ts"]
        config = self._config(job.payload.get("team_id"), channel_id, thread_ts, event_ts=ts, job_id=job.id)
        previous = await self.graph.aget_state(config)
        stale = await self._left_by_an_older_graph(previous, config)
        if stale:
            await self._abandon(previous)
        elif previous.next and previous.values.get("ts") != ts:
            await self._run(await self._settle(previous, channel_id, ts), config)
            previous = await self.graph.aget_state(config)
        resume = not stale and bool(previous.next) and previous.values.get("ts") == ts
        await self._run(None if resume else {"channel_id": channel_id, "ts": ts}, config)

    async def _left_by_an_older_graph(self, waiting: StateSnapshot, config: RunnableConfig) -> bool:
        """A run checkpointed by an older shape of the graph cannot be resumed: it waits for a node the graph no
        longer has (e.g. the agent's `tools` loop before the agent was a subgraph), or its classification is the
        plain dict the state held before it was typed."""
        if waiting.next and isinstance(waiting.values.get("classification"), dict):
            return True
        if not any(isinstance(m, SystemMessage) for m in waiting.values.get("messages", [])):
            return False  # only the old agent loop kept its system prompt in the thread, and only it had `tools`
        saved = await self.graph.checkpointer.aget_tuple(config) if self.graph.checkpointer else None
        channels = saved.checkpoint["channel_values"] if saved else {}
        waits_for = {name.removeprefix("branch:to:") for name in channels if name.startswith("branch:to:")}
        return bool(waits_for - set(self.graph.nodes))

    async def _abandon(self, waiting: StateSnapshot) -> None:
        """Tell the thread that a run from before an upgrade will not finish; the next run starts afresh."""
        channel_id, ts = waiting.values["channel_id"], waiting.values["ts"]
        log.warning("abandoning a run of an older graph shape in %s at %s (next: %s)", channel_id, ts, waiting.next)
        await self.context.poster.post(
            Reply(
                channel_id=channel_id,
                thread_ts=waiting.values.get("thread_ts") or ts,
                module="commands",
                markdown="_I was upgraded while working on this thread and could not finish; ask me again._",
                key=f"triage:{channel_id}:{ts}:abandoned",
            )
        )

    async def _settle(self, waiting: StateSnapshot, channel_id: str, ts: str) -> Command | None:
        """What finishes the thread's waiting run: nothing to add to a crashed one; this message's answer to an
        approval request."""
        if not waiting.interrupts:
            return None
        async with self.pool.connection() as conn:
            reply = await messages.get(conn, channel_id, ts)
        if reply is None:
            decision = Decision(approved=False, user="?", said="(a message that is gone)")
        elif reply.is_human:
            decision = decision_from_reply(reply.text, reply.user_id or "?")
        else:
            decision = Decision(
                approved=False, user=reply.attrs.get("username") or reply.bot_id or "?", said=reply.text
            )
        return Command(resume=decision.model_dump())

    async def approval(self, job: Job) -> None:
        """A ✅ on a message: if it is the bot's approval request and the run still waits, approve it."""
        reaction = Reaction.model_validate(job.payload)
        if self.bot.is_self(reaction.user_id, None):
            return
        async with self.pool.connection() as conn:
            post = await posts.by_ts(conn, reaction.channel_id, reaction.message_ts)
        if post is None or post.thread_ts is None:
            return
        config = self._config(None, reaction.channel_id, post.thread_ts, event_ts=reaction.message_ts, job_id=job.id)
        waiting = await self.graph.aget_state(config)
        request = approval_key(reaction.channel_id, waiting.values.get("ts", ""))
        if not waiting.interrupts or post.idempotency_key.rsplit(":", 1)[0] != request:
            return
        said = f":{reaction.reaction}:"
        await self._run(Command(resume=Decision(approved=True, user=reaction.user_id, said=said).model_dump()), config)

    def _config(
        self, team_id: str | None, channel_id: str, thread_ts: str, *, event_ts: str, job_id: int
    ) -> RunnableConfig:
        return {
            "configurable": {"thread_id": thread_id(team_id or self.bot.team_id, channel_id, thread_ts)},
            "run_name": "triage",
            "tags": ["ratchet", "triage"],
            "metadata": {"channel": channel_id, "thread": thread_ts, "event_ts": event_ts, "job": job_id},
        }

    async def _run(self, start: dict[str, Any] | Command | None, config: RunnableConfig) -> None:
        await self.graph.ainvoke(start, config, context=self.context, durability="sync")

    async def forget(self, job: Job) -> None:
        """A message deleted in Slack (ingest erased its row): the copies of its text go too. The checkpoints of its
        thread and of every thread whose runs showed it are deleted, so those conversations start afresh (the
        thread itself is read again from the messages); the bot's posts quoting it lose their text."""
        channel_id, ts, thread_ts = job.payload["channel_id"], job.payload["ts"], job.payload["thread_ts"]
        async with self.pool.connection() as conn, conn.transaction():
            await messages.forget_copies(conn, channel_id, ts, thread_ts)
            showed_it = await messages.checkpointed_threads_naming(conn, channel_id, ts)
        if self.graph.checkpointer is not None:
            for thread in {thread_id(self.bot.team_id, channel_id, thread_ts), *showed_it}:
                await self.graph.checkpointer.adelete_thread(thread)

    async def catch_up(self, job: Job) -> None:
        """Store what member channels got while nobody listened; recent messages start their work like live ones."""
        reader = self.history_reader()
        caught = await catch_up(reader, reply_window=self.catchup_reply_window)
        log.info("catch-up (%s): %d channel(s), %d new message(s)", job.key, len(caught),
                 sum(c.live + c.quiet for c in caught))  # fmt: skip

    async def embed(self, job: Job) -> None:
        """An edited message: embed its new text."""
        await self._embed(job.payload["channel_id"], job.payload["ts"])

    async def _embed(self, channel_id: str, ts: str) -> Message | None:
        async with self.pool.connection() as conn:
            message = await messages.get(conn, channel_id, ts)
        if message is None or message.is_deleted:
            return None
        if message.text.strip():
            vector = await self.embeddings.aembed_query(message.text)
            async with self.pool.connection() as conn:
                await messages.set_embedding(conn, channel_id, ts, vector)
        return message

    async def onboard(self, job: Job) -> None:
        """The bot joined a channel: learn about it and store its recent history, then each thread's replies."""
        channel_id = job.payload["channel_id"]
        info = (await self.slack.conversations_info(channel=channel_id))["channel"]
        async with self.pool.connection() as conn:
            await channels.update_info(conn, channel_id, name=info.get("name"), is_private=bool(info.get("is_private")))
        history: list[dict[str, Any]] = []
        async for page in await self.slack.conversations_history(channel=channel_id, limit=200):
            history += page.get("messages", [])
            if len(history) >= self.backfill_limit:
                break
        history = history[: self.backfill_limit]
        await self._store_backfill(channel_id, history)
        async with self.pool.connection() as conn, conn.transaction():
            for raw in history:
                if raw.get("reply_count"):
                    key = f"{channel_id}:{raw['ts']}"
                    await jobs.enqueue(conn, BACKFILL_THREAD_JOB, key, {"channel_id": channel_id, "ts": raw["ts"]})
            await channels.mark_onboarded(conn, channel_id)

    async def backfill_thread(self, job: Job) -> None:
        channel_id, thread_ts = job.payload["channel_id"], job.payload["ts"]
        replies: list[dict[str, Any]] = []
        async for page in await self.slack.conversations_replies(channel=channel_id, ts=thread_ts, limit=200):
            replies += page.get("messages", [])
        await self._store_backfill(channel_id, replies)

    async def _store_backfill(self, channel_id: str, raws: list[dict[str, Any]]) -> None:
        await store_history(self.history_reader(), channel_id, raws)

    def history_reader(self) -> HistoryReader:
        return HistoryReader(self.pool, self.embeddings, self.classifier, self.slack, self.bot)

    async def docs_refresh(self, job: Job) -> None:
        """Re-read every documentation source (the config file's and those added with `ratchet docs add`)."""
        assert self.runtime is not None  # registered only with a runtime
        reports = await library.refresh(self.runtime, await library.all_sources(self.runtime))
        log.info("refreshed %d documentation source(s) (%s)", len(reports), job.key)

    async def weekly_report(self, job: Job) -> None:
        """Post a channel's report of the last complete week in its time zone (once: the reply's key is the week's)."""
        channel_id, tz = job.payload["channel_id"], job.payload.get("tz", "UTC")
        try:
            async with self.pool.connection() as conn:
                found = await build_channel_report(conn, self.embeddings, channel_id, tz=tz)
        except ReportError as problem:
            log.warning("no weekly report for %s (%s): %s", channel_id, job.key, problem)
            return
        await self.context.poster.post(report_reply(found))

    async def purge_expired(self, job: Job) -> None:
        """Delete what is older than the retention period, then the checkpoints of threads whose messages are gone."""
        cutoff = datetime.now(UTC) - timedelta(days=int(job.payload["days"]))
        async with self.pool.connection() as conn:
            purged = await retention.purge_before(conn, cutoff)
            threads = await retention.orphaned_threads(conn)
        if self.graph.checkpointer is not None:
            for thread in threads:
                await self.graph.checkpointer.adelete_thread(thread)
        log.info("retention (%s): purged %s and %d thread checkpoint(s)", job.key, purged, len(threads))
