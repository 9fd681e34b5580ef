"""Benchmark: our own hybrid SQL (`search_chunks`) against langchain-postgres' `PGVectorStore` on document chunks.

Ingests a corpus exactly as bench/runbook_eval.py does (same sources, same `refresh_source`), then runs the same
search-only runbook task: for every alert rule in tests/data/alerts/alerts.jsonl that has a `local_runbook` in the
corpus, the query is alert name + its CamelCase words + summary and the target is that runbook document; a method
scores hit@1 / hit@3 when the target is the first / among the first three distinct documents it returns.

Methods, all over the SAME `document_chunks` table (20 chunks returned, 50 candidates per side where applicable):
- ours: `ratchet.storage.search.search_chunks` in hybrid, vector and text mode;
- PGVectorStore (langchain_postgres v2) over `document_chunks` as is: vector-only `similarity_search`, and hybrid
  search with `reciprocal_rank_fusion` on the existing `tsv` column (top_k 50 per side, and the library default 4).
Latency is the p50 of the search call alone (the query vector is computed once beforehand and passed in, so the
embedding model's time is left out of every method alike; it is printed separately).

Run: `/tmp/venvs/main/bin/python bench/pgvectorstore_compare.py CORPUS_DIR [--limit N]` (it starts its own
embedded Postgres in a temp dir).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from langchain_postgres import PGEngine, PGVectorStore
from langchain_postgres.v2.hybrid_search_config import HybridSearchConfig, reciprocal_rank_fusion

from ratchet.knowledge.activity import alert_terms
from ratchet.storage.search import Mode, search_chunks

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package
from runbook_eval import RULES, expected_document, indexed_corpus

Target = tuple[str, str]
Search = Callable[[str, list[float]], Awaitable[list[Target]]]
RESULTS = 20
CANDIDATES = 50


def sqlalchemy_url(url: str) -> str:
    """`postgresql://...` (as our settings hold it) -> the SQLAlchemy async psycopg form PGEngine wants."""
    scheme, rest = url.split("://", 1)
    return "postgresql+psycopg://" + rest if scheme in ("postgresql", "postgres") else url


def hybrid_config(top_k: int) -> HybridSearchConfig:
    """A fresh config per query: `asimilarity_search` writes the first query into a shared config's `fts_query`
    and every later query would silently reuse it, so the query text is passed as `fts_query` instead."""
    return HybridSearchConfig(
        tsv_column="tsv",
        tsv_lang="pg_catalog.english",
        fusion_function=reciprocal_rank_fusion,
        fusion_function_parameters={"rrf_k": 60},
        primary_top_k=top_k,
        secondary_top_k=top_k,
    )


def p50_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


async def main(corpus: Path, limit: int | None) -> None:
    rules = [json.loads(line) for line in RULES.read_text().splitlines()]
    async with indexed_corpus(corpus, "pgvectorstore_compare") as (runtime, sources, chunks, seconds):
        print(f"corpus: {len(sources)} sources, {chunks} chunks ingested in {seconds:.1f}s")

        known: list[tuple[str, Target]] = []
        for rule in rules:
            target = expected_document(rule["local_runbook"], sources) if rule.get("local_runbook") else None
            if target:
                known.append((f"{alert_terms(rule['alert'])} {rule.get('summary') or ''}", target))
        known = known[:limit]
        embed_seconds: list[float] = []
        vectors: list[list[float]] = []
        for query, _ in known:
            started = time.perf_counter()
            vectors.append(await runtime.embeddings.aembed_query(query))
            embed_seconds.append(time.perf_counter() - started)

        async with runtime.pool.connection() as conn:
            sparse_matches = 0
            for query, _ in known:
                row = await (
                    await conn.execute(
                        "SELECT count(*) FROM document_chunks WHERE tsv @@ plainto_tsquery('english', %s)",
                        (query,),
                    )
                ).fetchone()
                sparse_matches += bool(row and row[0])

        methods: dict[str, Search] = {}
        for mode in ("hybrid", "vector", "text"):

            async def ours(query: str, vector: list[float], mode: Mode = mode) -> list[Target]:
                async with runtime.pool.connection() as conn:
                    hits = await search_chunks(conn, query, vector, mode=mode, limit=RESULTS, candidates=CANDIDATES)
                return [(hit.source, hit.path) for hit in hits]

            methods[f"ours search_chunks {mode}"] = ours

        engine = PGEngine.from_connection_string(url=sqlalchemy_url(runtime.database_url))
        store: PGVectorStore | None = None
        try:
            store = await PGVectorStore.create(
                engine,
                table_name="document_chunks",
                embedding_service=runtime.embeddings,
                id_column="id",
                content_column="content",
                embedding_column="embedding",
                metadata_json_column="metadata",
            )
        except Exception as error:  # reported, not fatal: the point is to say why
            print(f"\nPGVectorStore.create over document_chunks FAILED: {type(error).__name__}: {error}")

        if store is not None:
            pgvs = store

            def documents(found: list[Any]) -> list[Target]:
                return [(doc.metadata.get("source", "?"), doc.metadata.get("path", "?")) for doc in found]

            async def pgvs_vector(query: str, vector: list[float]) -> list[Target]:
                return documents(await pgvs.asimilarity_search_by_vector(vector, k=RESULTS))

            methods["PGVectorStore similarity (vector)"] = pgvs_vector
            for top_k in (CANDIDATES, 4):

                async def pgvs_hybrid(query: str, vector: list[float], top_k: int = top_k) -> list[Target]:
                    found = await pgvs.asimilarity_search_by_vector(
                        vector, k=RESULTS, fts_query=query, hybrid_search_config=hybrid_config(top_k)
                    )
                    return documents(found)

                methods[f"PGVectorStore hybrid RRF top_k={top_k}"] = pgvs_hybrid

        print(f"\nsearch only, {len(known)} alerts with a known runbook (query = alert + words + summary):")
        print(f"  {'method':38} {'hit@1':>6} {'hit@3':>6} {'p50 ms':>8}")
        for name, search in methods.items():
            await search(known[0][0], vectors[0])  # warm up connections and plans
            hit1 = hit3 = 0
            seconds: list[float] = []
            for (query, target), vector in zip(known, vectors, strict=True):
                started = time.perf_counter()
                found = await search(query, vector)
                seconds.append(time.perf_counter() - started)
                ranked = list(dict.fromkeys(found))
                hit1 += ranked[:1] == [target]
                hit3 += target in ranked[:3]
            print(f"  {name:38} {hit1 / len(known):6.3f} {hit3 / len(known):6.3f} {p50_ms(seconds):8.2f}")
        print(f"\nquery embedding p50 {p50_ms(embed_seconds):.2f} ms (not included above)")
        print(
            f"PGVectorStore's full-text side uses plainto_tsquery (ALL query terms must match) and ts_rank_cd: "
            f"{sparse_matches}/{len(known)} queries match any chunk that way; ours ORs the terms and uses ts_rank."
        )
        await engine.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="Evaluate at most N alerts.")
    args = parser.parse_args()
    asyncio.run(main(args.corpus, args.limit))
