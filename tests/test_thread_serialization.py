"""One Slack thread at a time, without parking the workers: jobs of one thread run one after another, in order,
while the other workers keep serving other threads. The real bot (simulator, Socket Mode, job ledger, triage
graph, Postgres) with a chat model that takes 2 s per call."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from psycopg_pool import AsyncConnectionPool
from pydantic import Field

from ratchet.bot import running_bot
from ratchet.config import Settings
from ratchet.jobs.ingest import ingest
from ratchet.slack.events import BotIdentity
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import jobs, posts
from tests.conftest import DATA
from tests.helpers import ScriptedModel, wait_until

MODEL_SECONDS = 2.0
BUSY_QUESTIONS = 4
ALERTS = ["1-KubePodCrashLooping-firing", "4-TargetDown-firing", "5-KubeAPIDown-firing"]
ALERT_REPLY_BOUND = 4.0  # seconds from an alert's post to the bot's first reply in its thread


class SlowModel(ScriptedModel):
    """Answers after `MODEL_SECONDS`, as a busy hosted model does; records when each call ran and for which
    question, and answers that question by its number."""

    calls: list[tuple[float, float, str]] = Field(default_factory=list)

    async def _agenerate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.sleep(MODEL_SECONDS)
        asked = re.findall(r"busy question (\d+)", messages[-1].text)
        question = asked[-1] if asked else "?"
        self.calls.append((started, loop.time(), question))
        reply = AIMessage(content=f"answer to busy question {question}")
        return ChatResult(generations=[ChatGeneration(message=reply)])


class ReplyClock:
    """Notes when each of the bot's messages first appears in the simulator (polled every 20 ms)."""

    def __init__(self, sim: SlackSimulator) -> None:
        self.sim = sim
        self.seen: dict[str, float] = {}  # bot message ts -> loop time first seen
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            for message in self.sim.bot_messages():
                self.seen.setdefault(message["ts"], loop.time())
            await asyncio.sleep(0.02)

    def replies(self, channel: str, thread_ts: str) -> list[tuple[float, str]]:
        """(first seen, text) of the bot's replies in a thread, in the order they appeared."""
        found = [
            (self.seen[m["ts"]], m["text"]) for m in self.sim.bot_messages(channel, thread_ts) if m["ts"] in self.seen
        ]
        return sorted(found)

    async def __aenter__(self) -> ReplyClock:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def all_jobs_finished(pool: AsyncConnectionPool) -> bool:
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")).fetchone()
    return row is not None and row[0] == 0


async def queued(pool: AsyncConnectionPool, channel_id: str, ts: str) -> bool:
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT 1 FROM jobs WHERE key = %s", (f"{channel_id}:{ts}",))).fetchone()
    return row is not None


def alert_payload(name: str) -> dict[str, Any]:
    rendered = json.loads((DATA / "alert-formats" / "rendered_examples" / f"{name}.json").read_text())
    return rendered["slack_payload_default_config"]


