"""Answers from the documentation: the best passages (hybrid search), and with a chat model an answer grounded
only in them, every sentence citing passage numbers, or an explicit "I don't know" that says what was searched."""

from __future__ import annotations

import logging
import re
from typing import Literal

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from ratchet.prompts import render_prompt
from ratchet.slack.formatting import shorten
from ratchet.storage.search import search_chunks

log = logging.getLogger(__name__)
PASSAGE_CHARS = 2000  # of one passage shown to the model
MARKER = re.compile(r"\[(\d+)\]")
NEEDS_LLM = "A written answer needs an LLM; these are the passages that match best."


class Passage(BaseModel):
    """A numbered search hit, citable as [number]."""

    number: int
    source: str
    path: str
    url: str | None
    title: str | None
    heading: str
    content: str

    @property
    def link(self) -> str:
        """The heading, linked to the document when it has a URL, with its path."""
        name = self.heading or self.title or self.path
        label = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # "A > B" would end the link
        return f"<{self.url}|{label}> ({self.path})" if self.url else f"{name} ({self.path})"


class DocAnswer(BaseModel):
    question: str
    kind: Literal["answered", "unknown", "passages"]
    answer: str | None = None
    cited: list[int] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    source: str | None = None
    note: str | None = None

    @property
    def answered(self) -> bool:
        return self.kind == "answered"

    @property
    def citations(self) -> list[Passage]:
        """The passages the answer cites, in passage order."""
        return [p for p in self.passages if p.number in self.cited]

    def searched(self) -> str:
        """What was searched: the query, where, and which passages were looked at."""
        where = f"the {self.source!r} documentation" if self.source else "all documentation sources"
        if not self.passages:
            return f"I searched {where} for “{self.question}” and found no passages."
        looked = "; ".join(f"{p.path} — {p.heading or p.title or p.path}" for p in self.passages)
        return f"I searched {where} for “{self.question}” and looked at {len(self.passages)} passages: {looked}."

    def to_markdown(self) -> str:
        """Markdown with Slack `<url|[n]>` citation links: the answer and its sources, the "I don't know" with what
        was searched, or the passages themselves."""
        if self.kind == "answered" and self.answer:
            by_number = {p.number: p for p in self.passages}

            def link(match: re.Match[str]) -> str:
                passage = by_number[int(match.group(1))]
                return f"<{passage.url}|[{passage.number}]>" if passage.url else match.group(0)

            sources = [f"[{p.number}] {p.link}" for p in self.citations]
            return "\n".join([MARKER.sub(link, self.answer), "", "**Sources**", *sources])
        if self.kind == "unknown":
            return f"I don't know: the documentation I found does not answer this. {self.searched()}"
        lines = [f"_{self.note}_"] if self.note else []
        for passage in self.passages:
            lines.append(f"**[{passage.number}]** {passage.link}\n> {shorten(passage.content, 400)}")
        return "\n\n".join(lines)


class AnswerDraft(BaseModel):
    """The model's answer from the passages."""

    answered: bool = Field(description="true only when the passages answer the question")
    answer: str = Field(default="", description="the answer, every sentence ending with passage numbers like [2]")
    cited: list[int] = Field(default_factory=list, description="numbers of the passages the answer comes from")


async def answer_question(
    pool: AsyncConnectionPool,
    embeddings: Embeddings,
    chat_model: BaseChatModel | None,
    question: str,
    *,
    source: str | None = None,
    limit: int = 5,
) -> DocAnswer:
    """Answer `question` from the documentation (one source, or all); no connection is held during the model call."""
    vector = await embeddings.aembed_query(question)
    async with pool.connection() as conn:
        hits = await search_chunks(conn, question, vector, source=source, limit=limit)
    passages = [
        Passage(number=n, **hit.model_dump(include={"source", "path", "url", "title", "heading", "content"}))
        for n, hit in enumerate(hits, 1)
    ]
    found = DocAnswer(question=question, kind="passages", passages=passages, source=source)
    if not passages:
        return found.model_copy(update={"kind": "unknown"})
    if chat_model is None:
        return found.model_copy(update={"note": NEEDS_LLM})
    try:
        draft = await chat_model.with_structured_output(AnswerDraft).ainvoke(
            render_prompt("answer_from_docs", question=question, passages=_quoted(passages)),
            config={"metadata": {"module": "answers"}, "run_name": "answer_from_docs"},
        )
        if not isinstance(draft, AnswerDraft):
            draft = AnswerDraft.model_validate(draft)
    except Exception as error:  # a failing or garbled model still leaves the passages
        log.warning("the LLM could not answer from the docs: %s: %s", type(error).__name__, error)
        return found.model_copy(update={"note": f"The LLM failed ({type(error).__name__}). {NEEDS_LLM}"})
    return _grounded(found, draft)


def _grounded(found: DocAnswer, draft: AnswerDraft) -> DocAnswer:
    """Keep only citations of given passages (in `cited` or written in the text); without any it is "unknown"."""
    numbers = {p.number for p in found.passages}
    written = {int(n) for n in MARKER.findall(draft.answer)}
    cited = sorted((set(draft.cited) | written) & numbers)
    answer = MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in numbers else "", draft.answer).strip()
    if not draft.answered or not cited or not answer:
        if draft.answered:
            log.info("dropped a docs answer without a valid citation: %r (cited %s)", draft.answer, draft.cited)
        return found.model_copy(update={"kind": "unknown"})
    return found.model_copy(update={"kind": "answered", "answer": answer, "cited": cited})


def _quoted(passages: list[Passage]) -> str:
    blocks = []
    for p in passages:
        header = f"[{p.number}] {p.path} — {p.heading or p.title or p.path}" + (f" ({p.url})" if p.url else "")
        blocks.append(f"{header}\n{p.content[:PASSAGE_CHARS]}")
    return "\n\n".join(blocks)
