"""The `incidents` aggregate: an alert's life in a channel, keyed by its fingerprint.

A firing notification opens an incident, or re-fires the open one (grouped and repeated notifications), or
reopens one resolved moments ago (flapping); a resolved notification closes the open one and the duration
follows. Human replies in an incident's threads record who responded and when the first response came.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel

FLAPPING_WINDOW = timedelta(minutes=15)
FireOutcome = Literal["opened", "refired", "reopened"]
# every notification that (re)fired the incident: replies in any of their threads count as responses
APPEND_FIRE_TS = (
    "attrs = jsonb_set(incidents.attrs, '{fire_ts}', "
    "coalesce(incidents.attrs->'fire_ts', '[]') || to_jsonb(%(ts)s::text))"
)


class Incident(BaseModel):
    id: int
    channel_id: str
    fingerprint: str
    alert: str
    service: str | None
    severity: str | None
    source: str | None
    status: Literal["open", "resolved"]
    opened_ts: str
    resolved_ts: str | None
    opened_at: datetime
    resolved_at: datetime | None
    duration: timedelta | None
    fire_count: int
    first_response_at: datetime | None
    responders: list[str]


COLUMNS = (
    "id, channel_id, fingerprint, alert, service, severity, source, status, opened_ts, resolved_ts, opened_at, "
    "resolved_at, duration, fire_count, first_response_at, responders"
)


class FiringAlert(BaseModel):
    fingerprint: str
    alert: str
    service: str | None = None
    severity: str | None = None
    source: str | None = None


async def fire(
    conn: AsyncConnection[Any], *, channel_id: str, ts: str, at: datetime, alert: FiringAlert
) -> tuple[Incident, FireOutcome]:
    """Apply a firing notification (call inside a transaction)."""
    reopened = await _one(
        conn,
        f"""
        UPDATE incidents SET status = 'open', resolved_ts = NULL, resolved_at = NULL, fire_count = fire_count + 1,
                             {APPEND_FIRE_TS}
        WHERE id = (
            SELECT id FROM incidents
            WHERE channel_id = %(channel)s AND fingerprint = %(fingerprint)s AND status = 'resolved'
              AND resolved_at > %(at)s::timestamptz - %(window)s
              AND NOT EXISTS (SELECT 1 FROM incidents o WHERE o.channel_id = %(channel)s
                              AND o.fingerprint = %(fingerprint)s AND o.status = 'open')
            ORDER BY resolved_at DESC LIMIT 1 FOR UPDATE
        )
        RETURNING {COLUMNS}
        """,
        {"channel": channel_id, "fingerprint": alert.fingerprint, "ts": ts, "at": at, "window": FLAPPING_WINDOW},
    )
    if reopened is not None:
        return reopened, "reopened"
    incident = await _one(
        conn,
        f"""
        INSERT INTO incidents (channel_id, fingerprint, alert, service, severity, source, opened_ts, opened_at, attrs)
        VALUES (%(channel)s, %(fingerprint)s, %(alert)s, %(service)s, %(severity)s, %(source)s, %(ts)s, %(at)s,
                jsonb_build_object('fire_ts', jsonb_build_array(%(ts)s::text)))
        ON CONFLICT (channel_id, fingerprint) WHERE status = 'open' DO UPDATE
            SET fire_count = incidents.fire_count + 1, severity = coalesce(EXCLUDED.severity, incidents.severity),
                {APPEND_FIRE_TS}
        RETURNING {COLUMNS}, (xmax = 0) AS inserted
        """,
        {
            "channel": channel_id,
            "fingerprint": alert.fingerprint,
            "alert": alert.alert,
            "service": alert.service,
            "severity": alert.severity,
            "source": alert.source,
            "ts": ts,
            "at": at,
        },
        row_model=_Inserted,
    )
    assert isinstance(incident, _Inserted)
    return Incident.model_validate(incident.model_dump(exclude={"inserted"})), (
        "opened" if incident.inserted else "refired"
    )


async def resolve(
    conn: AsyncConnection[Any], *, channel_id: str, ts: str, at: datetime, fingerprint: str
) -> Incident | None:
    """Close the open incident with this fingerprint; None when none is open (e.g. it fired before the bot came)."""
    return await _one(
        conn,
        f"""
        UPDATE incidents SET status = 'resolved', resolved_ts = %s, resolved_at = greatest(%s, opened_at)
        WHERE channel_id = %s AND fingerprint = %s AND status = 'open'
        RETURNING {COLUMNS}
        """,
        (ts, at, channel_id, fingerprint),
    )


async def resolved_by(conn: AsyncConnection[Any], channel_id: str, ts: str) -> Incident | None:
    """The incident that the notification at `ts` resolved, if it resolved one."""
    return await _one(
        conn,
        f"SELECT {COLUMNS} FROM incidents WHERE channel_id = %s AND resolved_ts = %s AND status = 'resolved'",
        (channel_id, ts),
    )


async def acknowledge(conn: AsyncConnection[Any], *, channel_id: str, at: datetime, fingerprint: str) -> None:
    await conn.execute(
        """
        UPDATE incidents SET attrs = attrs || jsonb_build_object('acknowledged_at', %s::timestamptz)
        WHERE channel_id = %s AND fingerprint = %s AND status = 'open' AND NOT attrs ? 'acknowledged_at'
        """,
        (at, channel_id, fingerprint),
    )


async def record_reply(
    conn: AsyncConnection[Any], *, channel_id: str, thread_ts: str, user_id: str, at: datetime
) -> Incident | None:
    """A person replied in the thread of one of an incident's notifications."""
    return await _one(
        conn,
        f"""
        UPDATE incidents
        SET responders = CASE WHEN %(user)s = ANY(responders) THEN responders ELSE responders || %(user)s END,
            first_response_at = least(coalesce(first_response_at, %(at)s), %(at)s)
        WHERE channel_id = %(channel)s AND (opened_ts = %(thread)s OR attrs->'fire_ts' ? %(thread)s)
        RETURNING {COLUMNS}
        """,
        {"user": user_id, "at": at, "channel": channel_id, "thread": thread_ts},
    )


async def recent(
    conn: AsyncConnection[Any],
    *,
    fingerprint: str | None = None,
    alert: str | None = None,
    channels: list[str] | None = None,
    limit: int = 10,
) -> list[Incident]:
    """The latest incidents of one fingerprint or one alert name (in these channels, or any), newest first."""
    async with conn.cursor(row_factory=class_row(Incident)) as cursor:
        await cursor.execute(
            f"""
            SELECT {COLUMNS} FROM incidents
            WHERE (%(fingerprint)s::text IS NULL OR fingerprint = %(fingerprint)s)
              AND (%(alert)s::text IS NULL OR alert = %(alert)s)
              AND (%(channels)s::text[] IS NULL OR channel_id = ANY(%(channels)s))
            ORDER BY opened_at DESC LIMIT %(limit)s
            """,
            {"fingerprint": fingerprint, "alert": alert, "channels": channels, "limit": limit},
        )
        return await cursor.fetchall()


class _Inserted(Incident):
    inserted: bool


async def _one(
    conn: AsyncConnection[Any], query: str, params: Any, row_model: type[Incident] = Incident
) -> Incident | None:
    async with conn.cursor(row_factory=class_row(row_model)) as cursor:
        await cursor.execute(query, params)
        return await cursor.fetchone()
