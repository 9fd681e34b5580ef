"""Slack Events API payloads → what ingest should do with them.

`interpret` reads one `event_callback` payload and returns a single action (store a new message, apply an edit,
record a reaction, ...). It never trusts the payload: anything malformed raises `MalformedEvent`, whose message
names the problem but never the message text, so it can be logged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from ratchet.slack.text import message_text
from ratchet.storage.messages import Message
from ratchet.storage.reactions import Reaction

# ASCII only (`\d` also matches other scripts' digits, IGNORECASE lets the Kelvin sign pass for k), whole strings
# only (`$` lets a trailing newline through), and no ts past what a datetime holds: each a key Slack would use
TS_PATTERN = re.compile(r"\d{1,10}\.\d{1,9}", re.ASCII)
ID_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,40}", re.IGNORECASE | re.ASCII)
MAX_TEXT_CHARS = 100_000  # Slack cuts a message's text at 40,000 characters; blocks and attachments add some more
# message subtypes that carry something a person or an integration said; the rest (joins, topic changes, ...)
# are stored for the record but start no work
CONTENT_SUBTYPES = {None, "bot_message", "thread_broadcast", "file_share", "me_message"}
IGNORED_SUBTYPES = {"message_replied", "ekm_access_denied"}
MAX_NESTING = 64  # levels of lists and objects; rich text in an attachment's blocks takes about ten


class MalformedEvent(ValueError):
    """The payload does not have the shape Slack documents; the message says what is wrong."""


class BotIdentity(BaseModel):
    """Who the bot is in this workspace (from auth.test)."""

    team_id: str
    user_id: str
    bot_id: str | None = None

    def is_self(self, user_id: str | None, bot_id: str | None) -> bool:
        return (user_id is not None and user_id == self.user_id) or (bot_id is not None and bot_id == self.bot_id)

    def is_addressed(self, message: Message) -> bool:
        """A mention of the bot, or a direct message to it."""
        return f"<@{self.user_id}>" in message.text or message.attrs.get("channel_type") == "im"


class NewMessage(BaseModel):
    message: Message
    team_id: str | None
    channel_type: str | None
    starts_work: bool


class EditedMessage(BaseModel):
    message: Message
    team_id: str | None
    channel_type: str | None
    edited_at: datetime


class DeletedMessage(BaseModel):
    channel_id: str
    ts: str


class ReactionChanged(BaseModel):
    reaction: Reaction
    added: bool


class BotJoinedChannel(BaseModel):
    channel_id: str
    team_id: str | None


class ChannelRenamed(BaseModel):
    channel_id: str
    name: str


class ChannelArchived(BaseModel):
    channel_id: str
    archived: bool


class Ignored(BaseModel):
    reason: str


Action = (
    NewMessage
    | EditedMessage
    | DeletedMessage
    | ReactionChanged
    | BotJoinedChannel
    | ChannelRenamed
    | ChannelArchived
    | Ignored
)


def interpret(payload: Any, bot: BotIdentity) -> Action:
    """What ingest should do with one Events API payload (the `event_callback` envelope)."""
    if not isinstance(payload, Mapping):
        raise MalformedEvent(f"payload is {type(payload).__name__}, not an object")
    payload = storable(payload)  # whatever part of it is kept, it can be stored
    event = payload.get("event")
    if not isinstance(event, Mapping):
        raise MalformedEvent("payload has no event object")
    team_id = _optional_str(payload.get("team_id"), "team_id")
    kind = _required_str(event, "type")
    if kind in ("message", "app_mention"):
        return _message_action(event, team_id, bot)
    if kind in ("reaction_added", "reaction_removed"):
        return _reaction_action(event, added=kind == "reaction_added")
    if kind == "member_joined_channel":
        if _required_str(event, "user") != bot.user_id:
            return Ignored(reason="someone else joined a channel")
        return BotJoinedChannel(channel_id=_channel_id(event.get("channel")), team_id=team_id)
    if kind in ("channel_rename", "group_rename"):
        channel = event.get("channel")
        if not isinstance(channel, Mapping):
            raise MalformedEvent(f"{kind} has no channel object")
        return ChannelRenamed(channel_id=_channel_id(channel.get("id")), name=_required_str(channel, "name"))
    if kind in ("channel_archive", "group_archive", "channel_unarchive", "group_unarchive"):
        return ChannelArchived(channel_id=_channel_id(event.get("channel")), archived=kind.endswith("_archive"))
    return Ignored(reason=f"event type {kind!r} is not used")


def _message_action(event: Mapping[str, Any], team_id: str | None, bot: BotIdentity) -> Action:
    subtype = _optional_str(event.get("subtype"), "subtype")
    channel_id = _channel_id(event.get("channel"))
    channel_type = _optional_str(event.get("channel_type"), "channel_type")
    if subtype in IGNORED_SUBTYPES:
        return Ignored(reason=f"message subtype {subtype!r} is not used")
    if subtype == "message_deleted":
        previous = event.get("previous_message")
        deleted_ts = event.get("deleted_ts") or (previous.get("ts") if isinstance(previous, Mapping) else None)
        return DeletedMessage(channel_id=channel_id, ts=_ts(deleted_ts, "deleted_ts"))
    if subtype == "message_changed":
        inner = event.get("message")
        previous = event.get("previous_message")
        if not isinstance(inner, Mapping):
            raise MalformedEvent("message_changed has no message object")
        if "ts" not in inner and isinstance(previous, Mapping):
            inner = {**inner, "ts": previous.get("ts")}
        if inner.get("subtype") == "tombstone":  # a thread's parent was deleted; Slack keeps a stand-in for its replies
            return DeletedMessage(channel_id=channel_id, ts=_ts(inner.get("ts"), "message.ts"))
        edited = inner.get("edited")
        edited_ts = edited.get("ts") if isinstance(edited, Mapping) else None
        edited_at = _ts_time(_ts(edited_ts or event.get("event_ts") or event.get("ts"), "edited.ts"))
        message = to_message(inner, channel_id=channel_id, channel_type=channel_type)
        return EditedMessage(message=message, team_id=team_id, channel_type=channel_type, edited_at=edited_at)
    message = to_message(event, channel_id=channel_id, channel_type=channel_type)
    own = bot.is_self(message.user_id, message.bot_id)
    return NewMessage(
        message=message,
        team_id=team_id,
        channel_type=channel_type,
        starts_work=subtype in CONTENT_SUBTYPES and not own,
    )


def to_message(raw: Mapping[str, Any], *, channel_id: str, channel_type: str | None = None) -> Message:
    """A Slack message object (from an event or conversations.history) as a `Message`."""
    raw = storable(raw)
    ts = _ts(raw.get("ts"), "ts")
    text = message_text(raw)
    if len(text) > MAX_TEXT_CHARS:
        raise MalformedEvent(f"its text is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} a message may have")
    thread_ts = raw.get("thread_ts")
    thread_ts = _ts(thread_ts, "thread_ts") if thread_ts is not None else None
    attrs: dict[str, Any] = {"raw": raw}
    for key in ("username", "team", "client_msg_id", "parent_user_id"):
        if isinstance(raw.get(key), str):
            attrs[key] = raw[key]
    if channel_type:
        attrs["channel_type"] = channel_type
    return Message(
        channel_id=channel_id,
        ts=ts,
        thread_ts=thread_ts if thread_ts != ts else None,
        user_id=_optional_id(raw.get("user"), "user"),
        bot_id=_optional_id(raw.get("bot_id"), "bot_id"),
        subtype=_optional_str(raw.get("subtype"), "subtype"),
        text=text,
        attrs=attrs,
    )


def _reaction_action(event: Mapping[str, Any], *, added: bool) -> ReactionChanged:
    item = event.get("item")
    if not isinstance(item, Mapping) or item.get("type") != "message":
        raise MalformedEvent("reaction event has no message item")
    reaction = Reaction(
        channel_id=_channel_id(item.get("channel")),
        message_ts=_ts(item.get("ts"), "item.ts"),
        user_id=_required_id(event.get("user"), "user"),
        reaction=_required_str(event, "reaction")[:100],
        event_ts=_optional_str(event.get("event_ts"), "event_ts"),
    )
    return ReactionChanged(reaction=reaction, added=added)


def storable(value: Any, depth: int = 0) -> Any:
    """A JSON value Postgres can store: NUL characters dropped, lone UTF-16 surrogates (half an emoji) as '?'; one
    nested deeper than Slack's payloads ever are is malformed."""
    if depth > MAX_NESTING:
        raise MalformedEvent(f"a value is nested more than {MAX_NESTING} levels deep")
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [storable(item, depth + 1) for item in value]
    if isinstance(value, Mapping):
        return {storable(str(key)): storable(item, depth + 1) for key, item in value.items()}
    return value


def _ts(value: Any, field: str) -> str:
    if not isinstance(value, str) or not TS_PATTERN.fullmatch(value):
        raise MalformedEvent(f"{field} is not a Slack timestamp")
    return value


def _ts_time(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


def _channel_id(value: Any) -> str:
    return _required_id(value, "channel")


def _required_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise MalformedEvent(f"{field} is not a Slack id")
    return value


def _optional_id(value: Any, field: str) -> str | None:
    return None if value is None else _required_id(value, field)


def _required_str(event: Mapping[str, Any], field: str) -> str:
    value = event.get(field)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{field} is missing or not a string")
    return value


def _optional_str(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise MalformedEvent(f"{field} is not a string")
    return value
