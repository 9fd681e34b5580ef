"""Answers from the documentation, with an LLM or without: the one place that decides what a person is told.

- Without an LLM the person gets the best passages (hybrid search, one best passage per document), or, when no
  passage is close enough to the question (`abstains`), "nothing in the docs answers this" and the closest ones.
- With an LLM the agent (graphs/conversation.py) writes the answer from what its tools returned, citing each
  statement by the link (or the path) of the passage it comes from. `answer_from_agent` holds it to that: a
  statement that cites no passage the tools returned is left out, and the answer says how many were; an answer
  left with none is the same explicit "I don't know" with what was searched. An answer that only reports what the
  bot's other tools returned (incidents, messages, reports, the classifier, a proposed change) is not an answer
  from the documentation and is posted as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Literal, Protocol

from langchain_core.embeddings import Embeddings
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from ratchet.knowledge.queries import searchable
from ratchet.redact import redact
from ratchet.slack.formatting import code_block_end, excerpt, shorten
from ratchet.storage.search import search_chunks

log = logging.getLogger(__name__)

ABSTAIN_BELOW = 2.62
RELEVANCE_WEIGHT = 2.0
"""Without an LLM the bot abstains when, for every document found, the share of the question's rarest words it
holds (`coverage`: the search's COVERAGE_WORDS rarest, each weighted by its rarity in the corpus) plus
RELEVANCE_WEIGHT times its best passage's BM25 over the most those words could score (`bm25`) stays below
ABSTAIN_BELOW: a question whose specific words no document holds is not answered by the documents that share its
common ones. Calibrated on the tuning half of bench/doc_qa/questions.jsonl (answerable and not; F1 0.90 there,
0.78 on the other half). Reading every word of the question instead of the rarest made long questions look
unanswered (F1 0.60 on the other half). The embedding's cosine similarity does not separate the two (both score 0.5
to 0.8 with the bundled model), so it is not read."""
PASSAGE_CHARS = 2000  # of one passage a documentation tool keeps for citing it
EXCERPT_CHARS = 500  # of one passage shown to a person
SNIPPET_CHARS = 300  # of one passage in `ratchet ask --json`
NEEDS_LLM = "A written answer needs an LLM; these are the passages that match best."

# a link in Markdown `(url)`, Slack `<url|label>` or bare; what ends it is not part of it
_URL = re.compile(r"https?://[^\s<>|()\[\]\"'`]+")
_PREFIX = re.compile(r"^([ \t]*(?:>[ \t]*)*(?:(?:[-*+•]|\d+[.)])[ \t]+)?)(.*)$")  # indent, quote, list marker
# a sentence ends at . ! or ? before a space and what can start the next one
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*_`<\[(\"“])")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s|^\s*(\*{1,2}|_)[^*_].*\1\s*$")  # a Markdown heading or a line all in bold
# what a statement cites with (links, a path in a code span), removed to see whether anything else is left
_CITATION_MARKUP = re.compile(r"<https?://[^<>]*>|\[[^\[\]]*\]\(https?://[^()\s]*\)|https?://\S+|`[^`]*`")


class Scored(Protocol):
    """What abstention reads of a retrieved passage (search fills both; a passage a tool read otherwise has none)."""

    @property
    def coverage(self) -> float | None: ...

    @property
    def bm25(self) -> float | None: ...


def abstains(passages: Iterable[Scored]) -> bool:
    """True when no passage is good enough to show as the answer (see ABSTAIN_BELOW), or none was found."""
    best = max(
        (p.coverage + RELEVANCE_WEIGHT * (p.bm25 or 0.0) for p in passages if p.coverage is not None), default=None
    )
    return best is None or best < ABSTAIN_BELOW


class Source(BaseModel):
    """A piece of documentation that a search or a documentation tool returned: an answer may cite it."""

    source: str
    path: str
    url: str | None = None
    title: str | None = None
    heading: str = ""
    content: str = ""
    score: float | None = None  # the search's fused score of its document; None when a tool read it otherwise
    similarity: float | None = None  # cosine similarity to the query
    coverage: float | None = None  # the share of the query's words its document holds (see ABSTAIN_BELOW)
    bm25: float | None = None  # the passage's BM25 over the most a passage could score for the query

    @classmethod
    def citable(cls, found: BaseModel) -> Source:
        """A search hit, document or runbook as a documentation tool keeps it for citing: its text cut to
        `PASSAGE_CHARS` and its secrets redacted (it is checkpointed with the conversation)."""
        source = cls.model_validate(found.model_dump())
        return source.model_copy(update={"content": redact(source.content[:PASSAGE_CHARS])})


class Passage(Source):
    """A retrieved piece of documentation, numbered in the order it was found."""

    number: int

    @property
    def name(self) -> str:
        return self.heading or self.title or self.path

    @property
    def link(self) -> str:
        """The heading, linked to the document when it has a URL, with its path."""
        label = self.name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # "A > B" would end it
        return f"<{self.url}|{label}> ({self.path})" if self.url else f"{self.name} ({self.path})"


class DocAnswer(BaseModel):
    """What a person is told: a cited answer, "I don't know" with the closest passages, the passages themselves
    (no LLM), or the agent's report of what the bot's other tools returned."""

    question: str
    kind: Literal["answered", "unknown", "passages", "reported"]
    answer: str | None = None
    cited: list[int] = Field(default_factory=list)  # numbers of the passages the answer cites
    left_out: int = 0  # statements of the model's answer that cited no passage
    passages: list[Passage] = Field(default_factory=list)
    source: str | None = None  # the documentation source searched, when only one
    note: str | None = None  # said first: why this is not a written answer

    @property
    def abstained(self) -> bool:
        return self.kind == "unknown"

    @property
    def citations(self) -> list[Passage]:
        """The passages the answer cites, in passage order."""
        return [p for p in self.passages if p.number in self.cited]

    def to_markdown(self) -> str:
        """The reply: the answer with its sources, "I don't know" with what was searched and the closest passages,
        or the passages, each an excerpt with its headings, code blocks and links intact."""
        if self.kind == "reported":
            return self.answer or ""
        parts = [f"_{self.note}_"] if self.note else []
        if self.kind == "answered" and self.answer:
            parts.append(self.answer)
            if self.left_out:
                parts.append(f"_({self.left_out} statement(s) left out: they cited no passage the search found.)_")
            parts.append("\n".join(["**Sources**", *(f"[{p.number}] {p.link}" for p in self.citations)]))
        elif self.kind == "unknown":
            parts.append(f"I don't know: nothing in the docs answers this. {self._searched()}")
        else:
            parts += [f"**[{p.number}]** {p.link}\n{excerpt(p.content, EXCERPT_CHARS)}" for p in self.passages]
        return "\n\n".join(parts)

    def report(self) -> AnswerReport:
        """The answer as `ratchet ask --json` prints it."""
        return AnswerReport(
            question=self.question,
            answer=self.answer if self.kind in ("answered", "reported") else None,
            abstained=self.abstained,
            citations=[Citation.model_validate(p.model_dump()) for p in self.citations],
            passages=[
                ReportedPassage.model_validate({**p.model_dump(), "snippet": shorten(p.content, SNIPPET_CHARS)})
                for p in self.passages
            ],
        )

    def _searched(self) -> str:
        where = f"the {self.source!r} documentation" if self.source else "all documentation sources"
        if not self.passages:
            return f"I searched {where} for “{self.question}” and found no passages."
        closest = "\n".join(f"• {p.link}" for p in self.passages)
        return f"I searched {where} for “{self.question}”; closest:\n{closest}"


class Citation(BaseModel):
    path: str
    url: str | None
    heading: str
    source: str


class ReportedPassage(Citation):
    score: float | None
    snippet: str


class AnswerReport(BaseModel):
    """`ratchet ask --json`: the answer (None without one), whether the bot abstained, what it cites, what it found."""

    question: str
    answer: str | None
    abstained: bool
    citations: list[Citation]
    passages: list[ReportedPassage]


class AgentEvidence(BaseModel):
    """What the agent's tools returned, read from its conversation (graphs/conversation.py)."""

    passages: list[Source] = Field(default_factory=list)  # the documentation its tools returned, in all runs
    documentation: bool = False  # a documentation tool ran in this run (even when it found nothing)
    other_tools: bool = False  # another tool ran in this run


