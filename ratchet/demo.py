"""`ratchet demo`: the real bot against the local Slack simulator, playing a morning in an #alerts channel.

Everything runs on the embedded defaults: the embedded Postgres, the bundled embedding model, no LLM. The
simulator stands in for Slack (Web API and Socket Mode); the bot connects to it exactly as it would to Slack.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr
from rich.console import Console
from rich.markup import escape

from ratchet.agent.bot import Bot, running_bot
from ratchet.agent.ingest import MESSAGE_JOB, ONBOARD_JOB, message_job_key
from ratchet.agent.slack_text import message_text
from ratchet.config import Settings
from ratchet.knowledge import library
from ratchet.knowledge.sources import DocSource
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import incidents, jobs, messages
from ratchet.storage.embedded import start_embedded_postgres

DEMO_DATA = Path(__file__).parent / "demo_data"
SCENARIO = DEMO_DATA / "scenario.yaml"
DEMO_DATABASE = "ratchet_demo"  # the demo's own database, made anew each run, beside the bot's real one
SEARCHES = ("pod keeps restarting", "disk almost full on a node")


class Said(BaseModel):
    user: str
    text: str


class Step(BaseModel):
    alert: str | None = None  # an Alertmanager payload file in demo_data/alertmanager
    variant: str = "slack_payload_default_config"
    reply: Said | None = None  # said in the thread of the latest alert
    message: Said | None = None  # said in the channel; "@ratchet" addresses the bot


class Scenario(BaseModel):
    channel: str
    steps: list[Step]

    @classmethod
    def load(cls, path: Path = SCENARIO) -> Scenario:
        return cls.model_validate(yaml.safe_load(path.read_text()))


class ScenarioPlayer:
    """Posts each step into the simulator as a person or an integration would, and shows what the bot does."""

    def __init__(self, sim: SlackSimulator, bot: Bot, console: Console, channel_id: str) -> None:
        self.sim = sim
        self.bot = bot
        self.console = console
        self.channel_id = channel_id
        self.latest_alert_ts: str | None = None
        self.latencies: list[float] = []
        self.shown_bot_posts: set[str] = set()

    async def play(self, step: Step) -> None:
        if step.alert is not None:
            payload = json.loads((DEMO_DATA / "alertmanager" / step.alert).read_text())[step.variant]
            started = time.monotonic()
            ts = await self.sim.post_message(
                self.channel_id,
                payload.get("text", ""),
                username=payload["username"],
                attachments=payload["attachments"],
            )
            self.latest_alert_ts = ts
            self._show(payload["username"], message_text(payload), thread=False, colour="red")
        else:
            said = step.reply or step.message
            assert said is not None, "a step is an alert, a reply or a message"
            in_thread = step.reply is not None and self.latest_alert_ts is not None
            text = said.text.replace("@ratchet", f"<@{self.sim.bot_user_id}>")
            started = time.monotonic()
            ts = await self.sim.post_message(
                self.channel_id, text, user=said.user, thread_ts=self.latest_alert_ts if in_thread else None
            )
            self._show(said.user, said.text, thread=in_thread, colour="cyan")
        status = await self._job_finished(message_job_key(self.channel_id, ts))
        self.latencies.append(time.monotonic() - started)
        async with self.bot.runtime.pool.connection() as conn:
            stored = await messages.get(conn, self.channel_id, ts)
        verdict = describe_classification(stored.attrs.get("classification", {}) if stored else {})
        self.console.print(f"[dim]{'':11}· {verdict}; job {status} in {self.latencies[-1] * 1000:.0f} ms[/]")
        for post in self.sim.bot_messages(self.channel_id):
            if post["ts"] not in self.shown_bot_posts:
                self.shown_bot_posts.add(post["ts"])
                self._show("ratchet", message_text(post), thread=post.get("thread_ts") is not None, colour="green")

    def _show(self, who: str, text: str, *, thread: bool, colour: str) -> None:
        first_line = text.strip().splitlines()[0] if text.strip() else ""
        where = "  └ thread" if thread else "#alerts"
        self.console.print(
            f"{where:11}[bold {colour}]{escape(who)}[/]  {escape(first_line)}",
            highlight=False,
            no_wrap=True,
            overflow="ellipsis",
        )

    async def _job_finished(self, key: str, timeout: float = 30) -> str:
        async def finished() -> str | None:
            async with self.bot.runtime.pool.connection() as conn:
                row = await (
                    await conn.execute("SELECT status FROM jobs WHERE kind = %s AND key = %s", (MESSAGE_JOB, key))
                ).fetchone()
            return row[0] if row and row[0] in ("done", "failed") else None

        deadline = time.monotonic() + timeout
        while (status := await finished()) is None:
            if time.monotonic() > deadline:
                return "still running"
            await asyncio.sleep(0.01)
        return status


def describe_classification(found: dict[str, Any]) -> str:
    """One line for what the classifier made of a message and what it did to incidents."""
    kind = str(found.get("kind", "unclassified")).replace("_", " ")
    alert = f" {found['alert']} ({found['source']}, {found['layer']})" if found.get("alert") else ""
    incident = f" → {found['incident']}" if found.get("incident") else ""
    return f"{kind}{alert}{incident}"


async def run_demo(settings: Settings, console: Console, *, keep_running: bool = False) -> None:
    scenario = Scenario.load()
    sim = SlackSimulator()
    await sim.start()
    try:
        bot_settings = settings.model_copy(
            update={
                "database_url": settings.database_url
                or start_embedded_postgres(settings.home, DEMO_DATABASE, fresh=True),
                "slack_bot_token": SecretStr(sim.bot_token),
                "slack_app_token": SecretStr(sim.app_token),
                "slack_signing_secret": None,
                "slack_api_url": sim.api_url,
            }
        )
        where = (
            "RATCHET_DATABASE_URL" if settings.database_url else f"{DEMO_DATABASE!r} in {settings.home / 'postgres'}"
        )
        console.print(f"[bold]ratchet demo[/]: Slack simulator at {sim.api_url}, database {where}")
        async with running_bot(bot_settings) as bot:
            console.print(
                f"[green]✓[/] bot connected over Socket Mode as <@{bot.identity.user_id}>; "
                f"embeddings {bot.runtime.embedding.spec}, LLM {settings.llm}\n"
            )
            channel_id = sim.workspace.channel(scenario.channel).id
            await index_runbooks(bot, console)
            await wait_for_onboarding(bot, channel_id)
            player = ScenarioPlayer(sim, bot, console, channel_id)
            for step in scenario.steps:
                await player.play(step)
            await summarize(sim, bot, player, console)
            if keep_running:
                await serve_until_interrupted(sim, console, channel_id)
    finally:
        await sim.stop()


async def index_runbooks(bot: Bot, console: Console) -> None:
    """The bundled prometheus-operator runbooks become the bot's documentation (re-indexing is a no-op)."""
    source = DocSource(
        name="prometheus-operator-runbooks",
        kind="local",
        location=str(DEMO_DATA / "runbooks"),
        url_base="https://github.com/prometheus-operator/runbooks/blob/main/content/{path}",
        exclude=["SOURCE.md"],
    )
    [report] = await library.refresh(bot.runtime, [source])
    console.print(
        f"[green]✓[/] documentation: {report.added + report.changed + report.unchanged} prometheus-operator runbooks "
        f"indexed ({report.chunks_embedded} chunks embedded now)\n"
    )


