"""The events the simulator sends, compared with real Events API payloads (bolt-python's fixtures) and the wrapper
schema of Slack's Events API spec."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackError, SlackSimulator
from tests.slack_sim_support import RawSocketApp, bolt_fixture, event_wrapper_errors


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    async with SlackSimulator(ack_timeout=0.5) as simulator:
        yield simulator


@pytest.fixture
async def app(sim: SlackSimulator) -> AsyncIterator[RawSocketApp]:
    raw = await RawSocketApp(sim).connect()
    try:
        yield raw
    finally:
        await raw.close()


def keys(fixture: str) -> set[str]:
    return set(bolt_fixture(fixture)["event"])


async def test_payload_wrapper_matches_real_deliveries(sim: SlackSimulator, app: RawSocketApp) -> None:
    await sim.post_message("#alerts", "hello", user="amara")
    await sim.idle(5)
    (payload,) = app.payloads
    real = bolt_fixture("message.file_share__test_message_file_share_L74.json")  # a current, non-Grid payload
    assert set(real) <= set(payload)
    assert payload["type"] == "event_callback" and payload["event_id"].startswith("Ev")
    assert payload["team_id"] == sim.team_id and payload["api_app_id"] == sim.app_id
    assert payload["token"] == sim.verification_token
    assert payload["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": sim.team_id,
            "user_id": sim.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    assert payload["is_ext_shared_channel"] is False and payload["event_context"].startswith("4-")


async def test_every_payload_fits_the_events_api_wrapper_schema(sim: SlackSimulator, app: RawSocketApp) -> None:
    ts = await sim.post_message("#alerts", f"<@{sim.bot_user_id}> look", user="amara")
    await sim.post_message("#alerts", "", username="Grafana", attachments=[{"title": "CPU > 90%"}])
    await sim.add_reaction("#alerts", ts, "diego", "eyes")
    await sim.edit_message("#alerts", ts, "look again")
    await sim.delete_message("#alerts", ts)
    await sim.rename_channel("#alerts", "alerts-prod")
    await sim.idle(5)
    assert len(app.payloads) == 8
    for payload in app.payloads:
        assert event_wrapper_errors(payload) == [], payload["event"]


async def test_people_and_integrations(sim: SlackSimulator, app: RawSocketApp) -> None:
    ws = sim.workspace
    amara = ws.find_user("amara").id  # type: ignore[union-attr]
    plain = await sim.post_message("#alerts", "hello", user="amara")
    mention = await sim.post_message("#alerts", f"<@{sim.bot_user_id}> what fired?", user="amara")
    reply = await sim.post_message("#alerts", "in thread", user="diego", thread_ts=plain)
    broadcast = await sim.post_message("#alerts", "to all", user="diego", thread_ts=plain, reply_broadcast=True)
    webhook = await sim.post_message(
        "#alerts",
        "",
        username="Alertmanager",
        attachments=[{"color": "#E01E5A", "title": "[FIRING:1] KubePodCrashLooping", "text": "pod api-7f9 restarting"}],
    )
    shared = await sim.post_message("#alerts", "log attached", user="tom", files=[{"name": "dmesg.txt"}])
    dm = await sim.post_message(ws.open_dm(amara), "hey bot", user="amara")
    await sim.idle(5)

    by_ts = {e["ts"]: e for e in app.events("message")}
    assert keys("message__test_message_L208.json") <= set(by_ts[plain])
    assert by_ts[plain]["channel_type"] == "channel" and by_ts[plain]["blocks"][0]["type"] == "rich_text"

    (app_mention,) = app.events("app_mention")
    assert app_mention["ts"] == mention and keys("app_mention__test_app_L334.json") <= set(app_mention)
    assert "channel_type" not in app_mention and mention in by_ts  # the message event comes too

    assert by_ts[reply]["thread_ts"] == plain and by_ts[reply]["parent_user_id"] == amara
    real_broadcast = keys("message.thread_broadcast.thread__test_message_thread_broadcast_L74.json")
    assert real_broadcast <= set(by_ts[broadcast]) and by_ts[broadcast]["root"]["reply_count"] == 2

    integration = by_ts[webhook]
    assert keys("message.bot_message.bot__test_events_ignore_self_L115.json") <= set(integration)
    assert integration["subtype"] == "bot_message" and integration["username"] == "Alertmanager"
    assert integration["bot_id"] in ws.bots and "user" not in integration
    assert integration["attachments"][0]["id"] == 1

    real_share = keys("message.file_share__test_message_file_share_L74.json")
    assert real_share <= set(by_ts[shared]) and by_ts[shared]["files"][0]["name"] == "dmesg.txt"

    assert by_ts[dm]["channel_type"] == "im" and by_ts[dm]["channel"].startswith("D")


async def test_bot_receives_its_own_posts(sim: SlackSimulator, app: RawSocketApp) -> None:
    client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
    posted = await client.chat_postMessage(channel=sim.workspace.channel("ops").id, text=f"I am <@{sim.bot_user_id}>")
    await sim.idle(5)
    (event,) = app.events()  # its own message, and no app_mention for mentioning itself
    assert event["type"] == "message" and event["ts"] == posted["ts"]
    assert keys("message.bot__test_message_bot_L128.json") <= set(event)
    assert event["bot_id"] == sim.bot_id and event["user"] == sim.bot_user_id and "subtype" not in event
    assert event["bot_profile"]["app_id"] == sim.app_id


async def test_changes_reactions_and_channel_events(sim: SlackSimulator, app: RawSocketApp) -> None:
    ws = sim.workspace
    amara = ws.find_user("amara").id  # type: ignore[union-attr]
    ts = await sim.post_message("#ops", "restart db?", user="amara")
    await sim.edit_message("#ops", ts, "restart db-2?")
    await sim.add_reaction("#ops", ts, "diego", "eyes")
    await sim.remove_reaction("#ops", ts, "diego", "eyes")
    await sim.delete_message("#ops", ts)
    with pytest.raises(SlackError, match="message_not_found"):
        await sim.edit_message("#ops", ts, "gone")
    await sim.idle(5)

    (changed,) = app.events("message", "message_changed")
    assert keys("message.message_changed__test_message_changed_L68.json") <= set(changed)
    assert changed["message"]["text"] == "restart db-2?" and changed["previous_message"]["text"] == "restart db?"
    assert changed["message"]["edited"]["user"] == amara and changed["message"]["ts"] == ts
    (deleted,) = app.events("message", "message_deleted")
    assert keys("message.message_deleted__test_message_deleted_L68.json") <= set(deleted)
    assert deleted["deleted_ts"] == ts and deleted["previous_message"]["text"] == "restart db-2?"
    (added,) = app.events("reaction_added")
    assert keys("reaction_added__test_events_L112.json") <= set(added)
    assert added["item"] == {"type": "message", "channel": ws.channel("ops").id, "ts": ts}
    assert added["item_user"] == amara and added["reaction"] == "eyes"
    assert len(app.events("reaction_removed")) == 1

    room = ws.create_channel("db-migration", members=[amara])
    hidden = ws.create_channel("hr-private", is_private=True, members=[amara, sim.bot_user_id])
    await sim.post_message(room, "before the bot", user="amara")  # not a member yet: no event
    await sim.invite_bot(room, inviter="amara")
    await sim.rename_channel(room, "db-migration-2024")
    await sim.archive_channel(room)
    await sim.rename_channel(hidden, "hr-private-2")
    await sim.archive_channel(hidden)
    await sim.idle(5)

    (joined,) = app.events("member_joined_channel")
    assert keys("member_joined_channel__test_events_L167.json") <= set(joined)
    assert joined["user"] == sim.bot_user_id and joined["inviter"] == amara and joined["channel_type"] == "C"
    assert [e["subtype"] for e in app.events("message") if e["channel"] == room] == [
        "channel_join",
        "channel_name",
        "channel_archive",
    ]
    assert app.events("channel_rename")[0]["channel"]["name"] == "db-migration-2024"
    assert app.events("channel_archive")[0] == {
        "type": "channel_archive",
        "channel": room,
        "user": amara,
        "is_moved": 0,
        "event_ts": app.events("channel_archive")[0]["event_ts"],
    }
    assert app.events("group_rename")[0]["channel"]["id"] == hidden and app.events("group_archive")
    assert "before the bot" not in [e.get("text") for e in app.events("message")]
    with pytest.raises(SlackError, match="is_archived"):
        await sim.post_message(room, "too late", user="amara")


async def test_thread_parent_deleted_becomes_a_tombstone(sim: SlackSimulator, app: RawSocketApp) -> None:
    parent = await sim.post_message("#ops", "incident", user="amara")
    await sim.post_message("#ops", "ack", user="diego", thread_ts=parent)
    await sim.delete_message("#ops", parent)
    await sim.idle(5)
    (tombstone,) = app.events("message", "message_changed")
    assert tombstone["message"]["subtype"] == "tombstone" and tombstone["message"]["reply_count"] == 1
    assert [m.get("subtype") for m in sim.messages("#ops", parent)] == ["tombstone", None]


async def test_deliver_raw_payloads(sim: SlackSimulator, app: RawSocketApp) -> None:
    malformed: dict[str, Any] = {"type": "event_callback", "event": {"type": "message"}}  # no event_id, no ids
    delivery = await sim.deliver(malformed, timeout=5)
    assert delivery.acked and app.payloads == [malformed]
    odd = await sim.deliver({"something": ["else"]}, timeout=5)
    assert odd.acked and odd.event_type is None


async def test_no_connection_then_late_connection(sim: SlackSimulator) -> None:
    ts = await sim.post_message("#ops", "posted before the app connected", user="amara")
    raw = await RawSocketApp(sim).connect()
    try:
        await sim.wait_for(lambda: len(raw.payloads) == 1)
        assert raw.payloads[0]["event"]["ts"] == ts
    finally:
        await raw.close()
    async with SlackSimulator(connect_wait=0.05) as lonely:
        await lonely.post_message("#ops", "nobody home", user="amara")
        await lonely.idle(5)
        assert lonely.deliveries[0].error == "no Socket Mode connection and no events_url"


async def test_wait_for_explains_a_timeout(sim: SlackSimulator) -> None:
    await sim.post_message("#ops", "hello", user="amara")
    with pytest.raises(TimeoutError) as caught:
        await sim.wait_for(lambda: len(sim.bot_messages()) > 0, timeout=0.1)
    report = str(caught.value)
    assert "condition not met within 0.1s" in report and "event deliveries (1 total" in report
    assert "socket connections: 0" in report
