"""The weekly toil report of a channel, computed from its stored alert notifications and people's replies.

Definitions (issue 15; tests pin them): the week runs Monday 00:00 to the next Monday 00:00 in `tz`. Incidents are
replayed from the channel's firing and resolved notifications in posting order: an incident opens at a firing
notification of its fingerprint; a firing of that fingerprint while the incident is open, or within the flapping
window after it resolved (which undoes that resolve), belongs to it; a later firing opens a new one. Its resolved
time is its last resolved notification; its thread is its opening notification's thread. The stored `incidents`
rows are not read: they count replies in every notification's thread and keep the first of repeated resolves.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langchain_core.embeddings import Embeddings
from psycopg import AsyncConnection
from pydantic import BaseModel

from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.knowledge.synthesis import permalink
from ratchet.slack.posting import Reply
from ratchet.storage import channels, reports
from ratchet.storage.incidents import FLAPPING_WINDOW
from ratchet.storage.reports import AlertNotification

FREQUENT_FIRINGS = 5  # firings in the week from which an alert that fired before is "frequent"
LONG_RUNNING = timedelta(hours=72)  # open at the week's end and opened longer ago than this
EVIDENCE_LINKS = 5  # permalinks per suggestion
WEEK = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")
CHANNEL_MENTION = re.compile(r"^<#(?P<id>[A-Z0-9]+)(\|[^>]*)?>$")

Label = Literal["new", "frequent", "recurring"]


class ReportError(ValueError):
    """A report that cannot be made: an unknown channel, week or time zone."""


class Totals(BaseModel):
    firings: int
    incidents: int
    resolved: int
    untriaged: int
    mttr_seconds: float | None
    median_first_response_seconds: float | None


class AlertFigures(Totals):
    alert: str
    label: Label
    previous_week_firings: int


class LongRunning(BaseModel):
    alert: str
    opened_at: datetime
    open_seconds: float
    thread: str  # permalink of the opening notification


class Suggestion(BaseModel):
    text: str
    evidence: list[str]  # permalinks of the threads it draws on


class ChannelReport(BaseModel):
    channel: str
    channel_name: str | None
    week: str
    tz: str
    start: datetime
    end: datetime
    totals: Totals
    alerts: list[AlertFigures]  # most firings first, then most incidents
    long_running: list[LongRunning]
    suggestions: list[Suggestion]

    def to_markdown(self) -> str:
        """The report as people read it (the CLI prints it, `--post` posts it)."""
        local = ZoneInfo(self.tz)
        first, last = self.start.astimezone(local), self.end.astimezone(local) - timedelta(days=1)
        days = f"{first:%a %d %b} to {last:%a %d %b %Y}"
        t = self.totals
        lines = [
            f"**Weekly alert report for #{self.channel_name or self.channel}, {self.week}** ({days}, {self.tz})",
            "",
            f"{t.firings} firings, {t.incidents} incidents opened, {t.resolved} resolved"
            f" (mean time to resolve {_maybe(t.mttr_seconds)}), {t.untriaged} untriaged;"
            f" median first response {_maybe(t.median_first_response_seconds)}.",
        ]
        if self.alerts:
            lines += ["", "**Alerts**"]
        for a in self.alerts:
            lines.append(
                f"- **{a.alert}** ({a.label}): {a.firings} firings ({a.previous_week_firings} the week before),"
                f" {a.incidents} incidents, {a.resolved} resolved (MTTR {_maybe(a.mttr_seconds)}),"
                f" {a.untriaged} untriaged, first response {_maybe(a.median_first_response_seconds)}"
            )
        if self.long_running:
            lines += ["", "**Open for more than 72 h at the week's end**"]
        for r in self.long_running:
            since = r.opened_at.astimezone(local)
            lines.append(f"- [{r.alert}]({r.thread}): open {duration(r.open_seconds)}, since {since:%a %d %b %H:%M}")
        if self.suggestions:
            lines += ["", "**Suggestions**"]
        for s in self.suggestions:
            links = ", ".join(f"[{n}]({link})" for n, link in enumerate(s.evidence, start=1))
            lines.append(f"- {s.text} ({links})")
        return "\n".join(lines)


@dataclass
class Incident:
    """An incident replayed from notifications."""

    alert: str
    fingerprint: str
    opened_at: datetime
    thread: str
    resolved_at: datetime | None = None  # its last resolved notification while resolved; None while open
    changes: list[tuple[datetime, bool]] = field(default_factory=list)  # (when, open afterwards)

    def open_at(self, moment: datetime) -> bool:
        before = [is_open for at, is_open in self.changes if at < moment]
        return bool(before) and before[-1]


def replay(notifications: list[AlertNotification]) -> list[Incident]:
    """The incidents these notifications (oldest first) make, in the order they opened."""
    incidents: list[Incident] = []
    latest: dict[str, Incident] = {}
    for note in notifications:
        incident = latest.get(note.fingerprint)
        if note.kind == "alert_resolved":
            if incident is not None:
                incident.resolved_at = note.posted_at
                incident.changes.append((note.posted_at, False))
        elif incident is not None and incident.resolved_at is None:
            continue  # a repeat or a regrouped notification of the open incident
        elif incident is not None and incident.resolved_at and note.posted_at - incident.resolved_at < FLAPPING_WINDOW:
            incident.resolved_at = None  # flapping: the resolve is undone
            incident.changes.append((note.posted_at, True))
        else:
            incident = Incident(note.alert, note.fingerprint, note.posted_at, note.thread_key)
            incident.changes.append((note.posted_at, True))
            latest[note.fingerprint] = incident
            incidents.append(incident)
    return incidents


def channel_key(channel: str) -> str:
    """A channel as people and Slack write it (`C0123`, `#ops`, `ops`, `<#C0123|ops>`) as an id or name."""
    channel = channel.strip()
    if mention := CHANNEL_MENTION.match(channel):
        return mention["id"]
    return channel.removeprefix("#")


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(f"{tz}: not a time zone (e.g. UTC, Europe/Berlin)") from None


def last_complete_week(tz: str, now: datetime) -> str:
    """The ISO week (`2026-W47`) that ended last, in `tz`."""
    year, week, _ = (now.astimezone(zone(tz)).date() - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str, tz: str) -> tuple[datetime, datetime]:
    """Monday 00:00 of the ISO week and of the next one, in `tz`, as UTC times."""
    found = WEEK.match(week)
    try:
        monday = date.fromisocalendar(int(found["year"]), int(found["week"]), 1) if found else None
    except ValueError:
        monday = None
    if monday is None:
        raise ReportError(f"{week}: not an ISO week like 2026-W47")
    local = zone(tz)
    start, end = (datetime.combine(day, datetime.min.time(), local) for day in (monday, monday + timedelta(days=7)))
    return start.astimezone(UTC), end.astimezone(UTC)


def figures(incidents: list[Incident], firings: int, replies: dict[str, datetime]) -> Totals:
    resolved = [i for i in incidents if i.resolved_at is not None]
    durations = [(i.resolved_at - i.opened_at).total_seconds() for i in resolved if i.resolved_at is not None]
    responses = [(replies[i.thread] - i.opened_at).total_seconds() for i in incidents if i.thread in replies]
    return Totals(
        firings=firings,
        incidents=len(incidents),
        resolved=len(resolved),
        untriaged=sum(1 for i in incidents if i.thread not in replies),
        mttr_seconds=statistics.fmean(durations) if durations else None,
        median_first_response_seconds=statistics.median(responses) if responses else None,
    )


def label(firings: int, fired_before: bool) -> Label:
    if not fired_before:
        return "new"
    return "frequent" if firings >= FREQUENT_FIRINGS else "recurring"


async def build_channel_report(
    conn: AsyncConnection[Any],
    embeddings: Embeddings,
    channel: str,
    *,
    week: str | None = None,
    tz: str = "UTC",
    now: datetime | None = None,
) -> ChannelReport:
    """The report of `channel` (id, name or mention) for `week` (default: the last complete one in `tz`)."""
    found = await channels.find(conn, channel_key(channel))
    if found is None:
        raise ReportError(f"{channel}: no such channel in the database")
    week = week or last_complete_week(tz, now or datetime.now(UTC))
    start, end = week_bounds(week, tz)
    previous = week_bounds(last_complete_week(tz, start), tz)[0]
    notifications = await reports.alert_notifications(conn, found.channel_id)
    incidents = replay(notifications)
    opened = [i for i in incidents if start <= i.opened_at < end]
    replies = await reports.first_replies(conn, found.channel_id, [i.thread for i in opened])

    fired = [note for note in notifications if note.kind == "alert_firing"]
    firings = Counter(note.alert for note in fired if start <= note.posted_at < end)
    previous_firings = Counter(note.alert for note in fired if previous <= note.posted_at < start)
    fired_before = {note.alert for note in fired if note.posted_at < start}
    runbook_linked = {note.alert for note in fired if note.runbook_url and start <= note.posted_at < end}

    alerts = sorted(
        (
            AlertFigures(
                alert=alert,
                label=label(count, alert in fired_before),
                previous_week_firings=previous_firings[alert],
                **figures([i for i in opened if i.alert == alert], count, replies).model_dump(),
            )
            for alert, count in firings.items()
        ),
        key=lambda a: (-a.firings, -a.incidents, a.alert),
    )
    long_running = [
        LongRunning(
            alert=i.alert,
            opened_at=i.opened_at,
            open_seconds=(end - i.opened_at).total_seconds(),
            thread=permalink(found.channel_id, i.thread),
        )
        for i in incidents
        if i.opened_at < end - LONG_RUNNING and i.open_at(end)
    ]
    suggestions = await deterministic_suggestions(
        conn, embeddings, found.channel_id, alerts, opened, replies, runbook_linked
    )
    return ChannelReport(
        channel=found.channel_id,
        channel_name=found.name,
        week=week,
        tz=tz,
        start=start,
        end=end,
        totals=figures(opened, sum(firings.values()), replies),
        alerts=alerts,
        long_running=long_running,
        suggestions=suggestions,
    )


def report_reply(found: ChannelReport) -> Reply:
    """The report as the bot posts it to its channel: once per channel and week, whoever posts it."""
    key = f"report:{found.channel}:{found.week}"
    return Reply(channel_id=found.channel, thread_ts=None, module="report", markdown=found.to_markdown(), key=key)


async def deterministic_suggestions(
    conn: AsyncConnection[Any],
    embeddings: Embeddings,
    channel_id: str,
    alerts: list[AlertFigures],
    opened: list[Incident],
    replies: dict[str, datetime],
    runbook_linked: set[str],
) -> list[Suggestion]:
    """Without an LLM: the noisiest alert nobody answered, the slowest to resolve, and new alerts without a
    runbook (neither linked from its notifications nor found in the docs); each with the permalinks of the threads
    it is about."""

    def threads(alert: str, keep: Callable[[Incident], bool] = lambda _: True) -> list[str]:
        return [permalink(channel_id, i.thread) for i in opened if i.alert == alert and keep(i)][:EVIDENCE_LINKS]

    suggestions: list[Suggestion] = []
    if untriaged := [a for a in alerts if a.untriaged]:
        noisy = max(untriaged, key=lambda a: (a.firings, a.untriaged))
        suggestions.append(
            Suggestion(
                text=f"{noisy.alert} fired {noisy.firings} times and {noisy.untriaged} of its {noisy.incidents} "
                "incidents got no reply: tune it (`for:`, threshold, severity) or route it where someone acts on it.",
                evidence=threads(noisy.alert, lambda i: i.thread not in replies),
            )
        )
    if timed := [a for a in alerts if a.mttr_seconds is not None]:
        slow = max(timed, key=lambda a: a.mttr_seconds or 0)
        suggestions.append(
            Suggestion(
                text=f"{slow.alert} took {duration(slow.mttr_seconds or 0)} on average to resolve "
                f"({slow.resolved} incidents): what its threads did belongs in its runbook.",
                evidence=threads(slow.alert, lambda i: i.resolved_at is not None),
            )
        )
    for alert in (a for a in alerts if a.label == "new" and a.alert not in runbook_linked):
        if await find_curated_runbook(conn, embeddings, alert.alert) is None:
            suggestions.append(
                Suggestion(
                    text=f"{alert.alert} is new this week and has no runbook: write one from its threads.",
                    evidence=threads(alert.alert),
                )
            )
    return [s for s in suggestions if s.evidence]


def _maybe(seconds: float | None) -> str:
    return "n/a" if seconds is None else duration(seconds)


def duration(seconds: float) -> str:
    """`2 h 05 min`, `42 min`, `3 d 4 h`."""
    minutes = round(seconds / 60)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
