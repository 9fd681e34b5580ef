"""The real OpenAI provider path (ChatOpenAI, the openai client's timeouts and retries) against a local
OpenAI-compatible stub: the triage graph's agent with real tools and storage, and `ratchet serve` with the Slack
simulator."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from ratchet.agent.agent import MAX_AGENT_STEPS, MODEL_ATTEMPTS
from ratchet.config import Settings
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from ratchet.prompts import load_prompt
from ratchet.runtime import Runtime, open_runtime
from ratchet.slack.posting import DryRunPoster
from ratchet.slack_sim import SlackSimulator
from ratchet.storage import llm_usage
from ratchet.storage.llm_usage import StoredLLMCall
from ratchet.tools import TOOLS
from tests.conftest import DATA
from tests.helpers import wait_until
from tests.openai_stub import (
    OpenAIStub,
    Scripted,
    not_json,
    rate_limited,
    server_error,
    slow,
    text,
    tool_calls,
)
from tests.test_agent import TS
from tests.test_agent import ask as ask_with
from tests.test_serve import base_env, free_port, scalar, serve, up_and_onboarded

RUNBOOK_PATH = "content/runbooks/kubernetes/KubePodCrashLooping.md"
FINAL = f"Start with the runbook (`{RUNBOOK_PATH}`): `kubectl describe pod`, then the logs."


@pytest.fixture
async def stub(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[OpenAIStub]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-stub-not-a-real-key")
    async with OpenAIStub() as stub:
        yield stub


@asynccontextmanager
async def stub_runtime(
    database_url: str, stub: OpenAIStub, embeddings: LocalEmbeddings, tmp_path: Path, **settings: Any
) -> AsyncIterator[Runtime]:
    """The runtime as `ratchet serve` builds it for `RATCHET_LLM=openai:stub-model`, with the runbooks indexed."""
    configured = Settings(
        _env_file=None, database_url=database_url, llm="openai:stub-model", llm_base_url=stub.url, **settings
    )
    async with open_runtime(configured) as runtime:
        source = DocSource(name="runbooks", kind="local", location=str(DATA / "docs" / "runbooks-prometheus-operator"))
        await refresh_source(runtime.pool, embeddings, source, tmp_path)
        yield runtime


@pytest.fixture
async def runtime(
    database_url: str, stub: OpenAIStub, local_embeddings: LocalEmbeddings, tmp_path: Path
) -> AsyncIterator[Runtime]:
    async with stub_runtime(database_url, stub, local_embeddings, tmp_path, llm_timeout_seconds=10) as runtime:
        yield runtime


async def ask(runtime: Runtime, question: str, *, ts: str = TS) -> DryRunPoster:
    """A person mentions the bot, as in test_agent, with the runtime's OpenAI model; nothing may hang."""
    return await asyncio.wait_for(ask_with(runtime, runtime.chat_model, question, ts=ts), 60)


async def calls(runtime: Runtime) -> list[StoredLLMCall]:
    """The `llm_calls` rows, oldest first."""
    return list(reversed(await llm_usage.recent(runtime.pool)))


