"""A stand-in for OpenAI's chat completions endpoint (`POST /v1/chat/completions`, non-streaming) that answers
from a script.

A test appends what the next requests get to `script`: `text(...)`, `tool_calls(...)` (OpenAI's format, arguments
as a JSON string, or any string for garbage), `rate_limited(retry_after)`, `server_error()`, `slow(seconds)` (no
answer until the client has given up) or `not_json()`; `otherwise` is what every request gets once the script is
used up (by default OpenAI's 400). Every request body is kept in `requests`, in order, before anything else happens
to it. A request OpenAI itself would refuse (a `tool` message that answers no tool call, a tool call left
unanswered, streaming, which this stub does not do) gets OpenAI's 400 and takes nothing from the script.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ORPHAN_TOOL_MESSAGE = "preceeding message with 'tool_calls'."  # OpenAI's spelling


@dataclass
class Scripted:
    """One scripted answer: a status, a body (JSON unless it is a string), headers, and a wait before sending."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def _error(status: int, message: str, kind: str, code: str | None = None, param: str | None = None) -> Scripted:
    return Scripted(status, {"error": {"message": message, "type": kind, "param": param, "code": code}})


def _completion(message: dict[str, Any], finish_reason: str, usage: tuple[int, int]) -> Scripted:
    """The fields besides `choices` and `usage` are filled in per request (id, created, model)."""
    prompt, completion = usage
    return Scripted(
        body={
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
            "system_fingerprint": "fp_stub",
        }
    )


def text(content: str, *, usage: tuple[int, int] = (1200, 40)) -> Scripted:
    """A final assistant answer; `usage` is (prompt_tokens, completion_tokens)."""
    return _completion({"role": "assistant", "content": content, "refusal": None}, "stop", usage)


def tool_calls(*calls: tuple[str, dict[str, Any] | str], usage: tuple[int, int] = (900, 25)) -> Scripted:
    """Tool calls as (name, arguments); a dict is sent as its JSON string, a string as it is (garbage included)."""
    message = {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "tool_calls": [
            {
                "id": f"call_stub{index}",
                "type": "function",
                "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
            }
            for index, (name, args) in enumerate(calls)
        ],
    }
    return _completion(message, "tool_calls", usage)


def rate_limited(retry_after: int = 1) -> Scripted:
    answer = _error(
        429, "Rate limit reached for requests per min (RPM). Please try again in 1s.", "requests", "rate_limit_exceeded"
    )
    answer.headers = {"Retry-After": str(retry_after), "x-ratelimit-remaining-requests": "0"}
    return answer


def server_error() -> Scripted:
    return _error(500, "The server had an error while processing your request. Sorry about that!", "server_error")


def slow(seconds: float) -> Scripted:
    """No answer for `seconds` (then a plain one, which a client that timed out never reads)."""
    answer = text("too late")
    answer.delay = seconds
    return answer


def not_json() -> Scripted:
    return Scripted(200, "<html><body>502 Bad Gateway</body></html>", {"Content-Type": "application/json"})


def _refusal(body: Any) -> str | None:
    """Why OpenAI would answer this request with a 400, or None."""
    if not isinstance(body, dict) or not body.get("model") or not body.get("messages"):
        return "you must provide a model parameter and a non-empty messages array"
    if body.get("stream"):
        return "the stub does not stream"
    pending: set[str] = set()
    for message in body["messages"]:
        if message.get("role") == "tool":
            if message.get("tool_call_id") not in pending:
                return f"Invalid parameter: messages with role 'tool' must be a response to a {ORPHAN_TOOL_MESSAGE}"
            pending.discard(message["tool_call_id"])
            continue
        if pending:
            break
        pending = {call["id"] for call in message.get("tool_calls") or []}
    if pending:
        return (
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(sorted(pending))}"
        )
    return None


class OpenAIStub:
    def __init__(self) -> None:
        self.script: list[Scripted] = []
        self.otherwise: Scripted | None = None
        self.requests: list[Any] = []  # each body as JSON, or as text when it was not JSON
        self.url = ""  # the base URL clients are given, ending in /v1
        self._ids = itertools.count(1)
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        self._runner = web.AppRunner(app)

    async def __aenter__(self) -> OpenAIStub:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()  # ends slow answers still waiting, so shutting down never waits for them
        await self._runner.cleanup()

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.text()
        try:
            body: Any = json.loads(raw)
        except json.JSONDecodeError:
            body = raw
        self.requests.append(body)
        refusal = _refusal(body)
        answer = None if refusal else self.script.pop(0) if self.script else self.otherwise
        if answer is None:
            answer = _error(400, refusal or "the stub's script is empty", "invalid_request_error", param="messages")
        if answer.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), answer.delay)
        if isinstance(answer.body, str):
            return web.Response(status=answer.status, text=answer.body, headers=answer.headers)
        payload = answer.body
        if "choices" in payload:
            payload = {"id": f"chatcmpl-stub{next(self._ids)}", "created": 1795500000, "model": body["model"]} | payload
        return web.json_response(payload, status=answer.status, headers=answer.headers)
