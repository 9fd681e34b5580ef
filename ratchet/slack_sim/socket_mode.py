"""Socket Mode: the websocket endpoint that apps.connections.open hands out.

Each connection gets a `hello`; envelopes go out round-robin over the open connections and the app acks each with
`{"envelope_id": ...}`. aiohttp answers ping frames with pongs (slack_sdk's client pings every few seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 10  # Slack allows up to 10 simultaneous connections per app
TICKET_TTL = 30.0


@dataclass
class SocketConnection:
    id: str
    ws: web.WebSocketResponse
    opened_at: float = field(default_factory=time.time)
    received: list[dict[str, Any]] = field(default_factory=list)


class SocketModeHub:
    def __init__(self, app_id: str, on_ack: Callable[[str, dict[str, Any]], None]) -> None:
        self.app_id = app_id
        self._on_ack = on_ack
        self._tickets: dict[str, float] = {}
        self.connections: list[SocketConnection] = []
        self._rr = itertools.count()
        self._serial = itertools.count(1)
        self.closing = False
        self.ignored_frames: list[str] = []  # text frames that were not acks (not JSON, or no envelope_id)

    def issue_ticket(self) -> str:
        ticket = secrets.token_hex(16)
        self._tickets[ticket] = time.monotonic() + TICKET_TTL
        return ticket

    def _ticket_ok(self, ticket: str | None) -> bool:
        expires = self._tickets.get(ticket or "")
        return expires is not None and expires >= time.monotonic()

    @property
    def connected(self) -> bool:
        return any(not c.ws.closed for c in self.connections)

    def next_connection(self) -> SocketConnection | None:
        live = [c for c in self.connections if not c.ws.closed]
        if not live:
            return None
        return live[next(self._rr) % len(live)]

    async def send(self, connection: SocketConnection, message: dict[str, Any]) -> bool:
        try:
            await connection.ws.send_str(json.dumps(message))
        except (ConnectionError, RuntimeError) as exc:
            log.debug("socket send to %s failed: %s", connection.id, exc)
            return False
        return True

    def _debug_info(self) -> dict[str, Any]:
        return {"host": "applink-sim-1", "build_number": 1, "approximate_connection_time": 18060}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /link/?ticket=...: the websocket an app connects to."""
        if self.closing:
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        if not self._ticket_ok(request.query.get("ticket")):
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = SocketConnection(id=f"sim-{next(self._serial)}", ws=ws)
        live = [c for c in self.connections if not c.ws.closed]
        if len(live) >= MAX_CONNECTIONS:
            await ws.send_str(
                json.dumps({"type": "disconnect", "reason": "too_many_websockets", "debug_info": self._debug_info()})
            )
            await ws.close()
            return ws
        try:
            hello = {
                "type": "hello",
                "num_connections": len(live) + 1,
                "debug_info": self._debug_info(),
                "connection_info": {"app_id": self.app_id},
            }
            await ws.send_str(json.dumps(hello))
            self.connections.append(conn)  # only now: no envelope may go out before the hello
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(conn, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    log.debug("socket %s error: %s", conn.id, ws.exception())
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(ValueError):
                self.connections.remove(conn)
        return ws

    def _on_text(self, conn: SocketConnection, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            self.ignored_frames.append(data)
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            self.ignored_frames.append(data)
            return
        conn.received.append(message)
        self._on_ack(message["envelope_id"], message)

    async def request_refresh(self, reason: str = "refresh_requested") -> None:
        """Tell every client to reconnect, as Slack does every few hours (`disconnect` message, then close)."""
        for conn in list(self.connections):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.send_str(
                    json.dumps({"type": "disconnect", "reason": reason, "debug_info": self._debug_info()})
                )

    async def close_all(self) -> None:
        self.closing = True
        for conn in list(self.connections):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.close(code=1001, message=b"server shutdown")
        self.connections.clear()
