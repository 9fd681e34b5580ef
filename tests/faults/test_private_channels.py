"""A private channel's text must never reach another channel: the agent's message-reading tools and an alert's
recent activity and past incidents see the channel they serve and the channels configured as read from it
(`reads_from` in RATCHET_CHANNELS_CONFIG), nothing else. The bot's real parts on the simulator: a private channel
with an incident of the same alert and a person's words about it, then a question and an alert in #ops."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from ratchet.config import ChannelsConfig, ChannelSettings
from ratchet.jobs.ingest import enqueue_onboarding
from ratchet.runtime import Runtime
from ratchet.slack_sim import SlackSimulator
from tests.helpers import ScriptedModel
from tests.slack_thread import Thread

ALERT = (
    "[FIRING:1] KubePodCrashLooping (payments payments-api-7d9f8 kube-state-metrics)\n"
    'Pod payments/payments-api-7d9f8 (api) is in waiting state (reason: "CrashLoopBackOff").'
)
SECRET = "SEC-4471"  # only ever said in the private channel
PRIVATE_WORDS = f"payments-api crash looping again: the vault token for payments leaked, rotation tracked in {SECRET}"
LAST_WORD = f"fixed: payments-api pods restarted with the rotated vault token ({SECRET})"


async def private_channel(runtime: Runtime, sim: SlackSimulator) -> str:
    """#payments-sec (private, the bot a member): an incident of the alert whose thread has the secret as its last
    word, and a person's message with the secret, both seen by the bot. The bot has onboarded it and #ops (so it
    knows their names, as config may use them)."""
    people = [sim.workspace.find_user(name).id for name in ("amara", "tom")]  # type: ignore[union-attr]
    channel = sim.workspace.create_channel("payments-sec", is_private=True, members=[*people, sim.bot_user_id])
    incident = Thread(runtime, sim, None)
    await enqueue_onboarding(runtime.pool, [channel, incident.channel], sim.team_id)
    await incident.work()
    incident.channel = channel
    await incident.alert("Alertmanager", ALERT)
    await incident.say("tom", LAST_WORD)
    talk = Thread(runtime, sim, None)
    talk.channel = channel
    await talk.say("amara", PRIVATE_WORDS)
    await incident.work()
    return channel


def tool_calls(*calls: tuple[str, dict[str, Any]]) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": f"call-{n}"} for n, (name, args) in enumerate(calls)],
    )


def reading_model() -> ScriptedModel:
    """A model that asks every message-reading tool about the payments crash loop, then answers from the results."""
    return ScriptedModel(
        responses=[
            tool_calls(
                ("search_messages", {"query": "payments-api crash looping vault token rotation"}),
                ("recent_activity", {"alert": "KubePodCrashLooping", "service": "payments"}),
                ("similar_incidents", {"alert": "KubePodCrashLooping"}),
                ("list_incidents", {}),
            ),
            AIMessage(content="Here is what I found about the payments crash loop."),
        ]
    )


def tool_results(model: ScriptedModel) -> str:
    return "\n".join(m.text for m in model.seen[-1] if isinstance(m, ToolMessage))


async def test_a_question_in_a_public_channel_never_reads_a_private_one(runtime: Runtime, sim: SlackSimulator) -> None:
    secret_channel = await private_channel(runtime, sim)
    model = reading_model()
    ops = Thread(runtime, sim, model)
    await ops.say("priya", f"<@{sim.bot_user_id}> the payments-api pods are crash looping, what do we know?")

    found = tool_results(model)
    assert len([m for m in model.seen[-1] if isinstance(m, ToolMessage)]) == 4
    assert SECRET not in found and "vault token" not in found, "no tool result quotes the private channel"
    assert secret_channel not in found, "nor names it (its incidents included)"
    assert all(SECRET not in message["text"] for message in ops.said())


async def test_an_alert_in_a_public_channel_never_lists_a_private_ones_activity(
    runtime: Runtime, sim: SlackSimulator
) -> None:
    secret_channel = await private_channel(runtime, sim)
    ops = Thread(runtime, sim, None)
    await ops.alert("Alertmanager", ALERT)

    [brief] = ops.said()
    recent_and_past = brief["text"].split("*Recent activity:*", 1)[1]
    assert "*Past incidents:* this alert has not fired here before." in recent_and_past
    assert SECRET not in recent_and_past and "vault token" not in recent_and_past
    assert secret_channel not in recent_and_past


async def test_an_alerts_runbook_never_quotes_a_private_channels_incident_threads(
    runtime: Runtime, sim: SlackSimulator
) -> None:
    await private_channel(runtime, sim)
    ops = Thread(runtime, sim, None)
    await ops.alert("Alertmanager", ALERT)
    [brief] = ops.said()
    assert SECRET not in brief["text"]


async def test_a_channel_configured_to_read_another_sees_its_messages(runtime: Runtime, sim: SlackSimulator) -> None:
    secret_channel = await private_channel(runtime, sim)
    reads_private = ChannelsConfig(channels={"#ops": ChannelSettings(reads_from=["#payments-sec"])})
    model = reading_model()
    asked = Thread(runtime, sim, model, channels=reads_private)
    await asked.say("priya", f"<@{sim.bot_user_id}> the payments-api pods are crash looping, what do we know?")
    found = tool_results(model)
    assert PRIVATE_WORDS in found and LAST_WORD in found and secret_channel in found

    alerted = Thread(runtime, sim, None, channels=reads_private)
    await alerted.alert("Alertmanager", ALERT)
    [brief] = alerted.said()
    recent, past = brief["text"].split("*Recent activity:*", 1)[1].split("*Past incidents:*", 1)
    assert "vault token for payments leaked" in recent and secret_channel in recent
    assert SECRET in past, "the private incident's last word"
