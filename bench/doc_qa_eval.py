"""Benchmark: does documentation search find the document that answers an on-call question, and does the bot
say "nothing in the docs answers this" when none does?

Questions: bench/doc_qa/questions.jsonl (written as people write in Slack, before any measurement; see its
README), each with the documents that answer it or none. Their `split` is fixed: tune on `tune`, report `test`.
The corpus is laid out as bench/doc_qa/README.md says (`runbooks-prometheus-operator/` and `docs/<source>/`); the
bench ingests it into a fresh embedded Postgres and compares, in the same run:
- ours: `search_chunks` hybrid (BM25 + vectors, fused per document), and its two sides alone (text only is BM25
  over `chunk_terms`; vector only is the dense baseline);
- `ts_rank_cd` over the chunks' weighted tsvector, ranked per document by the best chunk (what Postgres offers);
- a plain BM25 over whole files (bm25s: lowercased words, no stemming; the baseline to beat) and the same with
  English stop words removed.
Per method: recall@1 and recall@5 over distinct documents, MRR (answerable questions), documents repeated in a top
5; for ours, abstention precision/recall/F1 (unanswerable questions are the positives) with the shipped
threshold, and search latency p50/p99 (query embedding included).

Run: `.venv/bin/python bench/doc_qa_eval.py CORPUS_DIR [--split tune|test|all] [--in-repo]`
(CORPUS_DIR holds the four corpora, see bench/doc_qa/README.md for where to get them; `tests/data --in-repo` runs on
the copies kept in the repo).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import bm25s
from runbook_eval import corpus_sources, indexed_corpus  # beside this script

from ratchet.knowledge.answers import abstains
from ratchet.knowledge.queries import searchable
from ratchet.storage.search import ChunkHit, search_chunks

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "bench" / "doc_qa" / "questions.jsonl"
TOP = 5
Document = tuple[str, str]  # (source, path)

TS_RANK_CD = """
SELECT d.source, d.path, max(ts_rank_cd(c.tsv, q.tsq)) AS score
FROM document_chunks c JOIN documents d ON d.id = c.document_id,
     (SELECT to_tsquery('english', replace(plainto_tsquery('english', %(text)s)::text, ' & ', ' | ')) AS tsq) q
WHERE c.tsv @@ q.tsq
GROUP BY d.source, d.path ORDER BY score DESC LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expected: frozenset[Document]
    split: str
    in_repo: bool

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


def load_questions(path: Path, split: str, in_repo: bool) -> list[Question]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    questions = [
        Question(
            r["id"],
            r["question"],
            frozenset((e["source"], e["path"]) for e in r["expected"]),
            r["split"],
            bool(r.get("in_repo")),
        )
        for r in rows
    ]
    return [
        q for q in questions if (split == "all" or q.split == split) and (not in_repo or q.in_repo or not q.answerable)
    ]


@dataclass
class Scores:
    recall1: float
    recall5: float
    mrr: float
    repeated: int

    @classmethod
    def of(cls, rankings: Sequence[tuple[Question, list[Document]]]) -> Scores:
        answerable = [(q, ranked) for q, ranked in rankings if q.answerable]
        ranks = [next((i for i, d in enumerate(ranked[:TOP], 1) if d in q.expected), None) for q, ranked in answerable]
        n = max(len(answerable), 1)
        return cls(
            recall1=sum(r == 1 for r in ranks) / n,
            recall5=sum(r is not None for r in ranks) / n,
            mrr=sum(1 / r for r in ranks if r) / n,
            repeated=sum(len(ranked[:TOP]) != len(set(ranked[:TOP])) for _, ranked in rankings),
        )


def files_baseline(corpus: Path, stopwords: str | None) -> Callable[[str], list[Document]]:
    """BM25 over whole files (each source file one document), words lowercased, no stemming."""
    documents: list[Document] = []
    texts: list[str] = []
    for source in corpus_sources(corpus).values():
        root = Path(source.location)
        for file in sorted(root.rglob("*")):
            if file.is_file() and file.suffix.lower() in {".md", ".markdown", ".txt", ".adoc", ".rst"}:
                documents.append((source.name, str(file.relative_to(root))))
                texts.append(file.read_text(errors="replace"))
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords=stopwords, show_progress=False), show_progress=False)

    def search(question: str) -> list[Document]:
        tokens = bm25s.tokenize([question], stopwords=stopwords, show_progress=False)
        if not tokens.vocab:
            return []
        found, _ = retriever.retrieve(tokens, k=min(TOP, len(documents)), show_progress=False)
        return [documents[i] for i in found[0]]

    return search


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def abstention(decisions: Sequence[tuple[Question, bool]]) -> tuple[float, float, float]:
    said = [q for q, abstained in decisions if abstained]
    unanswerable = [q for q, _ in decisions if not q.answerable]
    right = [q for q in said if not q.answerable]
    precision = len(right) / len(said) if said else 0.0
    recall = len(right) / len(unanswerable) if unanswerable else 0.0
    return precision, recall, f1(precision, recall)