async def test_a_busy_thread_does_not_delay_other_threads(sim: SlackSimulator, database_url: str) -> None:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        slack_bot_token=sim.bot_token,
        slack_app_token=sim.app_token,
        slack_api_url=sim.api_url,
        workers=2,
    )
    model = SlowModel(responses=[])
    async with running_bot(settings, chat_model=model) as bot, ReplyClock(sim) as clock:
        await wait_until(lambda: all_jobs_finished(bot.runtime.pool), timeout=30)  # onboarding is over
        loop = asyncio.get_running_loop()
        ops, alerts = sim.workspace.channel("ops").id, sim.workspace.channel("alerts").id

        # each question reaches the ledger before the next is asked (events that arrive at the same moment may be
        # ingested in either order, and a thread's jobs run in ledger order); the alerts come after all four
        started = loop.time()
        busy = await sim.post_message(ops, f"<@{sim.bot_user_id}> busy question 1: is checkout degraded?", user="priya")
        await wait_until(lambda: queued(bot.runtime.pool, ops, busy))
        for n in range(2, BUSY_QUESTIONS + 1):
            text = f"<@{sim.bot_user_id}> busy question {n}: and what about payments?"
            ts = await sim.post_message(ops, text, user="priya", thread_ts=busy)
            await wait_until(lambda ts=ts: queued(bot.runtime.pool, ops, ts))
        posted: dict[str, float] = {}
        for name in ALERTS:
            payload = alert_payload(name)
            ts = await sim.post_message(alerts, "", username="Alertmanager", attachments=payload["attachments"])
            posted[ts] = loop.time()

        for ts in posted:
            await sim.wait_for_bot_messages(1, channel=alerts, thread_ts=ts, timeout=60)
        await sim.wait_for_bot_messages(BUSY_QUESTIONS, channel=ops, thread_ts=busy, timeout=60)
        await wait_until(lambda: all_jobs_finished(bot.runtime.pool), timeout=30)
        await asyncio.sleep(0.1)  # the clock's last poll

        alert_delays = [clock.replies(alerts, ts)[0][0] - at for ts, at in posted.items()]
        busy_replies = clock.replies(ops, busy)
        busy_total = busy_replies[-1][0] - started
    print(
        f"\nalert replies after their posts: {', '.join(f'{d:.2f}s' for d in alert_delays)}"
        f"\nbusy thread replies after its first question: {', '.join(f'{t - started:.2f}s' for t, _ in busy_replies)}"
        f" (all {BUSY_QUESTIONS} in {busy_total:.2f}s)"
    )

    assert all(delay < ALERT_REPLY_BOUND for delay in alert_delays), (
        f"alerts waited behind the busy thread: {alert_delays}"
    )
    # no docs are indexed: each answer, citing nothing, is an "I don't know" that quotes its question
    assert [re.findall(r"busy question (\d+)", text) for _, text in busy_replies] == [
        [str(n)] for n in range(1, BUSY_QUESTIONS + 1)
    ], f"the busy thread is answered in order: {busy_replies}"
    assert busy_total >= BUSY_QUESTIONS * MODEL_SECONDS
    busy_calls = sorted(call for call in model.calls if call[2] != "?")
    assert [question for _, _, question in busy_calls] == [str(n) for n in range(1, BUSY_QUESTIONS + 1)]
    for (_, ended, _), (began, _, _) in itertools.pairwise(busy_calls):
        assert began >= ended, "the busy thread's model calls ran one at a time"


async def test_ingest_gives_a_threads_jobs_and_an_approval_in_it_the_threads_key(pool: AsyncConnectionPool) -> None:
    bot = BotIdentity(team_id="T111", user_id="W23456789", bot_id="B999")
    events = DATA / "slack_events" / "bolt-python"
    started = json.loads((events / "message__test_message_L208.json").read_text())
    reply = copy.deepcopy(started)
    reply["event"].update(ts="1596183990.004300", event_ts="1596183990.004300", thread_ts="1596183880.004200")
    elsewhere = copy.deepcopy(started)
    elsewhere["event"].update(ts="1596184000.004400", event_ts="1596184000.004400")
    for event in (started, reply, elsewhere):
        assert await ingest(pool, event, bot) == "stored, job queued"
    async with pool.connection() as conn:  # the bot asked for approval in the thread
        await posts.reserve(
            conn, key="triage:C111:1596183990.004300:approval:0", channel_id="C111", thread_ts="1596183880.004200",
            module="approvals", job_id=None, text="Approve?", blocks=None,
        )  # fmt: skip
        await posts.confirm(conn, "triage:C111:1596183990.004300:approval:0", "1596183995.004350")
    check = json.loads((events / "reaction_added__test_events_L112.json").read_text())
    request = {"type": "message", "channel": "C111", "ts": "1596183995.004350"}
    check["event"].update(reaction="white_check_mark", item=request)
    assert await ingest(pool, check, bot) == "reaction added, approval job queued"
    async with pool.connection() as conn:
        keys = [(job.kind, job.thread_key) for job in await jobs.list_jobs(conn)]
    thread = jobs.thread_key("C111", "1596183880.004200")
    assert keys == [
        ("message", thread),
        ("message", thread),
        ("message", jobs.thread_key("C111", "1596184000.004400")),
        ("approval", thread),
    ]
