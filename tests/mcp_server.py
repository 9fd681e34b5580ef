"""An MCP server for the tests: on-call look-ups in the real Prometheus alerting rules of `tests/data/alerts`.

python tests/mcp_server.py                          # over stdio
python tests/mcp_server.py --port 8931              # over streamable HTTP at http://127.0.0.1:8931/mcp
python tests/mcp_server.py --port 8931 --token s3   # ... answering only requests with `Authorization: Bearer s3`
python tests/mcp_server.py --delay 5                # every tool call answers 5 s late (to test timeouts)
"""

from __future__ import annotations

import argparse
import asyncio
import json
from functools import cache
from pathlib import Path

import uvicorn
from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

RULES = Path(__file__).parent / "data" / "alerts" / "alerts.jsonl"


class AlertRule(BaseModel):
    alert: str
    severity: str | None
    summary: str | None
    description: str | None
    expr: str
    for_duration: str | None  # how long the condition must hold before the alert fires
    runbook_url: str | None
    group: str | None
    source: str


@cache
def alert_rules() -> list[AlertRule]:
    records = [json.loads(line) for line in RULES.read_text().splitlines()]
    return [AlertRule.model_validate({**record, "for_duration": record.get("for")}) for record in records]


def build_server(delay: float) -> FastMCP:
    server = FastMCP("alert-rules", log_level="WARNING")

    @server.tool()
    async def alert_rule(name: str) -> list[AlertRule]:
        """The Prometheus alerting rules named `name` (e.g. KubePodCrashLooping), with expression and runbook."""
        await asyncio.sleep(delay)
        found = [rule for rule in alert_rules() if rule.alert == name]
        if not found:
            raise ValueError(f"no alerting rule named {name!r}")
        return found

    @server.tool()
    async def find_alert_rules(words: str, limit: int = 10) -> list[str]:
        """Names of the alerting rules whose name, summary or description contain all of `words`."""
        await asyncio.sleep(delay)
        wanted = words.lower().split()
        names = dict.fromkeys(
            rule.alert
            for rule in alert_rules()
            if all(w in f"{rule.alert} {rule.summary} {rule.description}".lower() for w in wanted)
        )
        return list(names)[:limit]

    return server


def require_token(app: ASGIApp, token: str) -> ASGIApp:
    expected = f"Bearer {token}".encode()

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != expected:
            await PlainTextResponse("missing or wrong bearer token", status_code=401)(scope, receive, send)
            return
        await app(scope, receive, send)

    return guarded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, help="serve streamable HTTP on 127.0.0.1:PORT instead of stdio")
    parser.add_argument("--token", help="over HTTP, answer only requests that carry this bearer token")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds every tool call waits before answering")
    options = parser.parse_args()
    server = build_server(options.delay)
    if options.port is None:
        server.run("stdio")
        return
    app = server.streamable_http_app()
    uvicorn.run(require_token(app, options.token) if options.token else app, port=options.port, log_level="warning")


if __name__ == "__main__":
    main()