async def main(corpus: Path, questions_path: Path, split: str, in_repo: bool) -> None:
    questions = load_questions(questions_path, split, in_repo)
    unanswerable = sum(not q.answerable for q in questions)
    print(f"{len(questions)} questions ({split}): {len(questions) - unanswerable} answerable, {unanswerable} not")
    plain, without_stopwords = files_baseline(corpus, None), files_baseline(corpus, "en")
    async with indexed_corpus(corpus, "doc_qa_eval") as (runtime, sources, chunks, seconds):
        print(f"corpus {corpus}: {len(sources)} sources, {chunks} chunks ingested in {seconds:.0f} s\n")
        async with runtime.pool.connection() as conn:

            async def ours(question: str, mode: str) -> list[ChunkHit]:
                query = searchable(question)
                vector = await runtime.embeddings.aembed_query(query)
                return await search_chunks(conn, query, vector, mode=mode, limit=TOP)  # type: ignore[arg-type]

            async def ts_rank_cd(question: str) -> list[Document]:
                rows = await (await conn.execute(TS_RANK_CD, {"text": searchable(question), "limit": TOP})).fetchall()
                return [(source, path) for source, path, _ in rows]

            methods: dict[str, Callable[[str], Awaitable[list[Document]]]] = {
                f"ours {mode}": partial(_documents, ours, mode) for mode in ("hybrid", "text", "vector")
            }
            methods["ts_rank_cd per document"] = ts_rank_cd
            methods["BM25 over files"] = lambda q: _async(plain(q))
            methods["BM25 over files, stopwords"] = lambda q: _async(without_stopwords(q))

            print(f"{'method':<26} {'recall@1':>9} {'recall@5':>9} {'MRR':>7} {'repeats':>8}")
            table: dict[str, Scores] = {}
            for name, method in methods.items():
                table[name] = Scores.of([(q, await method(q.text)) for q in questions])
                s = table[name]
                print(f"{name:<26} {s.recall1:9.3f} {s.recall5:9.3f} {s.mrr:7.3f} {s.repeated:8d}")
            for baseline in ("BM25 over files", "BM25 over files, stopwords"):
                margin = table["ours hybrid"].recall5 - table[baseline].recall5
                print(f"ours hybrid recall@5 minus {baseline}: {margin:+.3f}")

            decisions, latencies = [], []
            for q in questions:
                started = time.perf_counter()
                hits = await ours(q.text, "hybrid")
                latencies.append((time.perf_counter() - started) * 1000)
                decisions.append((q, abstains(hits)))
            precision, recall, score = abstention(decisions)
            print(f"abstention (shipped threshold): precision {precision:.3f} recall {recall:.3f} F1 {score:.3f}")
            print(f"search latency: p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms")
            misses = [q for q, ranked in [(q, await methods["ours hybrid"](q.text)) for q in questions]
                      if q.answerable and not q.expected & set(ranked)]  # fmt: skip
            if split != "test":  # the test split's failures are not looked at
                print(f"\nmissed at 5 ({len(misses)}):")
                for q in misses:
                    print(f"  {q.id} {q.text[:100]!r} -> {sorted(q.expected)[0][1]}")


async def _documents(
    search: Callable[[str, str], Awaitable[list[ChunkHit]]], mode: str, question: str
) -> list[Document]:
    return list(dict.fromkeys((hit.source, hit.path) for hit in await search(question, mode)))


async def _async(value: list[Document]) -> list[Document]:
    return value


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="The corpora's root (runbooks-prometheus-operator/, docs/<source>/).")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--split", choices=("tune", "test", "all"), default="tune")
    parser.add_argument("--in-repo", action="store_true", help="Only questions whose documents are in the repo.")
    args = parser.parse_args()
    asyncio.run(main(args.corpus, args.questions, args.split, args.in_repo))