async def wait_for_onboarding(bot: Bot, channel_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with bot.runtime.pool.connection() as conn:
            queued = [j for j in await jobs.list_jobs(conn, ONBOARD_JOB) if j.key == channel_id]
        if queued and queued[0].status in ("done", "failed"):
            return
        await asyncio.sleep(0.05)


async def summarize(sim: SlackSimulator, bot: Bot, player: ScenarioPlayer, console: Console) -> None:
    async with bot.runtime.pool.connection() as conn:
        counts = await jobs.counts(conn)
        stored = await messages.count(conn, player.channel_id)
    latencies = sorted(player.latencies)
    console.print(
        f"\n[bold]summary[/]: {len(sim.deliveries)} events delivered, {stored} messages stored in #alerts, "
        f"jobs {dict(sorted(counts.items()))}, {len(sim.bot_messages())} bot replies; event → processed "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    async with bot.runtime.pool.connection() as conn:
        opened = await incidents.recent(conn, limit=10)
    for incident in reversed(opened):
        runbook = await library.curated_runbook(bot.runtime, incident.alert)
        found = f"{runbook.path} ({runbook.matched_by.replace('_', ' ')})" if runbook else "none in the docs"
        console.print(
            f"incident {incident.id} {incident.alert}: {incident.status}, responders {len(incident.responders)}; "
            f"runbook: {found}",
            highlight=False,
        )
    for query in SEARCHES:
        vector = await bot.runtime.embeddings.aembed_query(query)
        async with bot.runtime.pool.connection() as conn:
            hits = await messages.similar(conn, vector, channel_id=player.channel_id, limit=2)
        shown = "; ".join(f"{hit.text.splitlines()[0][:70]!r} ({score:.2f})" for hit, score in hits)
        console.print(f"search [italic]{query!r}[/] → {escape(shown)}", highlight=False)
    console.print(
        "\n[yellow]Not in this build yet:[/] posting the runbook, recent activity and past incidents in the alert's "
        "thread, and answers; the bot classifies, tracks incidents, finds runbooks, indexes and acknowledges."
    )


async def serve_until_interrupted(sim: SlackSimulator, console: Console, channel_id: str) -> None:
    """Keep the simulator and the bot up and show every new message, whoever posts it, until Ctrl-C."""
    console.print(
        f"\nThe simulator and the bot keep running (Ctrl-C to stop). Slack Web API: {sim.api_url}\n"
        f"Post into #alerts as a person, e.g. Priya, mentioning the bot:\n"
        f"  curl -s {sim.base_url}/_sim/post -d channel={channel_id} -d user=priya "
        f"--data-urlencode 'text=<@{sim.bot_user_id}> hello'\n"
    )
    seen = {(ch.id, ts) for ch in sim.workspace.channels.values() for ts in ch.messages}
    while True:
        await asyncio.sleep(0.2)
        for ch in sim.workspace.channels.values():
            for ts, message in sorted(ch.messages.items()):
                if (ch.id, ts) in seen:
                    continue
                seen.add((ch.id, ts))
                who = "ratchet" if message.get("bot_id") == sim.bot_id else _author(sim, message)
                thread = message.get("thread_ts") not in (None, ts)
                first_line = (message_text(message).strip().splitlines() or [""])[0]
                where = "  └ thread" if thread else f"#{ch.name}"
                console.print(f"{where:11}[bold]{escape(who)}[/]  {escape(first_line)}", highlight=False)


def _author(sim: SlackSimulator, message: dict[str, object]) -> str:
    user = sim.workspace.find_user(str(message.get("user", "")))
    return user.name if user else str(message.get("username") or message.get("user") or "?")
