"""The tools the agent may call when a person asks the bot something. Each is a typed LangChain tool whose
docstring is its description; they read the triage context (database, models) at call time. Those that show Slack
messages or incidents read only the channel the question was asked in and the channels it reads from
(`reads_from` in RATCHET_CHANNELS_CONFIG)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from langchain.tools import ToolRuntime, tool
from langchain_core.tools import BaseTool
from psycopg import AsyncConnection

from ratchet.knowledge.activity import past_incidents, readable_channels
from ratchet.knowledge.activity import recent_activity as find_recent_activity
from ratchet.knowledge.answers import Source
from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.storage import documents, incidents
from ratchet.storage.search import search_chunks
from ratchet.storage.search import search_messages as find_messages
from ratchet.tools.classify import classify_message
from ratchet.tools.doc_updates import propose_doc_update
from ratchet.tools.reports import channel_report, usage_report

# The documentation tools: besides what the model reads, each returns (as the tool message's artifact) the
# passages it found, which the answer is then held to (knowledge/answers.py); an error returns none.
WithPassages = tuple[Any, list[dict[str, Any]] | None]


@tool(response_format="content_and_artifact")
async def search_docs(query: str, runtime: ToolRuntime) -> WithPassages:
    """Search the team's documentation (runbooks, SRE docs) by meaning and words. Returns the best passages with
    their source, path, URL and heading; cite the URL or path of what you use."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        hits = await search_chunks(conn, query, await ctx.embeddings.aembed_query(query), limit=5)
    return [h.model_dump(include={"source", "path", "url", "heading", "content"}) for h in hits], _citable(hits)


@tool(response_format="content_and_artifact")
async def read_doc(path: str, runtime: ToolRuntime) -> WithPassages:
    """Read a whole document by its path (as search_docs returns it)."""
    async with runtime.context.pool.connection() as conn:
        document = await documents.get_document(conn, None, path)
    if document is None:
        return {"error": f"no document at {path!r}"}, None
    return document.model_dump(include={"source", "path", "url", "title", "content"}), _citable([document])


@tool(response_format="content_and_artifact")
async def fetch_runbook(alert: str, runtime: ToolRuntime) -> WithPassages:
    """The curated runbook for an alert name (e.g. KubePodCrashLooping), or null when the docs have none."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        found = await find_curated_runbook(conn, ctx.embeddings, alert)
    return {"alert": alert, "runbook": found.model_dump() if found else None}, _citable([found] if found else [])


def _citable(found: list[Any]) -> list[dict[str, Any]]:
    return [Source.citable(item).model_dump() for item in found]


@tool
async def recent_activity(alert: str, runtime: ToolRuntime, service: str | None = None) -> list[dict[str, Any]]:
    """What people said in the last hour that relates to an alert (and service): deploys, changes, reports."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        hits = await find_recent_activity(
            conn,
            ctx.embeddings,
            alert=alert,
            service=service,
            at=datetime.now(UTC),
            readable=await _readable(conn, runtime),
            bot_user_id=ctx.bot.user_id,
        )
    return [h.model_dump(include={"channel_id", "ts", "user_id", "text"}) for h in hits]


@tool
async def similar_incidents(alert: str, runtime: ToolRuntime) -> list[dict[str, Any]]:
    """The last incidents of an alert: when, how long, who responded, and what was last said in the thread."""
    async with runtime.context.pool.connection() as conn:
        past = await past_incidents(conn, alert=alert, readable=await _readable(conn, runtime), limit=5)
    return [
        {
            "opened_at": p.incident.opened_at.isoformat(),
            "status": p.incident.status,
            "duration": str(p.incident.duration) if p.incident.duration else None,
            "responders": p.incident.responders,
            "last_word": p.resolution,
            "last_word_link": p.resolution_link,
        }
        for p in past
    ]


@tool
async def list_incidents(runtime: ToolRuntime, alert: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """Recent incidents, newest first, optionally of one alert."""
    async with runtime.context.pool.connection() as conn:
        found = await incidents.recent(conn, alert=alert, channels=await _readable(conn, runtime), limit=min(limit, 50))
    return [
        i.model_dump(mode="json", include={"alert", "service", "status", "opened_at", "duration", "channel_id"})
        for i in found
    ]


@tool
async def search_messages(
    query: str, runtime: ToolRuntime, channel_id: str | None = None
) -> list[dict[str, Any]] | dict[str, Any]:
    """Search the Slack messages of this channel and the channels it reads from, by meaning and words; give a
    channel_id to search only one of them."""
    ctx = runtime.context
    async with ctx.pool.connection() as conn:
        readable = await _readable(conn, runtime)
        if channel_id is not None and channel_id not in readable:
            return {"error": f"{channel_id} cannot be read from here; readable channels: {', '.join(readable)}"}
        hits = await find_messages(
            conn, query, await ctx.embeddings.aembed_query(query), channels=[channel_id] if channel_id else readable
        )
    return [h.model_dump(mode="json", include={"channel_id", "ts", "user_id", "text", "posted_at"}) for h in hits]


async def _readable(conn: AsyncConnection[Any], runtime: ToolRuntime) -> list[str]:
    """The channels whose messages may be shown where the question was asked (none when that is unknown)."""
    asked_in = runtime.state.get("channel_id")
    if asked_in is None:
        return []
    return await readable_channels(conn, runtime.context.channels, asked_in, runtime.state.get("channel_name"))


DOCUMENTATION_TOOLS = frozenset({search_docs.name, read_doc.name, fetch_runbook.name})
TOOLS: list[BaseTool] = [
    search_docs,
    read_doc,
    fetch_runbook,
    recent_activity,
    similar_incidents,
    list_incidents,
    search_messages,
    channel_report,
    usage_report,
    classify_message,
    propose_doc_update,
]
