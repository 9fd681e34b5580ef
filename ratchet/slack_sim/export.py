"""Loading a workspace from a Slack export: a .zip (or its unpacked folder) holding channels.json, users.json,
optionally groups.json / dms.json / mpims.json, and one folder per conversation of <YYYY-MM-DD>.json message arrays
(named after the channel, or after the ID for DMs)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ratchet.slack_export import ExportChannel, ExportError, ExportSource, ExportUser
from ratchet.slack_sim.ids import is_ts

if TYPE_CHECKING:
    from ratchet.slack_sim.workspace import Workspace

__all__ = ["ExportError", "load_export"]


def load_export(
    cls: type[Workspace], path: Path, *, bot_name: str = "ratchet", bot_channels: list[str] | None = None
) -> Workspace:
    from ratchet.slack_sim.workspace import Bot, User

    source = ExportSource(path)
    try:
        users: list[ExportUser] = source.records("users.json", ExportUser, required=True)
        channels: list[ExportChannel] = source.records("channels.json", ExportChannel, required=True)
        groups: list[ExportChannel] = source.records("groups.json", ExportChannel)
        dms: list[ExportChannel] = source.records("dms.json", ExportChannel)
        mpims: list[ExportChannel] = source.records("mpims.json", ExportChannel)

        team_id = next((u.team_id for u in users if u.team_id), None)
        name = path.stem if path.is_file() else path.name
        ws = cls(
            team_name=name,
            domain=re.sub(r"[^a-z0-9-]", "-", name.lower()) or "imported",
            team_id=team_id,
            bot_name=bot_name,
        )
        for u in users:
            ws.ids.reserve(u.id)
            profile = u.profile
            ws.users[u.id] = User(
                id=u.id,
                team_id=u.team_id or ws.team.id,
                name=u.name,
                real_name=u.real_name or profile.get("real_name") or u.name,
                email=profile.get("email"),
                display_name=profile.get("display_name") or "",
                title=profile.get("title") or "",
                is_bot=u.is_bot,
                bot_id=profile.get("bot_id") or None,
                app_id=profile.get("api_app_id") or None,
                is_admin=u.is_admin,
                is_owner=u.is_owner,
                deleted=u.deleted,
                tz=u.tz or "Europe/London",
                color=u.color or "9f69e7",
            )
            if u.is_bot and profile.get("bot_id"):
                ws.bots[profile["bot_id"]] = Bot(
                    id=profile["bot_id"],
                    team_id=ws.team.id,
                    name=u.real_name or u.name,
                    app_id=profile.get("api_app_id") or None,
                    user_id=u.id,
                )

        kinds = [(channels, "public"), (groups, "private"), (mpims, "mpim"), (dms, "im")]
        for records, kind in kinds:
            for rec in records:
                _add_conversation(ws, rec, kind)

        wanted = None if bot_channels is None else {c.lstrip("#") for c in bot_channels}
        for channel in ws.channels.values():
            if channel.is_im or channel.is_mpim:
                continue
            chosen = (wanted is None and not channel.is_archived) or bool(
                wanted and {channel.id, channel.name} & wanted
            )
            if chosen and ws.bot_user_id not in channel.members:
                channel.members.append(ws.bot_user_id)

        for records, kind in kinds:
            for rec in records:
                folder = rec.id if kind == "im" else (rec.name or rec.id)
                _load_messages(ws, source, ws.channels[rec.id], folder)
        return ws
    finally:
        source.close()


def _add_conversation(ws: Workspace, rec: ExportChannel, kind: str) -> None:
    from ratchet.slack_sim.workspace import Channel

    ws.ids.reserve(rec.id)
    members = list(dict.fromkeys(rec.members))
    ws.channels[rec.id] = Channel(
        id=rec.id,
        name=rec.name or rec.id,
        created=rec.created,
        creator=rec.creator or (members[0] if members else ws.bot_user_id),
        is_private=kind in ("private", "mpim"),
        is_mpim=kind == "mpim",
        is_im=kind == "im",
        is_general=rec.is_general,
        is_archived=rec.is_archived,
        members=members,
        topic=rec.topic.model_dump(),
        purpose=rec.purpose.model_dump(),
        im_user=(members[-1] if members else None) if kind == "im" else None,
    )


def _load_messages(ws: Workspace, source: ExportSource, channel: Any, folder: str) -> None:
    for name in source.day_files(folder):
        for message in source.day(name):
            if not isinstance(message, dict) or not is_ts(message.get("ts")):
                continue  # not a message (Slack exports occasionally carry other records)
            message = dict(message)
            message.setdefault("type", "message")
            message.pop("replies", None)  # legacy thread listing; threads are rebuilt from thread_ts below
            message.pop("channel", None)
            bot_id = message.get("bot_id")
            if bot_id and bot_id not in ws.bots:
                ws.ids.reserve(bot_id)
                ws.create_bot(
                    message.get("username") or (message.get("bot_profile") or {}).get("name") or "bot", bot_id=bot_id
                )
            channel.add(message)
            ws.clock.observe(message["ts"])
    parents = {m["thread_ts"] for m in channel.messages.values() if m.get("thread_ts") and m["thread_ts"] != m["ts"]}
    for m in channel.messages.values():
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            parent = channel.messages.get(m["thread_ts"])
            if parent is not None and parent.get("user") and "parent_user_id" not in m:
                m["parent_user_id"] = parent["user"]
    for parent_ts in parents:
        ws.refresh_thread(channel, parent_ts)
