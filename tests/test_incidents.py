"""Incidents on a real Postgres, driven by real Alertmanager notifications through the message job's logic."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from ratchet.storage import incidents
from tests.conftest import DATA
from tests.helpers import store_classified

CHANNEL = "C0ALERTS1"
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def notification(name: str) -> dict[str, Any]:
    path = next((DATA / "alert-formats" / "rendered_examples").glob(f"{name}*.json"))
    return {**json.loads(path.read_text())["slack_payload_default_config"], "subtype": "bot_message", "bot_id": "B0AM"}


class Channel:
    """Posts messages into one channel at chosen times and applies them as the message job does."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def post(self, raw: dict[str, Any], minutes: float, thread_of: str | None = None) -> tuple[str, str | None]:
        ts = f"{(START + timedelta(minutes=minutes)).timestamp():.6f}"
        return ts, await store_classified(self.pool, CHANNEL, raw, ts, thread_of=thread_of)

    async def incidents(self) -> list[incidents.Incident]:
        async with self.pool.connection() as conn:
            return list(reversed(await incidents.recent(conn, limit=50)))


async def test_fire_then_resolve_records_the_duration(pool: AsyncConnectionPool) -> None:
    channel = Channel(pool)
    fired_ts, opened = await channel.post(notification("1-"), minutes=0)
    _, resolved = await channel.post(notification("2-"), minutes=42)
    [incident] = await channel.incidents()
    assert opened == f"incident {incident.id} opened" and resolved == f"incident {incident.id} resolved after 0:42:00"
    assert (incident.alert, incident.status, incident.duration, incident.opened_ts) == (
        "KubePodCrashLooping", "resolved", timedelta(minutes=42), fired_ts
    )  # fmt: skip


async def test_repeated_firing_refires_one_incident(pool: AsyncConnectionPool) -> None:
    channel = Channel(pool)
    outcomes = [(await channel.post(notification("3-"), minutes=m))[1] for m in (0, 60, 120)]
    [incident] = await channel.incidents()
    assert [o.split(" ", 2)[2] for o in outcomes if o] == ["opened", "refired", "refired"]
    assert (incident.fire_count, incident.status) == (3, "open")


async def test_flapping_reopens_instead_of_duplicating(pool: AsyncConnectionPool) -> None:
    channel = Channel(pool)
    await channel.post(notification("1-"), minutes=0)
    await channel.post(notification("2-"), minutes=5)
    _, reopened = await channel.post(notification("1-"), minutes=9)  # back within the flapping window
    await channel.post(notification("2-"), minutes=12)
    _, fresh = await channel.post(notification("1-"), minutes=90)  # long after: a new incident
    first, second = await channel.incidents()
    assert reopened == f"incident {first.id} reopened" and fresh == f"incident {second.id} opened"
    assert (first.fire_count, first.status, first.duration) == (2, "resolved", timedelta(minutes=12))
    assert second.status == "open"


async def test_different_alerts_are_different_incidents(pool: AsyncConnectionPool) -> None:
    channel = Channel(pool)
    await channel.post(notification("1-"), minutes=0)
    await channel.post(notification("5-"), minutes=1)
    await channel.post(notification("6-"), minutes=3)
    crash, api = await channel.incidents()
    assert (crash.alert, crash.status) == ("KubePodCrashLooping", "open")
    assert (api.alert, api.status, api.duration) == ("KubeAPIDown", "resolved", timedelta(minutes=2))


async def test_resolved_without_a_firing_is_ignored(pool: AsyncConnectionPool) -> None:
    channel = Channel(pool)
    assert (await channel.post(notification("2-"), minutes=0))[1] is None
    assert await channel.incidents() == []


async def test_replies_in_the_thread_record_responders_and_time_to_first_response(pool: AsyncConnectionPool) -> None:
    channel = Channel(pool)
    fired_ts, _ = await channel.post(notification("1-"), minutes=0)
    refired_ts, _ = await channel.post(notification("1-"), minutes=30)
    person = {"type": "message", "text": "looking, the adapter lost its configmap"}
    await channel.post({**person, "user": "U0PRIYA"}, minutes=7, thread_of=fired_ts)
    await channel.post({**person, "user": "U0DIEGO"}, minutes=31, thread_of=refired_ts)
    await channel.post({**person, "user": "U0PRIYA"}, minutes=32, thread_of=refired_ts)
    _, unrelated = await channel.post({**person, "user": "U0TOM"}, minutes=33, thread_of="1700000000.000100")
    [incident] = await channel.incidents()
    assert incident.responders == ["U0PRIYA", "U0DIEGO"]
    assert incident.first_response_at - incident.opened_at == timedelta(minutes=7)
    assert unrelated is None
