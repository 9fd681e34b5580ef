"""Workspace entities as Slack describes them: team, users, bots, and conversations holding their messages."""

from __future__ import annotations

import hashlib
import time
from bisect import insort
from dataclasses import dataclass, field
from typing import Any, Literal

from ratchet.slack_sim.ids import ts_to_us

ChannelType = Literal["channel", "group", "im", "mpim"]

_TZ = {
    "Europe/London": ("Greenwich Mean Time", 0),
    "Europe/Berlin": ("Central European Time", 3600),
    "America/New_York": ("Eastern Standard Time", -18000),
    "America/Los_Angeles": ("Pacific Standard Time", -28800),
    "Asia/Kolkata": ("India Standard Time", 19800),
}


def ts_key(ts: str) -> int:
    return ts_to_us(ts)


@dataclass
class Team:
    id: str
    name: str
    domain: str
    email_domain: str

    def to_api(self) -> dict[str, Any]:
        icon_base = "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001"
        return {
            "id": self.id,
            "name": self.name,
            "domain": self.domain,
            "email_domain": self.email_domain,
            "icon": {
                "image_34": f"{icon_base}-34.png",
                "image_44": f"{icon_base}-44.png",
                "image_68": f"{icon_base}-68.png",
                "image_88": f"{icon_base}-88.png",
                "image_102": f"{icon_base}-102.png",
                "image_132": f"{icon_base}-132.png",
                "image_230": f"{icon_base}-230.png",
                "image_default": True,
            },
            "avatar_base_url": "https://ca.slack-edge.com/",
        }


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str = ""
    email: str | None = None
    display_name: str = ""
    title: str = ""
    is_bot: bool = False
    bot_id: str | None = None
    app_id: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    tz: str = "Europe/London"
    color: str = "9f69e7"
    updated: int = field(default_factory=lambda: int(time.time()))

    def to_api(self) -> dict[str, Any]:
        avatar_hash = hashlib.md5(self.id.encode(), usedforsecurity=False).hexdigest()[:12]
        image = f"https://secure.gravatar.com/avatar/{avatar_hash}.jpg"
        first, _, last = self.real_name.partition(" ")
        profile: dict[str, Any] = {
            "title": self.title,
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "fields": None if self.is_bot else {},
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + avatar_hash[:11],
            "first_name": first,
            "last_name": last,
            **{f"image_{size}": image for size in (24, 32, 48, 72, 192, 512)},
            "status_text_canonical": "",
            "team": self.team_id,
        }
        if self.email and not self.is_bot:
            profile["email"] = self.email
        if self.is_bot:
            profile.update({"bot_id": self.bot_id or "", "api_app_id": self.app_id or "", "always_active": True})
        tz_label, tz_offset = _TZ.get(self.tz, ("Coordinated Universal Time", 0))
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": self.color,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": self.updated,
        }


@dataclass
class Bot:
    """A bot: an app's bot (with a bot user) or a legacy integration such as an incoming webhook (no user)."""

    id: str
    team_id: str
    name: str
    app_id: str | None = None
    user_id: str | None = None
    deleted: bool = False
    updated: int = field(default_factory=lambda: int(time.time()))

    def icons(self) -> dict[str, str]:
        return {
            "image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
            "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
            "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png",
        }

    def to_api(self) -> dict[str, Any]:
        out = self._identity()
        if self.user_id:
            out["user_id"] = self.user_id
        return out

    def profile(self) -> dict[str, Any]:
        """The `bot_profile` Slack attaches to an app bot's messages."""
        return {**self._identity(), "team_id": self.team_id}

    def _identity(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "deleted": self.deleted,
            "name": self.name,
            "updated": self.updated,
            "app_id": self.app_id or "A00000000",
            "icons": self.icons(),
        }


@dataclass
class Channel:
    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_general: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    topic: dict[str, Any] = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: dict[str, Any] = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    previous_names: list[str] = field(default_factory=list)
    im_user: str | None = None  # for an IM: the person the bot talks to
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts -> message (top level and replies)
    order: list[tuple[int, str]] = field(default_factory=list)  # (ts_key, ts), ascending

    @property
    def channel_type(self) -> ChannelType:
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "group" if self.is_private else "channel"

    def to_api(self, viewer: str, *, include_num_members: bool = False) -> dict[str, Any]:
        """The conversation object as `viewer` (the bot user) sees it."""
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_archived": self.is_archived,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "parent_conversation": None,
            "creator": self.creator,
            "is_ext_shared": False,
            "shared_team_ids": [],
            "pending_connected_team_ids": [],
            "is_member": viewer in self.members,
            "topic": dict(self.topic),
            "purpose": dict(self.purpose),
            "previous_names": list(self.previous_names),
        }
        if include_num_members:
            out["num_members"] = len(self.members)
        return out

    # -- messages, in ts order --------------------------------------------------------------------------------

    def add(self, message: dict[str, Any]) -> None:
        ts = message["ts"]
        if ts not in self.messages:
            insort(self.order, (ts_key(ts), ts))
        self.messages[ts] = message

    def drop(self, ts: str) -> None:
        if self.messages.pop(ts, None) is not None:
            self.order.remove((ts_key(ts), ts))

    def top_level(self) -> list[dict[str, Any]]:
        """What conversations.history shows: thread parents, unthreaded messages and thread broadcasts."""
        out = []
        for _, ts in self.order:
            m = self.messages[ts]
            if m.get("thread_ts") in (None, ts) or m.get("subtype") == "thread_broadcast":
                out.append(m)
        return out

    def replies(self, thread_ts: str) -> list[dict[str, Any]]:
        return [
            self.messages[ts]
            for _, ts in self.order
            if ts != thread_ts and self.messages[ts].get("thread_ts") == thread_ts
        ]
