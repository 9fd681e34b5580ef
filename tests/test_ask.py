"""`ratchet ask`: what the bot would answer, without Slack — the real command against a real Postgres with the
runbooks indexed, without an LLM and with one (an OpenAI-compatible stub), and the function it calls with a
scripted model asked as in a channel."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import Classifier
from ratchet.config import ChannelsConfig, ChannelSettings
from ratchet.context import TriageContext
from ratchet.graphs.conversation import ask
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from ratchet.slack.events import BotIdentity
from ratchet.slack.posting import DryRunPoster
from ratchet.storage import channels
from tests.conftest import DATA
from tests.helpers import ScriptedModel, ratchet_cli
from tests.openai_stub import OpenAIStub, text, tool_calls

URL_BASE = "https://github.com/prometheus-operator/runbooks/blob/main/{path}"
CRASHLOOP = "content/runbooks/kubernetes/KubePodCrashLooping.md"
CRASHLOOP_URL = URL_BASE.format(path=CRASHLOOP)
ANSWERABLE = "what should I check first when KubePodCrashLooping fires?"
OFF_TOPIC = "who won the football match last night?"
KEYS = ["question", "answer", "abstained", "citations", "passages"]


@pytest.fixture
async def indexed(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, tmp_path: Path) -> None:
    location = str(DATA / "docs" / "runbooks-prometheus-operator")
    source = DocSource(name="runbooks", kind="local", location=location, url_template=URL_BASE)
    await refresh_source(pool, local_embeddings, source, tmp_path / "sources")


@pytest.fixture
async def stub() -> AsyncIterator[OpenAIStub]:
    async with OpenAIStub() as stub:
        yield stub


async def ratchet_ask(database_url: str, cwd: Path, *args: str, **env: str) -> Any:
    """`ratchet ask ...` in a thread of its own, so a stub served by this loop can answer it."""
    result = await asyncio.to_thread(
        ratchet_cli, "ask", *args, env={"RATCHET_DATABASE_URL": database_url, **env}, cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return result


async def test_without_an_llm_the_json_holds_the_passages_and_no_answer(
    database_url: str, indexed: None, tmp_path: Path
) -> None:
    answered, abstained = [
        json.loads((await ratchet_ask(database_url, tmp_path, question, "--json")).stdout)
        for question in (ANSWERABLE, OFF_TOPIC)
    ]
    assert list(answered) == KEYS and list(abstained) == KEYS
    assert (answered["question"], answered["answer"], answered["abstained"]) == (ANSWERABLE, None, False)
    assert answered["citations"] == [] and len(answered["passages"]) == 5
    first = answered["passages"][0]
    assert list(first) == ["path", "url", "heading", "source", "score", "snippet"]
    assert (first["path"], first["url"], first["source"]) == (CRASHLOOP, CRASHLOOP_URL, "runbooks")
    assert first["score"] > 0 and first["snippet"] and "\n" not in first["snippet"]
    assert len({p["path"] for p in answered["passages"]}) == 5, "each document once"
    assert (abstained["answer"], abstained["abstained"], abstained["citations"]) == (None, True, [])
    assert abstained["passages"], "the closest passages, shown with the abstention"


async def test_without_an_llm_the_text_is_what_slack_would_show(
    database_url: str, indexed: None, tmp_path: Path
) -> None:
    out = (await ratchet_ask(database_url, tmp_path, ANSWERABLE)).stdout
    lines = out.splitlines()
    assert lines[0] == ANSWERABLE
    assert lines[1] == "_A written answer needs an LLM; these are the passages that match best._"
    assert f"*[1]* <{CRASHLOOP_URL}|" in out and "**" not in out
    assert not re.search(r"^#{2,6} ", out, re.MULTILINE), "headings are bold lines, not Markdown"
    assert f"[1] runbooks:{CRASHLOOP} > KubePodCrashLooping" in out, "then where each passage lives and its score"

    out = (await ratchet_ask(database_url, tmp_path, OFF_TOPIC)).stdout
    assert out.splitlines()[1] == (
        f"I don't know: nothing in the docs answers this. I searched all documentation sources for “{OFF_TOPIC}”; "
        "closest:"
    )


async def test_with_an_llm_the_json_holds_the_cited_answer(
    database_url: str, indexed: None, stub: OpenAIStub, tmp_path: Path
) -> None:
    final = f"Check the pod's events with `kubectl describe pod` <{CRASHLOOP_URL}|runbook>. Then reboot the node."
    stub.script += [tool_calls(("search_docs", {"query": "KubePodCrashLooping"})), text(final)]
    llm = {"RATCHET_LLM": "openai:stub-model", "RATCHET_LLM_BASE_URL": stub.url, "OPENAI_API_KEY": "sk-stub-only"}
    found = json.loads((await ratchet_ask(database_url, tmp_path, ANSWERABLE, "--json", **llm)).stdout)

    assert found["answer"] == f"Check the pod's events with `kubectl describe pod` <{CRASHLOOP_URL}|runbook>."
    assert found["abstained"] is False
    [citation] = found["citations"]
    assert citation == {"path": CRASHLOOP, "url": CRASHLOOP_URL, "heading": citation["heading"], "source": "runbooks"}
    assert CRASHLOOP in [p["path"] for p in found["passages"]]
    assert ANSWERABLE in stub.requests[0]["messages"][1]["content"]


async def test_asked_as_in_a_channel_the_agent_gets_that_channels_tools(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: None
) -> None:
    async with pool.connection() as conn:
        await channels.ensure(conn, "C0OPS0001")
        await channels.rename(conn, "C0OPS0001", "ops")
    allowed = ChannelsConfig(channels={"#ops": ChannelSettings(tools=["search_docs"])})
    model = ScriptedModel(
        responses=[
            AIMessage("", tool_calls=[{"name": "search_docs", "args": {"query": "crash loop"}, "id": "1"}]),
            AIMessage(f"Check the pod's logs ({CRASHLOOP})."),
        ]
    )
    context = TriageContext(
        pool=pool,
        embeddings=local_embeddings,
        classifier=Classifier(),
        poster=DryRunPoster(),
        bot=BotIdentity(team_id="", user_id=""),
        chat_model=model,
        channels=allowed,
    )
    found = await ask(context, ANSWERABLE, channel="#ops")
    assert model.bound_tools == ["search_docs"]
    assert found.kind == "answered" and [p.path for p in found.citations] == [CRASHLOOP]
    assert found.report().answer == f"Check the pod's logs ({CRASHLOOP})."