async def retrieve(
    pool: AsyncConnectionPool, embeddings: Embeddings, question: str, *, source: str | None = None, limit: int = 5
) -> list[Passage]:
    """The best passages for `question` (one source, or all), numbered from 1."""
    query = searchable(question)
    vector = await embeddings.aembed_query(query)
    async with pool.connection() as conn:
        hits = await search_chunks(conn, query, vector, source=source, limit=limit)
    return _numbered(Source.model_validate(hit.model_dump()) for hit in hits)


async def answer_question(
    pool: AsyncConnectionPool, embeddings: Embeddings, question: str, *, source: str | None = None, limit: int = 5
) -> DocAnswer:
    """The documentation's answer without an LLM: its best passages, or "I don't know" and the closest ones when
    none is good enough (`abstains`)."""
    passages = await retrieve(pool, embeddings, question, source=source, limit=limit)
    kind = "unknown" if abstains(passages) else "passages"
    return DocAnswer(
        question=question, kind=kind, passages=passages, source=source, note=NEEDS_LLM if kind == "passages" else None
    )


async def answer_from_agent(
    pool: AsyncConnectionPool, embeddings: Embeddings, question: str, text: str, evidence: AgentEvidence
) -> DocAnswer:
    """The agent's final answer held to the documentation its tools returned (module docstring). An answer that
    consulted only the bot's other tools is reported as it is; an "I don't know" that found nothing itself shows
    the documentation's closest passages."""
    if evidence.other_tools and not evidence.documentation:
        return DocAnswer(question=question, kind="reported", answer=text)
    passages = _numbered(evidence.passages)
    kept, cited, left_out = ground(text, passages)
    if cited:
        return DocAnswer(
            question=question, kind="answered", answer=kept, cited=sorted(cited), left_out=left_out, passages=passages
        )
    log.info("an answer that cites none of the documentation found became an abstention: %r", text)
    closest = passages if evidence.documentation and passages else await retrieve(pool, embeddings, question)
    return DocAnswer(question=question, kind="unknown", passages=closest)


