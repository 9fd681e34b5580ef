"""What happens in the workspace: each action changes the state the way Slack does and emits the events the app's
bot user would receive (only for conversations it can see). Used by the Web API and by the simulator's API for
acting as people and integrations."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ratchet.slack_sim import events
from ratchet.slack_sim.errors import SlackError
from ratchet.slack_sim.messages import (
    mentions,
    normalize_attachments,
    normalize_blocks,
    public_view,
    rich_text_blocks,
)
from ratchet.slack_sim.workspace import Bot, Channel, User, Workspace

Emit = Callable[[dict[str, Any]], Awaitable[Any]]
MAX_TEXT = 40_000
_TOMBSTONE_DROP = (
    "blocks",
    "attachments",
    "files",
    "reactions",
    "edited",
    "client_msg_id",
    "bot_id",
    "app_id",
    "bot_profile",
    "username",
    "icons",
    "metadata",
    "upload",
    "display_as_bot",
)


class Actions:
    def __init__(self, workspace: Workspace, emit: Emit) -> None:
        self.ws = workspace
        self._emit = emit

    def bot_receives(self, channel: Channel) -> bool:
        """The bot gets message, reaction and membership events of conversations it is a member of."""
        return self.ws.bot_user_id in channel.members

    async def emit(self, event: dict[str, Any]) -> None:
        await self._emit(event)

    # -- building messages ----------------------------------------------------------------------------------

    def user_message(
        self,
        user: User,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        files: list[dict[str, Any]] | None = None,
        subtype: str | None = None,
    ) -> dict[str, Any]:
        """A message a person typed in a Slack client (with the rich_text block the client adds)."""
        message: dict[str, Any] = {"user": user.id, "type": "message", "ts": ""}
        if subtype:
            message["subtype"] = subtype
        message.update(client_msg_id=str(uuid.uuid4()), text=text, team=self.ws.team.id)
        if blocks is not None:
            message["blocks"] = normalize_blocks(blocks, self.ws.ids.rng)
        elif text:
            message["blocks"] = rich_text_blocks(text, self.ws.ids.rng)
        if attachments:
            message["attachments"] = normalize_attachments(attachments)
        if files:
            message["files"] = [self.file_object(f, user.id) for f in files]
            message["upload"] = False
            message["display_as_bot"] = False
            message.setdefault("subtype", "file_share")
        return message

    def app_message(
        self,
        bot: Bot,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        username: str | None = None,
        icons: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A message an app's bot user posts with chat.postMessage (bot_id, app_id and bot_profile, no subtype)."""
        message: dict[str, Any] = {"user": bot.user_id, "type": "message", "ts": "", "bot_id": bot.id}
        message.update(app_id=bot.app_id, text=text, team=self.ws.team.id, bot_profile=bot.profile())
        if username:
            message["username"] = username
        if icons:
            message["icons"] = icons
        if blocks is not None:
            message["blocks"] = normalize_blocks(blocks, self.ws.ids.rng)
        if attachments:
            message["attachments"] = normalize_attachments(attachments)
        if metadata:
            message["metadata"] = metadata
        return message

    def integration_message(
        self,
        bot: Bot,
        text: str,
        *,
        username: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        icons: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """A post by an incoming webhook or legacy integration: subtype bot_message, bot_id and username."""
        message: dict[str, Any] = {"type": "message", "subtype": "bot_message", "text": text, "ts": ""}
        message["username"] = username or bot.name
        message["bot_id"] = bot.id
        if icons:
            message["icons"] = icons
        if blocks is not None:
            message["blocks"] = normalize_blocks(blocks, self.ws.ids.rng)
        if attachments:
            message["attachments"] = normalize_attachments(attachments)
        return message

    def file_object(self, given: dict[str, Any], user_id: str) -> dict[str, Any]:
        fid = given.get("id") or self.ws.ids.new("F")
        name = given.get("name") or "file.txt"
        now = int(time.time())
        base = f"https://files.slack.com/files-pri/{self.ws.team.id}-{fid}"
        filetype = name.rsplit(".", 1)[-1] if "." in name else "text"
        obj = {
            "id": fid,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": name,
            "mimetype": "text/plain",
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": user_id,
            "editable": False,
            "size": 0,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": True,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/{name}",
            "url_private_download": f"{base}/download/{name}",
            "permalink": f"https://{self.ws.team.domain}.slack.com/files/{user_id}/{fid}/{name}",
            "permalink_public": f"https://slack-files.com/{self.ws.team.id}-{fid}-{uuid.uuid4().hex[:10]}",
            "has_rich_preview": False,
        }
        obj.update(given)
        obj["id"] = fid
        self.ws.files[fid] = obj
        return obj

    # -- acting ------------------------------------------------------------------------------------------------

    async def post(
        self, channel: Channel, message: dict[str, Any], *, thread_ts: str | None = None, broadcast: bool = False
    ) -> dict[str, Any]:
        """Store a new message (ts assigned now) and deliver its `message` event, plus `app_mention` when a
        message by anyone but the bot itself mentions the bot user."""
        if channel.is_archived:
            raise SlackError("is_archived")
        if len(message.get("text") or "") > MAX_TEXT:
            raise SlackError("msg_too_long")
        message["ts"] = self.ws.next_ts()
        if thread_ts:
            message["thread_ts"] = self.ws.resolve_thread_ts(channel, thread_ts)
            if broadcast:
                message["subtype"] = "thread_broadcast"
        self.ws.insert(channel, message)
        if self.bot_receives(channel):
            await self.emit(events.message_event(channel, message))
            by_bot = message.get("user") == self.ws.bot_user_id or message.get("bot_id") == self.ws.bot_id
            if (
                not by_bot
                and not channel.is_im
                and self.ws.bot_user_id in mentions(message.get("text", ""))
                and message.get("subtype") in (None, "thread_broadcast", "file_share")
            ):
                await self.emit(events.app_mention_event(channel, message))
        return message

    async def edit(
        self,
        channel: Channel,
        ts: str,
        *,
        editor: str,
        text: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Change a message (omitted blocks/attachments are kept, [] removes them) and deliver message_changed."""
        message = self.ws.message(channel, ts)
        previous = public_view(message)
        if text is not None:
            if len(text) > MAX_TEXT:
                raise SlackError("msg_too_long")
            message["text"] = text
            if blocks is None and "client_msg_id" in message:
                message["blocks"] = rich_text_blocks(text, self.ws.ids.rng)  # a person's client re-renders
        if blocks is not None:
            message["blocks"] = normalize_blocks(blocks, self.ws.ids.rng)
            if not blocks:
                message.pop("blocks")
        if attachments is not None:
            message["attachments"] = normalize_attachments(attachments)
            if not attachments:
                message.pop("attachments")
        message["edited"] = {"user": editor, "ts": f"{int(time.time())}.000000"}
        if self.bot_receives(channel):
            await self.emit(events.message_changed_event(channel, message, previous, self.ws.next_ts()))
        return message

    async def delete(self, channel: Channel, ts: str) -> dict[str, Any]:
        """Delete a message: message_deleted; a thread parent with replies becomes a tombstone (message_changed)."""
        message = self.ws.message(channel, ts)
        previous = public_view(message)
        thread_ts = message.get("thread_ts")
        if thread_ts == ts and channel.replies(ts):
            for key in _TOMBSTONE_DROP:
                message.pop(key, None)
            message.update(subtype="tombstone", text="This message was deleted.", user="USLACKBOT", hidden=True)
            if self.bot_receives(channel):
                await self.emit(events.message_changed_event(channel, message, previous, self.ws.next_ts()))
            return previous
        channel.drop(ts)
        if thread_ts and thread_ts != ts:
            self.ws.refresh_thread(channel, thread_ts)
        if self.bot_receives(channel):
            await self.emit(events.message_deleted_event(channel, previous, self.ws.next_ts()))
        return previous

    async def react(self, channel: Channel, ts: str, user: str, name: str) -> None:
        message = self.ws.add_reaction(channel, ts, user, name)
        if self.bot_receives(channel):
            await self.emit(events.reaction_event("reaction_added", channel, message, user, name, self.ws.next_ts()))

    async def unreact(self, channel: Channel, ts: str, user: str, name: str) -> None:
        message = self.ws.remove_reaction(channel, ts, user, name)
        if self.bot_receives(channel):
            await self.emit(events.reaction_event("reaction_removed", channel, message, user, name, self.ws.next_ts()))

    async def join(self, channel: Channel, user: str, *, inviter: str | None = None) -> bool:
        """Add a member: member_joined_channel, then the channel_join message. False if already a member."""
        if channel.is_archived:
            raise SlackError("is_archived")
        if user in channel.members:
            return False
        channel.members.append(user)
        if self.bot_receives(channel):
            event_ts = self.ws.next_ts()
            await self.emit(events.member_joined_event(channel, user, self.ws.team.id, event_ts, inviter))
        join: dict[str, Any] = {
            "user": user,
            "type": "message",
            "ts": "",
            "subtype": "channel_join",
            "text": f"<@{user}> has joined the channel",
        }
        if inviter:
            join["inviter"] = inviter
        await self.post(channel, join)
        return True

    async def rename(self, channel: Channel, new_name: str, user: str) -> None:
        new_name = new_name.lstrip("#")
        if any(c.name == new_name and c.id != channel.id and not c.is_im for c in self.ws.channels.values()):
            raise SlackError("name_taken")
        old = channel.name
        channel.previous_names.insert(0, old)
        channel.name = new_name
        if not channel.is_private or self.bot_receives(channel):
            await self.emit(events.rename_event(channel, self.ws.next_ts()))
        await self.post(
            channel,
            {
                "user": user,
                "type": "message",
                "ts": "",
                "subtype": "channel_name",
                "name": new_name,
                "old_name": old,
                "text": f"<@{user}> renamed the channel from “{old}” to “{new_name}”",
            },
        )

    async def archive(self, channel: Channel, user: str) -> None:
        if channel.is_archived:
            raise SlackError("already_archived")
        await self.post(
            channel,
            {
                "user": user,
                "type": "message",
                "ts": "",
                "subtype": "channel_archive",
                "text": f"<@{user}> archived the channel",
            },
        )
        channel.is_archived = True
        if not channel.is_private or self.bot_receives(channel):
            await self.emit(events.archive_event(channel, user, self.ws.next_ts()))
