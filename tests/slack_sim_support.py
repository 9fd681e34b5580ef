"""Helpers for the Slack simulator tests: a bare Socket Mode app on a raw websocket, and the specs' JSON schemas."""

from __future__ import annotations

import asyncio
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import SlackSimulator

DATA = Path(__file__).parent / "data"
SPECS = DATA / "slack-api-specs"
EVENTS = DATA / "slack_events"


class RawSocketApp:
    """An app on a plain aiohttp websocket: sees every frame Slack sends, acks only when told to."""

    def __init__(self, sim: SlackSimulator, *, auto_ack: bool = True) -> None:
        self.sim = sim
        self.auto_ack = auto_ack
        self.hello: dict[str, Any] | None = None
        self.envelopes: list[dict[str, Any]] = []
        self._session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> RawSocketApp:
        client = AsyncWebClient(base_url=self.sim.api_url)
        opened = await client.apps_connections_open(app_token=self.sim.app_token)
        self._session = aiohttp.ClientSession()
        self.ws = await self._session.ws_connect(opened["url"], autoping=False)
        first = await self.ws.receive(timeout=5)
        self.hello = json.loads(first.data)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                envelope = json.loads(msg.data)
                self.envelopes.append(envelope)
                if self.auto_ack and "envelope_id" in envelope:
                    await self.ack(envelope["envelope_id"])

    async def ack(self, envelope_id: str) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps({"envelope_id": envelope_id}))

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [e["payload"] for e in self.envelopes if e.get("type") == "events_api"]

    def events(self, type_: str | None = None, subtype: str | None = None) -> list[dict[str, Any]]:
        out = [p["event"] for p in self.payloads if isinstance(p.get("event"), dict)]
        if type_ is not None:
            out = [e for e in out if e.get("type") == type_]
        if subtype is not None:
            out = [e for e in out if e.get("subtype") == subtype]
        return out

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self._session is not None:
            await self._session.close()


def bolt_fixture(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / "bolt-python" / name).read_text())


@cache
def _web_api_spec() -> dict[str, Any]:
    spec = json.loads((SPECS / "web-api" / "slack_web_openapi_v2.json").read_text())
    _unionize(spec)
    _apply_errata(spec)
    return spec


def _unionize(node: Any) -> None:
    """Slack's changelog: 'expressing the oneOf instruction is difficult and we replace this nuance with the generic
    items'. So `items: [A, B]` on a schema that is not an array means anyOf [A, B]."""
    if isinstance(node, dict):
        if isinstance(node.get("items"), list) and node.get("type") != "array":
            node["anyOf"] = node.pop("items")
        for value in node.values():
            _unionize(value)
    elif isinstance(node, list):
        for value in node:
            _unionize(value)


# Where the 2021 spec contradicts Slack's own examples and today's responses. Each entry: (what, why).
SPEC_ERRATA = [
    (
        "objs_message: allow app_id, edited, is_locked, metadata",
        "chat.postMessage by an app returns app_id; edited messages carry edited; thread parents carry is_locked",
    ),
    (
        "objs_message.attachments: allow any attachment field",
        "the spec's own chat.postMessage example has an attachment with `text`, which its schema forbids",
    ),
    ("chat.update message.blocks: an array", "declared `object`, but blocks are an array everywhere else in the spec"),
    (
        "conversations.history: allow response_metadata",
        "the schema forbids it, yet the spec's own example pages with response_metadata.next_cursor",
    ),
    (
        "conversations.replies messages: allow every message field",
        "parent/reply shapes forbid blocks, bot_id, reactions... that replies carry like any message",
    ),
]


def _apply_errata(spec: dict[str, Any]) -> None:
    defs = spec["definitions"]
    message = defs["objs_message"]
    message["properties"].update(
        app_id={"$ref": "#/definitions/defs_app_id"},
        edited={"type": "object", "required": ["user", "ts"]},
        is_locked={"type": "boolean"},
        metadata={"type": "object"},
    )
    message["properties"]["attachments"]["items"]["additionalProperties"] = True
    update = spec["paths"]["/chat.update"]["post"]["responses"]["200"]["schema"]
    update["properties"]["message"]["properties"]["blocks"] = {"$ref": "#/definitions/blocks"}
    history = spec["paths"]["/conversations.history"]["get"]["responses"]["200"]["schema"]
    history["properties"]["response_metadata"] = {"$ref": "#/definitions/objs_response_metadata"}
    replies = spec["paths"]["/conversations.replies"]["get"]["responses"]["200"]["schema"]
    for shape in replies["properties"]["messages"]["items"]["anyOf"]:
        for key, value in message["properties"].items():
            shape["properties"].setdefault(key, copy.deepcopy(value))


def _path(method: str) -> dict[str, Any]:
    ops = _web_api_spec()["paths"][f"/{method}"]
    return next(iter(ops.values()))


def response_errors(method: str, body: dict[str, Any], status: str = "200") -> list[str]:
    """Schema violations of a Web API response against the spec ("200" success or "default" error schema)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = dict(_path(method)["responses"][status]["schema"])
    schema.pop("example", None)
    schema["definitions"] = _web_api_spec()["definitions"]
    validator = jsonschema.Draft4Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(body)]


def event_wrapper_errors(payload: dict[str, Any]) -> list[str]:
    """Violations of the Events API's common wrapper schema (authed_users, deprecated, is not required)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SPECS / "events-api" / "slack_common_event_wrapper_schema.json").read_text())
    schema["required"] = [r for r in schema["required"] if r != "authed_users"]
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(payload)]
