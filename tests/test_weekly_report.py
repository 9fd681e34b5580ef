"""The weekly channel report (issue 15) on a week imported from a Slack export of real Alertmanager notifications
(firing, repeat, resolved, a flap, a duplicate resolve), people's replies and the bot's, with an incident still open
from the week before. Every figure is computed here by hand from the fixture's times."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import Classifier
from ratchet.jobs.imports import import_export
from ratchet.knowledge.synthesis import permalink
from ratchet.reports.channel import ReportError, build_channel_report, week_bounds
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.helpers import ratchet_cli, shared_local_embeddings
from tests.support.slack_export import ONCALL, notification, people_messages, write_day

ALERTS = "C0ALERTS1"
W = datetime(2026, 11, 16, tzinfo=UTC)  # Monday of 2026-W47
END = W + timedelta(days=7)
PREVIOUS = W - timedelta(days=7)
CRASH, CRASH_OK, DISK, TARGET, API, API_OK = "1-", "2-", "3-", "4-", "5-", "6-"
PEOPLE = (ONCALL, "U012AB3CDE")


def ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def at(day: int, hour: int, minute: int = 0, *, week: datetime = W) -> datetime:
    return week + timedelta(days=day, hours=hour, minutes=minute)


class Fixture:
    """The channel's messages, and the opening notifications' threads by name."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.threads: dict[str, str] = {}
        self.people = people_messages()

    def alert(self, prefix: str, when: datetime, name: str | None = None) -> None:
        self.messages.append({**notification(prefix), "ts": ts(when)})
        if name:
            self.threads[name] = ts(when)

    def reply(self, thread: str, when: datetime, user: str = ONCALL) -> None:
        person = {**self.people[len(self.messages) % len(self.people)], "user": user}
        self.messages.append({**person, "ts": ts(when), "thread_ts": self.threads[thread]})

    def bot_reply(self, thread: str, when: datetime) -> None:
        brief = {"type": "message", "subtype": "bot_message", "bot_id": "B0RATCHET", "text": "Runbook: none found."}
        self.messages.append({**brief, "ts": ts(when), "thread_ts": self.threads[thread]})

    def link(self, name: str) -> str:
        return permalink(ALERTS, self.threads[name])


def alert_weeks() -> Fixture:
    f = Fixture()
    # the week before: a crash loop resolved in 30 min; TargetDown fires and never resolves
    f.alert(CRASH, at(1, 10, week=PREVIOUS))
    f.alert(CRASH_OK, at(1, 10, 30, week=PREVIOUS))
    f.alert(TARGET, at(2, 9, week=PREVIOUS), "target")
    # Monday: A1 fires, a person answers after 7 min, it resolves, flaps back 8 min later, resolves again
    f.alert(CRASH, at(0, 9), "a1")
    f.reply("a1", at(0, 9, 7))
    f.alert(CRASH_OK, at(0, 9, 42))
    f.alert(CRASH, at(0, 9, 50), "a1-flap")
    f.alert(CRASH_OK, at(0, 10, 30))
    # Tuesday: A2 fires and is re-notified (repeat), only the bot answers; resolved after 5 h
    f.alert(CRASH, at(1, 9), "a2")
    f.bot_reply("a2", at(1, 9, 1))
    f.alert(CRASH, at(1, 13))
    f.alert(CRASH_OK, at(1, 14))
    # Wednesday: the TargetDown still open is re-notified
    f.alert(TARGET, at(2, 9))
    # Thursday: A3, answered after 20 min, resolved at 09:30 and resolved again at 09:35 (the last one counts)
    f.alert(CRASH, at(3, 9), "a3")
    f.reply("a3", at(3, 9, 20), PEOPLE[1])
    f.alert(CRASH_OK, at(3, 9, 30))
    f.alert(CRASH_OK, at(3, 9, 35))
    # Friday: A4 resolves after 20 min; 20 min later (past the 15-min window) A5 opens, answered in 5 min, open
    f.alert(CRASH, at(4, 9), "a4")
    f.alert(CRASH_OK, at(4, 9, 20))
    f.alert(CRASH, at(4, 9, 40), "a5")
    f.reply("a5", at(4, 9, 45))
    # Saturday: the disk fills up, nobody answers; Sunday night: KubeAPIDown, answered twice, resolved next week
    f.alert(DISK, at(5, 8), "disk")
    f.alert(API, at(6, 22), "api")
    f.reply("api", at(6, 22, 15))
    f.reply("api", at(6, 22, 20), PEOPLE[1])
    f.alert(API_OK, at(7, 2))
    f.alert(CRASH, at(7, 3))  # next week's
    return f


