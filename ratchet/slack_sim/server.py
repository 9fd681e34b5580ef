"""`SlackSimulator`: one aiohttp server with the Web API, Socket Mode and Events API delivery, plus an API for acting
as people and integrations and for observing what the bot did."""

from __future__ import annotations

import asyncio
import inspect
import json
import secrets
import socket
import string
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ratchet.slack_sim.actions import Actions
from ratchet.slack_sim.delivery import Delivery, Dispatcher, event_callback
from ratchet.slack_sim.errors import SlackError
from ratchet.slack_sim.messages import public_view
from ratchet.slack_sim.rate_limits import RateLimiter
from ratchet.slack_sim.socket_mode import SocketModeHub
from ratchet.slack_sim.web_api import DEFAULT_BOT_SCOPES, ApiCall, ApiContext, LostAnswer, WebApi
from ratchet.slack_sim.workspace import Channel, User, Workspace

_ALNUM = string.ascii_letters + string.digits


def _digits(n: int) -> str:
    return str(secrets.randbelow(9) + 1) + "".join(secrets.choice(string.digits) for _ in range(n - 1))


class SlackSimulator:
    """A local Slack the real slack_sdk / slack-bolt clients talk to with `base_url=sim.api_url`.

    Every method that acts as a person raises `SlackError` for what Slack would refuse (unknown channel,
    archived channel, unknown message...).
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        ack_timeout: float = 3.0,
        max_retries: int = 3,
        http_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0),
        rate_limits: bool = True,
        http_timeout: float = 3.0,
        connect_wait: float = 10.0,
        bot_scopes: list[str] | None = None,
    ) -> None:
        self.workspace = workspace or Workspace.default()
        ws = self.workspace
        self.bot_token = f"xoxb-{_digits(12)}-{_digits(13)}-{''.join(secrets.choice(_ALNUM) for _ in range(24))}"
        self.app_token = f"xapp-1-{ws.app_id}-{_digits(13)}-{secrets.token_hex(32)}"
        self.signing_secret = secrets.token_hex(16)
        self.verification_token = "".join(secrets.choice(_ALNUM) for _ in range(24))
        self._events_url: str | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._stopping = False
        self.rate_limiter = RateLimiter(enabled=rate_limits)
        self.hub = SocketModeHub(ws.app_id, self._on_ack)
        self.dispatcher = Dispatcher(
            self.hub,
            signing_secret=self.signing_secret,
            events_url=lambda: self._events_url,
            ack_timeout=ack_timeout,
            max_retries=max_retries,
            http_retry_delays=http_retry_delays,
            http_timeout=http_timeout,
            connect_wait=connect_wait,
        )
        self.actions = Actions(ws, self._emit)
        self.api = WebApi(
            ApiContext(
                workspace=ws,
                actions=self.actions,
                rate_limiter=self.rate_limiter,
                bot_token=self.bot_token,
                app_token=self.app_token,
                bot_scopes=list(bot_scopes if bot_scopes is not None else DEFAULT_BOT_SCOPES),
                socket_url=self._socket_url,
                is_stopping=lambda: self._stopping,
            )
        )

    # -- identity and addresses ----------------------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        return self.workspace.team.id

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot_user_id

    @property
    def bot_id(self) -> str:
        return self.workspace.bot_id

    @property
    def app_id(self) -> str:
        return self.workspace.app_id

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("SlackSimulator is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    @property
    def events_url(self) -> str | None:
        """The app's Request URL; used for events whenever no Socket Mode client is connected."""
        return self._events_url

    @events_url.setter
    def events_url(self, url: str | None) -> None:
        self._events_url = url

    def _socket_url(self) -> str:
        ticket = self.hub.issue_ticket()
        return f"ws://{self._host}:{self._port}/link/?ticket={ticket}&app_id={self.app_id}"

    # -- lifecycle -------------------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> SlackSimulator:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("POST", "/api/{method}", self.api.handle)
        app.router.add_route("GET", "/api/{method}", self.api.handle)
        app.router.add_get("/link/", self.hub.handle)
        app.router.add_get("/link", self.hub.handle)
        app.router.add_get("/_sim/health", self._health)
        app.router.add_post("/_sim/post", self._post_as_person)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        self._host, self._port = host, sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        self._stopping = True
        await self.hub.close_all()
        await self.dispatcher.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackSimulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "socket_connections": len(self.hub.connections)})

    async def _post_as_person(self, request: web.Request) -> web.Response:
        """Not a Slack method: lets a person at a terminal say something (form: channel, user, text, thread_ts)."""
        form = await request.post()
        try:
            ts = await self.post_message(
                str(form.get("channel", "")),
                str(form.get("text", "")),
                user=str(form["user"]) if "user" in form else None,
                thread_ts=str(form["thread_ts"]) if "thread_ts" in form else None,
            )
        except SlackError as err:
            return web.json_response(err.body(), status=400)
        return web.json_response({"ok": True, "ts": ts})

    # -- events ------------------------------------------------------------------------------------------------

    async def _emit(self, event: dict[str, Any]) -> None:
        ws = self.workspace
        payload = event_callback(
            event,
            team_id=ws.team.id,
            app_id=ws.app_id,
            bot_user_id=ws.bot_user_id,
            verification_token=self.verification_token,
        )
        await self.dispatcher.dispatch(payload)

    def _on_ack(self, envelope_id: str, message: dict[str, Any]) -> None:
        self.dispatcher.on_ack(envelope_id, message)

    async def deliver(self, payload: dict[str, Any], *, timeout: float | None = None) -> Delivery:
        """Deliver any payload as-is (malformed ones too) and wait until it is acked or out of retries."""
        delivery = await self.dispatcher.dispatch(payload)
        return await delivery.wait(timeout)

    async def verify_url(self, url: str | None = None) -> bool:
        """Send the url_verification challenge to the Request URL; True when the app echoes the challenge."""
        target = url or self._events_url
        if not target:
            raise RuntimeError("no events_url to verify")
        challenge = secrets.token_urlsafe(32)
        body = json.dumps({"token": self.verification_token, "challenge": challenge, "type": "url_verification"})
        status, text = await self.dispatcher.post_signed(target, body.encode())
        if status != 200:
            return False
        try:
            answer = json.loads(text)
        except json.JSONDecodeError:
            return text.strip() == challenge
        return isinstance(answer, dict) and answer.get("challenge") == challenge

    async def request_socket_refresh(self, reason: str = "refresh_requested") -> None:
        """Ask connected Socket Mode clients to reconnect, as Slack does periodically."""
        await self.hub.request_refresh(reason)

    @property
    def socket_connections(self) -> int:
        return sum(1 for c in self.hub.connections if not c.ws.closed)

    # -- acting as people and integrations ---------------------------------------------------------------------

    def _person(self, ref: str | None, channel: Channel | None = None) -> User:
        ws = self.workspace
        if ref is None:
            members = [ws.users[u] for u in channel.members if u in ws.users] if channel else []
            candidates = [u for u in members if not u.is_bot] or ws.humans()
            if not candidates:
                raise SlackError("user_not_found")
            return candidates[0]
        user = ws.find_user(ref)
        if user is None:
            raise SlackError("user_not_found")
        return user

    async def post_message(
        self,
        channel: str,
        text: str = "",
        *,
        user: str | None = None,
        username: str | None = None,
        bot_id: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        subtype: str | None = None,
        files: list[dict[str, Any]] | None = None,
        reply_broadcast: bool = False,
        icon_emoji: str | None = None,
    ) -> str:
        """Post as a person (`user`: ID, name or email; default the channel's first human member) or, with
        `bot_id`/`username`, as an integration (subtype bot_message). Returns the new message's ts."""
        ws = self.workspace
        ch = ws.channel(channel)
        if not text and not blocks and not attachments and not files:
            raise SlackError("no_text")
        if thread_ts is not None and thread_ts not in ch.messages:
            raise SlackError("thread_not_found")
        broadcast = reply_broadcast or subtype == "thread_broadcast"
        if broadcast and not thread_ts:
            raise SlackError("invalid_thread_ts")
        icons = {"emoji": icon_emoji} if icon_emoji else None
        if user is None and (bot_id or username):
            bot = (
                ws.bots.get(bot_id)
                if bot_id
                else next((b for b in ws.bots.values() if b.name == username and b.user_id is None), None)
            )
            if bot is None:
                bot = ws.bots[ws.create_bot(username or "bot", bot_id=bot_id)]
            message = self.actions.integration_message(
                bot, text, username=username, blocks=blocks, attachments=attachments, icons=icons
            )
            if subtype and subtype not in ("bot_message", "thread_broadcast"):
                message["subtype"] = subtype
        else:
            person = self._person(user, ch)
            if person.id not in ch.members:
                if ch.is_im or ch.is_mpim:
                    raise SlackError("not_in_channel")
                ch.members.append(person.id)  # people post where they are; join silently
            if person.is_bot and person.bot_id in ws.bots:
                message = self.actions.app_message(ws.bots[person.bot_id], text, blocks=blocks, attachments=attachments)
            else:
                message = self.actions.user_message(
                    person,
                    text,
                    blocks=blocks,
                    attachments=attachments,
                    files=files,
                    subtype=subtype if subtype not in (None, "thread_broadcast") else None,
                )
        stored = await self.actions.post(ch, message, thread_ts=thread_ts, broadcast=broadcast)
        return stored["ts"]

    async def edit_message(
        self, channel: str, ts: str, text: str, *, blocks: list[dict[str, Any]] | None = None, user: str | None = None
    ) -> None:
        """Edit as the author (or `user`): message_changed."""
        ch = self.workspace.channel(channel)
        message = self.workspace.message(ch, ts)
        editor = user or message.get("user") or self.workspace.bot_user_id
        await self.actions.edit(ch, ts, editor=editor, text=text, blocks=blocks)

    async def delete_message(self, channel: str, ts: str) -> None:
        """message_deleted (a thread parent with replies becomes a tombstone: message_changed)."""
        await self.actions.delete(self.workspace.channel(channel), ts)

    async def add_reaction(self, channel: str, ts: str, user: str, name: str) -> None:
        await self.actions.react(self.workspace.channel(channel), ts, self._person(user).id, name.strip(":"))

    async def remove_reaction(self, channel: str, ts: str, user: str, name: str) -> None:
        await self.actions.unreact(self.workspace.channel(channel), ts, self._person(user).id, name.strip(":"))

    async def invite_bot(self, channel: str, *, inviter: str | None = None) -> None:
        """A person invites the bot: member_joined_channel (to the bot itself) and the channel_join message."""
        ch = self.workspace.channel(channel)
        who = self._person(inviter, ch).id
        await self.actions.join(ch, self.workspace.bot_user_id, inviter=who)

    async def join_channel(self, channel: str, user: str, *, inviter: str | None = None) -> None:
        """A person joins (member_joined_channel if the bot is there)."""
        await self.actions.join(self.workspace.channel(channel), self._person(user).id, inviter=inviter)

    async def rename_channel(self, channel: str, new_name: str, *, user: str | None = None) -> None:
        ch = self.workspace.channel(channel)
        await self.actions.rename(ch, new_name, self._person(user, ch).id)

    async def archive_channel(self, channel: str, *, user: str | None = None) -> None:
        ch = self.workspace.channel(channel)
        await self.actions.archive(ch, self._person(user, ch).id)

    # -- observing -----------------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        return self.api.ctx.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def deliveries(self) -> list[Delivery]:
        return self.dispatcher.deliveries

    @property
    def ephemeral_messages(self) -> list[dict[str, Any]]:
        return self.api.ctx.ephemeral

    def force_rate_limit(self, method: str, count: int, retry_after: int = 1) -> None:
        self.rate_limiter.force(method, count, retry_after)

    def delay_responses(self, method: str, seconds: float) -> None:
        """Answer `method` calls `seconds` late, after they took effect (0 stops it): a client that dies while
        waiting has done the work without learning so."""
        self.api.ctx.response_delays[method] = seconds

    def lose_responses(self, method: str, count: int = 1, *, how: LostAnswer = "500") -> None:
        """The answers to the next `count` calls of `method` (past auth and rate limits) go missing. "500" and
        "drop": the call takes effect, then Slack answers HTTP 500 fatal_error or closes the connection unanswered;
        "503": the call never reaches the method (HTTP 503 service_unavailable). The caller cannot tell which
        happened. Faults queue up, so kinds can be mixed in any order."""
        self.api.ctx.lost_answers.setdefault(method, deque()).extend([how] * count)

    def messages(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """A conversation's top-level messages (or one thread, parent first), oldest first, as stored now."""
        ch = self.workspace.channel(channel)
        if thread_ts is None:
            return [public_view(m) for m in ch.top_level()]
        parent = ch.messages.get(thread_ts)
        return ([public_view(parent)] if parent else []) + [public_view(m) for m in ch.replies(thread_ts)]

    def bot_messages(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Messages the bot posted, as they are now (updates applied, deleted ones gone), oldest first; each with
        its `channel`."""
        ws = self.workspace
        channels = [ws.channel(channel)] if channel else list(ws.channels.values())
        out = []
        for ch in channels:
            for _, ts in ch.order:
                m = ch.messages[ts]
                if m.get("bot_id") != ws.bot_id:
                    continue
                if thread_ts is not None and m.get("thread_ts") != thread_ts:
                    continue
                out.append({**public_view(m), "channel": ch.id})
        return sorted(out, key=lambda m: m["ts"])

    async def wait_for(
        self,
        predicate: Callable[[], bool | Awaitable[bool]],
        timeout: float = 10,
        interval: float = 0.02,
        message: str | None = None,
    ) -> None:
        """Poll `predicate` until it is true; TimeoutError (with what the bot did meanwhile) when it never is."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_report(predicate, timeout, message))
            await asyncio.sleep(interval)

    async def wait_for_bot_messages(
        self, count: int = 1, *, channel: str | None = None, thread_ts: str | None = None, timeout: float = 10
    ) -> list[dict[str, Any]]:
        await self.wait_for(
            lambda: len(self.bot_messages(channel, thread_ts)) >= count,
            timeout,
            message=f"{count} bot message(s) in {channel or 'any channel'}"
            + (f" thread {thread_ts}" if thread_ts else ""),
        )
        return self.bot_messages(channel, thread_ts)

    async def idle(self, timeout: float = 30) -> None:
        """Wait until every event delivery so far has finished."""
        await self.dispatcher.idle(timeout)

    def _timeout_report(self, predicate: Callable[..., Any], timeout: float, message: str | None) -> str:
        what = message or getattr(predicate, "__qualname__", repr(predicate))
        try:
            source = inspect.getsource(predicate).strip()
            if len(source) < 300:
                what += f" [{source}]"
        except (OSError, TypeError):
            pass
        lines = [f"condition not met within {timeout}s: {what}"]
        lines.append(f"socket connections: {self.socket_connections}; events_url: {self._events_url}")
        recent_calls = self.calls[-10:]
        lines.append(f"Web API calls ({len(self.calls)} total, last {len(recent_calls)}):")
        lines += [f"  {c.method} -> {c.status} {c.error or 'ok'} {json.dumps(c.params)[:160]}" for c in recent_calls]
        recent = self.deliveries[-10:]
        lines.append(f"event deliveries ({len(self.deliveries)} total, last {len(recent)}):")
        lines += [
            f"  {d.event_type} {d.event_id} mode={d.mode} attempts={len(d.attempts)} acked={d.acked} "
            f"done={d.done} error={d.error}"
            for d in recent
        ]
        bot = self.bot_messages()[-5:]
        lines.append(f"bot messages ({len(self.bot_messages())} total, last {len(bot)}):")
        lines += [f"  {m['channel']} {m['ts']} {m.get('text', '')[:100]!r}" for m in bot]
        return "\n".join(lines)
