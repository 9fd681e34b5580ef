"""The schedules built from the config: when each fires, the job it enqueues and that job's period key.

A firing enqueues a ledger job whose key names the period it is for (`docs_refresh:2026-12-03T06`,
`retention:2026-12-03`, `report:C0123:2026-W49`); jobs are unique per kind and key, so however many processes fire
the same period, one job is enqueued and one worker runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ratchet.jobs.handlers import DOCS_REFRESH_JOB, REPORT_JOB, RETENTION_JOB
from ratchet.jobs.history import CATCHUP_JOB
from ratchet.scheduler.config import SchedulesConfig

USAGE_REPORT_JOB = "usage_report"
# kinds a schedule names whose handler does not exist yet: listed, never enqueued (a job nobody can run would fail)
WAITING_FOR_A_HANDLER = {USAGE_REPORT_JOB: "issue 15"}
RETENTION_AT = {"hour": 3, "minute": 0}  # daily, UTC
INTERVAL_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)  # interval firings fall on the same hours in every process
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Schedule:
    name: str  # the period key's prefix
    kind: str  # the job it enqueues
    trigger: BaseTrigger
    when: str  # for people
    period_format: str  # strftime of the firing time (in the trigger's time zone) that names the period
    lookback: timedelta  # at least the longest gap between two firings: how far back a missed one is found
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def waiting_for(self) -> str | None:
        """The issue that brings this schedule's handler, while there is none."""
        return WAITING_FOR_A_HANDLER.get(self.kind)

    def period_key(self, fired: datetime) -> str:
        return f"{self.name}:{fired.strftime(self.period_format)}"

    def last_due(self, now: datetime) -> datetime | None:
        """The latest firing at or before `now`: the period that is due (a missed firing, at start)."""
        due = None
        fire = self.trigger.get_next_fire_time(None, now - self.lookback)
        while fire is not None and fire <= now:
            due = fire
            fire = self.trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        return due

    def next_run(self, now: datetime) -> datetime | None:
        return self.trigger.get_next_fire_time(None, now)


def build_schedules(config: SchedulesConfig) -> list[Schedule]:
    schedules = []
    if config.docs_refresh_hours:
        hours = config.docs_refresh_hours
        trigger = IntervalTrigger(hours=hours, start_date=INTERVAL_ORIGIN, timezone=UTC)
        every = "every hour" if hours == 1 else f"every {hours} h"
        schedules.append(
            Schedule("docs_refresh", DOCS_REFRESH_JOB, trigger, every, "%Y-%m-%dT%H", timedelta(hours=hours + 1))
        )
    if minutes := config.catchup_minutes:
        trigger = IntervalTrigger(minutes=minutes, start_date=INTERVAL_ORIGIN, timezone=UTC)
        every = "every minute" if minutes == 1 else f"every {minutes} min"
        lookback = timedelta(minutes=minutes + 1)
        schedules.append(Schedule("catchup", CATCHUP_JOB, trigger, every, "%Y-%m-%dT%H:%M", lookback))
    if config.retention_days:
        trigger = CronTrigger(**RETENTION_AT, timezone=UTC)
        when = f"daily {RETENTION_AT['hour']:02d}:{RETENTION_AT['minute']:02d} UTC, keeps {config.retention_days} days"
        payload = {"days": config.retention_days}
        schedules.append(Schedule("retention", RETENTION_JOB, trigger, when, "%Y-%m-%d", timedelta(days=2), payload))
    for channel, report in config.weekly_reports.items():
        when = f"cron '{report.cron}' {report.timezone}"
        payload = {"channel_id": channel, "tz": report.timezone}
        schedules.append(Schedule(f"report:{channel}", REPORT_JOB, report.trigger(), when, "%G-W%V", WEEK, payload))
    if usage := config.usage_report:
        when = f"cron '{usage.cron}' {usage.timezone}, to {usage.channel}"
        payload = {"channel_id": usage.channel}
        schedules.append(Schedule("usage_report", USAGE_REPORT_JOB, usage.trigger(), when, "%G-W%V", WEEK, payload))
    return schedules
