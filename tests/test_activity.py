"""Recent activity and past incidents around an alert, on a real Postgres with real notifications."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import classify_message
from ratchet.knowledge.activity import past_incidents, recent_activity
from ratchet.llm import LocalEmbeddings
from tests.conftest import DATA
from tests.helpers import store_classified

OPS, ALERTS = "C0OPS0001", "C0ALERTS1"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def notification(name: str) -> dict[str, Any]:
    path = next((DATA / "alert-formats" / "rendered_examples").glob(f"{name}*.json"))
    payload = json.loads(path.read_text())["slack_payload_default_config"]
    return {**payload, "subtype": "bot_message", "bot_id": "B0AM"}


async def post(
    pool: AsyncConnectionPool,
    embeddings: LocalEmbeddings,
    channel: str,
    raw: dict[str, Any],
    minutes_ago: float,
    thread_of: str | None = None,
) -> str:
    """Store, classify and embed a message `minutes_ago` before NOW as the message job would."""
    ts = f"{(NOW - timedelta(minutes=minutes_ago)).timestamp():.6f}"
    await store_classified(pool, channel, raw, ts, thread_of=thread_of, embeddings=embeddings)
    return ts


def person(user: str, text: str) -> dict[str, Any]:
    return {"type": "message", "user": user, "text": text}


async def test_recent_activity_is_related_talk_by_people_in_the_window(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings
) -> None:
    said = {
        "deploy": "rolled out prometheus-adapter 0.12 to monitoring, pods restarted during the rollout",
        "crash": "the adapter pod is crash looping again after the configmap change",
        "lunch": "anyone up for lunch at noon?",
        "old": "prometheus-adapter pod crash looping, fixed by reverting the configmap",
    }
    await post(pool, local_embeddings, OPS, person("U0DIEGO", said["deploy"]), minutes_ago=40)
    await post(pool, local_embeddings, OPS, person("U0PRIYA", said["crash"]), minutes_ago=10)
    await post(pool, local_embeddings, OPS, person("U0TOM", said["lunch"]), minutes_ago=5)
    await post(pool, local_embeddings, OPS, person("U0PRIYA", said["old"]), minutes_ago=300)
    await post(pool, local_embeddings, ALERTS, notification("1-"), minutes_ago=1)
    async with pool.connection() as conn:
        hits = await recent_activity(
            conn, local_embeddings, alert="KubePodCrashLooping", service="monitoring", at=NOW, readable=[OPS], limit=5
        )
    texts = [hit.text for hit in hits]
    assert texts[0] == said["crash"]
    assert said["deploy"] in texts
    assert said["old"] not in texts, "outside the window"
    assert not any(text.startswith("[FIRING") for text in texts), "alerts are not activity"
    assert texts.index(said["crash"]) < (texts.index(said["lunch"]) if said["lunch"] in texts else len(texts))


async def test_past_incidents_tell_how_the_alert_went(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings
) -> None:
    first = await post(pool, local_embeddings, ALERTS, notification("1-"), minutes_ago=3 * 24 * 60)
    await post(pool, local_embeddings, ALERTS, person("U0PRIYA", "looking"), 3 * 24 * 60 - 5, thread_of=first)
    fix = "readiness probe pointed at the wrong port; fixed the deployment and the pod is healthy"
    await post(pool, local_embeddings, ALERTS, person("U0DIEGO", fix), 3 * 24 * 60 - 25, thread_of=first)
    await post(pool, local_embeddings, ALERTS, notification("2-"), minutes_ago=3 * 24 * 60 - 30)
    latest = await post(pool, local_embeddings, ALERTS, notification("1-"), minutes_ago=2)
    fingerprint = classify_message(notification("1-")).fingerprint
    async with pool.connection() as conn:
        [past] = await past_incidents(conn, fingerprint=fingerprint, readable=[ALERTS], excluding=latest)
        both = await past_incidents(conn, alert="KubePodCrashLooping", readable=[ALERTS])
    assert past.incident.opened_ts == first and past.incident.duration == timedelta(minutes=30)
    assert (past.resolution, past.replies, past.incident.responders) == (fix, 2, ["U0PRIYA", "U0DIEGO"])
    assert [p.incident.opened_ts for p in both] == [latest, first]
