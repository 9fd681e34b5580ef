"""The scheduler on a real Postgres: every `serve` process fires each schedule, and the period key makes one job
per period, run by one worker; a firing missed while nothing ran runs once at start; retention; the CLI."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint
from psycopg_pool import AsyncConnectionPool
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.classify.classifier import Classifier
from ratchet.config import ConfigError
from ratchet.context import TriageContext
from ratchet.graphs.state import thread_id
from ratchet.jobs.handlers import DOCS_REFRESH_JOB, REPORT_JOB, RETENTION_JOB, JobHandlers
from ratchet.jobs.worker import WorkerPool
from ratchet.runtime import Runtime
from ratchet.scheduler.config import SchedulesConfig, load_schedules_config
from ratchet.scheduler.scheduler import Scheduler
from ratchet.scheduler.schedules import build_schedules
from ratchet.slack.events import BotIdentity
from ratchet.slack.posting import DryRunPoster
from ratchet.storage import channels, jobs
from ratchet.storage.database import open_pool
from tests.helpers import ratchet_cli, wait_until

BOT = BotIdentity(team_id="T0TEAM", user_id="U0RATCHET", bot_id="B0RATCHET")
OPS = "C0OPS0001"
CONFIG = SchedulesConfig(
    docs_refresh_hours=6,
    catchup_minutes=0,  # catch-up reads Slack: tests/test_history.py runs it on the simulator
    retention_days=30,
    weekly_reports={OPS: {"cron": "0 9 * * mon", "timezone": "Europe/Berlin"}},  # type: ignore[dict-item]
)
THURSDAY = datetime(2026, 12, 3, 10, 15, tzinfo=UTC)


def handlers_for(runtime: Runtime, poster: DryRunPoster | None = None) -> JobHandlers:
    poster = poster or DryRunPoster()
    context = TriageContext(
        pool=runtime.pool, embeddings=runtime.embeddings, classifier=Classifier(), poster=poster, bot=BOT
    )
    return JobHandlers(context, AsyncWebClient(token="xoxb-unused"), checkpointer=runtime.checkpointer, runtime=runtime)


async def ledger(pool: AsyncConnectionPool) -> list[tuple[str, str, str, int]]:
    return [(job.kind, job.key, job.status, job.attempts) for job in await jobs_list(pool)]


async def jobs_list(pool: AsyncConnectionPool) -> list[jobs.Job]:
    async with pool.connection() as conn:
        return await jobs.list_jobs(conn)


async def test_two_serve_processes_enqueue_each_period_once_and_one_worker_runs_it(runtime: Runtime) -> None:
    other_pool = await open_pool(runtime.database_url, max_size=4)
    first = Scheduler(runtime.pool, CONFIG, clock=lambda: THURSDAY)
    second = Scheduler(other_pool, CONFIG, clock=lambda: THURSDAY)
    async with runtime.pool.connection() as conn:
        await channels.ensure(conn, OPS, team_id=BOT.team_id)
    poster = DryRunPoster()
    registry = handlers_for(runtime, poster).registry()
    workers = [
        WorkerPool(pool, runtime.database_url, registry, workers=2, lease=timedelta(minutes=1), poll_interval=0.2)
        for pool in (runtime.pool, other_pool)
    ]
    try:
        await asyncio.gather(first.start(), second.start())
        # both fire the same periods again (APScheduler's job): nothing new
        for schedule in first.schedules[:2]:
            assert await asyncio.gather(first.enqueue_due(schedule), second.enqueue_due(schedule)) == [None, None]
        assert {job.id for job in first.apscheduler.get_jobs()} == {"docs_refresh", "retention", f"report:{OPS}"}
        for pool in workers:
            await pool.start()
        await wait_until(lambda: all_done(runtime.pool), timeout=20)
        assert await ledger(runtime.pool) == [
            (DOCS_REFRESH_JOB, "docs_refresh:2026-12-03T06", "done", 1),
            (RETENTION_JOB, "retention:2026-12-03", "done", 1),
            (REPORT_JOB, f"report:{OPS}:2026-W49", "done", 1),
        ]
        [(posted, _)] = poster.posted  # one report, whichever process's worker ran it
        assert (posted.channel_id, posted.key) == (OPS, f"report:{OPS}:2026-W48")  # Monday's: the last whole week
    finally:
        for pool in workers:
            await pool.stop()
        first.stop()
        second.stop()
        await other_pool.close()


async def all_done(pool: AsyncConnectionPool) -> bool:
    found = await jobs_list(pool)
    return bool(found) and all(job.status == "done" for job in found)


async def test_a_firing_missed_while_nothing_ran_runs_once_at_start(pool: AsyncConnectionPool) -> None:
    config = SchedulesConfig(docs_refresh_hours=0, catchup_minutes=0, retention_days=30)
    monday = Scheduler(pool, config, clock=lambda: datetime(2026, 11, 30, 12, tzinfo=UTC))
    await monday.start()
    monday.stop()
    # down from Monday to Thursday: Tuesday's and Wednesday's firings coalesce into Thursday's, run once
    for _ in range(2):
        restarted = Scheduler(pool, config, clock=lambda: THURSDAY)
        await restarted.start()
        restarted.stop()
    assert [key for _, key, _, _ in await ledger(pool)] == ["retention:2026-11-30", "retention:2026-12-03"]


def test_weekly_report_periods_follow_the_channels_time_zone() -> None:
    (report,) = [s for s in build_schedules(CONFIG) if s.name == f"report:{OPS}"]
    before = report.last_due(datetime(2026, 12, 7, 7, 30, tzinfo=UTC))  # Monday 08:30 in Berlin
    after = report.last_due(datetime(2026, 12, 7, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin
    assert before is not None and after is not None
    assert (report.period_key(before), report.period_key(after)) == (f"report:{OPS}:2026-W49", f"report:{OPS}:2026-W50")
    assert report.waiting_for is None and report.payload == {"channel_id": OPS, "tz": "Europe/Berlin"}


async def test_retention_purges_only_what_is_older_than_the_cutoff(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    old, new = (now - timedelta(days=40)).timestamp(), (now - timedelta(days=1)).timestamp()
    times = [("old", old), ("old_open", old), ("old_resolved", old), ("new", new)]
    ts = {name: f"{at + i:.6f}" for i, (name, at) in enumerate(times)}
    async with runtime.pool.connection() as conn:
        await conn.execute("INSERT INTO channels (channel_id) VALUES (%s)", (OPS,))
        for value in ts.values():
            await conn.execute("INSERT INTO messages (channel_id, ts, text) VALUES (%s, %s, 'x')", (OPS, value))
        for name, status in (("old_open", "open"), ("old_resolved", "resolved")):
            await conn.execute(
                "INSERT INTO incidents (channel_id, fingerprint, alert, status, opened_ts, opened_at) "
                "VALUES (%s, %s, 'Disk', %s, %s, to_timestamp(%s::double precision))",
                (OPS, name, status, ts[name], ts[name]),
            )
        for key, status, finished in (("old-done", "done", 40), ("new-done", "done", 1), ("old-queued", "queued", 0)):
            await jobs.enqueue(conn, "message", key)
            if status == "done":
                await conn.execute(
                    "UPDATE jobs SET status = 'done', finished_at = now() - %s WHERE key = %s",
                    (timedelta(days=finished), key),
                )
    for name in ("old", "new"):
        config: RunnableConfig = {
            "configurable": {"thread_id": thread_id(BOT.team_id, OPS, ts[name]), "checkpoint_ns": ""}
        }
        await runtime.checkpointer.aput(config, empty_checkpoint(), {}, {})
    scheduler = Scheduler(runtime.pool, SchedulesConfig(docs_refresh_hours=0, catchup_minutes=0, retention_days=30))
    await scheduler.start()
    scheduler.stop()
    async with runtime.pool.connection() as conn:
        await channels.ensure(conn, OPS, team_id=BOT.team_id)
    poster = DryRunPoster()
    registry = handlers_for(runtime, poster).registry()
    (job,) = [job for job in await jobs_list(runtime.pool) if job.kind == RETENTION_JOB]
    await registry[RETENTION_JOB](job)
    async with runtime.pool.connection() as conn:
        kept = [row[0] for row in await (await conn.execute("SELECT ts FROM messages ORDER BY ts")).fetchall()]
        incidents = [row[0] for row in await (await conn.execute("SELECT fingerprint FROM incidents")).fetchall()]
        threads = await (await conn.execute("SELECT DISTINCT thread_id FROM checkpoints")).fetchall()
    assert kept == [ts["old_open"], ts["new"]]  # an open incident keeps its opening message
    assert incidents == ["old_open"]
    assert [row[0] for row in threads] == [thread_id(BOT.team_id, OPS, ts["new"])]
    assert sorted(key for _, key, _, _ in await ledger(runtime.pool)) == ["new-done", "old-queued", job.key]


def test_schedule_list_prints_each_schedule_and_its_next_run(tmp_path: Path) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text(f"retention_days: 90\nweekly_reports:\n  {OPS}: {{timezone: Europe/Berlin}}\n")
    env = {"RATCHET_SCHEDULES_CONFIG": str(path)}
    table = ratchet_cli("schedule", "list", env=env, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    for expected in (
        "docs_refresh",
        "every 6 h",
        "catchup",
        "every 5 min",
        "retention",
        "keeps 90 days",
        f"report:{OPS}",
    ):
        assert expected in table.stdout
    rows = [
        json.loads(line)
        for line in ratchet_cli("schedule", "list", "--json", env=env, cwd=tmp_path).stdout.splitlines()
    ]
    assert [row["name"] for row in rows] == ["docs_refresh", "catchup", "retention", f"report:{OPS}"]
    catchup_next = datetime.fromisoformat(rows[1]["next_run"])
    assert catchup_next.minute % 5 == 0 and catchup_next.second == 0
    report_next = datetime.fromisoformat(rows[3]["next_run"])
    assert (report_next.weekday(), report_next.hour) == (0, 9)  # Monday 09:00 in Berlin
    assert report_next.utcoffset() in {timedelta(hours=1), timedelta(hours=2)}


def test_a_bad_schedules_file_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text(f"weekly_reports:\n  {OPS}: {{timezone: Mars/Olympus}}\n")
    result = ratchet_cli("schedule", "list", env={"RATCHET_SCHEDULES_CONFIG": str(path)}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: RATCHET_SCHEDULES_CONFIG: {path}: weekly_reports.{OPS}.timezone: unknown time zone 'Mars/Olympus' "
        "(expected an IANA name like Europe/Berlin)"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("retention_days: 0\n", "retention_days: Input should be greater than or equal to 1"),
        ("weekly_reports:\n  C0OPS: {cron: '61 9 * * mon'}\n", "weekly_reports.C0OPS.cron: bad cron '61 9 * * mon'"),
        ("weekly_reports:\n  ops: {}\n", "weekly_reports: 'ops' is not a channel id"),
        ("docs_refresh_every: 3\n", "docs_refresh_every: Extra inputs are not permitted"),
    ],
)
def test_config_errors_name_the_file_and_the_field(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_schedules_config(path)
    assert str(error.value).startswith(f"RATCHET_SCHEDULES_CONFIG: {path}: {problem}")
    assert "\n" not in str(error.value)
