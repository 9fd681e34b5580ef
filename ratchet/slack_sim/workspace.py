"""The workspace: its team, people, bots and conversations, and the message/thread/reaction bookkeeping.

Pure state, no I/O and no events: `actions.py` changes it and emits the events Slack would send. Every error is a
`SlackError` carrying the code the Web API answers with.
"""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path
from typing import Any

from ratchet.slack_sim.errors import SlackError
from ratchet.slack_sim.ids import IdFactory, TsClock
from ratchet.slack_sim.messages import public_view
from ratchet.slack_sim.models import Bot, Channel, ChannelType, Team, User, ts_key

__all__ = ["Bot", "Channel", "ChannelType", "Team", "User", "Workspace", "ts_key"]

_NAME_OK = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_COLORS = ["9f69e7", "4bbe2e", "e7392d", "3c989f", "674b1b", "e96699", "e0a729", "684b6c", "5b89d5", "53b759"]


class Workspace:
    """One Slack workspace with the app installed: its bot user, bot and app IDs exist from the start."""

    def __init__(
        self,
        *,
        team_name: str = "Ratchet Demo",
        domain: str = "ratchet-demo",
        email_domain: str = "example.com",
        team_id: str | None = None,
        bot_name: str = "ratchet",
        bot_real_name: str = "Ratchet",
        seed: int | None = None,
    ) -> None:
        self.ids = IdFactory(seed)
        self.clock = TsClock()
        self.team = Team(id=team_id or self.ids.new("T"), name=team_name, domain=domain, email_domain=email_domain)
        self.ids.reserve(self.team.id)
        self.users: dict[str, User] = {}
        self.bots: dict[str, Bot] = {}
        self.channels: dict[str, Channel] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.app_id = self.ids.new("A")
        self.bot_id = self.ids.new("B")
        self.bot_user_id = self.ids.new("U")
        self.bots[self.bot_id] = Bot(
            id=self.bot_id, team_id=self.team.id, name=bot_real_name, app_id=self.app_id, user_id=self.bot_user_id
        )
        self.users[self.bot_user_id] = User(
            id=self.bot_user_id,
            team_id=self.team.id,
            name=bot_name,
            real_name=bot_real_name,
            display_name="",
            is_bot=True,
            bot_id=self.bot_id,
            app_id=self.app_id,
            color="e0a729",
        )
        self.created = int(time.time())

    # -- people and bots ----------------------------------------------------------------------------------

    @property
    def bot(self) -> Bot:
        return self.bots[self.bot_id]

    @property
    def bot_user(self) -> User:
        return self.users[self.bot_user_id]

    def create_user(
        self,
        name: str,
        real_name: str = "",
        email: str | None = None,
        *,
        title: str = "",
        is_admin: bool = False,
        tz: str = "Europe/London",
        user_id: str | None = None,
    ) -> str:
        """Add a person; returns the new user ID. `email` defaults to name@<email domain>."""
        if any(u.name == name for u in self.users.values()):
            raise SlackError("name_taken")
        uid = user_id or self.ids.new("U")
        self.ids.reserve(uid)
        self.users[uid] = User(
            id=uid,
            team_id=self.team.id,
            name=name,
            real_name=real_name or name,
            email=email if email is not None else f"{name}@{self.team.email_domain}",
            display_name=name,
            title=title,
            is_admin=is_admin,
            tz=tz,
            color=_COLORS[len(self.users) % len(_COLORS)],
        )
        return uid

    def create_bot(self, name: str, *, bot_id: str | None = None, app_id: str | None = None) -> str:
        """Register an integration that posts as a bot (an incoming webhook, Alertmanager, Grafana...)."""
        bid = bot_id or self.ids.new("B")
        self.ids.reserve(bid)
        self.bots[bid] = Bot(id=bid, team_id=self.team.id, name=name, app_id=app_id)
        return bid

    def user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def user_by_email(self, email: str) -> User:
        wanted = email.strip().lower()
        for user in self.users.values():
            if user.email and user.email.lower() == wanted and not user.deleted:
                return user
        raise SlackError("users_not_found")

    def find_user(self, ref: str) -> User | None:
        """By ID, name or email."""
        if ref in self.users:
            return self.users[ref]
        ref = ref.lstrip("@")
        for user in self.users.values():
            if user.name == ref or (user.email and user.email.lower() == ref.lower()):
                return user
        return None

    def humans(self) -> list[User]:
        return [u for u in self.users.values() if not u.is_bot and not u.deleted]

    # -- conversations ------------------------------------------------------------------------------------

    def create_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: list[str] | None = None,
        creator: str | None = None,
        topic: str = "",
        purpose: str = "",
        is_general: bool = False,
        channel_id: str | None = None,
        created: int | None = None,
    ) -> str:
        """Add a public or private channel; returns its ID. Members are user IDs (the bot's included only if listed)."""
        name = name.lstrip("#")
        if not _NAME_OK.match(name):
            raise SlackError("invalid_name_specials")
        if any(c.name == name and not c.is_im for c in self.channels.values()):
            raise SlackError("name_taken")
        for uid in members or []:
            self.user(uid)
        creator = creator or next((u.id for u in self.humans()), self.bot_user_id)
        cid = channel_id or self.ids.new("C")
        self.ids.reserve(cid)
        made = created or int(time.time())
        self.channels[cid] = Channel(
            id=cid,
            name=name,
            created=made,
            creator=creator,
            is_private=is_private,
            is_general=is_general,
            members=list(dict.fromkeys(members or [])),
            topic={"value": topic, "creator": creator if topic else "", "last_set": made if topic else 0},
            purpose={"value": purpose, "creator": creator if purpose else "", "last_set": made if purpose else 0},
        )
        return cid

    def open_dm(self, user_id: str, other: str | None = None) -> str:
        """The IM between `user_id` and `other` (default: the bot user), created if needed; returns its D... ID."""
        other = other or self.bot_user_id
        self.user(user_id)
        self.user(other)
        pair = {user_id, other}
        for channel in self.channels.values():
            if channel.is_im and set(channel.members) == pair:
                return channel.id
        did = self.ids.new("D")
        im_user = user_id if other == self.bot_user_id else other
        self.channels[did] = Channel(
            id=did,
            name=did,
            created=int(time.time()),
            creator=user_id,
            is_im=True,
            members=sorted(pair),
            im_user=im_user,
        )
        return did

    def open_mpim(self, user_ids: list[str]) -> str:
        members = list(dict.fromkeys(user_ids))
        for uid in members:
            self.user(uid)
        for channel in self.channels.values():
            if channel.is_mpim and set(channel.members) == set(members):
                return channel.id
        names = "--".join(sorted(self.users[u].name for u in members))
        cid = self.ids.new("C")
        self.channels[cid] = Channel(
            id=cid,
            name=f"mpdm-{names}-1",
            created=int(time.time()),
            creator=members[0],
            is_mpim=True,
            is_private=True,
            members=members,
        )
        return cid

    def find_channel(self, ref: str) -> Channel | None:
        """By ID, or by name with or without '#'."""
        if ref in self.channels:
            return self.channels[ref]
        name = ref.lstrip("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        return None

    def channel(self, ref: str) -> Channel:
        channel = self.find_channel(ref)
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def visible_to_bot(self, channel: Channel) -> bool:
        """Public channels are visible to the bot; private ones, IMs and MPIMs only when it is a member."""
        return (not channel.is_private and not channel.is_im and not channel.is_mpim) or (
            self.bot_user_id in channel.members
        )

    def bot_channel(self, ref: str) -> Channel:
        """A channel looked up by ID for a Web API call from the bot (private ones it is not in don't exist)."""
        channel = self.channels.get(ref)
        if channel is None or not self.visible_to_bot(channel):
            raise SlackError("channel_not_found")
        return channel

    # -- messages ------------------------------------------------------------------------------------------

    def next_ts(self) -> str:
        return self.clock.next()

    def message(self, channel: Channel, ts: str) -> dict[str, Any]:
        message = channel.messages.get(ts)
        if message is None:
            raise SlackError("message_not_found")
        return message

    def insert(self, channel: Channel, message: dict[str, Any]) -> dict[str, Any]:
        """Store a message (its ts set by the caller); a reply updates its thread's parent as Slack does.

        A reply whose parent does not exist is stored all the same and shows nowhere but in its own thread, which
        is what Slack does with a well-formed but unknown thread_ts."""
        self.clock.observe(message["ts"])
        thread_ts = message.get("thread_ts")
        is_reply = bool(thread_ts) and thread_ts != message["ts"]
        parent = channel.messages.get(thread_ts) if is_reply else None
        if parent is not None and "parent_user_id" not in message and parent.get("user"):
            message["parent_user_id"] = parent["user"]
        channel.add(message)
        if parent is not None:
            self.refresh_thread(channel, thread_ts)
        return message

    def resolve_thread_ts(self, channel: Channel, thread_ts: str) -> str:
        """Replying to a reply lands in the reply's thread, like Slack."""
        target = channel.messages.get(thread_ts)
        if target is None:
            return thread_ts
        return target.get("thread_ts") or thread_ts

    def refresh_thread(self, channel: Channel, thread_ts: str) -> None:
        parent = channel.messages.get(thread_ts)
        if parent is None:
            return
        replies = channel.replies(thread_ts)
        if not replies and "reply_count" not in parent:
            return
        if not replies:
            for key in ("reply_count", "reply_users_count", "latest_reply", "reply_users", "is_locked", "subscribed"):
                parent.pop(key, None)
            if parent.get("subtype") != "tombstone":
                parent.pop("thread_ts", None)
            return
        users = list(dict.fromkeys(r["user"] for r in replies if r.get("user")))
        parent["thread_ts"] = thread_ts
        parent["reply_count"] = len(replies)
        parent["reply_users_count"] = len(users)
        parent["latest_reply"] = replies[-1]["ts"]
        parent["reply_users"] = users[:5]
        parent["is_locked"] = False
        parent["subscribed"] = False
        if not users:
            parent.pop("reply_users")

    def permalink(self, channel: Channel, ts: str) -> str:
        base = f"https://{self.team.domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        message = channel.messages.get(ts)
        if message and message.get("thread_ts") and message["thread_ts"] != ts:
            return f"{base}?thread_ts={message['thread_ts']}&cid={channel.id}"
        return base

    def add_reaction(self, channel: Channel, ts: str, user_id: str, name: str) -> dict[str, Any]:
        message = self.message(channel, ts)
        reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
        for reaction in reactions:
            if reaction["name"] == name:
                if user_id in reaction["users"]:
                    raise SlackError("already_reacted")
                reaction["users"].append(user_id)
                reaction["count"] += 1
                return message
        reactions.append({"name": name, "users": [user_id], "count": 1})
        return message

    def remove_reaction(self, channel: Channel, ts: str, user_id: str, name: str) -> dict[str, Any]:
        message = self.message(channel, ts)
        reactions: list[dict[str, Any]] = message.get("reactions", [])
        for reaction in reactions:
            if reaction["name"] == name and user_id in reaction["users"]:
                reaction["users"].remove(user_id)
                reaction["count"] -= 1
                if reaction["count"] == 0:
                    reactions.remove(reaction)
                if not reactions:
                    message.pop("reactions", None)
                return message
        raise SlackError("no_reaction")

    def snapshot(self, channel: Channel, ts: str) -> dict[str, Any]:
        return public_view(self.message(channel, ts))

    # -- constructors -------------------------------------------------------------------------------------

    @classmethod
    def default(cls) -> Workspace:
        """A small operations team: five people, #general, #alerts and #ops (the bot in the last two), and the
        Alertmanager and Grafana integrations registered as bots. IDs are the same on every run."""
        ws = cls(team_name="Ratchet Demo", domain="ratchet-demo", email_domain="example.com", seed=20241125)
        people = [
            ("amara", "Amara Okafor", "SRE lead", True, "Europe/London"),
            ("diego", "Diego Ramírez", "Platform engineer", False, "Europe/Berlin"),
            ("priya", "Priya Raman", "Site reliability engineer", False, "Asia/Kolkata"),
            ("tom", "Tom Becker", "Database administrator", False, "Europe/Berlin"),
            ("mei", "Mei Lin Chen", "Network engineer", False, "America/Los_Angeles"),
        ]
        uids = [
            ws.create_user(
                name,
                real_name,
                f"{real_name.split()[0].lower()}.{real_name.split()[-1].lower()}@example.com".replace("í", "i"),
                title=title,
                is_admin=admin,
                tz=tz,
            )
            for name, real_name, title, admin, tz in people
        ]
        ws.create_channel(
            "general",
            members=uids,
            is_general=True,
            topic="Company-wide announcements",
            purpose="This channel is for team-wide communication and announcements.",
        )
        ws.create_channel(
            "alerts",
            members=[*uids, ws.bot_user_id],
            topic="Production alerts — ack in thread",
            purpose="Alertmanager and Grafana notifications for production.",
        )
        ws.create_channel(
            "ops",
            members=[*uids, ws.bot_user_id],
            topic="Ops coordination",
            purpose="Operations team discussion, incidents and changes.",
        )
        ws.create_bot("Alertmanager")
        ws.create_bot("Grafana")
        return ws

    @classmethod
    def from_export(
        cls, path: str | Path, *, bot_name: str = "ratchet", bot_channels: list[str] | None = None
    ) -> Workspace:
        """Load a Slack export (a .zip or its unpacked folder). The bot joins `bot_channels` (names or IDs);
        by default every channel that is not archived."""
        from ratchet.slack_sim.export import load_export

        return load_export(cls, Path(path), bot_name=bot_name, bot_channels=bot_channels)

    def copy(self) -> Workspace:
        return copy.deepcopy(self)