def write_export(root: Path, fixture: Fixture) -> Path:
    root.mkdir()
    users = [{"id": u, "team_id": "T0EXPORT01", "name": u.lower(), "profile": {}} for u in PEOPLE]
    (root / "users.json").write_text(json.dumps(users))
    channel = {"id": ALERTS, "name": "alerts", "created": 1762000000, "creator": ONCALL, "members": [ONCALL]}
    (root / "channels.json").write_text(json.dumps([channel]))
    days: dict[str, list[dict[str, Any]]] = {}
    for message in sorted(fixture.messages, key=lambda m: float(m["ts"])):
        day = datetime.fromtimestamp(float(message["ts"]), UTC).date().isoformat()
        days.setdefault(day, []).append(message)
    for day, messages in days.items():
        write_day(root / "alerts" / f"{day}.json", messages)
    return root


def expected(f: Fixture) -> dict[str, Any]:
    minutes = 60.0
    crash_durations = [90 * minutes, 5 * 60 * minutes, 35 * minutes, 20 * minutes]  # A1 (flap undone) .. A4
    api_duration = 4 * 60 * minutes  # Sunday 22:00 to Monday 02:00
    crash_responses = [7 * minutes, 20 * minutes, 5 * minutes]  # A1, A3, A5
    api_response = 15 * minutes
    crash = {
        "alert": "KubePodCrashLooping",
        "firings": 7,  # A1 twice (the flap), A2 twice (the repeat), A3, A4, A5
        "incidents": 5,
        "resolved": 4,
        "untriaged": 2,  # A2 (only the bot) and A4
        "mttr_seconds": sum(crash_durations) / 4,
        "median_first_response_seconds": 7 * minutes,
        "label": "frequent",
        "previous_week_firings": 1,
    }
    api = {
        "alert": "KubeAPIDown",
        "firings": 1,
        "incidents": 1,
        "resolved": 1,
        "untriaged": 0,
        "mttr_seconds": api_duration,
        "median_first_response_seconds": api_response,
        "label": "new",
        "previous_week_firings": 0,
    }
    disk = {
        "alert": "NodeFilesystemSpaceFillingUp",
        "firings": 1,
        "incidents": 1,
        "resolved": 0,
        "untriaged": 1,
        "mttr_seconds": None,
        "median_first_response_seconds": None,
        "label": "new",
        "previous_week_firings": 0,
    }
    target = {
        "alert": "TargetDown",
        "firings": 1,  # the repeat of last week's open incident
        "incidents": 0,
        "resolved": 0,
        "untriaged": 0,
        "mttr_seconds": None,
        "median_first_response_seconds": None,
        "label": "recurring",
        "previous_week_firings": 1,
    }
    responses = sorted([*crash_responses, api_response])  # 5, 7, 15, 20 min
    return {
        "channel": ALERTS,
        "channel_name": "alerts",
        "week": "2026-W47",
        "tz": "UTC",
        "start": "2026-11-16T00:00:00Z",
        "end": "2026-11-23T00:00:00Z",
        "totals": {
            "firings": 10,
            "incidents": 7,
            "resolved": 5,
            "untriaged": 3,
            "mttr_seconds": (sum(crash_durations) + api_duration) / 5,
            "median_first_response_seconds": (responses[1] + responses[2]) / 2,
        },
        "alerts": [crash, api, disk, target],  # by firings, then incidents; ties by name
        "long_running": [
            {
                "alert": "TargetDown",
                "opened_at": "2026-11-11T09:00:00Z",
                "open_seconds": (END - at(2, 9, week=PREVIOUS)).total_seconds(),  # 11 d 15 h
                "thread": f.link("target"),
            }
        ],  # A5 and the disk are open too, but opened less than 72 h before the end
        "suggestions": [
            {
                "text": "KubePodCrashLooping fired 7 times and 2 of its 5 incidents got no reply: tune it (`for:`, "
                "threshold, severity) or route it where someone acts on it.",
                "evidence": [f.link("a2"), f.link("a4")],
            },
            {
                "text": "KubeAPIDown took 4 h 00 min on average to resolve (1 incidents): what its threads did belongs "
                "in its runbook.",
                "evidence": [f.link("api")],
            },
            {
                "text": "KubeAPIDown is new this week and has no runbook: write one from its threads.",
                "evidence": [f.link("api")],
            },
            {
                "text": "NodeFilesystemSpaceFillingUp is new this week and has no runbook: write one from its threads.",
                "evidence": [f.link("disk")],
            },
        ],
    }


