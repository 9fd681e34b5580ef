"""Reports the agent can give: a channel's alerts over a week (what the weekly report posts) and the bot's own usage
(feedback on its posts, model calls)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from langchain.tools import ToolRuntime, tool
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from ratchet.storage import incidents, llm_usage, reactions
from ratchet.storage.incidents import AlertActivity

FREQUENT_FIRINGS = 5  # more firings than this in the window
LONG_RUNNING_HOURS = 72  # average duration above this
TOP_ALERTS = 5
CHANNEL_MENTION = re.compile(r"^<#(?P<id>[A-Z0-9]+)(\|[^>]*)?>$")

Label = Literal["frequent", "long-running", "untriaged"]
Days = Annotated[int, Field(ge=1, le=90)]


class AlertReport(AlertActivity):
    labels: list[Label]


class ReportTotals(BaseModel):
    alerts: int
    firings: int
    incidents: int
    triage_replies: int
    untriaged_incidents: int


class ChannelReport(BaseModel):
    channel: str
    since: datetime
    until: datetime
    alerts: list[AlertReport]  # most firings first
    top_alerts: list[str]
    totals: ReportTotals


class UsageReport(BaseModel):
    since: datetime
    until: datetime
    feedback_by_channel: list[reactions.ChannelFeedback]
    feedback_by_module: list[reactions.ModuleFeedback]
    llm_by_model: list[llm_usage.ModelUsage]
    llm_by_module: list[llm_usage.ModuleUsage]


def labels_for(activity: AlertActivity) -> list[Label]:
    labels: list[Label] = []
    if activity.firings > FREQUENT_FIRINGS:
        labels.append("frequent")
    if activity.average_hours is not None and activity.average_hours > LONG_RUNNING_HOURS:
        labels.append("long-running")
    if activity.triage_replies == 0:
        labels.append("untriaged")
    return labels


def channel_key(channel: str) -> str:
    """A channel as people and Slack write it (`C0123`, `#ops`, `ops`, `<#C0123|ops>`) as an id or name."""
    channel = channel.strip()
    if mention := CHANNEL_MENTION.match(channel):
        return mention["id"]
    return channel.removeprefix("#")


async def build_channel_report(
    conn: AsyncConnection[Any], channel: str, *, since: datetime, until: datetime
) -> ChannelReport:
    """The alerts of a channel (id or name) in `[since, until)`, labelled, with the top ones and totals."""
    key = channel_key(channel)
    alerts = [
        AlertReport(**activity.model_dump(), labels=labels_for(activity))
        for activity in await incidents.alert_activity(conn, channel=key, since=since, until=until)
    ]
    return ChannelReport(
        channel=key,
        since=since,
        until=until,
        alerts=alerts,
        top_alerts=[f"{a.alert} ({a.service})" if a.service else a.alert for a in alerts[:TOP_ALERTS]],
        totals=ReportTotals(
            alerts=len(alerts),
            firings=sum(a.firings for a in alerts),
            incidents=sum(a.incidents for a in alerts),
            triage_replies=sum(a.triage_replies for a in alerts),
            untriaged_incidents=sum(a.untriaged_incidents for a in alerts),
        ),
    )


async def build_usage_report(pool: AsyncConnectionPool, *, since: datetime, until: datetime) -> UsageReport:
    async with pool.connection() as conn:
        by_channel = await reactions.feedback_by_channel(conn, since=since, until=until)
        by_module = await reactions.feedback_by_module(conn, since=since, until=until)
    return UsageReport(
        since=since,
        until=until,
        feedback_by_channel=by_channel,
        feedback_by_module=by_module,
        llm_by_model=await llm_usage.usage_by_model(pool, since=since, until=until),
        llm_by_module=await llm_usage.usage_by_module(pool, since=since, until=until),
    )


@tool
async def channel_report(runtime: ToolRuntime, channel: str | None = None, days: Days = 7) -> dict[str, Any]:
    """Where a channel's alert toil came from over the last `days` days (the weekly report's figures). `channel` is
    a channel id or name; leave it out for the channel you were asked in. Per alert and service: firings
    (notifications that fired it), incidents, resolved incidents and their average duration in hours, triage
    replies (people's replies in the alert threads), untriaged incidents (nobody replied), and labels: "frequent"
    (more than 5 firings), "long-running" (average over 72 h), "untriaged" (no reply at all). Also the top 5 alerts
    by firings and totals. No alerts means none fired there in that time, or no channel has that id or name."""
    until = datetime.now(UTC)
    async with runtime.context.pool.connection() as conn:
        report = await build_channel_report(
            conn, channel or runtime.state["channel_id"], since=until - timedelta(days=days), until=until
        )
    return report.model_dump(mode="json")


@tool
async def usage_report(runtime: ToolRuntime, days: Days = 7) -> dict[str, Any]:
    """How the bot itself was received and what it cost over the last `days` days: 👍/👎 reactions on its posts per
    channel and per module (runbook, incidents, commands, ...), and model calls (requests, input and output
    tokens, errors) per model and per module."""
    until = datetime.now(UTC)
    report = await build_usage_report(runtime.context.pool, since=until - timedelta(days=days), until=until)
    return report.model_dump(mode="json")
