"""What an on-call engineer wants next to an alert besides its runbook: what people said recently that is related,
and how the same alert went the last times."""

from __future__ import annotations

from datetime import datetime, timedelta

from langchain_core.embeddings import Embeddings
from psycopg import AsyncConnection
from pydantic import BaseModel

from ratchet.classify.models import alert_name_words
from ratchet.storage import incidents, messages
from ratchet.storage.incidents import Incident
from ratchet.storage.search import MessageHit, search_messages

RECENT_WINDOW = timedelta(hours=1)


def alert_terms(alert: str, service: str | None = None) -> str:
    """Query text for an alert: its name, the name's words (`KubePodCrashLooping` → `Kube Pod Crash Looping`), the
    service."""
    return " ".join(filter(None, [alert, alert_name_words(alert), service]))


async def recent_activity(
    conn: AsyncConnection,
    embeddings: Embeddings,
    *,
    alert: str,
    service: str | None = None,
    at: datetime,
    window: timedelta = RECENT_WINDOW,
    channels: list[str] | None = None,
    limit: int = 5,
) -> list[MessageHit]:
    """People's messages from the window before `at` that match the alert's terms or meaning (no alerts, no bots)."""
    query = alert_terms(alert, service)
    return await search_messages(
        conn,
        query,
        await embeddings.aembed_query(query),
        channels=channels,
        since=at - window,
        until=at,
        people_only=True,
        limit=limit,
    )


class PastIncident(BaseModel):
    incident: Incident
    resolution: str | None  # the last thing a person said in the incident's thread
    replies: int


async def past_incidents(
    conn: AsyncConnection,
    *,
    fingerprint: str | None = None,
    alert: str | None = None,
    excluding: str | None = None,
    limit: int = 3,
) -> list[PastIncident]:
    """The last incidents of the same alert (by fingerprint, else by name) with their duration, responders and
    what people last said in the thread, newest first; `excluding` is the ts of a notification whose own new
    incident is not history (one it reopened is)."""
    found = await incidents.recent(conn, fingerprint=fingerprint, alert=alert, limit=limit + 1)
    found = [i for i in found if i.opened_ts != excluding][:limit]
    result = []
    for incident in found:
        thread = await messages.thread(conn, incident.channel_id, incident.opened_ts)
        people = [m for m in thread if m.ts != incident.opened_ts and m.is_human]
        result.append(
            PastIncident(incident=incident, resolution=people[-1].text if people else None, replies=len(people))
        )
    return result
