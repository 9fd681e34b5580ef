"""The HTTP side of `ratchet serve`: Slack events (HTTP mode), health and version. The JSON API joins it later."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from ratchet import __version__
from ratchet.bot import Bot, running_bot
from ratchet.config import Settings
from ratchet.storage import database

log = logging.getLogger(__name__)


def create_app(bot: Bot) -> FastAPI:
    """The HTTP app of a running bot."""
    app = FastAPI(title="ratchet", version=__version__)
    app.state.bot = bot
    app.state.slack_handler = AsyncSlackRequestHandler(bot.app)

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        bot: Bot = request.app.state.bot
        if bot.mode != "http":
            raise HTTPException(404, "events arrive over Socket Mode; set RATCHET_SLACK_SIGNING_SECRET for HTTP")
        return await request.app.state.slack_handler.handle(request)

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        bot: Bot = request.app.state.bot
        try:
            await database.ping(bot.runtime.pool, timeout=5)
        except Exception as error:
            return JSONResponse({"status": "unhealthy", "database": str(error)}, status_code=503)
        return JSONResponse({"status": "ok", "events": bot.mode})

    @app.get("/version")
    async def version() -> dict[str, str]:
        return {"version": __version__}

    return app


class _Server(uvicorn.Server):
    """uvicorn stops on SIGINT/SIGTERM and then re-raises the signal, killing the process before the bot has
    shut down; this one only stops, and the caller shuts the bot down and exits normally."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def serve(settings: Settings) -> None:
    """`ratchet serve`: run the bot and its HTTP server until SIGINT or SIGTERM."""
    started = False
    try:
        async with running_bot(settings) as bot:
            started = True
            config = uvicorn.Config(
                create_app(bot), host=settings.http_host, port=settings.http_port, log_config=None, lifespan="off"
            )
            await _Server(config).serve()
    finally:
        if started:
            log.info("ratchet stopped")
