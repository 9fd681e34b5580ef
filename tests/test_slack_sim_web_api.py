"""The simulator's Web API, driven by slack_sdk's real clients and checked against Slack's OpenAPI spec."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackSimulator
from ratchet.slack_sim.web_api import implemented_methods
from tests.slack_sim_support import response_errors


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    async with SlackSimulator(connect_wait=0.1) as simulator:
        yield simulator


@pytest.fixture
def client(sim: SlackSimulator) -> AsyncWebClient:
    return AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)


async def test_every_method_answers_as_the_spec_says(sim: SlackSimulator, client: AsyncWebClient) -> None:
    ws = sim.workspace
    alerts, general = ws.channel("alerts").id, ws.channel("general").id
    amara = ws.find_user("amara")
    assert amara is not None and amara.email
    parent = await sim.post_message("#alerts", "disk full on db-1", user="amara")
    await sim.post_message("#alerts", "looking", user="diego", thread_ts=parent)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*On it*"}}]
    attachments = [{"text": "db-1 /var at 97%", "color": "#e01e5a"}]

    responses = {}
    responses["auth.test"] = await client.auth_test()
    posted = await client.chat_postMessage(
        channel=alerts, text="On it", thread_ts=parent, blocks=blocks, attachments=attachments
    )
    responses["chat.postMessage"] = posted
    responses["chat.update"] = await client.chat_update(channel=alerts, ts=posted["ts"], text="Done")
    responses["chat.getPermalink"] = await client.chat_getPermalink(channel=alerts, message_ts=posted["ts"])
    responses["chat.postEphemeral"] = await client.chat_postEphemeral(channel=alerts, user=amara.id, text="psst")
    responses["reactions.add"] = await client.reactions_add(channel=alerts, timestamp=parent, name="eyes")
    responses["reactions.get"] = await client.reactions_get(channel=alerts, timestamp=parent)
    responses["conversations.history"] = await client.conversations_history(channel=alerts)
    responses["conversations.replies"] = await client.conversations_replies(channel=alerts, ts=parent)
    responses["reactions.remove"] = await client.reactions_remove(channel=alerts, timestamp=parent, name="eyes")
    responses["conversations.info"] = await client.conversations_info(channel=alerts, include_num_members=True)
    responses["conversations.members"] = await client.conversations_members(channel=alerts)
    responses["conversations.join"] = await client.conversations_join(channel=general)
    responses["conversations.open"] = await client.conversations_open(users=amara.id)
    responses["conversations.list"] = await client.conversations_list(types="public_channel,private_channel,im")
    responses["users.info"] = await client.users_info(user=amara.id)
    responses["users.list"] = await client.users_list()
    responses["users.lookupByEmail"] = await client.users_lookupByEmail(email=amara.email)
    responses["bots.info"] = await client.bots_info(bot=sim.bot_id)
    responses["team.info"] = await client.team_info()
    responses["chat.delete"] = await client.chat_delete(channel=alerts, ts=posted["ts"])

    assert set(responses) == set(implemented_methods()) - {"apps.connections.open"}  # not in the 2021 spec
    for method, response in responses.items():
        assert response["ok"] is True
        assert response_errors(method, response.data) == [], method

    # Second looks at shapes the first calls did not produce.
    for i in range(3):
        await sim.post_message("#ops", f"page {i}", user="amara")
    private = ws.create_channel("sre-private", is_private=True, members=[amara.id, sim.bot_user_id], topic="shh")
    diego = ws.find_user("diego")
    assert diego is not None
    more = {
        "conversations.history": await client.conversations_history(channel=ws.channel("ops").id, limit=2),
        "conversations.list": await client.conversations_list(types="private_channel,mpim"),
        "conversations.info": await client.conversations_info(channel=private),
        "conversations.open": await client.conversations_open(users=amara.id, return_im=True),
        "conversations.join": await client.conversations_join(channel=general),
    }
    more_again = {
        "conversations.info": await client.conversations_info(channel=ws.open_dm(amara.id)),
        "conversations.open": await client.conversations_open(users=f"{amara.id},{diego.id}"),
    }
    for method, response in [*more.items(), *more_again.items()]:
        assert response_errors(method, response.data) == [], method
    assert more_again["conversations.open"]["channel"]["is_mpim"] is True
    assert more["conversations.open"]["already_open"] is True
    assert more["conversations.history"]["response_metadata"]["next_cursor"]
    assert more["conversations.join"]["warning"] == "already_in_channel"

    opened = await AsyncWebClient(base_url=sim.api_url).apps_connections_open(app_token=sim.app_token)
    assert opened["url"].startswith(f"ws://127.0.0.1:{sim.base_url.rsplit(':', 1)[1]}/link/?ticket=")


async def test_messages_look_like_slack_messages(sim: SlackSimulator, client: AsyncWebClient) -> None:
    alerts = sim.workspace.channel("alerts").id
    parent = await sim.post_message(
        "#alerts", "CPU high on <@U000> web-3 <https://grafana.example.com|graph>", user="amara"
    )
    reply = await client.chat_postMessage(channel=alerts, text="checking", thread_ts=parent)
    assert reply["message"]["bot_id"] == sim.bot_id
    assert reply["message"]["user"] == sim.bot_user_id
    assert reply["message"]["app_id"] == sim.app_id
    assert reply["message"]["bot_profile"]["id"] == sim.bot_id
    assert reply["message"]["thread_ts"] == parent
    assert reply["message"]["parent_user_id"] == sim.workspace.find_user("amara").id  # type: ignore[union-attr]

    thread = (await client.conversations_replies(channel=alerts, ts=parent))["messages"]
    head = thread[0]
    assert head["ts"] == parent and head["reply_count"] == 1 and head["latest_reply"] == reply["ts"]
    assert head["reply_users"] == [sim.bot_user_id] and head["reply_users_count"] == 1
    section = head["blocks"][0]["elements"][0]["elements"]
    assert {"type": "user", "user_id": "U000"} in section
    assert {"type": "link", "url": "https://grafana.example.com", "text": "graph"} in section

    history = (await client.conversations_history(channel=alerts))["messages"]
    assert [m["ts"] for m in history] == [parent]  # replies stay in their thread

    await client.chat_update(channel=alerts, ts=reply["ts"], text="fixed")
    updated = sim.bot_messages("alerts")[0]
    assert updated["text"] == "fixed" and updated["edited"]["user"] == sim.bot_user_id

    broadcast = await client.chat_postMessage(channel=alerts, text="also here", thread_ts=parent, reply_broadcast=True)
    assert broadcast["message"]["subtype"] == "thread_broadcast"
    history = (await client.conversations_history(channel=alerts))["messages"]
    assert [m["ts"] for m in history] == [broadcast["ts"], parent]

    # a reply to a reply lands in the parent's thread
    nested = await client.chat_postMessage(channel=alerts, text="nested", thread_ts=reply["ts"])
    assert nested["message"]["thread_ts"] == parent

    first, second = (
        await client.chat_postMessage(channel=alerts, text="a"),
        await client.chat_postMessage(channel=alerts, text="b"),
    )
    assert float(first["ts"]) < float(second["ts"])

    # a well-formed thread_ts that names no message (as when a float ts loses its trailing zeros): Slack says ok
    # and files the reply where nobody sees it
    orphan = await client.chat_postMessage(channel=alerts, text="lost", thread_ts=parent[:-2])
    assert orphan["ok"] and orphan["ts"] not in [m["ts"] for m in sim.messages("#alerts", parent)]

    by_name = await client.chat_postMessage(channel="#ops", text="by name")
    assert by_name["channel"] == sim.workspace.channel("ops").id
    to_user = await client.chat_postMessage(channel=sim.workspace.find_user("tom").id, text="dm")  # type: ignore[union-attr]
    assert to_user["channel"].startswith("D")


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_slack_errors_match_the_spec(sim: SlackSimulator, client: AsyncWebClient) -> None:
    ws = sim.workspace
    alerts = ws.channel("alerts").id
    human = await sim.post_message("#alerts", "hi", user="amara")
    mine = (await client.chat_postMessage(channel=alerts, text="mine"))["ts"]
    await client.reactions_add(channel=alerts, timestamp=mine, name="eyes")
    secret = ws.create_channel("secret-ops", is_private=True, members=[ws.find_user("amara").id])  # type: ignore[union-attr]
    archived = ws.create_channel("old-incidents", members=[sim.bot_user_id])
    await sim.archive_channel(archived)
    lonely = ws.create_channel("random")
    outsider = ws.create_user("zoe", "Zoe Novak")
    cases = [
        ("chat.postMessage", client.chat_postMessage(channel="C0NOPE", text="x"), "channel_not_found"),
        ("chat.postMessage", client.chat_postMessage(channel=secret, text="x"), "channel_not_found"),
        ("chat.postMessage", client.chat_postMessage(channel=lonely, text="x"), "not_in_channel"),
        ("chat.postMessage", client.chat_postMessage(channel=archived, text="x"), "is_archived"),
        ("chat.postMessage", client.chat_postMessage(channel=alerts), "no_text"),
        ("chat.update", client.chat_update(channel=alerts, ts="1111111111.000001", text="x"), "message_not_found"),
        ("chat.update", client.chat_update(channel=alerts, ts=human, text="x"), "cant_update_message"),
        ("chat.delete", client.chat_delete(channel=alerts, ts=human), "cant_delete_message"),
        (
            "chat.getPermalink",
            client.chat_getPermalink(channel=alerts, message_ts="1111111111.000001"),
            "message_not_found",
        ),
        (
            "chat.postEphemeral",
            client.chat_postEphemeral(channel=alerts, user=outsider, text="x"),
            "user_not_in_channel",
        ),
        ("reactions.add", client.reactions_add(channel=alerts, timestamp=mine, name="eyes"), "already_reacted"),
        (
            "reactions.add",
            client.reactions_add(channel=alerts, timestamp="1111111111.000001", name="eyes"),
            "message_not_found",
        ),
        ("reactions.remove", client.reactions_remove(channel=alerts, timestamp=human, name="tada"), "no_reaction"),
        ("reactions.get", client.reactions_get(channel=alerts, timestamp="nope"), "bad_timestamp"),
        ("conversations.history", client.conversations_history(channel="C0NOPE"), "channel_not_found"),
        (
            "conversations.replies",
            client.conversations_replies(channel=alerts, ts="1111111111.000001"),
            "thread_not_found",
        ),
        ("conversations.info", client.conversations_info(channel=secret), "channel_not_found"),
        ("conversations.members", client.conversations_members(channel=alerts, cursor="bm9wZQ=="), "invalid_cursor"),
        ("conversations.join", client.conversations_join(channel=archived), "is_archived"),
        ("conversations.open", client.conversations_open(users="U0NOBODY00"), "user_not_found"),
        ("users.info", client.users_info(user="U0NOBODY00"), "user_not_found"),
        ("users.list", client.users_list(cursor="!!!"), "invalid_cursor"),
        ("users.lookupByEmail", client.users_lookupByEmail(email="nobody@example.com"), "users_not_found"),
        ("bots.info", client.bots_info(bot="B0NOBODY00"), "bot_not_found"),
        ("auth.test", AsyncWebClient(token="xoxb-wrong", base_url=sim.api_url).auth_test(), "invalid_auth"),
        ("team.info", AsyncWebClient(base_url=sim.api_url).team_info(), "not_authed"),
    ]
    bodies = []
    for method, call, code in cases:
        with pytest.raises(SlackApiError) as caught:
            await call
        body = caught.value.response.data
        assert body["error"] == code, (method, body)
        assert caught.value.response.status_code == 200
        bodies.append((method, body))
    for method, body in bodies:
        assert response_errors(method, body, "default") == [], (method, body)


async def test_missing_scope() -> None:
    scopes = ["chat:write", "channels:read"]
    async with SlackSimulator(bot_scopes=scopes, connect_wait=0.1) as sim:
        limited = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
        with pytest.raises(SlackApiError) as caught:
            await limited.conversations_history(channel=sim.workspace.channel("alerts").id)
        body = caught.value.response.data
        assert body == {
            "ok": False,
            "error": "missing_scope",
            "needed": "channels:history",
            "provided": "chat:write,channels:read",
        }
        assert caught.value.response.headers["X-OAuth-Scopes"] == "chat:write,channels:read"
        assert response_errors("conversations.history", body, "default") == []


async def test_pagination(sim: SlackSimulator, client: AsyncWebClient) -> None:
    alerts = sim.workspace.channel("alerts").id
    posted = [await sim.post_message("#alerts", f"alert {i}", user="amara") for i in range(25)]

    pages = []
    async for page in await client.conversations_history(channel=alerts, limit=10):
        pages.append(dict(page.data))  # slack_sdk's iterator reuses one response object
    assert [len(p["messages"]) for p in pages] == [10, 10, 5]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert pages[0]["response_metadata"]["next_cursor"]
    assert [m["ts"] for p in pages for m in p["messages"]] == posted[::-1]

    window = await client.conversations_history(channel=alerts, oldest=posted[5], latest=posted[9])
    assert [m["ts"] for m in window["messages"]] == posted[8:5:-1]
    window = await client.conversations_history(channel=alerts, oldest=posted[5], latest=posted[9], inclusive=True)
    assert [m["ts"] for m in window["messages"]] == posted[9:4:-1]
    with pytest.raises(SlackApiError, match="invalid_ts_latest"):
        await client.conversations_history(channel=alerts, latest="yesterday")

    parent = posted[0]
    replies = [await sim.post_message("#alerts", f"r{i}", user="diego", thread_ts=parent) for i in range(7)]
    thread_pages = [dict(p.data) async for p in await client.conversations_replies(channel=alerts, ts=parent, limit=3)]
    assert all(p["messages"][0]["ts"] == parent for p in thread_pages)  # the parent leads every page
    assert [m["ts"] for p in thread_pages for m in p["messages"][1:]] == replies
    after = await client.conversations_replies(channel=alerts, ts=parent, oldest=replies[4])
    assert [m["ts"] for m in after["messages"]] == [parent, *replies[5:]]

    for i in range(4):
        sim.workspace.create_channel(f"team-{i}", members=[sim.bot_user_id])
    names = [c["name"] async for p in await client.conversations_list(limit=2) for c in p["channels"]]
    assert names == ["general", "alerts", "ops", "team-0", "team-1", "team-2", "team-3"]
    users = [u["id"] async for p in await client.users_list(limit=2) for u in p["members"]]
    assert users == list(sim.workspace.users)
    members = [m async for p in await client.conversations_members(channel=alerts, limit=4) for m in p["members"]]
    assert members == sim.workspace.channel("alerts").members


async def test_what_slack_sdk_sends_and_the_transports_accepted(sim: SlackSimulator, client: AsyncWebClient) -> None:
    alerts = sim.workspace.channel("alerts").id
    posted = await client.chat_postMessage(channel=alerts, text="json body")
    await client.reactions_add(channel=alerts, timestamp=posted["ts"], name="eyes")
    await client.conversations_history(channel=alerts)
    seen = {c.method: (c.http_method, c.arguments_in) for c in sim.calls}
    assert seen["chat.postMessage"] == ("POST", ["json"])
    assert seen["reactions.add"] == ("POST", ["query"])  # AsyncWebClient (aiohttp) sends `params` in the URL
    assert seen["conversations.history"] == ("GET", ["query"])

    # slack_sdk's sync WebClient form-encodes the body; blocks arrive as a JSON string
    sync = WebClient(token=sim.bot_token, base_url=sim.api_url)
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "form"}}]
    form = await asyncio.to_thread(
        sync.api_call, "chat.postMessage", data={"channel": alerts, "text": "form", "blocks": json.dumps(blocks)}
    )
    assert form["message"]["blocks"][0]["text"]["text"] == "form"
    assert sim.calls[-1].arguments_in == ["form"]
    assert "token" not in sim.calls[-1].params
    await asyncio.to_thread(sync.reactions_remove, channel=alerts, timestamp=posted["ts"], name="eyes")
    assert sim.calls[-1].arguments_in == ["form"]

    async with aiohttp.ClientSession() as http:
        async with http.post(sim.api_url + "auth.test", data={"token": sim.bot_token}) as resp:
            assert (await resp.json())["ok"] is True  # token as a form parameter
        async with http.get(
            sim.api_url + "conversations.info", params={"token": sim.bot_token, "channel": alerts}
        ) as r:
            assert (await r.json())["channel"]["id"] == alerts


async def test_malformed_requests_get_slack_errors_and_the_server_survives(sim: SlackSimulator) -> None:
    bearer = {"Authorization": f"Bearer {sim.bot_token}"}
    alerts = sim.workspace.channel("alerts").id
    async with aiohttp.ClientSession() as http:

        async def call(method: str, **kwargs: object) -> tuple[int, dict[str, object]]:
            async with http.post(sim.api_url + method, **kwargs) as resp:  # type: ignore[arg-type]
                return resp.status, await resp.json()

        json_header = {**bearer, "Content-Type": "application/json"}
        assert (await call("chat.postMessage", data=b"{not json", headers=json_header))[1]["error"] == "invalid_json"
        assert (await call("chat.postMessage", data=b"[1, 2]", headers=json_header))[1]["error"] == "json_not_object"
        assert (await call("chat.postMessage", json={"channel": alerts, "text": "x", "token": sim.bot_token}))[1][
            "error"
        ] == "not_authed"  # a JSON body's token does not count
        assert (await call("nope.nothing", headers=bearer))[1] == {
            "ok": False,
            "error": "unknown_method",
            "req_method": "nope.nothing",
        }
        assert (await call("auth.test"))[1]["error"] == "not_authed"
        assert (await call("auth.test", headers={"Authorization": "Bearer xoxb-1-2-3"}))[1]["error"] == "invalid_auth"
        app = {"Authorization": f"Bearer {sim.app_token}"}
        assert (await call("chat.postMessage", headers=app))[1]["error"] == "not_allowed_token_type"
        assert (await call("apps.connections.open", headers=bearer))[1]["error"] == "not_allowed_token_type"
        assert (await call("chat.postMessage", json={"channel": alerts, "blocks": "[oops"}, headers=bearer))[1][
            "error"
        ] == "invalid_blocks"
        assert (await call("chat.postMessage", json={"channel": alerts, "blocks": {"a": 1}}, headers=bearer))[1][
            "error"
        ] == "invalid_blocks"
        assert (await call("conversations.history", data={"channel": alerts, "limit": "lots"}, headers=bearer))[1][
            "error"
        ] == "invalid_limit"
        assert (await call("chat.postMessage", data=b"\x00\xff", headers={**bearer, "Content-Type": "image/png"}))[1][
            "error"
        ] == "invalid_post_type"
        assert (
            await call("chat.postMessage", json={"channel": alerts, "text": "x", "thread_ts": "0"}, headers=bearer)
        )[1]["error"] == "invalid_thread_ts"
        assert (await call("chat.postMessage", json={"channel": alerts, "text": "x" * 40_001}, headers=bearer))[1][
            "error"
        ] == "msg_too_long"
        async with http.get(sim.base_url + "/_sim/health") as resp:
            assert resp.status == 200
    assert all(c.status == 200 for c in sim.calls)
