"""Helpers for tests that run the real `ratchet` command."""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import BaseMessage
from psycopg_pool import AsyncConnectionPool
from pydantic import Field

from ratchet.classify.classifier import Classifier
from ratchet.classify.recording import classify_and_record
from ratchet.llm import LocalEmbeddings
from ratchet.slack.events import to_message
from ratchet.storage import channels


def ratchet_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `ratchet` command in a clean environment (no RATCHET_* leaks in from the developer's shell)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RATCHET_", "OPENAI_", "LANGSMITH_"))}
    clean.update({"COLUMNS": "200", "NO_COLOR": "1", **env})
    return subprocess.run(
        [sys.executable, "-m", "ratchet", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


async def wait_until(predicate: Callable[[], Any], timeout: float = 10, interval: float = 0.05) -> Any:
    """Poll `predicate` (sync or async) until it returns something truthy; fail the test after `timeout` s."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


class ScriptedModel(FakeMessagesListChatModel):
    """A chat model that answers from a script and records what it was shown; with `timeout_error` set, every
    call fails the way a model that does not answer in time does."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)  # names of the tools last offered to the model
    timeout_error: str | None = None

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:
        self.bound_tools = [getattr(tool, "name", str(tool)) for tool in tools]
        return self

    async def _agenerate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(messages)
        if self.timeout_error:
            raise TimeoutError(self.timeout_error)
        result = await super()._agenerate(messages, *args, **kwargs)
        for generation in result.generations:  # a fresh message each time, as a real model gives
            generation.message = generation.message.model_copy(deep=True)
        return result


async def store_classified(
    pool: AsyncConnectionPool,
    channel_id: str,
    raw: dict[str, Any],
    ts: str,
    *,
    thread_of: str | None = None,
    embeddings: Embeddings | None = None,
) -> str | None:
    """Store a message, then classify, record and embed it through the path backfill takes (no LLM); returns what
    it did to incidents."""
    message = to_message({**raw, "ts": ts, "thread_ts": thread_of}, channel_id=channel_id)
    async with pool.connection() as conn:
        await channels.ensure(conn, channel_id)
    [(_, found)] = await classify_and_record(
        pool, Classifier(), embeddings or shared_local_embeddings(), [message], bot_user_id=None, insert=True
    )
    return found.incident


@functools.cache
def shared_local_embeddings() -> LocalEmbeddings:
    return LocalEmbeddings()
