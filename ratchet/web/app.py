"""The HTTP side of `ratchet serve`: Slack events (HTTP mode), liveness, readiness and version. The JSON API joins
it later.

Anyone can send anything to `/slack/events`, so nothing reads a request as JSON before its signature is verified:
the body is read in chunks up to MAX_EVENT_BYTES, its signature checked on the raw bytes, and only then is it parsed
and handed to bolt. A request refused on the way gets a 4xx and one DEBUG line, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from ratchet import __version__
from ratchet.bot import Bot, running_bot
from ratchet.config import Settings
from ratchet.storage import database

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 1024 * 1024  # Slack's event payloads are a few KB; a message's text is at most 40,000 characters
DATABASE_PING_SECONDS = 5.0


class Refused(Exception):
    """A request to /slack/events that gets a 4xx, and why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class RawBodyVerifier(SignatureVerifier):
    """slack_sdk's verifier, signing the body's bytes as they came: the SDK's own decodes them as UTF-8 first and
    raises on a body that is not, which must fail as a bad signature (or, signed, as an unreadable body)."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str:
        raw = body.encode() if isinstance(body, str) else body
        digest = hmac.new(self.signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256)
        return f"v0={digest.hexdigest()}"


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and given up on as soon as it is larger than `limit` bytes."""
    too_large = Refused(413, f"the body is larger than {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def verify_signature(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> None:
    timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    try:
        valid = verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number
        valid = False
    if not valid:
        raise Refused(401, "the signature is missing, stale or wrong")


def check_payload(body: bytes, headers: Mapping[str, str]) -> None:
    """The body must be what bolt can read: a UTF-8 JSON object (or a form carrying one, as interactions are)."""
    try:
        payload = parse_body(body.decode("utf-8"), headers.get("content-type", "").partition(";")[0])
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    except (ValueError, RecursionError):  # bad JSON, an integer too long to convert, nesting too deep
        raise Refused(400, "the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise Refused(400, "the body is not a JSON object")


async def readiness_problems(bot: Bot) -> dict[str, str]:
    """What keeps the bot from doing its work now, by part; empty when it is ready."""
    problems: dict[str, str] = {}
    try:
        await database.ping(bot.runtime.pool, timeout=DATABASE_PING_SECONDS)
    except Exception as error:
        problems["database"] = str(error) or type(error).__name__
    if stopped := bot.workers.stopped_tasks():
        problems["workers"] = f"not running: {', '.join(stopped)}"
    if not await bot.slack_connected():
        problems["slack"] = "the Socket Mode connection is down"
    return problems


def create_app(bot: Bot) -> FastAPI:
    """The HTTP app of a running bot."""
    app = FastAPI(title="ratchet", version=__version__)
    app.state.bot = bot
    secret = bot.runtime.settings.slack_signing_secret
    app.state.verifier = RawBodyVerifier(secret.get_secret_value()) if bot.mode == "http" and secret else None

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        bot: Bot = request.app.state.bot
        if bot.mode != "http":
            raise HTTPException(404, "events arrive over Socket Mode; set RATCHET_SLACK_SIGNING_SECRET for HTTP")
        try:
            body = await read_body(request, MAX_EVENT_BYTES)
            verify_signature(request.app.state.verifier, body, request.headers)
            check_payload(body, request.headers)
        except Refused as refused:
            log.debug("refused a request to /slack/events with %d: %s", refused.status, refused.reason)
            return JSONResponse({"error": refused.reason}, status_code=refused.status)
        return to_starlette_response(await bot.app.async_dispatch(to_async_bolt_request(request, body)))

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """Liveness: the process answers. Whether it can work is /readyz's question."""
        return JSONResponse({"status": "ok", "events": request.app.state.bot.mode})

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers, every worker runs, and Slack's events can arrive."""
        bot: Bot = request.app.state.bot
        if problems := await readiness_problems(bot):
            return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready", "events": bot.mode, "workers": bot.workers.size})

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
                create_app(bot),
                host=settings.http_host,
                port=settings.http_port,
                log_config=None,
                lifespan="off",
                access_log=False,  # a line per request, Slack's events and probes included, is noise
            )
            await _Server(config).serve()
    finally:
        if started:
            log.info("ratchet stopped")
