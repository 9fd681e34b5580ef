"""Benchmark: does the bot find the right runbook for real alerts, and say so when there is none?

Ingests a documentation corpus laid out like the project's shared data set (`runbooks-prometheus-operator/` and
`docs/<source>/`), then for every rule in tests/data/alerts/alerts.jsonl:
- with a known runbook (`local_runbook`): the curated lookup, given what the notification carries (its
  `runbook_url` or `runbook` annotation), must return that file: hit@1 and hit@3;
- with a runbook link that is not in the corpus: the bot must say there is none;
- search alone (alert name + summary, no link): hit@1 and hit@3 for hybrid, vector-only and text-only retrieval.
Also prints ingest throughput (chunks embedded and stored per second) next to the embedding model's raw
throughput on the same texts, measured in the same run.

Run: `.venv/bin/python bench/runbook_eval.py CORPUS_DIR [--limit N]` (it starts its own embedded Postgres in a
temp dir). With `tests/data/docs` as CORPUS_DIR it runs on the small copy kept in the repo.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from ratchet.config import Settings
from ratchet.knowledge.activity import alert_terms
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.knowledge.sources import DocSource
from ratchet.runtime import Runtime, open_runtime
from ratchet.storage.embedded import start_embedded_postgres
from ratchet.storage.search import search_chunks

RULES = Path(__file__).resolve().parents[1] / "tests" / "data" / "alerts" / "alerts.jsonl"


def corpus_sources(corpus: Path) -> dict[str, DocSource]:
    """Every source folder of the corpus, keyed by its path relative to the corpus root."""
    roots = [corpus / "runbooks-prometheus-operator", *sorted(p for p in (corpus / "docs").glob("*") if p.is_dir())]
    return {
        str(root.relative_to(corpus)): DocSource(name=root.name, kind="local", location=str(root))
        for root in roots
        if root.is_dir()
    }


def expected_document(local_runbook: str, sources: dict[str, DocSource]) -> tuple[str, str] | None:
    for prefix, source in sources.items():
        if local_runbook.startswith(prefix + "/"):
            return source.name, local_runbook[len(prefix) + 1 :]
    return None


@asynccontextmanager
async def indexed_corpus(
    corpus: Path, database: str
) -> AsyncIterator[tuple[Runtime, dict[str, DocSource], int, float]]:
    """A fresh embedded Postgres with the corpus ingested: the runtime, the sources, chunks and seconds taken."""
    sources = corpus_sources(corpus)
    with tempfile.TemporaryDirectory() as home:
        url = start_embedded_postgres(Path(home), database, fresh=True)
        settings = Settings(_env_file=None, database_url=url, home=Path(home))
        async with open_runtime(settings) as runtime:
            started = time.perf_counter()
            chunks = 0
            for source in sources.values():
                chunks += (await refresh_source(runtime.pool, runtime.embeddings, source, Path(home))).chunks_embedded
            yield runtime, sources, chunks, time.perf_counter() - started


async def main(corpus: Path, limit: int | None) -> None:
    rules = [json.loads(line) for line in RULES.read_text().splitlines()]
    async with indexed_corpus(corpus, "runbook_eval") as (runtime, sources, chunks, ingest_seconds):
        async with runtime.pool.connection() as conn:
            rows = await (await conn.execute("SELECT heading || E'\\n' || content FROM document_chunks")).fetchall()
        texts = [text for (text,) in rows]
        started = time.perf_counter()
        await runtime.embeddings.aembed_documents(texts)
        raw_seconds = time.perf_counter() - started
        print(f"corpus: {len(sources)} sources, {chunks} chunks ingested in {ingest_seconds:.1f}s")
        ingest_rate, raw_rate = chunks / ingest_seconds, len(texts) / raw_seconds
        ratio = ingest_rate / raw_rate
        print(f"ingest {ingest_rate:8.0f} chunks/s   raw embedding {raw_rate:8.0f} texts/s   ratio {ratio:.3f}")

        known, missing = [], []
        for rule in rules:
            link = rule["annotations"].get("runbook_url") or rule["annotations"].get("runbook")
            target = expected_document(rule["local_runbook"], sources) if rule.get("local_runbook") else None
            if target:
                known.append((rule, link, target))
            elif link:
                missing.append((rule, link))
        known, missing = known[:limit], missing[:limit]

        curated_hits, ways = Counter(), Counter()
        async with runtime.pool.connection() as conn:
            for rule, link, target in known:
                found = await find_curated_runbook(
                    conn, runtime.embeddings, rule["alert"], runbook_link=link, summary=rule.get("summary")
                )
                got = (found.source, found.path) if found else None
                curated_hits["hit@1"] += got == target
                ways[found.matched_by if found else "none"] += 1
            said_none = 0
            for rule, link in missing:
                found = await find_curated_runbook(
                    conn, runtime.embeddings, rule["alert"], runbook_link=link, summary=rule.get("summary")
                )
                said_none += found is None
            print(f"\ncurated runbook for {len(known)} alerts with a known runbook: hit@1 "
                  f"{curated_hits['hit@1'] / len(known):.3f}   (matched by: {dict(ways)})")  # fmt: skip
            print(f"'no runbook' for {len(missing)} alerts whose runbook link is not in the corpus: "
                  f"{said_none / max(1, len(missing)):.3f}")  # fmt: skip

            print("\nsearch only (alert name + summary, no link):")
            for mode in ("hybrid", "vector", "text"):
                hit1 = hit3 = 0
                for rule, _, target in known:
                    query = f"{alert_terms(rule['alert'])} {rule.get('summary') or ''}"
                    hits = await search_chunks(
                        conn, query, await runtime.embeddings.aembed_query(query), mode=mode, limit=20
                    )
                    documents = list(dict.fromkeys((h.source, h.path) for h in hits))
                    hit1 += documents[:1] == [target]
                    hit3 += target in documents[:3]
                print(f"  {mode:7} hit@1 {hit1 / len(known):.3f}   hit@3 {hit3 / len(known):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="Evaluate at most N alerts of each kind.")
    args = parser.parse_args()
    asyncio.run(main(args.corpus, args.limit))
