"""Loading a workspace from a Slack export: a .zip (or its unpacked folder) holding channels.json, users.json,
optionally groups.json / dms.json / mpims.json, and one folder per conversation of <YYYY-MM-DD>.json message arrays
(named after the channel, or after the ID for DMs)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ratchet.slack_sim.ids import is_ts

if TYPE_CHECKING:
    from ratchet.slack_sim.workspace import Workspace

_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


class ExportError(ValueError):
    """The export is unreadable or is missing channels.json / users.json."""


class _Purpose(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: str = ""
    creator: str = ""
    last_set: int = 0


class ExportUser(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    name: str
    team_id: str | None = None
    real_name: str | None = None
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False
    tz: str | None = None
    color: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict)


class ExportChannel(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    name: str | None = None
    created: int = 0
    creator: str = ""
    is_archived: bool = False
    is_general: bool = False
    members: list[str] = Field(default_factory=list)
    topic: _Purpose = Field(default_factory=_Purpose)
    purpose: _Purpose = Field(default_factory=_Purpose)


class _Source:
    """Read JSON files of an export from a folder or a zip, wherever channels.json sits inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if path.is_dir():
            if not (path / "channels.json").exists():
                nested = sorted(path.rglob("channels.json"), key=lambda p: len(p.parts))
                if not nested:
                    raise ExportError(f"{path}: no channels.json")
                self.path = nested[0].parent
            self.prefix = ""
        elif zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            candidates = sorted(
                (n for n in self.zip.namelist() if PurePosixPath(n).name == "channels.json"), key=lambda n: n.count("/")
            )
            if not candidates:
                raise ExportError(f"{path}: no channels.json in the zip")
            parent = str(PurePosixPath(candidates[0]).parent)
            self.prefix = "" if parent == "." else parent + "/"
        else:
            raise ExportError(f"{path}: neither a folder nor a zip file")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def read(self, name: str) -> Any:
        try:
            if self.zip is not None:
                if self.prefix + name not in self.zip.namelist():
                    return None
                raw = self.zip.read(self.prefix + name)
            else:
                file = self.path / name
                if not file.is_file():
                    return None
                raw = file.read_bytes()
            return json.loads(raw.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ExportError(f"{name}: not valid JSON ({exc})") from exc

    def day_files(self, folder: str) -> list[str]:
        if self.zip is not None:
            base = self.prefix + folder + "/"
            names = [n[len(base) :] for n in self.zip.namelist() if n.startswith(base)]
        else:
            directory = self.path / folder
            names = [p.name for p in directory.iterdir()] if directory.is_dir() else []
        return sorted(f"{folder}/{n}" for n in names if _DAY_FILE.match(n))


def _records(source: _Source, name: str, model: type[BaseModel], *, required: bool = False) -> list[Any]:
    data = source.read(name)
    if data is None:
        if required:
            raise ExportError(f"{source.path}: {name} is missing")
        return []
    if not isinstance(data, list):
        raise ExportError(f"{name}: expected a JSON array")
    out = []
    for item in data:
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            raise ExportError(f"{name}: {exc.errors()[0]['msg']} in {item!r:.200}") from exc
    return out


def load_export(
    cls: type[Workspace], path: Path, *, bot_name: str = "ratchet", bot_channels: list[str] | None = None
) -> Workspace:
    from ratchet.slack_sim.workspace import Bot, User

    source = _Source(path)
    try:
        users: list[ExportUser] = _records(source, "users.json", ExportUser, required=True)
        channels: list[ExportChannel] = _records(source, "channels.json", ExportChannel, required=True)
        groups: list[ExportChannel] = _records(source, "groups.json", ExportChannel)
        dms: list[ExportChannel] = _records(source, "dms.json", ExportChannel)
        mpims: list[ExportChannel] = _records(source, "mpims.json", ExportChannel)

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


def _load_messages(ws: Workspace, source: _Source, channel: Any, folder: str) -> None:
    for name in source.day_files(folder):
        day = source.read(name)
        if not isinstance(day, list):
            raise ExportError(f"{name}: expected a JSON array of messages")
        for message in day:
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
