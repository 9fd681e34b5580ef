"""Models from config, and the record every chat model call leaves in `llm_calls`."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from psycopg_pool import AsyncConnectionPool

from ratchet.config import Settings
from ratchet.llm import LLMCallRecorder, build_chat_model
from ratchet.runtime import open_runtime
from ratchet.storage import llm_usage


def test_no_llm_mode_builds_no_model() -> None:
    assert build_chat_model(Settings(_env_file=None, llm="none")) is None


def test_openai_and_ollama_specs_build_their_chat_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")  # building a client makes no request
    openai = build_chat_model(Settings(_env_file=None, llm="openai:gpt-4.1-mini", llm_base_url="http://127.0.0.1:9/v1"))
    assert type(openai).__name__ == "ChatOpenAI"
    assert (openai.model_name, str(openai.openai_api_base)) == ("gpt-4.1-mini", "http://127.0.0.1:9/v1")

    ollama = build_chat_model(Settings(_env_file=None, llm="ollama:qwen2.5:7b", llm_base_url="http://127.0.0.1:9"))
    assert type(ollama).__name__ == "ChatOllama"
    assert (ollama.model, ollama.base_url) == ("qwen2.5:7b", "http://127.0.0.1:9")


def test_timeout_and_retries_reach_each_provider_under_its_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    limits = {"llm_timeout_seconds": 7.5, "llm_max_retries": 4}
    openai = build_chat_model(Settings(_env_file=None, llm="openai:gpt-4.1-mini", **limits))
    assert (openai.request_timeout, openai.max_retries) == (7.5, 4)
    assert (openai.async_client._client.timeout, openai.async_client._client.max_retries) == (7.5, 4)

    ollama = build_chat_model(Settings(_env_file=None, llm="ollama:qwen2.5:7b", **limits))
    assert ollama._async_client._client.timeout == httpx.Timeout(7.5)  # and no retries: Ollama's client has none


async def test_recorder_writes_module_model_tokens_and_latency(pool: AsyncConnectionPool) -> None:
    reply = AIMessage(
        content="Check the pod's previous logs with kubectl logs --previous.",
        usage_metadata={"input_tokens": 412, "output_tokens": 17, "total_tokens": 429},
    )
    model = GenericFakeChatModel(messages=iter([reply]))
    answer = await model.ainvoke(
        "KubePodCrashLooping fired: what first?",
        config={"callbacks": [LLMCallRecorder(pool)], "metadata": {"module": "runbook"}},
    )
    assert answer.content == reply.content

    [call] = await llm_usage.recent(pool)
    assert (call.module, call.kind, call.input_tokens, call.output_tokens, call.error) == (
        "runbook",
        "chat",
        412,
        17,
        None,
    )
    assert call.model == "generic-fake-chat-model"
    assert call.latency_ms is not None and call.latency_ms >= 0


async def test_recorder_writes_failed_calls(pool: AsyncConnectionPool) -> None:
    exhausted = GenericFakeChatModel(messages=iter([]))
    with pytest.raises(Exception):  # noqa: B017 - whatever the model raises, the call is recorded
        await exhausted.ainvoke(
            "hello", config={"callbacks": [LLMCallRecorder(pool)], "metadata": {"module": "commands"}}
        )
    [call] = await llm_usage.recent(pool)
    assert call.module == "commands"
    assert call.error and call.input_tokens is None


async def test_the_runtime_model_records_its_calls(database_url: str) -> None:
    settings = Settings(
        _env_file=None, database_url=database_url, llm="ollama:qwen2.5:7b", llm_base_url="http://127.0.0.1:9"
    )
    async with open_runtime(settings) as runtime:
        assert runtime.chat_model is not None
        [recorder] = runtime.chat_model.callbacks
        assert isinstance(recorder, LLMCallRecorder) and recorder.pool is runtime.pool
        with pytest.raises(Exception):  # noqa: B017 - nothing listens on port 9; the failure is what gets recorded
            await runtime.chat_model.ainvoke("hello", config={"metadata": {"module": "commands"}})
        [call] = await llm_usage.recent(runtime.pool)
    assert (call.module, call.model) == ("commands", "qwen2.5:7b") and call.error