def ground(text: str, passages: list[Passage]) -> tuple[str, set[int], int]:
    """`text` without its statements that cite none of `passages`, the numbers of the passages it cites, and how
    many statements were left out.

    A statement is a sentence, or a list item's sentence; it cites a passage by a link to its document (any form:
    `<url|label>`, `[label](url)`, bare; the `#anchor` aside) or by its path. A lead-in (a sentence ending in ":",
    a heading, a line all in bold) stands or falls with what follows it, a code block with what introduces it.
    """
    units = _units(text)
    statements = [n for n, unit in enumerate(units) if unit.kind in ("claim", "lead")]
    keep = [False] * len(units)
    cited: set[int] = set()
    for index in reversed(statements):  # a lead-in after what follows it
        found = _cites(units[index].text, passages)
        cited |= found
        following = next((keep[n] for n in statements if n > index), False)
        keep[index] = bool(found) or (units[index].kind == "lead" and following)
    for index, unit in enumerate(units):
        if unit.kind == "code":
            before = [n for n in statements if n < index]
            introduced_by = before[-1] if before else next((n for n in statements if n > index), None)
            keep[index] = introduced_by is not None and keep[introduced_by]
    left_out = sum(1 for unit, kept in zip(units, keep, strict=True) if unit.kind == "claim" and not kept)
    return _joined(units, keep), cited, left_out


class _Unit(BaseModel):
    kind: Literal["claim", "lead", "code", "blank"]
    text: str
    line: int  # the line of the answer it is on (a code block: its first)
    prefix: str = ""  # its line's indent, quote and list marker, written before the line's first kept statement


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        end = code_block_end(lines, index)
        if end is not None:
            units.append(_Unit(kind="code", text="\n".join(lines[index : end + 1]), line=index))
            index = end + 1
            continue
        if not line.strip():
            units.append(_Unit(kind="blank", text="", line=index))
        elif _HEADING.match(line):
            units.append(_Unit(kind="lead", text=line, line=index))
        else:
            prefix, rest = _split_prefix(line)
            for sentence in _sentences(rest):
                kind = "lead" if _CITATION_MARKUP.sub("", sentence).rstrip().endswith(":") else "claim"
                units.append(_Unit(kind=kind, text=sentence, line=index, prefix=prefix))
        index += 1
    return units


def _split_prefix(line: str) -> tuple[str, str]:
    """A line's indent, quote marks and list marker, and the rest."""
    found = _PREFIX.match(line)
    return (found.group(1), found.group(2)) if found else ("", line)


def _sentences(text: str) -> list[str]:
    """A line's sentences; a piece that is only a citation (`... logs. <url|runbook>`) stays with the one before."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(text.strip()):
        if sentences and not re.sub(r"[\s.,;:!?()]", "", _CITATION_MARKUP.sub("", piece)):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def _cites(text: str, passages: list[Passage]) -> set[int]:
    """The passages a statement cites: by a link to the passage's document, or by the document's path."""
    linked = {_document(url) for url in _URL.findall(text)}
    return {p.number for p in passages if (p.url and _document(p.url) in linked) or p.path in text}


def _document(url: str) -> str:
    """A link as the document it points at: no anchor, no trailing punctuation or slash."""
    return url.split("#", 1)[0].rstrip(".,;:!?").rstrip("/")


def _joined(units: list[_Unit], keep: list[bool]) -> str:
    """The kept statements on their lines, code blocks whole, no run of blank lines."""
    lines: list[str] = []
    current: int | None = None
    for unit, kept in zip(units, keep, strict=True):
        if unit.kind == "blank":
            if lines and lines[-1]:
                lines.append("")
            current = None
        elif kept and unit.kind != "code" and unit.line == current:
            lines[-1] += " " + unit.text
        elif kept:
            lines.append(unit.text if unit.kind == "code" else unit.prefix + unit.text)
            current = unit.line
    return "\n".join(lines).strip("\n")


def _numbered(sources: Iterable[Source]) -> list[Passage]:
    """Sources as passages numbered from 1, each place in a document once."""
    passages: dict[tuple[str, str, str], Passage] = {}
    for found in sources:
        key = (found.source, found.path, found.heading)
        if key not in passages:
            passages[key] = Passage(number=len(passages) + 1, **found.model_dump())
    return list(passages.values())
