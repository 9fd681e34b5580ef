"""The schedules file (RATCHET_SCHEDULES_CONFIG): what runs when. Without a file, the defaults below apply."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ratchet.config import _load_yaml_config

DEFAULT_REPORT_CRON = "0 9 * * mon"  # Monday 09:00


class ReportSchedule(BaseModel):
    """When a report is due: a five-field cron (minute hour day month weekday) in `timezone`."""

    model_config = ConfigDict(extra="forbid")

    cron: str = DEFAULT_REPORT_CRON
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (expected an IANA name like Europe/Berlin)") from None
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as error:
            raise ValueError(f"bad cron {value!r} (expected 5 fields, e.g. '0 9 * * mon'): {error}") from None
        return value

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=ZoneInfo(self.timezone))


class UsageReportSchedule(ReportSchedule):
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]+$")  # the channel id it is posted to


class SchedulesConfig(BaseModel):
    """Every schedule; the defaults are what runs without a file."""

    model_config = ConfigDict(extra="forbid")

    docs_refresh_hours: int = Field(default=6, ge=0, le=24 * 7)  # 0 turns it off
    catchup_minutes: int = Field(default=5, ge=0, le=24 * 60)  # re-reading channels' history; 0 turns it off
    retention_days: int | None = Field(default=None, ge=1)  # None keeps everything
    weekly_reports: dict[str, ReportSchedule] = Field(default_factory=dict)  # by channel id
    usage_report: UsageReportSchedule | None = None

    @field_validator("weekly_reports")
    @classmethod
    def _channel_ids(cls, value: dict[str, ReportSchedule]) -> dict[str, ReportSchedule]:
        for channel in value:
            if not re.fullmatch(r"[CGD][A-Z0-9]+", channel):
                raise ValueError(f"{channel!r} is not a channel id (expected e.g. C0123ABC)")
        return value


def load_schedules_config(path: Path | None) -> SchedulesConfig:
    """The schedules file, or the defaults when there is none; a bad file is a ConfigError."""
    return _load_yaml_config(SchedulesConfig, path, "RATCHET_SCHEDULES_CONFIG")
