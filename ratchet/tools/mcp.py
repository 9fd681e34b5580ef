"""Tools from the MCP servers of RATCHET_MCP_CONFIG, through langchain-mcp-adapters, named `<server>_<tool>`.

Nothing stays open: listing a server's tools opens one session (for stdio, one subprocess) and closes it, and
every tool call opens and closes a session of its own. A server that cannot be listed is left out with a warning;
a tool call that fails or outlasts the server's `timeout_seconds` answers the model with the error text.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shlex
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.interceptors import MCPToolCallRequest, MCPToolCallResult, ToolCallInterceptor
from langchain_mcp_adapters.sessions import Connection, StdioConnection, StreamableHttpConnection
from mcp.types import CallToolResult, TextContent

from ratchet.config import McpConfig, McpHttpServer, McpStdioServer

logger = logging.getLogger(__name__)

TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what OpenAI's and Ollama's tool-calling APIs accept
VARIABLE = re.compile(r"\$\{([^}]+)\}")  # `${VAR}`, the syntax the adapter expands in stdio `env`


@dataclass
class ServerTools:
    """One configured server's tools, or why there are none."""

    name: str
    where: str  # the command line or the URL
    tools: list[BaseTool]
    error: str | None = None


async def load_mcp_tools(config: McpConfig, *, reserved: Collection[str] = ()) -> list[BaseTool]:
    """The tools of every configured server that answers. A tool whose name is in `reserved` (the built-in
    tools) or that model APIs would refuse is left out with a warning, as is a server that cannot be listed."""
    taken = set(reserved)
    tools: list[BaseTool] = []
    for server in await list_server_tools(config):
        if server.error is not None:
            logger.warning("MCP server %s (%s) left out: %s", server.name, server.where, server.error)
        for tool in server.tools:
            if tool.name in taken or not TOOL_NAME.fullmatch(tool.name):
                reason = "the name is taken" if tool.name in taken else "models accept only [A-Za-z0-9_-]{1,64}"
                logger.warning("MCP tool %r of server %s left out: %s", tool.name, server.name, reason)
                continue
            taken.add(tool.name)
            tools.append(tool)
    return tools


async def list_server_tools(config: McpConfig) -> list[ServerTools]:
    """Ask every configured server, concurrently, for its tools."""
    client = MultiServerMCPClient(
        {name: _connection(server) for name, server in config.servers.items()},
        tool_interceptors=[_answer_errors(config)],
        tool_name_prefix=True,
    )

    async def listed(name: str, server: McpStdioServer | McpHttpServer) -> ServerTools:
        try:
            async with asyncio.timeout(server.timeout_seconds):
                tools = await client.get_tools(server_name=name)
        except Exception as error:
            return ServerTools(name, _where(server), [], describe_error(error, server.timeout_seconds))
        return ServerTools(name, _where(server), tools)

    return list(await asyncio.gather(*(listed(name, server) for name, server in config.servers.items())))


def describe_error(error: BaseException, timeout: float) -> str:
    """One line for what went wrong, from the innermost error the MCP client's task groups wrapped."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    lines = str(error).splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _answer_errors(config: McpConfig) -> ToolCallInterceptor:
    """A tool call that raises or times out becomes an error result, which the adapter hands to the model as a
    ToolMessage with status="error" (the adapter itself only does that for errors the server reports)."""

    async def interceptor(
        request: MCPToolCallRequest, handler: Callable[[MCPToolCallRequest], Awaitable[MCPToolCallResult]]
    ) -> MCPToolCallResult:
        timeout = config.servers[request.server_name].timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                return await handler(request)
        except Exception as error:
            reason = describe_error(error, timeout)
            logger.warning("MCP tool %s of server %s failed: %s", request.name, request.server_name, reason)
            text = f"The tool {request.name} of MCP server {request.server_name} failed: {reason}"
            return CallToolResult(isError=True, content=[TextContent(type="text", text=text)])

    return interceptor


def _connection(server: McpStdioServer | McpHttpServer) -> Connection:
    if isinstance(server, McpStdioServer):
        return StdioConnection(
            transport="stdio", command=server.command, args=server.args, env=server.env, cwd=server.cwd
        )
    headers = {key: VARIABLE.sub(lambda m: os.environ.get(m[1], m[0]), value) for key, value in server.headers.items()}
    return StreamableHttpConnection(transport="streamable_http", url=server.url, headers=headers)


def _where(server: McpStdioServer | McpHttpServer) -> str:
    return shlex.join([server.command, *server.args]) if isinstance(server, McpStdioServer) else server.url
