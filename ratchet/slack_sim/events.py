"""The inner `event` objects of the Events API, shaped like the payloads Slack sends (see bolt-python's fixtures)."""

from __future__ import annotations

from typing import Any

from ratchet.slack_sim.messages import public_view
from ratchet.slack_sim.workspace import Channel

_THREAD_PARENT_KEYS = ("reply_count", "reply_users_count", "latest_reply", "reply_users", "is_locked", "subscribed")


def message_event(channel: Channel, message: dict[str, Any]) -> dict[str, Any]:
    """`message` for a new message (any subtype); a thread_broadcast carries its thread's `root`."""
    event = public_view(message)
    for key in _THREAD_PARENT_KEYS:
        event.pop(key, None)
    if event.get("thread_ts") == event["ts"]:
        event.pop("thread_ts")
    if message.get("subtype") == "thread_broadcast" and message.get("thread_ts") in channel.messages:
        event["root"] = public_view(channel.messages[message["thread_ts"]])
    event.update(channel=channel.id, event_ts=message["ts"], channel_type=channel.channel_type)
    return event


def app_mention_event(channel: Channel, message: dict[str, Any]) -> dict[str, Any]:
    event = public_view(message)
    for key in (*_THREAD_PARENT_KEYS, "subtype", "reactions"):
        event.pop(key, None)
    if event.get("thread_ts") == event["ts"]:
        event.pop("thread_ts")
    event.update(type="app_mention", channel=channel.id, event_ts=message["ts"])
    return event


def message_changed_event(
    channel: Channel, new: dict[str, Any], previous: dict[str, Any], event_ts: str
) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": public_view(new),
        "previous_message": public_view(previous),
        "channel": channel.id,
        "hidden": True,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": channel.channel_type,
    }


def message_deleted_event(channel: Channel, previous: dict[str, Any], event_ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": public_view(previous),
        "channel": channel.id,
        "hidden": True,
        "deleted_ts": previous["ts"],
        "event_ts": event_ts,
        "ts": event_ts,
        "channel_type": channel.channel_type,
    }


def reaction_event(
    kind: str, channel: Channel, message: dict[str, Any], user: str, name: str, event_ts: str
) -> dict[str, Any]:
    """reaction_added / reaction_removed; `item_user` only when the message has a user (webhook posts don't)."""
    event: dict[str, Any] = {
        "type": kind,
        "user": user,
        "item": {"type": "message", "channel": channel.id, "ts": message["ts"]},
        "reaction": name,
    }
    if message.get("user"):
        event["item_user"] = message["user"]
    event["event_ts"] = event_ts
    return event


def member_joined_event(
    channel: Channel, user: str, team_id: str, event_ts: str, inviter: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel.id,
        "channel_type": "G" if channel.is_private else "C",
        "team": team_id,
    }
    if inviter:
        event["inviter"] = inviter
    event["event_ts"] = event_ts
    return event


def rename_event(channel: Channel, event_ts: str) -> dict[str, Any]:
    kind = "group_rename" if channel.is_private else "channel_rename"
    return {
        "type": kind,
        "channel": {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "created": channel.created,
            "is_channel": not channel.is_private,
            "is_mpim": channel.is_mpim,
        },
        "event_ts": event_ts,
    }


def archive_event(channel: Channel, user: str, event_ts: str) -> dict[str, Any]:
    kind = "group_archive" if channel.is_private else "channel_archive"
    return {"type": kind, "channel": channel.id, "user": user, "is_moved": 0, "event_ts": event_ts}