async def report_json(pool: AsyncConnectionPool, channel: str = ALERTS, **options: Any) -> dict[str, Any]:
    async with pool.connection() as conn:
        report = await build_channel_report(conn, shared_local_embeddings(), channel, **options)
    return json.loads(report.model_dump_json())


async def test_weekly_report_figures_match_the_definitions_before_and_after_a_second_import(
    runtime: Runtime, tmp_path: Path
) -> None:
    fixture = alert_weeks()
    folder = write_export(tmp_path / "export", fixture)
    await import_export(runtime.pool, Classifier(), shared_local_embeddings(), folder)
    report = await report_json(runtime.pool, "#alerts", week="2026-W47")
    assert report == expected(fixture)
    # the default week is the last complete one; a mention names the channel too
    assert await report_json(runtime.pool, f"<#{ALERTS}|alerts>", now=at(2, 12, week=END)) == report

    again = await import_export(runtime.pool, Classifier(), shared_local_embeddings(), folder)
    assert again.messages == 0
    assert await report_json(runtime.pool, week="2026-W47") == report


async def test_a_week_runs_monday_to_monday_in_its_time_zone(runtime: Runtime, tmp_path: Path) -> None:
    assert week_bounds("2026-W47", "America/New_York") == (
        datetime(2026, 11, 16, 5, tzinfo=UTC),
        datetime(2026, 11, 23, 5, tzinfo=UTC),
    )
    fixture = alert_weeks()
    await import_export(runtime.pool, Classifier(), shared_local_embeddings(), write_export(tmp_path / "e", fixture))
    # in New York, Sunday 22:00 UTC's KubeAPIDown is Sunday 17:00 and Monday 03:00 UTC's crash loop still Sunday
    shifted = await report_json(runtime.pool, week="2026-W47", tz="America/New_York")
    assert (shifted["start"], shifted["end"]) == ("2026-11-16T05:00:00Z", "2026-11-23T05:00:00Z")
    assert [(a["alert"], a["firings"]) for a in shifted["alerts"]][:2] == [
        ("KubePodCrashLooping", 8),
        ("KubeAPIDown", 1),
    ]
    for week, tz in [("2026-W54", "UTC"), ("2026-47", "UTC"), ("2026-W47", "Mars/Olympus")]:
        with pytest.raises(ReportError):
            await report_json(runtime.pool, week=week, tz=tz)
    with pytest.raises(ReportError, match="no such channel"):
        await report_json(runtime.pool, "#nope", week="2026-W47")


def test_cli_report_prints_the_json_and_the_text(database_url: str, tmp_path: Path) -> None:
    fixture = alert_weeks()
    folder = write_export(tmp_path / "export", fixture)
    env = {"RATCHET_DATABASE_URL": database_url, "RATCHET_EMBEDDINGS": "local"}
    assert ratchet_cli("import", str(folder), env=env, cwd=tmp_path).returncode == 0
    result = ratchet_cli("report", "alerts", "--week", "2026-W47", "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected(fixture)
    text = ratchet_cli("report", ALERTS, "--week", "2026-W47", env=env, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Weekly alert report for #alerts, 2026-W47" in text.stdout
    assert "KubePodCrashLooping (frequent): 7 firings (1 the week before)" in text.stdout
    missing = ratchet_cli("report", "nope", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "nope: no such channel" in missing.stderr


async def test_cli_report_posts_the_week_to_the_channel_once(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    sim.workspace.create_channel("alerts-weekly", channel_id=ALERTS, members=[sim.bot_user_id])  # #alerts is taken
    fixture = alert_weeks()
    folder = write_export(tmp_path / "export", fixture)
    env = {
        "RATCHET_DATABASE_URL": database_url,
        "RATCHET_EMBEDDINGS": "local",
        "RATCHET_SLACK_BOT_TOKEN": sim.bot_token,
        "RATCHET_SLACK_API_URL": sim.api_url,
    }
    assert (await asyncio.to_thread(ratchet_cli, "import", str(folder), env=env, cwd=tmp_path)).returncode == 0
    for _ in range(2):  # posted once per channel and week
        posted = await asyncio.to_thread(
            ratchet_cli, "report", "#alerts", "--week", "2026-W47", "--post", env=env, cwd=tmp_path
        )
        assert posted.returncode == 0, posted.stderr
    [report] = sim.messages(ALERTS)
    assert report["text"].startswith("*Weekly alert report for #alerts, 2026-W47*")
    assert "*KubePodCrashLooping* (frequent): 7 firings (1 the week before)" in report["text"]
    assert fixture.link("target") in report["text"]
