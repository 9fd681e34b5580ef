"""The Web API at POST|GET /api/<method>: auth, scopes, rate limits, arguments from the query string, a form or a
JSON body (slack_sdk uses all three), and a record of every call. The methods themselves are in methods.py."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from ratchet.slack_sim.actions import Actions
from ratchet.slack_sim.errors import SlackError
from ratchet.slack_sim.ids import is_ts, ts_to_us
from ratchet.slack_sim.rate_limits import RateLimiter
from ratchet.slack_sim.workspace import Channel, Workspace

log = logging.getLogger(__name__)

DEFAULT_BOT_SCOPES = [
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "mpim:history",
    "mpim:read",
    "mpim:write",
    "reactions:read",
    "reactions:write",
    "team:read",
    "users:read",
    "users:read.email",
]
SCOPE_PREFIX = {"channel": "channels", "group": "groups", "im": "im", "mpim": "mpim"}
# Slack: "The server could not complete your operation(s) without encountering a catastrophic error. It's possible
# some aspect of the operation succeeded before the error was raised."
FATAL_ERROR: dict[str, Any] = {"ok": False, "error": "fatal_error"}
SERVICE_UNAVAILABLE: dict[str, Any] = {"ok": False, "error": "service_unavailable"}
# How a call's answer can go missing: the method acted, then HTTP 500 with fatal_error ("500") or the connection
# closed unanswered ("drop"); or the method never ran, HTTP 503 with service_unavailable ("503").
LostAnswer = Literal["500", "drop", "503"]


class ApiCall(BaseModel):
    """One recorded Web API call (the token itself is never recorded)."""

    method: str
    http_method: str
    content_type: str
    arguments_in: list[str]  # where the arguments came from: "query", "form", "json"
    params: dict[str, Any]
    token_type: str | None
    status: int
    response: dict[str, Any]
    timestamp: float
    lost: LostAnswer | None = None  # how the answer went missing; status and response are what the method did

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


class Params:
    """Method arguments, whichever way they came; JSON values may be lists/bools, form values are strings."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes")

    def number(self, name: str, default: int, *, error: str = "invalid_limit") -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError(error) from None

    def json_list(self, name: str, *, error: str) -> list[Any] | None:
        """blocks/attachments: a JSON array, or a string holding one (form-encoded)."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise SlackError(error) from None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise SlackError(error)
        return value

    def json_object(self, name: str) -> dict[str, Any] | None:
        value = self.values.get(name)
        if isinstance(value, str) and value:
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise SlackError("invalid_metadata_format") from None
        return value if isinstance(value, dict) else None


def encode_cursor(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def decode_cursor(cursor: str, prefix: str) -> str:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SlackError("invalid_cursor") from None
    if not raw.startswith(prefix):
        raise SlackError("invalid_cursor")
    return raw[len(prefix) :]


def paginate(
    items: list[Any], key: Callable[[Any], str], cursor: str | None, prefix: str, limit: int
) -> tuple[list[Any], str]:
    """Cursor pagination over a stable list: the cursor names the first item of the next page."""
    start = 0
    if cursor:
        wanted = decode_cursor(cursor, prefix)
        keys = [key(i) for i in items]
        if wanted not in keys:
            raise SlackError("invalid_cursor")
        start = keys.index(wanted)
    page = items[start : start + limit]
    rest = items[start + limit :]
    return page, encode_cursor(prefix + key(rest[0])) if rest else ""


@dataclass
class ApiContext:
    workspace: Workspace
    actions: Actions
    rate_limiter: RateLimiter
    bot_token: str
    app_token: str
    bot_scopes: list[str]
    socket_url: Callable[[], str]
    is_stopping: Callable[[], bool]
    calls: list[ApiCall] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    response_delays: dict[str, float] = field(default_factory=dict)  # method -> seconds, applied after the work
    lost_answers: dict[str, deque[LostAnswer]] = field(default_factory=dict)  # method -> its next calls' lost answers


Handler = Callable[["WebApi", Params], Awaitable[dict[str, Any]]]
_HANDLERS: dict[str, tuple[Handler, str]] = {}


def method(name: str, token: str = "bot") -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = (fn, token)
        return fn

    return register


def _handlers() -> dict[str, tuple[Handler, str]]:
    from ratchet.slack_sim import methods  # noqa: F401  (registers the handlers)

    return _HANDLERS


def implemented_methods() -> list[str]:
    return sorted(_handlers())


class WebApi:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.ws = ctx.workspace
        self.actions = ctx.actions

    # -- HTTP --------------------------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info.get("method", "")
        started = time.time()
        content_type = request.headers.get("Content-Type", "")
        values: dict[str, Any] = {}
        sources: list[str] = []
        token_type: str | None = None
        headers: dict[str, str] = {"X-Slack-Req-Id": uuid.uuid4().hex}
        status = 200
        lost: LostAnswer | None = None
        try:
            values = await self._arguments(request, sources)
            token = self._token(request, values)
            entry = _handlers().get(name)
            if entry is None:
                raise SlackError("unknown_method", req_method=name)
            handler, wanted = entry
            token_type = self._auth(token, wanted)
            if token_type == "bot":
                headers["X-OAuth-Scopes"] = ",".join(self.ctx.bot_scopes)
            key = self._channel_key(values) if name == "chat.postMessage" else ""
            retry_after = self.ctx.rate_limiter.check(name, key)
            lost = None if retry_after is not None else self._take_lost_answer(name)
            if retry_after is not None:
                status = 429
                headers["Retry-After"] = str(retry_after)
                body: dict[str, Any] = {"ok": False, "error": "ratelimited"}
            elif lost == "503":
                status, body = 503, SERVICE_UNAVAILABLE
            else:
                body = await handler(self, Params(values))
                if delay := self.ctx.response_delays.get(name):
                    await asyncio.sleep(delay)  # the call took effect; its answer is late (a slow or lost response)
        except SlackError as err:
            body = err.body()
        except Exception:  # a bug in the simulator must not take the server down
            log.exception("slack_sim: %s failed", name)
            status, body = 500, FATAL_ERROR
        self.ctx.calls.append(
            ApiCall(
                method=name,
                http_method=request.method,
                content_type=content_type.split(";")[0],
                arguments_in=sources,
                params=values,
                token_type=token_type,
                status=status,
                response=body,
                timestamp=started,
                lost=lost,
            )
        )
        if lost == "drop" and request.transport is not None:
            request.transport.close()  # aiohttp takes the response written below for a client that went away
        if lost == "500":
            status, body = 500, FATAL_ERROR
        return web.json_response(body, status=status, headers=headers)

    def _take_lost_answer(self, name: str) -> LostAnswer | None:
        queued = self.ctx.lost_answers.get(name)
        return queued.popleft() if queued else None

    async def _arguments(self, request: web.Request, sources: list[str]) -> dict[str, Any]:
        """Query string, then the body (JSON or form); `sources` gets where arguments were found."""
        values: dict[str, Any] = dict(request.query)
        if values:
            sources.append("query")
        if request.method != "POST" or not request.body_exists:
            return values
        if request.content_type == "application/json":
            try:
                data = json.loads(await request.text())
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise SlackError("invalid_json") from None
            if not isinstance(data, dict):
                raise SlackError("json_not_object")
            data.pop("token", None)  # Slack takes the token of a JSON request from the Authorization header only
            values.update(data)
            sources.append("json")
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = await request.post()
            except (ValueError, UnicodeDecodeError):
                raise SlackError("invalid_form_data") from None
            if form:
                sources.append("form")
            values.update({k: v for k, v in form.items() if isinstance(v, str)})
        elif request.content_type not in ("", "application/octet-stream", "text/plain"):
            raise SlackError("invalid_post_type")
        return values

    def _channel_key(self, values: dict[str, Any]) -> str:
        """chat.postMessage is limited per channel, however the channel was named."""
        ref = str(values.get("channel", ""))
        channel = self.ws.find_channel(ref) if ref else None
        return channel.id if channel is not None else ref

    def _token(self, request: web.Request, values: dict[str, Any]) -> str | None:
        auth = request.headers.get("Authorization", "")
        param = values.pop("token", None)
        if auth.lower().startswith("bearer "):
            return auth[7:].strip() or None
        return str(param) if param else None

    def _auth(self, token: str | None, wanted: str) -> str:
        if not token:
            raise SlackError("not_authed")
        kind = "bot" if token == self.ctx.bot_token else "app" if token == self.ctx.app_token else None
        if kind is None:
            raise SlackError("invalid_auth")
        if kind != wanted:
            raise SlackError("not_allowed_token_type")
        return kind

    # -- helpers -----------------------------------------------------------------------------------------------

    def require_scope(self, scope: str) -> None:
        if scope not in self.ctx.bot_scopes:
            raise SlackError("missing_scope", needed=scope, provided=",".join(self.ctx.bot_scopes))

    def require_channel_scope(self, channel: Channel, action: str) -> None:
        self.require_scope(f"{SCOPE_PREFIX[channel.channel_type]}:{action}")

    def channel_param(self, p: Params, name: str = "channel") -> Channel:
        ref = p.text(name)
        if not ref:
            raise SlackError("channel_not_found")
        return self.ws.bot_channel(ref)

    def member_channel(self, p: Params) -> Channel:
        channel = self.channel_param(p)
        if self.ws.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def post_target(self, p: Params) -> Channel:
        """chat.postMessage/postEphemeral take a channel ID, a #name, or a user ID (the DM with that user)."""
        ref = p.text("channel")
        if not ref:
            raise SlackError("channel_not_found")
        if ref in self.ws.users and ref != self.ws.bot_user_id:
            return self.ws.channels[self.ws.open_dm(ref)]
        channel = self.ws.find_channel(ref)
        if channel is None or not self.ws.visible_to_bot(channel):
            raise SlackError("channel_not_found")
        if channel.is_archived:
            raise SlackError("is_archived")
        public = not (channel.is_private or channel.is_im or channel.is_mpim)
        if self.ws.bot_user_id not in channel.members and not (public and "chat:write.public" in self.ctx.bot_scopes):
            raise SlackError("not_in_channel")
        return channel

    def content(self, p: Params) -> tuple[str, list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        text = p.text("text") or ""
        blocks = p.json_list("blocks", error="invalid_blocks")
        attachments = p.json_list("attachments", error="invalid_attachments")
        if attachments is not None and len(attachments) > 100:
            raise SlackError("too_many_attachments")
        return text, blocks, attachments

    def message_param(self, p: Params, channel: Channel, name: str) -> dict[str, Any]:
        ts = p.text(name)
        if not ts:
            raise SlackError("message_not_found")
        if not is_ts(ts):
            raise SlackError("message_not_found")
        return self.ws.message(channel, ts)

    @staticmethod
    def time_window(p: Params) -> Callable[[str], bool]:
        inclusive = p.flag("inclusive")
        oldest_s, latest_s = p.text("oldest"), p.text("latest")
        try:
            oldest = ts_to_us(oldest_s) if oldest_s else 0
        except ValueError:
            raise SlackError("invalid_ts_oldest") from None
        try:
            latest = ts_to_us(latest_s) if latest_s else None
        except ValueError:
            raise SlackError("invalid_ts_latest") from None

        def inside(ts: str) -> bool:
            key = ts_to_us(ts)
            above = key >= oldest if inclusive else key > oldest
            below = latest is None or (key <= latest if inclusive else key < latest)
            return above and below

        return inside

    def own_message(self, message: dict[str, Any]) -> bool:
        return message.get("bot_id") == self.ws.bot_id or message.get("user") == self.ws.bot_user_id
