"""`ratchet doctor`: check every piece the bot needs and say how to fix what is missing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
from collections.abc import Awaitable, Callable
from typing import Literal

import httpx
from psycopg import AsyncConnection
from psycopg.errors import UndefinedTable
from pydantic import BaseModel
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.config import (
    CHAT_PROVIDERS,
    ConfigError,
    McpStdioServer,
    Settings,
    load_channels_config,
    load_mcp_config,
    split_model_spec,
)
from ratchet.llm import build_embeddings, embedding_identity
from ratchet.storage import documents, migrations, vectors
from ratchet.storage.database import PGVECTOR_HELP, database_url, inspect_server
from ratchet.storage.vectors import REEMBED_COMMAND

NETWORK_TIMEOUT = 8.0
SLACK_HELP = (
    "create the Slack app from app-manifest.yaml, then set RATCHET_SLACK_BOT_TOKEN (xoxb-…) and either "
    "RATCHET_SLACK_APP_TOKEN (xapp-…, Socket Mode) or RATCHET_SLACK_SIGNING_SECRET (HTTP events)"
)


class Check(BaseModel):
    name: str
    status: Literal["ok", "warn", "fail"]
    detail: str
    fix: str = ""


def ok(name: str, detail: str) -> Check:
    return Check(name=name, status="ok", detail=detail)


def warn(name: str, detail: str, fix: str) -> Check:
    return Check(name=name, status="warn", detail=detail, fix=fix)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name=name, status="fail", detail=detail, fix=fix)


async def check_database(settings: Settings) -> list[Check]:
    where = "configured server" if settings.database_url else f"embedded, {settings.home / 'postgres'}"
    try:
        url = await asyncio.to_thread(database_url, settings)
        server = await inspect_server(url)
    except ConfigError as error:
        fix = "check RATCHET_DATABASE_URL" if settings.database_url else "check RATCHET_HOME is writable"
        return [fail("database", str(error), fix)]
    checks = [ok("database", f"PostgreSQL {server.version} ({where})")]
    if server.pgvector_available is None:
        return [*checks, fail("pgvector", "the server has no pgvector extension", PGVECTOR_HELP)]
    checks.append(ok("pgvector", f"pgvector {server.pgvector_installed or server.pgvector_available}"))
    return [*checks, await check_schema(settings, url)]


async def check_schema(settings: Settings, url: str) -> Check:
    async with await AsyncConnection.connect(url) as conn:
        states = await migrations.status(conn)
        pending = [s for s in states if s.applied_at is None]
        if pending:
            names = ", ".join(f"{s.version:04d}_{s.name}" for s in pending)
            return warn("schema", f"{len(pending)} migration(s) pending: {names}", "run `ratchet db migrate`")
        stored = await vectors.read_identity(conn)
    try:
        vectors.check_identity(stored, embedding_identity(settings, build_embeddings(settings)))
    except ConfigError as error:
        return fail("schema", str(error), f"run `{REEMBED_COMMAND}`")
    except Exception as error:
        return fail("schema", f"cannot load the embedding model: {error}", "check RATCHET_EMBEDDINGS")
    changed = [s for s in states if s.changed_since_applied]
    if changed:
        return warn("schema", "migration files changed after they were applied", "restore the shipped files")
    return ok("schema", f"up to date (version {states[-1].version}, vectors {stored.spec if stored else '?'})")


async def check_embeddings(settings: Settings) -> Check:
    try:
        embeddings = build_embeddings(settings)
        vector = await asyncio.wait_for(embeddings.aembed_query("disk is almost full"), NETWORK_TIMEOUT)
    except Exception as error:
        return fail("embeddings", f"{settings.embeddings}: {type(error).__name__}: {error}", _model_fix(settings))
    return ok("embeddings", f"{settings.embeddings} ({len(vector)}-d)")


async def check_llm(settings: Settings) -> Check:
    if settings.llm == "none":
        return warn(
            "llm",
            "none: alerts still get runbooks, recent activity and past incidents, and questions get the best "
            "doc passages, but there are no written answers, synthesized runbooks or doc updates",
            "set RATCHET_LLM=openai:gpt-4.1-mini (with OPENAI_API_KEY) or RATCHET_LLM=ollama:qwen2.5:7b",
        )
    provider, model = split_model_spec(settings.llm, CHAT_PROVIDERS)
    try:
        if provider == "openai":
            detail = await _check_openai(settings, model)
        else:
            detail = await _check_ollama(settings, model)
    except Exception as error:
        return fail("llm", f"{settings.llm}: {type(error).__name__}: {error}", _model_fix(settings))
    return ok("llm", detail)


async def _check_openai(settings: Settings, model: str) -> str:
    if not os.environ.get("OPENAI_API_KEY"):
        raise RuntimeError("OPENAI_API_KEY is not set")
    base = (settings.llm_base_url or "https://api.openai.com/v1").rstrip("/")
    async with httpx.AsyncClient(timeout=NETWORK_TIMEOUT) as client:
        response = await client.get(
            f"{base}/models/{model}", headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
        )
        response.raise_for_status()
    return f"{settings.llm} reachable at {base}"


async def _check_ollama(settings: Settings, model: str) -> str:
    base = (settings.llm_base_url or os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434").rstrip("/")
    async with httpx.AsyncClient(timeout=NETWORK_TIMEOUT) as client:
        response = await client.get(f"{base}/api/tags")
        response.raise_for_status()
    names = {entry["name"] for entry in response.json().get("models", [])}
    if model not in names and f"{model}:latest" not in names:
        raise RuntimeError(f"Ollama at {base} has no model {model!r}; run `ollama pull {model}`")
    return f"{settings.llm} available at {base}"


def _model_fix(settings: Settings) -> str:
    return "check the provider's API key and RATCHET_LLM_BASE_URL, or that the Ollama server is running"


async def check_slack(settings: Settings) -> list[Check]:
    if settings.slack_bot_token is None:
        return [fail("slack", "no bot token: the bot cannot read or post", SLACK_HELP)]
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url, timeout=8
    )
    checks = []
    try:
        auth = await client.auth_test()
        checks.append(ok("slack", f"bot token works: @{auth.get('user')} in {auth.get('team')}"))
    except (TimeoutError, SlackApiError, OSError) as error:
        checks.append(fail("slack", f"auth.test failed: {_slack_reason(error)}", SLACK_HELP))
    if settings.slack_app_token is not None:
        try:
            await client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
            checks.append(ok("slack events", "Socket Mode: the app token can open a connection"))
        except (TimeoutError, SlackApiError, OSError) as error:
            reason = _slack_reason(error)
            fix = "enable Socket Mode and create an app-level token with connections:write"
            checks.append(fail("slack events", f"apps.connections.open failed: {reason}", fix))
    elif settings.slack_signing_secret is not None:
        checks.append(ok("slack events", f"HTTP events at http://{settings.http_addr}/slack/events"))
    else:
        checks.append(fail("slack events", "no way to receive events", SLACK_HELP))
    return checks


async def check_mcp(settings: Settings) -> list[Check]:
    if settings.mcp_config is None:
        return []
    from ratchet.tools.mcp import list_server_tools

    try:
        config = load_mcp_config(settings.mcp_config)
    except ConfigError as error:
        return [fail("mcp config", str(error), "fix the file")]
    checks = []
    for server in await list_server_tools(config):
        if server.error is None:
            names = ", ".join(tool.name for tool in server.tools)
            checks.append(ok(f"mcp {server.name}", f"{len(server.tools)} tool(s) from {server.where}: {names}"))
            continue
        if isinstance(config.servers[server.name], McpStdioServer):
            fix = f"run `{server.where}` by hand to see why it fails"
        else:
            fix = "check that the server answers at that URL and accepts the configured headers"
        fix += f", or fix servers.{server.name} in {settings.mcp_config}"
        checks.append(fail(f"mcp {server.name}", f"{server.where}: {server.error}", fix))
    return checks or [warn("mcp config", "no servers listed", "list them under `servers:` or unset RATCHET_MCP_CONFIG")]


def _slack_reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", error))
    return f"{type(error).__name__}: {error}"


def check_files(settings: Settings) -> list[Check]:
    checks = []
    if settings.classifier_command:
        program = shlex.split(settings.classifier_command)[0]
        if shutil.which(program):
            checks.append(ok("classifier", f"external command {program}, then built-in recognisers"))
        else:
            fix = "fix RATCHET_CLASSIFIER_COMMAND or unset it"
            checks.append(fail("classifier", f"RATCHET_CLASSIFIER_COMMAND: {program!r} is not executable", fix))
    else:
        checks.append(ok("classifier", "built-in recognisers"))
    if settings.channels_config is not None:
        try:
            listed = load_channels_config(settings.channels_config).channels
            checks.append(ok("channels config", f"{len(listed)} channel(s) with their own settings"))
        except ConfigError as error:
            checks.append(fail("channels config", str(error), "fix the file"))
    else:
        checks.append(
            warn(
                "channels config",
                "not set: every channel the bot is in gets the defaults (all tools, no monitor rules)",
                "set RATCHET_CHANNELS_CONFIG to a YAML file of per-channel settings",
            )
        )
    if settings.api_token is None and settings.http_host not in ("127.0.0.1", "localhost", "::1"):
        checks.append(
            fail(
                "http api",
                f"listening on {settings.http_addr} without RATCHET_API_TOKEN",
                "set RATCHET_API_TOKEN or bind RATCHET_HTTP_ADDR to 127.0.0.1",
            )
        )
    return checks


async def check_docs(settings: Settings, *, database: bool) -> Check:
    """The documentation sources: the docs config file's, and those added with `ratchet docs add` (kept in the
    database, read when the `database` check passed)."""
    from ratchet.knowledge.library import configured_sources

    try:
        from_file = [source.name for source in configured_sources(settings)]
    except ConfigError as error:
        return fail("docs config", str(error), "fix the file; `ratchet docs list` shows what is indexed")
    stored: list[str] = []
    if database:
        async with await AsyncConnection.connect(await asyncio.to_thread(database_url, settings)) as conn:
            with contextlib.suppress(UndefinedTable):  # no schema yet, so nothing was added
                stored = [source.name for source in await documents.list_sources(conn)]
    added = ", ".join(name for name in stored if name not in from_file)
    if settings.docs_config is not None:
        detail = f"documentation sources: {', '.join(from_file) or 'none'}"
        return ok("docs config", detail + (f"; added with `ratchet docs add`: {added}" if added else ""))
    if added:
        return ok("docs config", f"not set; documentation sources added with `ratchet docs add`: {added}")
    return warn(
        "docs config",
        "not set: no documentation sources, so no curated runbooks or doc answers",
        "set RATCHET_DOCS_CONFIG to a YAML file listing documentation sources, or run `ratchet docs add <dir-or-url>`",
    )


async def run_checks(settings: Settings) -> list[Check]:
    groups: list[Callable[[], Awaitable[list[Check] | Check]]] = [
        lambda: check_database(settings),
        lambda: check_embeddings(settings),
        lambda: check_llm(settings),
        lambda: check_slack(settings),
        lambda: check_mcp(settings),
    ]
    results = await asyncio.gather(*(group() for group in groups))
    checks: list[Check] = []
    for result in results:
        checks.extend(result if isinstance(result, list) else [result])
    database = any(check.name == "database" and check.status == "ok" for check in checks)
    return [*checks, *check_files(settings), await check_docs(settings, database=database)]