async def test_the_agent_searches_the_docs_then_answers(runtime: Runtime, stub: OpenAIStub) -> None:
    stub.script += [tool_calls(("search_docs", {"query": "KubePodCrashLooping"})), text(FINAL, usage=(1530, 61))]
    poster = await ask(runtime, "what should I check first when KubePodCrashLooping fires?")

    [(reply, _)] = poster.posted
    assert (reply.module, reply.thread_ts) == ("commands", TS)
    assert reply.markdown.startswith(f"{FINAL}\n\n**Sources**\n[1] KubePodCrashLooping")

    first, second = stub.requests
    assert first["model"] == "stub-model" and not first.get("stream")
    assert [t["function"]["name"] for t in first["tools"]] == [tool.name for tool in TOOLS]
    search = next(t["function"] for t in first["tools"] if t["function"]["name"] == "search_docs")
    assert list(search["parameters"]["properties"]) == ["query"]  # the tool runtime is not shown to the model
    system, question = first["messages"]
    assert system == {"role": "system", "content": load_prompt("agent_system")}
    assert question["role"] == "user"
    assert "what should I check first when KubePodCrashLooping fires?" in question["content"]

    assert second["messages"][:2] == first["messages"]
    asked, answered = second["messages"][2:]
    assert asked["role"] == "assistant"
    assert asked["tool_calls"][0]["id"] == "call_stub0"
    assert asked["tool_calls"][0]["function"] == {
        "name": "search_docs",
        "arguments": '{"query": "KubePodCrashLooping"}',
    }
    assert (answered["role"], answered["tool_call_id"]) == ("tool", "call_stub0")
    passages = json.loads(answered["content"])
    assert RUNBOOK_PATH in [p["path"] for p in passages]

    assert [(c.module, c.model, c.input_tokens, c.output_tokens, c.error) for c in await calls(runtime)] == [
        ("commands", "stub-model", 900, 25, None),
        ("commands", "stub-model", 1530, 61, None),
    ]


@pytest.mark.parametrize("failure", [rate_limited(retry_after=1), server_error()], ids=["429", "500"])
async def test_a_rate_limit_or_server_error_is_retried(runtime: Runtime, stub: OpenAIStub, failure: Scripted) -> None:
    stub.script += [failure, text("Check `kubectl logs --previous` first.")]
    started = time.monotonic()
    poster = await ask(runtime, "how do I see why the pod crashed?")

    # the model's answer, which cites nothing it looked up, is posted as an "I don't know"
    assert [reply.markdown.partition(":")[0] for reply, _ in poster.posted] == ["I don't know"]
    first, second = stub.requests
    assert first == second
    if failure.status == 429:
        assert time.monotonic() - started >= 1  # Retry-After was honoured
    [call] = await calls(runtime)  # the retry happens inside one model call
    assert (call.input_tokens, call.output_tokens, call.error) == (1200, 40, None)


