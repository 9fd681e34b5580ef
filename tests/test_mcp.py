"""MCP tools: a real MCP server (`tests/mcp_server.py`, over the alerting rules in `tests/data/alerts`) reached over
stdio and streamable HTTP; broken servers and failing tool calls; the config file and `ratchet doctor`."""

from __future__ import annotations

import json
import logging
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from ratchet.config import (
    ChannelsConfig,
    ChannelSettings,
    ConfigError,
    McpConfig,
    Settings,
    load_mcp_config,
    load_settings,
)
from ratchet.doctor import check_mcp
from ratchet.runtime import open_runtime
from ratchet.slack_sim import SlackSimulator
from ratchet.tools import TOOLS
from ratchet.tools.mcp import load_mcp_tools
from tests.helpers import ScriptedModel
from tests.slack_thread import Thread

ROOT = Path(__file__).resolve().parents[1]
SERVER = Path(__file__).with_name("mcp_server.py")
RULES = Path(__file__).parent / "data" / "alerts" / "alerts.jsonl"
TOKEN_VARIABLE = "RATCHET_TEST_MCP_TOKEN"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_http_server(log: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `tests/mcp_server.py` over streamable HTTP on a free port; return it once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, str(SERVER), "--port", str(port), *args], stderr=stderr)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)  # any HTTP answer (405, 401, ...) means it listens
            return process, url
        except httpx.TransportError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the MCP server did not answer at {url}: {log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The test server over streamable HTTP, answering only with its bearer token: (url, token)."""
    token = secrets.token_hex(8)
    process, url = start_http_server(tmp_path_factory.mktemp("mcp") / "server.log", "--token", token)
    yield url, token
    stop(process)


def stdio_server(*args: str, timeout_seconds: float = 30) -> dict[str, Any]:
    return {
        "transport": "stdio",
        "command": sys.executable,
        "args": [str(SERVER), *args],
        "timeout_seconds": timeout_seconds,
    }


def http_entry(url: str, token: str = f"${{{TOKEN_VARIABLE}}}") -> dict[str, Any]:
    return {"transport": "streamable_http", "url": url, "headers": {"Authorization": f"Bearer {token}"}}


def config(**servers: dict[str, Any]) -> McpConfig:
    return McpConfig.model_validate({"servers": servers})


def rules_named(name: str) -> list[dict[str, Any]]:
    return [rule for line in RULES.read_text().splitlines() if (rule := json.loads(line))["alert"] == name]


async def call(tool: BaseTool, **args: Any) -> ToolMessage:
    message = await tool.ainvoke({"type": "tool_call", "id": "call-1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


def texts(message: ToolMessage) -> list[str]:
    assert isinstance(message.content, list)
    return [block["text"] for block in message.content if isinstance(block, dict) and block["type"] == "text"]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ratchet.tools.mcp" and r.levelno == logging.WARNING]


async def test_tools_over_stdio_and_http_carry_their_server_name_and_return_the_real_rules(
    http_server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, http_server[1])  # the config names the variable, not the secret
    tools = await load_mcp_tools(config(local=stdio_server(), shared=http_entry(http_server[0])))
    by_name = {tool.name: tool for tool in tools}
    assert sorted(by_name) == [
        "local_alert_rule",
        "local_find_alert_rules",
        "shared_alert_rule",
        "shared_find_alert_rules",
    ]
    for server in ("local", "shared"):
        lookup, search = by_name[f"{server}_alert_rule"], by_name[f"{server}_find_alert_rules"]
        assert lookup.description.startswith("The Prometheus alerting rules named `name`")
        assert lookup.args == {"name": {"title": "Name", "type": "string"}}
        assert lookup.args_schema["required"] == ["name"]  # type: ignore[index]
        assert search.args["limit"] == {"default": 10, "title": "Limit", "type": "integer"}

        answer = await call(lookup, name="KubePodCrashLooping")
        assert answer.status == "success"
        found = [json.loads(text) for text in texts(answer)]
        expected = rules_named("KubePodCrashLooping")
        assert [(r["source"], r["expr"], r["for_duration"]) for r in found] == [
            (r["source"], r["expr"], r["for"]) for r in expected
        ]
        assert "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping" in {
            r["runbook_url"] for r in found
        }

        similar = texts(await call(search, words="crash looping", limit=50))
        assert {"KubePodCrashLooping", "KubernetesPodCrashLooping"} <= set(similar)


async def test_a_server_that_cannot_be_listed_is_left_out_with_a_warning(
    http_server: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/mcp"
    broken = config(
        good=stdio_server(),
        exits=stdio_server() | {"args": ["-c", "raise SystemExit(3)"]},
        missing=stdio_server() | {"command": "/nonexistent/mcp-server"},
        nowhere=http_entry(nowhere),
        locked=http_entry(http_server[0], token="wrong"),
    )
    tools = await load_mcp_tools(broken)
    assert [tool.name for tool in tools] == ["good_alert_rule", "good_find_alert_rules"]
    logged = warnings(caplog)
    assert len(logged) == 4
    assert f"MCP server exits ({sys.executable} -c 'raise SystemExit(3)') left out: " in logged[0]
    assert "MCP server missing (/nonexistent/mcp-server " in logged[1] and "FileNotFoundError" in logged[1]
    assert logged[2] == f"MCP server nowhere ({nowhere}) left out: ConnectError: All connection attempts failed"
    assert logged[3] == (
        f"MCP server locked ({http_server[0]}) left out: "
        f"HTTPStatusError: Client error '401 Unauthorized' for url '{http_server[0]}'"
    )


async def test_a_server_that_does_not_answer_in_time_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    hangs = {"transport": "stdio", "command": sys.executable, "args": ["-c", "import time; time.sleep(60)"]}
    started = time.monotonic()
    assert await load_mcp_tools(config(hangs=hangs | {"timeout_seconds": 1})) == []
    assert time.monotonic() - started < 10
    assert warnings(caplog) == [
        f"MCP server hangs ({sys.executable} -c 'import time; time.sleep(60)') left out: no answer within 1 s"
    ]


async def test_failing_and_slow_tool_calls_answer_the_model_instead_of_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    process, url = start_http_server(tmp_path / "server.log")
    try:
        tools = await load_mcp_tools(
            config(
                local=stdio_server(),
                slow=stdio_server("--delay", "60", timeout_seconds=5),
                gone={"transport": "streamable_http", "url": url},
            )
        )
    finally:
        stop(process)
    calls = [
        {"id": "unknown", "name": "local_alert_rule", "args": {"name": "NoSuchAlert"}},
        {"id": "bad-args", "name": "local_alert_rule", "args": {"alert": "KubePodCrashLooping"}},
        {"id": "slow", "name": "slow_find_alert_rules", "args": {"words": "disk"}},
        {"id": "gone", "name": "gone_alert_rule", "args": {"name": "KubePodCrashLooping"}},
    ]
    started = time.monotonic()
    graph = StateGraph(MessagesState).add_node("tools", ToolNode(tools)).add_edge(START, "tools").compile()
    result = await graph.ainvoke({"messages": [AIMessage(content="", tool_calls=calls)]})
    assert time.monotonic() - started < 20
    answers = {m.tool_call_id: m for m in result["messages"] if isinstance(m, ToolMessage)}
    assert sorted(answers) == ["bad-args", "gone", "slow", "unknown"]
    assert all(answer.status == "error" for answer in answers.values())
    assert texts(answers["unknown"]) == ["Error executing tool alert_rule: no alerting rule named 'NoSuchAlert'"]
    assert "name\n  Field required" in texts(answers["bad-args"])[0]
    assert texts(answers["slow"]) == ["The tool find_alert_rules of MCP server slow failed: no answer within 5 s"]
    assert texts(answers["gone"]) == [
        "The tool alert_rule of MCP server gone failed: ConnectError: All connection attempts failed"
    ]
    assert sorted(warnings(caplog)) == [
        "MCP tool alert_rule of server gone failed: ConnectError: All connection attempts failed",
        "MCP tool find_alert_rules of server slow failed: no answer within 5 s",
    ]


async def test_a_tool_whose_name_is_taken_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    tools = await load_mcp_tools(config(local=stdio_server()), reserved=["search_docs", "local_alert_rule"])
    assert [tool.name for tool in tools] == ["local_find_alert_rules"]
    assert warnings(caplog) == ["MCP tool 'local_alert_rule' of server local left out: the name is taken"]


async def test_doctor_reports_each_server(tmp_path: Path) -> None:
    path = tmp_path / "mcp.yaml"
    nowhere = f"http://127.0.0.1:{free_port()}/mcp"
    path.write_text(yaml.safe_dump({"servers": {"local": stdio_server(), "nowhere": http_entry(nowhere)}}))
    checks = await check_mcp(load_settings(mcp_config=path))
    assert [(c.name, c.status) for c in checks] == [("mcp local", "ok"), ("mcp nowhere", "fail")]
    assert checks[0].detail == (f"2 tool(s) from {sys.executable} {SERVER}: local_alert_rule, local_find_alert_rules")
    assert checks[1].detail == f"{nowhere}: ConnectError: All connection attempts failed"
    assert checks[1].fix == (
        f"check that the server answers at that URL and accepts the configured headers, "
        f"or fix servers.nowhere in {path}"
    )
    path.write_text("servers:\n  local:\n    transport: sse\n")
    [bad] = await check_mcp(load_settings(mcp_config=path))
    assert (bad.name, bad.status) == ("mcp config", "fail")
    assert bad.detail.startswith(f"RATCHET_MCP_CONFIG: {path}: servers.local: ")
    assert await check_mcp(load_settings(mcp_config=None)) == []


def test_the_example_in_env_example_is_a_valid_config(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text()
    example = re.search(r"^#   servers:\n(?:#     .*\n)+", text, flags=re.MULTILINE)
    assert example is not None
    path = tmp_path / "mcp.yaml"
    path.write_text("".join(line[2:] + "\n" for line in example[0].splitlines()))
    servers = load_mcp_config(path).servers
    assert [(name, server.transport) for name, server in servers.items()] == [
        ("grafana", "stdio"),
        ("tickets", "streamable_http"),
    ]
    assert load_mcp_config(None).servers == {}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("servers:\n  rules: [stdio\n", "line 3: expected ',' or ']', but got '<stream end>'"),
        (
            "servers:\n  rules:\n    transport: sse\n    url: http://127.0.0.1:8000/sse\n",
            "servers.rules: Input tag 'sse' found using 'transport' does not match any of the expected tags: "
            "'stdio', 'streamable_http'",
        ),
        ("servers:\n  rules:\n    command: mcp-rules\n", "servers.rules: Unable to extract tag using discriminator"),
        ("servers:\n  rules:\n    transport: stdio\n", "servers.rules.stdio.command: Field required"),
        ("servers:\n  rules:\n    transport: streamable_http\n", "servers.rules.streamable_http.url: Field required"),
        (
            "servers:\n  rules:\n    transport: streamable_http\n    url: localhost:8000/mcp\n",
            "servers.rules.streamable_http.url: expected an http(s):// URL, got 'localhost:8000/mcp'",
        ),
        (
            "servers:\n  alert_rules:\n    transport: stdio\n    command: mcp-rules\n",
            "servers: server name 'alert_rules': use up to 32 letters, digits and hyphens",
        ),
        (
            "servers:\n  rules:\n    transport: stdio\n    command: mcp-rules\n    timeout_seconds: 0\n",
            "servers.rules.stdio.timeout_seconds: Input should be greater than 0",
        ),
        ("- rules\n", "Input should be a valid dictionary or instance of McpConfig"),
    ],
)
def test_a_bad_mcp_config_is_one_line_naming_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "mcp.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_mcp_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"RATCHET_MCP_CONFIG: {path}: {problem}")


async def test_the_agent_calls_an_mcp_tool_the_channel_allows(
    sim: SlackSimulator, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the triage graph: the MCP server's tools are offered with the built-in ones the channel allows, and
    the model reads the rule the server returned."""
    tools = await load_mcp_tools(config(local=stdio_server()), reserved=[tool.name for tool in TOOLS])
    allowed = ChannelsConfig(
        channels={sim.workspace.channel("ops").id: ChannelSettings(tools=["search_docs", "local_alert_rule"])}
    )
    lookup = {"name": "local_alert_rule", "args": {"name": "KubePodCrashLooping"}, "id": "call-1"}
    model = ScriptedModel(
        responses=[AIMessage(content="", tool_calls=[lookup]), AIMessage(content="It fires after 15m.")]
    )
    async with open_runtime(Settings(_env_file=None, database_url=database_url)) as runtime:
        thread = Thread(runtime, sim, model, channels=allowed, extra_tools=tools)
        await thread.say("priya", f"<@{sim.bot_user_id}> when does KubePodCrashLooping fire?")
    assert model.bound_tools == ["search_docs", "local_alert_rule"]
    [result] = [m for m in model.seen[1] if isinstance(m, ToolMessage)]
    rule = rules_named("KubePodCrashLooping")[0]
    assert (
        result.status != "error" and f'"summary": "{rule["summary"]}"' in result.text and rule["source"] in result.text
    )
    assert thread.said()[-1]["text"] == "It fires after 15m."
