"""The Web API methods the simulator implements, each answering like Slack (shapes from Slack's OpenAPI spec)."""

from __future__ import annotations

import re
import time
from typing import Any

from ratchet.slack_sim.errors import SlackError
from ratchet.slack_sim.ids import is_ts
from ratchet.slack_sim.messages import public_view
from ratchet.slack_sim.web_api import SCOPE_PREFIX, Params, WebApi, method, paginate
from ratchet.slack_sim.workspace import Channel

THREAD_TS = re.compile(r"^\d{1,10}(\.\d{1,6})?$")
EMOJI = re.compile(r"^[a-z0-9_+'\-]+(::skin-tone-[2-6])?$")


@method("auth.test")
async def auth_test(api: WebApi, p: Params) -> dict[str, Any]:
    ws = api.ws
    return {
        "ok": True,
        "url": f"https://{ws.team.domain}.slack.com/",
        "team": ws.team.name,
        "user": ws.bot_user.name,
        "team_id": ws.team.id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


@method("apps.connections.open", token="app")
async def apps_connections_open(api: WebApi, p: Params) -> dict[str, Any]:
    if api.ctx.is_stopping():
        raise SlackError("service_unavailable")
    return {"ok": True, "url": api.ctx.socket_url()}


@method("chat.postMessage")
async def chat_post_message(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("chat:write")
    channel = api.post_target(p)
    text, blocks, attachments = api.content(p)
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    thread_ts = p.text("thread_ts")
    if thread_ts is not None and (not THREAD_TS.match(thread_ts) or not thread_ts.strip("0.")):
        # Slack refuses "0" or "abc", but takes a well-formed ts that names no message (e.g. a float that lost
        # its trailing zeros) and files the post under it, where nobody sees it.
        raise SlackError("invalid_thread_ts")
    icons = {"emoji": p.text("icon_emoji") or ""} if p.text("icon_emoji") else None
    if p.text("icon_url"):
        icons = {"image_64": p.text("icon_url") or ""}
    message = api.actions.app_message(
        api.ws.bot,
        text,
        blocks=blocks,
        attachments=attachments,
        username=p.text("username"),
        icons=icons,
        metadata=p.json_object("metadata"),
    )
    message = await api.actions.post(channel, message, thread_ts=thread_ts, broadcast=p.flag("reply_broadcast"))
    return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": public_view(message)}


@method("chat.update")
async def chat_update(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("chat:write")
    channel = api.channel_param(p)
    message = api.message_param(p, channel, "ts")
    if not api.own_message(message):
        raise SlackError("cant_update_message")
    _, blocks, attachments = api.content(p)
    if p.text("text") is None and blocks is None and attachments is None:
        raise SlackError("no_text")
    message = await api.actions.edit(
        channel, message["ts"], editor=api.ws.bot_user_id, text=p.text("text"), blocks=blocks, attachments=attachments
    )
    view = public_view(message)
    return {"ok": True, "channel": channel.id, "ts": message["ts"], "text": message.get("text", ""), "message": view}


@method("chat.delete")
async def chat_delete(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("chat:write")
    channel = api.channel_param(p)
    message = api.message_param(p, channel, "ts")
    if not api.own_message(message):
        raise SlackError("cant_delete_message")
    ts = message["ts"]
    await api.actions.delete(channel, ts)
    return {"ok": True, "channel": channel.id, "ts": ts}


@method("chat.getPermalink")
async def chat_get_permalink(api: WebApi, p: Params) -> dict[str, Any]:
    channel = api.channel_param(p)
    message = api.message_param(p, channel, "message_ts")
    return {"ok": True, "channel": channel.id, "permalink": api.ws.permalink(channel, message["ts"])}


@method("chat.postEphemeral")
async def chat_post_ephemeral(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("chat:write")
    channel = api.post_target(p)
    user = p.text("user")
    if not user or user not in api.ws.users:
        raise SlackError("user_not_found")
    if user not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks, attachments = api.content(p)
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    ts = api.ws.next_ts()
    api.ctx.ephemeral.append(
        {
            "channel": channel.id,
            "user": user,
            "ts": ts,
            "text": text,
            "blocks": blocks,
            "attachments": attachments,
            "thread_ts": p.text("thread_ts"),
        }
    )
    return {"ok": True, "message_ts": ts}


def _reaction_args(api: WebApi, p: Params) -> tuple[Channel, dict[str, Any], str]:
    channel_ref, ts = p.text("channel"), p.text("timestamp")
    if not channel_ref or not ts:
        raise SlackError("no_item_specified")
    if not is_ts(ts):
        raise SlackError("bad_timestamp")
    name = (p.text("name") or "").strip(":")
    if not EMOJI.match(name):
        raise SlackError("invalid_name")
    channel = api.ws.bot_channel(channel_ref)
    return channel, api.ws.message(channel, ts), name


@method("reactions.add")
async def reactions_add(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("reactions:write")
    channel, message, name = _reaction_args(api, p)
    await api.actions.react(channel, message["ts"], api.ws.bot_user_id, name)
    return {"ok": True}


@method("reactions.remove")
async def reactions_remove(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("reactions:write")
    channel, message, name = _reaction_args(api, p)
    await api.actions.unreact(channel, message["ts"], api.ws.bot_user_id, name)
    return {"ok": True}


@method("reactions.get")
async def reactions_get(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("reactions:read")
    channel_ref, ts = p.text("channel"), p.text("timestamp")
    if not channel_ref or not ts:
        raise SlackError("no_item_specified")
    if not is_ts(ts):
        raise SlackError("bad_timestamp")
    channel = api.ws.bot_channel(channel_ref)
    message = public_view(api.ws.message(channel, ts))
    message["permalink"] = api.ws.permalink(channel, ts)
    return {"ok": True, "type": "message", "channel": channel.id, "message": message}


@method("conversations.history")
async def conversations_history(api: WebApi, p: Params) -> dict[str, Any]:
    channel = api.channel_param(p)
    api.require_channel_scope(channel, "history")
    if api.ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    limit = min(max(p.number("limit", 100), 1), 999)
    inside = api.time_window(p)
    messages = [m for m in reversed(channel.top_level()) if inside(m["ts"])]
    page, next_cursor = paginate(messages, lambda m: m["ts"].replace(".", ""), p.text("cursor"), "next_ts:", limit)
    body: dict[str, Any] = {
        "ok": True,
        "messages": [public_view(m) for m in page],
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "channel_actions_ts": None,
        "channel_actions_count": 0,
    }
    if next_cursor:
        body["response_metadata"] = {"next_cursor": next_cursor}
    return body


@method("conversations.replies")
async def conversations_replies(api: WebApi, p: Params) -> dict[str, Any]:
    channel = api.channel_param(p)
    api.require_channel_scope(channel, "history")
    if api.ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    ts = p.text("ts")
    if not ts or not is_ts(ts) or ts not in channel.messages:
        raise SlackError("thread_not_found")
    thread_ts = channel.messages[ts].get("thread_ts") or ts
    parent = channel.messages.get(thread_ts)
    if parent is None:
        raise SlackError("thread_not_found")
    limit = min(max(p.number("limit", 1000), 1), 1000)
    inside = api.time_window(p)
    replies = [m for m in channel.replies(thread_ts) if inside(m["ts"])]
    # The parent leads every page, like Slack; the rest of the page is replies, oldest first.
    page, next_cursor = paginate(
        replies, lambda m: m["ts"].replace(".", ""), p.text("cursor"), "next_ts:", max(limit - 1, 1)
    )
    body: dict[str, Any] = {
        "ok": True,
        "messages": [public_view(parent)] + [public_view(m) for m in page],
        "has_more": bool(next_cursor),
    }
    if next_cursor:
        body["response_metadata"] = {"next_cursor": next_cursor}
    return body


@method("conversations.info")
async def conversations_info(api: WebApi, p: Params) -> dict[str, Any]:
    channel = api.channel_param(p)
    api.require_channel_scope(channel, "read")
    return {
        "ok": True,
        "channel": channel.to_api(api.ws.bot_user_id, include_num_members=p.flag("include_num_members")),
    }


@method("conversations.list")
async def conversations_list(api: WebApi, p: Params) -> dict[str, Any]:
    types = [t.strip() for t in (p.text("types") or "public_channel").split(",") if t.strip()]
    wanted = {"public_channel": "channel", "private_channel": "group", "im": "im", "mpim": "mpim"}
    if any(t not in wanted for t in types):
        raise SlackError("invalid_types")
    for t in types:
        api.require_scope(f"{SCOPE_PREFIX[wanted[t]]}:read")
    kinds = {wanted[t] for t in types}
    limit = min(max(p.number("limit", 100), 1), 1000)
    exclude_archived = p.flag("exclude_archived")
    channels = [
        c
        for c in api.ws.channels.values()
        if c.channel_type in kinds and api.ws.visible_to_bot(c) and not (exclude_archived and c.is_archived)
    ]
    page, next_cursor = paginate(channels, lambda c: c.id, p.text("cursor"), "team:", limit)
    return {
        "ok": True,
        "channels": [c.to_api(api.ws.bot_user_id, include_num_members=not c.is_im) for c in page],
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("conversations.members")
async def conversations_members(api: WebApi, p: Params) -> dict[str, Any]:
    channel = api.channel_param(p)
    api.require_channel_scope(channel, "read")
    limit = min(max(p.number("limit", 100), 1), 1000)
    page, next_cursor = paginate(list(channel.members), lambda u: u, p.text("cursor"), "user_id:", limit)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


@method("conversations.join")
async def conversations_join(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("channels:join")
    channel = api.channel_param(p)
    if channel.is_private or channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    joined = await api.actions.join(channel, api.ws.bot_user_id)
    body: dict[str, Any] = {"ok": True, "channel": channel.to_api(api.ws.bot_user_id)}
    if not joined:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    return body


@method("conversations.open")
async def conversations_open(api: WebApi, p: Params) -> dict[str, Any]:
    ws = api.ws
    users_arg, channel_arg = p.text("users"), p.text("channel")
    if channel_arg:
        channel = ws.bot_channel(channel_arg)
        if not (channel.is_im or channel.is_mpim):
            raise SlackError("method_not_supported_for_channel_type")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel.id}}
    if not users_arg:
        raise SlackError("users_list_not_supplied")
    users = [u.strip() for u in users_arg.split(",") if u.strip() and u.strip() != ws.bot_user_id]
    if not users:
        raise SlackError("not_enough_users")
    if len(users) > 8:
        raise SlackError("too_many_users")
    for uid in users:
        if uid not in ws.users:
            raise SlackError("user_not_found")
    api.require_scope("im:write" if len(users) == 1 else "mpim:write")
    before = set(ws.channels)
    cid = ws.open_dm(users[0]) if len(users) == 1 else ws.open_mpim([ws.bot_user_id, *users])
    channel = ws.channels[cid]
    body: dict[str, Any] = {"ok": True}
    if cid in before:
        body.update(no_op=True, already_open=True)
    full = p.flag("return_im") or channel.is_mpim
    body["channel"] = channel.to_api(ws.bot_user_id) if full else {"id": cid}
    return body


@method("users.info")
async def users_info(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("users:read")
    return {"ok": True, "user": api.ws.user(p.text("user") or "").to_api()}


@method("users.list")
async def users_list(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("users:read")
    limit = p.number("limit", 0) or 1000
    users = list(api.ws.users.values())
    page, next_cursor = paginate(users, lambda u: u.id, p.text("cursor"), "user:", min(max(limit, 1), 1000))
    return {
        "ok": True,
        "members": [u.to_api() for u in page],
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": next_cursor},
    }


@method("users.lookupByEmail")
async def users_lookup_by_email(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("users:read.email")
    return {"ok": True, "user": api.ws.user_by_email(p.text("email") or "").to_api()}


@method("bots.info")
async def bots_info(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("users:read")
    bot = api.ws.bots.get(p.text("bot") or "")
    if bot is None:
        raise SlackError("bot_not_found")
    return {"ok": True, "bot": bot.to_api()}


@method("team.info")
async def team_info(api: WebApi, p: Params) -> dict[str, Any]:
    api.require_scope("team:read")
    team = p.text("team")
    if team and team != api.ws.team.id:
        raise SlackError("team_not_found")
    return {"ok": True, "team": api.ws.team.to_api()}
