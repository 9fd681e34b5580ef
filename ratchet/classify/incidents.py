"""What a classified message does to the incidents of its channel."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from ratchet.classify.models import Classification
from ratchet.storage import incidents
from ratchet.storage.messages import StoredMessage


async def track(conn: AsyncConnection[Any], message: StoredMessage, found: Classification) -> str | None:
    """Open, re-fire, reopen, resolve or acknowledge an incident, or count a person's reply in an incident thread.
    Returns what happened, or None when the message touches no incident. Call inside a transaction."""
    where = {"channel_id": message.channel_id, "at": message.posted_at}
    if found.kind == "alert_firing" and found.fingerprint and found.alert:
        alert = incidents.FiringAlert.model_validate(found.model_dump())
        incident, outcome = await incidents.fire(conn, ts=message.ts, alert=alert, **where)
        return f"incident {incident.id} {outcome}"
    if found.kind == "alert_resolved" and found.fingerprint:
        incident = await incidents.resolve(conn, ts=message.ts, fingerprint=found.fingerprint, **where)
        return f"incident {incident.id} resolved after {incident.duration}" if incident else None
    if found.kind == "alert_other" and found.fingerprint:
        await incidents.acknowledge(conn, fingerprint=found.fingerprint, **where)
        return "acknowledged"
    if message.thread_ts and message.is_human:
        incident = await incidents.record_reply(conn, thread_ts=message.thread_ts, user_id=message.user_id, **where)
        return f"response to incident {incident.id}" if incident else None
    return None
