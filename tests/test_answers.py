"""Answers from the real prometheus-operator runbooks on a real Postgres, with a scripted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from psycopg_pool import AsyncConnectionPool

from ratchet.knowledge.answers import NEEDS_LLM, DocAnswer, answer_question
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from tests.conftest import DATA
from tests.helpers import ScriptedModel

RUNBOOKS = DATA / "docs" / "runbooks-prometheus-operator"
CRASHLOOP = "content/runbooks/kubernetes/KubePodCrashLooping.md"
URL_BASE = "https://github.com/prometheus-operator/runbooks/blob/main/{path}"
QUESTION = "A pod keeps restarting in CrashLoopBackOff: what should I check?"


def says(**args: Any) -> ScriptedModel:
    return ScriptedModel(
        responses=[AIMessage(content="", tool_calls=[{"name": "AnswerDraft", "args": args, "id": "1"}])]
    )


@pytest.fixture
async def indexed(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, tmp_path: Path) -> DocSource:
    source = DocSource(name="runbooks", kind="local", location=str(RUNBOOKS), url_base=URL_BASE)
    report = await refresh_source(pool, local_embeddings, source, tmp_path)
    assert report.error is None and report.added >= 8
    return source


async def ask(
    pool: AsyncConnectionPool, embeddings: LocalEmbeddings, model: ScriptedModel | None, **kwargs: Any
) -> DocAnswer:
    return await answer_question(pool, embeddings, model, kwargs.pop("question", QUESTION), **kwargs)


def crashloop_number(answer: DocAnswer) -> int:
    return next(p.number for p in answer.passages if p.path == CRASHLOOP)


async def test_a_grounded_answer_cites_its_passages(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource
) -> None:
    found = await ask(pool, local_embeddings, None)
    n = crashloop_number(found)
    model = says(
        answered=True,
        answer=f"Check the pod's events with `kubectl describe pod` and its logs with `kubectl logs` [{n}]. "
        f"Also check for missing configmaps or secrets [{n}][9].",
        cited=[n, 9],
    )
    answer = await ask(pool, local_embeddings, model)
    assert answer.answered and answer.cited == [n]  # 9 was not a passage it was given
    assert "[9]" not in (answer.answer or "") and [p.path for p in answer.citations] == [CRASHLOOP]
    markdown = answer.to_markdown()
    url = URL_BASE.format(path=CRASHLOOP)
    assert f"<{url}|[{n}]>" in markdown and "**Sources**" in markdown and CRASHLOOP in markdown
    prompt = model.seen[0][-1].content
    assert isinstance(prompt, str)
    quoted = prompt.split("<<<PASSAGES", 1)[1].split("PASSAGES>>>", 1)[0]
    assert f"[{n}] {CRASHLOOP}" in quoted and "kubectl -n $NAMESPACE describe pod $POD" in quoted
    assert QUESTION in prompt.split("<<<QUESTION", 1)[1].split("QUESTION>>>", 1)[0]


@pytest.mark.parametrize(
    "draft",
    [
        {"answered": False},
        {"answered": True, "answer": "Restart the whole cluster [42].", "cited": [42]},
        {"answered": True, "answer": "Restart the whole cluster.", "cited": []},
    ],
    ids=["not-answered", "invented-citation", "no-citation"],
)
async def test_i_dont_know_says_what_was_searched(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource, draft: dict[str, Any]
) -> None:
    answer = await ask(pool, local_embeddings, says(**draft), source="runbooks")
    assert answer.kind == "unknown" and not answer.answered and answer.answer is None
    markdown = answer.to_markdown()
    assert markdown.startswith("I don't know") and QUESTION in markdown and "'runbooks' documentation" in markdown
    assert all(p.path in markdown for p in answer.passages) and CRASHLOOP in markdown
    assert "Restart the whole cluster" not in markdown


async def test_without_a_model_the_passages_are_returned(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource
) -> None:
    answer = await ask(pool, local_embeddings, None, limit=3)
    assert answer.kind == "passages" and answer.note == NEEDS_LLM and len(answer.passages) == 3
    assert answer.passages[0].path == CRASHLOOP
    markdown = answer.to_markdown()
    assert all(f"**[{p.number}]** <{URL_BASE.format(path=p.path)}|" in markdown for p in answer.passages)
    assert f"({CRASHLOOP})" in markdown and "needs an LLM" in markdown


async def test_a_failing_model_leaves_the_passages(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource, caplog: pytest.LogCaptureFixture
) -> None:
    model = ScriptedModel(
        responses=[AIMessage(content="", tool_calls=[{"name": "AnswerDraft", "args": {"cited": "x"}, "id": "1"}])]
    )
    answer = await ask(pool, local_embeddings, model)
    assert answer.kind == "passages" and answer.passages and "the LLM could not answer" in caplog.text


async def test_nothing_found_is_an_i_dont_know(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings) -> None:
    model = ScriptedModel(responses=[])
    answer = await ask(pool, local_embeddings, model, source="nowhere")
    assert answer.kind == "unknown" and not answer.passages and model.seen == []
    assert "found no passages" in answer.to_markdown() and QUESTION in answer.to_markdown()
