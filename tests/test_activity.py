"""Recent activity and past incidents around an alert, on a real Postgres with real notifications."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import classify_message
from ratchet.knowledge.activity import alert_terms, past_incidents, recent_activity
from ratchet.llm import LocalEmbeddings
from ratchet.storage.search import search_messages
from tests.conftest import DATA
from tests.helpers import store_classified

OPS, ALERTS = "C0OPS0001", "C0ALERTS1"
BOT = "U0RATCHET"
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
            conn,
            local_embeddings,
            alert="KubePodCrashLooping",
            service="monitoring",
            at=NOW,
            readable=[OPS],
            bot_user_id=BOT,
            limit=5,
        )
    texts = [hit.text for hit in hits]
    assert texts == [said["crash"], said["deploy"]], "lunch is neither named nor close in meaning; old is too old"


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


def bot_post(text: str) -> dict[str, Any]:
    """A post of the bot's own, as chat.postMessage makes it (the simulator's shape: user, bot_id, app_id, profile)."""
    ids = {"bot_id": "B0RATCHET", "app_id": "A0RATCHET"}
    profile = {"id": ids["bot_id"], "app_id": ids["app_id"], "name": "ratchet", "team_id": "T0TEAM"}
    return {"type": "message", "user": BOT, **ids, "text": text, "bot_profile": profile}


async def test_a_busy_hours_other_incidents_and_questions_to_the_bot_are_not_activity(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings
) -> None:
    """KubePodCrashLooping (namespace monitoring) fires again after an hour in which NodeFilesystemSpaceFillingUp
    (monitoring too) and TargetDown (kube-system) fired and were worked on in their threads."""
    said = {
        "same": "the prometheus-adapter pod restarts every few minutes, its readiness probe points at the wrong port",
        "disk": "root volume at 93%, `kubectl -n monitoring logs node-exporter` shows the pods there restarting",
        "names": "KubePodCrashLooping on prometheus-adapter will fire next, its pod writes to that disk",
        "kubelet": "kubelet on that node restarted, the pods there restarted with it",
        "service": "kubelet target is back; the monitoring pods were restarting while it was down",
        "asked": f"<@{BOT}> why is the prometheus-adapter pod crash looping?",
        "told": f"<@{BOT}> fyi rolled out prometheus-adapter 0.12 to monitoring, pods restarted during the rollout",
        "among": "is the prometheus-adapter pod crash looping again?",
        "bot": "*Runbook:* KubePodCrashLooping: check the pod's restarts and probes",
    }
    last = await post(pool, local_embeddings, ALERTS, notification("1-"), minutes_ago=55)
    await post(pool, local_embeddings, ALERTS, person("U0PRIYA", said["same"]), 50, thread_of=last)
    await post(pool, local_embeddings, ALERTS, bot_post(said["bot"]), 54, thread_of=last)
    disk = await post(pool, local_embeddings, ALERTS, notification("3-"), minutes_ago=40)
    await post(pool, local_embeddings, ALERTS, person("U0DIEGO", said["disk"]), 35, thread_of=disk)
    await post(pool, local_embeddings, ALERTS, person("U0DIEGO", said["names"]), 33, thread_of=disk)
    target = await post(pool, local_embeddings, ALERTS, notification("4-"), minutes_ago=30)
    await post(pool, local_embeddings, ALERTS, person("U0TOM", said["kubelet"]), 25, thread_of=target)
    await post(pool, local_embeddings, ALERTS, person("U0TOM", said["service"]), 24, thread_of=target)
    for n, key in enumerate(("asked", "told", "among")):
        await post(pool, local_embeddings, ALERTS, person("U0AMARA", said[key]), minutes_ago=20 - n)
    firing = classify_message(notification("1-"))
    assert (firing.alert, firing.service) == ("KubePodCrashLooping", "monitoring")
    async with pool.connection() as conn:
        hits = await recent_activity(
            conn,
            local_embeddings,
            alert="KubePodCrashLooping",
            service="monitoring",
            fingerprint=firing.fingerprint,
            at=NOW,
            readable=[ALERTS],
            bot_user_id=BOT,
            limit=20,
        )
        query = alert_terms("KubePodCrashLooping", "monitoring")
        unfiltered = await search_messages(
            conn, query, await local_embeddings.aembed_query(query), channels=[ALERTS], people_only=True, limit=20
        )
    found = {text for text in said.values() if text in {hit.text for hit in hits}}
    assert found == {said["same"], said["names"], said["service"], said["told"], said["among"]}
    left_out = {said["disk"], said["kubelet"], said["asked"]}
    assert left_out <= {hit.text for hit in unfiltered}, "each would be found by its words or meaning"
