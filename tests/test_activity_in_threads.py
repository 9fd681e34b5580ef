"""An alert's recent activity in a busy #alerts morning, through the bot's real parts (ingest, job handlers, the
triage graph, the idempotent poster) on the simulator: the demo's notifications and what its engineers say. Another
incident's thread is not this alert's activity, nor is a question to the bot or anything the bot posted."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ratchet.demo import DEMO_DATA
from ratchet.jobs.ingest import ingest
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.slack_thread import Thread

SCENARIO = yaml.safe_load((DEMO_DATA / "scenario.yaml").read_text())["steps"]
LOOKING, LOGS = SCENARIO[1]["reply"]["text"], SCENARIO[2]["reply"]["text"]  # priya's and diego's replies
QUESTION = SCENARIO[5]["message"]["text"]  # "@ratchet what should I check first when KubePodCrashLooping fires?"


def attachments(name: str, variant: str = "slack_payload_default_config") -> list[dict[str, Any]]:
    payload = json.loads(next((DEMO_DATA / "alertmanager").glob(f"{name}*.json")).read_text())[variant]
    return list(payload["attachments"])


def link(ts: str) -> str:
    """How a message's permalink names it."""
    return f"p{ts.replace('.', '')}"


def recent_activity(thread: Thread) -> str:
    [brief] = thread.said()
    return str(brief["text"]).split("*Recent activity:*", 1)[1].split("*Past incidents:*", 1)[0]


async def fires(runtime: Runtime, sim: SlackSimulator, name: str) -> Thread:
    thread = Thread(runtime, sim, None)
    await thread.alert("Alertmanager", "", attachments=attachments(name))
    return thread


async def store_the_bots_posts(thread: Thread) -> None:
    """Slack sends the bot the message events of its own posts; ingest stores them (and starts no work)."""
    for post in thread.sim.bot_messages(thread.channel):
        event = {**post, "channel": thread.channel}
        envelope = {"type": "event_callback", "team_id": thread.bot.team_id, "event": event}
        assert await ingest(thread.runtime.pool, envelope, thread.bot) in ("stored", "duplicate")


async def test_an_alerts_recent_activity_is_about_it(runtime: Runtime, sim: SlackSimulator) -> None:
    crash = Thread(runtime, sim, None)
    await crash.alert("Alertmanager", "", attachments=attachments("1-", "slack_payload_with_docs_example_text"))
    looking, logs = await crash.say("priya", LOOKING), await crash.say("diego", LOGS)

    disk = await fires(runtime, sim, "3-")  # NodeFilesystemSpaceFillingUp, also in the monitoring namespace
    assert link(looking) not in recent_activity(disk) and link(logs) not in recent_activity(disk)

    asked = Thread(runtime, sim, None)
    question = await asked.say("priya", QUESTION.replace("@ratchet", f"<@{sim.bot_user_id}>"))
    assert asked.said(), "the bot answered the question in its thread"
    await store_the_bots_posts(asked)

    api = await fires(runtime, sim, "5-")  # KubeAPIDown
    assert recent_activity(api).strip() == "nothing related said in the last hour."

    again = await fires(runtime, sim, "1-")  # KubePodCrashLooping again: its last thread is about the same thing
    found = recent_activity(again)
    assert link(looking) in found and link(logs) in found
    assert link(question) not in found, "a question to the bot is not activity"
    assert all(link(post["ts"]) not in found for post in sim.bot_messages(crash.channel)), "nor are the bot's posts"