async def test_a_model_that_never_answers_in_time_gets_the_person_a_reason(
    database_url: str, stub: OpenAIStub, local_embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    stub.otherwise = slow(30)
    async with stub_runtime(
        database_url, stub, local_embeddings, tmp_path, llm_timeout_seconds=0.5, llm_max_retries=1
    ) as runtime:
        started = time.monotonic()
        poster = await ask(runtime, "how do I debug a crash looping pod?")
        elapsed = time.monotonic() - started
        failed = await calls(runtime)

    assert elapsed < 30
    [(reply, _)] = poster.posted
    assert reply.markdown.startswith("_the model failed: OpenAITimeoutError: Request timed out.")
    assert "here is what the documentation says._" in reply.markdown
    assert "KubePodCrashLooping" in reply.markdown  # the passages the person gets instead
    assert failed and all(c.error == "OpenAITimeoutError: Request timed out." for c in failed)
    assert all(c.input_tokens is None and c.output_tokens is None for c in failed)
    assert len(stub.requests) == 2 * len(failed)  # each model call: the first attempt and one retry


async def test_a_body_that_is_not_json_gets_the_person_a_reason(runtime: Runtime, stub: OpenAIStub) -> None:
    stub.otherwise = not_json()
    poster = await ask(runtime, "how do I debug a crash looping pod?")
    [(reply, _)] = poster.posted
    assert reply.markdown.startswith("_the model failed: JSONDecodeError: Expecting value")
    assert "here is what the documentation says._" in reply.markdown and "KubePodCrashLooping" in reply.markdown
    failed = await calls(runtime)
    assert failed and all(c.error and c.error.startswith("JSONDecodeError") for c in failed)
    assert len(stub.requests) == len(failed)  # the client does not retry a server that did answer


async def test_an_unknown_tool_is_answered_with_an_error_and_the_model_goes_on(
    runtime: Runtime, stub: OpenAIStub
) -> None:
    stub.script += [tool_calls(("delete_everything", {"really": True})), text("I can't do that here.")]
    poster = await ask(runtime, "delete the alerts channel")
    assert [reply.markdown for reply, _ in poster.posted] == ["I can't do that here."]
    answered = stub.requests[1]["messages"][-1]
    assert answered["role"] == "tool" and answered["tool_call_id"] == "call_stub0"
    assert "delete_everything" in answered["content"] and "not a valid tool" in answered["content"]


async def test_tool_calls_whose_arguments_are_not_json_get_the_person_the_docs_and_why(
    runtime: Runtime, stub: OpenAIStub
) -> None:
    stub.otherwise = tool_calls(("search_docs", '{"query": "crash loop'))
    poster = await ask(runtime, "how do I debug a crash looping pod?")
    [(reply, _)] = poster.posted
    reason, found, passages = reply.markdown.partition("here is what the documentation says._")
    assert found and "malformed call to search_docs" in reason and "ran out of steps" not in reason
    assert f"{MODEL_ATTEMPTS} tries" in reason, "a malformed call is retried like a timeout, though the client retries"
    assert "KubePodCrashLooping" in passages
    made = await calls(runtime)
    assert len(made) == MODEL_ATTEMPTS
    assert all(c.error is None and c.output_tokens == 25 for c in made)  # the calls themselves worked


async def test_a_follow_up_after_the_step_budget_ran_out_gets_an_answer(runtime: Runtime, stub: OpenAIStub) -> None:
    stub.script += [tool_calls(("search_docs", {"query": "crash loop"}))] * MAX_AGENT_STEPS
    stub.script.append(text(f"Look at the previous container's logs ({RUNBOOK_PATH})."))
    await ask(runtime, "how do I debug a crash looping pod?")
    poster = await ask(runtime, "and what do I look at first?", ts="1795500060.000200")
    # it cites a passage the first run's searches found
    assert [reply.markdown.partition("\n\n")[0] for reply, _ in poster.posted] == [
        f"Look at the previous container's logs ({RUNBOOK_PATH})."
    ]


async def test_serve_answers_a_mention_with_the_model(
    sim: SlackSimulator, stub: OpenAIStub, database_url: str, tmp_path: Path
) -> None:
    answer = "Priya is on call for ops this week."
    stub.script.append(text(answer, usage=(812, 9)))
    port = free_port()
    env = {
        **base_env(sim, database_url, port),
        "RATCHET_SLACK_APP_TOKEN": sim.app_token,
        "RATCHET_LLM": "openai:stub-model",
        "RATCHET_LLM_BASE_URL": stub.url,
        "RATCHET_LLM_TIMEOUT_SECONDS": "20",
        "OPENAI_API_KEY": "sk-stub-not-a-real-key",
    }
    with serve(env, tmp_path / "serve.log"):
        await up_and_onboarded(port, database_url)
        ops = sim.workspace.channel("ops").id
        ts = await sim.post_message(ops, f"<@{sim.bot_user_id}> who is on call?", user="priya")
        [reply] = await sim.wait_for_bot_messages(1, channel=ops, thread_ts=ts, timeout=30)
        await wait_until(lambda: scalar(database_url, "SELECT count(*) FROM llm_calls"), timeout=10)

    # who is on call is in no documentation: the model's answer, citing none, is not what the person gets
    assert (
        reply["text"].startswith("I don't know: nothing in the docs answers this. I searched")
        and answer not in reply["text"]
    )
    [request] = stub.requests
    assert request["model"] == "stub-model"
    assert request["messages"][0] == {"role": "system", "content": load_prompt("agent_system")}
    assert "who is on call?" in request["messages"][1]["content"]
    row = scalar(database_url, "SELECT row(module, model, input_tokens, output_tokens, error)::text FROM llm_calls")
    assert row == "(commands,stub-model,812,9,)"
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
