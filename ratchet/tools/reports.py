"""Reports the agent can give: a channel's alerts over a week (what the weekly report posts) and the bot's own usage
(feedback on its posts, model calls)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from langchain.tools import ToolRuntime, tool
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from ratchet.reports.channel import ReportError, build_channel_report
from ratchet.storage import llm_usage, reactions

Days = Annotated[int, Field(ge=1, le=90)]


class UsageReport(BaseModel):
    since: datetime
    until: datetime
    feedback_by_channel: list[reactions.ChannelFeedback]
    feedback_by_module: list[reactions.ModuleFeedback]
    llm_by_model: list[llm_usage.ModelUsage]
    llm_by_module: list[llm_usage.ModuleUsage]


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
async def channel_report(
    runtime: ToolRuntime, channel: str | None = None, week: str | None = None, tz: str = "UTC"
) -> dict[str, Any]:
    """The weekly toil report of a channel: where its alert toil came from in an ISO week (`week` like "2026-W47",
    Monday to Monday in time zone `tz`; leave it out for the last complete week). `channel` is a channel id or
    name; leave it out for the channel you were asked in. Totals and, per alert (most firings first): firings
    (notifications that fired it), incidents opened, resolved ones and their mean time to resolve in seconds,
    untriaged incidents (no person replied in the thread), the median time to a person's first reply, a label
    ("new": never fired here before; "frequent": 5 or more firings; else "recurring") and the firings of the week
    before. Also incidents open for more than 72 h at the week's end, and suggestions with permalinks."""
    async with runtime.context.pool.connection() as conn:
        try:
            report = await build_channel_report(
                conn, runtime.context.embeddings, channel or runtime.state["channel_id"], week=week, tz=tz
            )
        except ReportError as problem:
            return {"error": str(problem)}
    return report.model_dump(mode="json")


@tool
async def usage_report(runtime: ToolRuntime, days: Days = 7) -> dict[str, Any]:
    """How the bot itself was received and what it cost over the last `days` days: 👍/👎 reactions on its posts per
    channel and per module (runbook, incidents, commands, ...), and model calls (requests, input and output
    tokens, errors) per model and per module."""
    until = datetime.now(UTC)
    report = await build_usage_report(runtime.context.pool, since=until - timedelta(days=days), until=until)
    return report.model_dump(mode="json")
