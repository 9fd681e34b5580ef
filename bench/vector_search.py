"""Benchmark: pgvector HNSW (cosine) against exact search on synthetic embeddings, per table size.

For each size N: N seeded unit-length vectors of dimension D are COPYed (binary) into a fresh table of a fresh
embedded Postgres. Two shapes of vectors (`--shape`):
- `corpus` (default): drawn from a Gaussian with the mean and covariance of the local embedding model's vectors for
  the real texts bundled in this repo (alert rules, runbooks, SRE docs under `tests/data` and the demo runbooks),
  then normalised. Real text embeddings are far from isotropic: the local model's use about 21 effective
  dimensions of 256 (participation ratio of the covariance spectrum), and their nearest neighbours are close.
  This is what an index of the configured model's embeddings looks like.
- `isotropic`: clustered random directions whose noise is as long as their centre; ~240 effective dimensions and
  nearest neighbours at cosine 0.28. No text embedding model produces this; it is the worst case for any graph index.
It measures
- load time (COPY + ANALYZE) and HNSW index build time (`vector_cosine_ops` with the m / ef_construction that
  ratchet's migrations use, maintenance_work_mem and max_parallel_maintenance_workers as given);
- for Q query vectors drawn from the same distribution, top-10 by cosine distance:
  exact (`enable_indexscan = off`: a (parallel) sequential scan + top-N sort) and HNSW at several ef_search values
  (pgvector's default 40 and ratchet's pool setting among them): p50/p99 latency per query (client-side, one
  connection, prepared statement), recall@10 of HNSW against exact, and latency(HNSW) / latency(exact).

Run: `.venv/bin/python bench/vector_search.py [--sizes 100000 1000000] [--shape corpus|isotropic] [--queries 200]`.
Both sizes run by default; on a 2-core box the 1M HNSW build alone takes about 20 minutes with ratchet's
m=24 / ef_construction=128; pass `--sizes 100000` for a run of a minute or two.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from ratchet.knowledge.chunking import chunk_document
from ratchet.llm import LocalEmbeddings
from ratchet.storage.database import HNSW_EF_SEARCH
from ratchet.storage.embedded import start_embedded_postgres
from ratchet.storage.vectors import HNSW_EF_CONSTRUCTION, HNSW_M

LOCAL_MODEL_DIM = 256
TOP = 10
EF_SEARCHES = (40, 100, HNSW_EF_SEARCH, 400)  # pgvector's default; ..., ratchet's pool setting, a wider search
REPO = Path(__file__).resolve().parents[1]
CORPUS_TEXTS = (REPO / "tests" / "data" / "docs", REPO / "ratchet" / "demo_data" / "runbooks")
ALERT_RULES = REPO / "tests" / "data" / "alerts" / "alerts.jsonl"
BATCH = 50_000
SEARCH = "SELECT id FROM items ORDER BY embedding <=> %s LIMIT %s"


@dataclass
class Timing:
    p50_ms: float
    p99_ms: float


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class VectorShape:
    """Draws seeded unit vectors of one shape (see the module's docstring)."""

    def __init__(self, shape: str, dim: int, size: int, seed: int) -> None:
        self.shape, self.dim = shape, dim
        rng = np.random.default_rng(seed)
        if shape == "corpus":
            real = corpus_embeddings()
            if real.shape[1] != dim:
                raise SystemExit(f"--shape corpus needs --dim {real.shape[1]} (the local model's dimension)")
            self.mean = real.mean(axis=0)
            _, singular, directions = np.linalg.svd(real - self.mean, full_matrices=False)
            self.factor = (directions.T * (singular / np.sqrt(len(real) - 1))).astype(np.float32)
            self.description = f"corpus-shaped: Gaussian fitted to {len(real):,} real text embeddings"
        else:
            self.centers = unit(rng.standard_normal((max(16, size // 1000), dim), dtype=np.float32))
            self.spread = 1.0 / np.sqrt(dim)  # noise about as long as the centre: clusters overlap
            self.description = f"isotropic: {len(self.centers)} clusters"

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        if self.shape == "corpus":
            latent = rng.standard_normal((count, self.factor.shape[1]), dtype=np.float32)
            return unit(self.mean + latent @ self.factor.T)
        picks = rng.integers(0, len(self.centers), size=count)
        noise = rng.standard_normal((count, self.centers.shape[1]), dtype=np.float32) * self.spread
        return unit(self.centers[picks] + noise)

    def batches(self, seed: int, size: int) -> Iterator[np.ndarray]:
        rng = np.random.default_rng(seed)
        for start in range(0, size, BATCH):
            yield self.draw(rng, min(BATCH, size - start))


def corpus_embeddings() -> np.ndarray:
    """The local model's embeddings of the repo's real texts: doc chunks and alert rules."""
    texts = [
        chunk.content
        for root in CORPUS_TEXTS
        for path in sorted(root.rglob("*.md"))
        for chunk in chunk_document(path.read_text(errors="replace"), path=path.name).chunks
    ]
    texts += ALERT_RULES.read_text().splitlines()
    return unit(np.array(LocalEmbeddings().embed_documents(texts), dtype=np.float32))


def effective_dimensions(vectors: np.ndarray) -> float:
    """Participation ratio of the covariance spectrum: how many dimensions the vectors really spread over."""
    variances = np.linalg.svd(vectors - vectors.mean(axis=0), compute_uv=False) ** 2
    return float(variances.sum() ** 2 / (variances**2).sum())


def timed(conn: psycopg.Connection[Any], queries: np.ndarray) -> tuple[list[list[int]], Timing]:
    results, seconds = [], []
    for vector in queries:
        started = time.perf_counter()
        rows = conn.execute(SEARCH, (vector, TOP), prepare=True).fetchall()
        seconds.append(time.perf_counter() - started)
        results.append([row[0] for row in rows])
    ms = sorted(s * 1000 for s in seconds)
    return results, Timing(statistics.median(ms), ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))])


def plan(conn: psycopg.Connection[Any], vector: np.ndarray) -> str:
    rows = conn.execute("EXPLAIN " + SEARCH, (vector, TOP)).fetchall()
    text = " ".join(row[0] for row in rows)
    if "items_embedding_idx" in text:
        return "HNSW index scan"
    return "parallel seq scan + sort" if "Parallel" in text else "seq scan + sort"


@dataclass
class IndexSettings:
    m: int
    ef_construction: int
    ef_searches: list[int]
    maintenance_work_mem: str
    parallel_workers: int


def run_size(url: str, size: int, shape: VectorShape, queries: int, seed: int, index: IndexSettings) -> None:
    dim = shape.dim
    query_vectors = shape.draw(np.random.default_rng(seed + 1), queries)

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        register_vector(conn)
        conn.execute("DROP TABLE IF EXISTS items")
        conn.execute(f"CREATE TABLE items (id integer PRIMARY KEY, embedding vector({dim}) NOT NULL)")

        started = time.perf_counter()
        next_id = 0
        copy_sql = "COPY items (id, embedding) FROM STDIN WITH (FORMAT BINARY)"
        with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
            copy.set_types(["int4", "vector"])
            for batch in shape.batches(seed + 2, size):
                for vector in batch:
                    copy.write_row((next_id, vector))
                    next_id += 1
        conn.execute("VACUUM ANALYZE items")
        load_s = time.perf_counter() - started

        conn.execute(f"SET maintenance_work_mem = '{index.maintenance_work_mem}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {index.parallel_workers}")
        notices: list[str] = []
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        started = time.perf_counter()
        conn.execute(
            "CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_cosine_ops) "
            f"WITH (m = {index.m}, ef_construction = {index.ef_construction})"
        )
        build_s = time.perf_counter() - started
        conn.execute("ANALYZE items")
        table_mb = conn.execute("SELECT pg_relation_size('items') / 1048576.0").fetchone()[0]  # type: ignore[index]
        index_mb = conn.execute("SELECT pg_relation_size('items_embedding_idx') / 1048576.0").fetchone()[0]  # type: ignore[index]

        sample = shape.draw(np.random.default_rng(seed + 3), 5_000)
        print(f"\n== {size:,} vectors x {dim}-d, {shape.description}, {queries} queries, top {TOP} ==")
        print(f"effective dimensions (participation ratio): {effective_dimensions(sample):.1f}")
        print(
            f"load (binary COPY + VACUUM ANALYZE)  {load_s:8.1f} s   "
            f"({size / load_s:,.0f} rows/s, table {table_mb:,.0f} MB)"
        )
        print(
            f"HNSW build (m={index.m}, ef_construction={index.ef_construction}) {build_s:8.1f} s   "
            f"(index {index_mb:,.0f} MB)"
        )
        for notice in notices:
            print(f"  server notice: {notice}")

        conn.execute("SET enable_indexscan = off")
        exact_plan = plan(conn, query_vectors[0])
        timed(conn, query_vectors[:5])  # warm the cache
        exact, exact_t = timed(conn, query_vectors)
        conn.execute("RESET enable_indexscan")

        print(f"  {'method':34} {'p50 ms':>8} {'p99 ms':>8} {'recall@10':>9} {'p50 vs exact':>12}")
        print(f"  {'exact (' + exact_plan + ')':34} {exact_t.p50_ms:8.2f} {exact_t.p99_ms:8.2f} {1.0:9.3f} {1.0:12.3f}")
        for ef in index.ef_searches:
            conn.execute(f"SET hnsw.ef_search = {ef}")
            hnsw_plan = plan(conn, query_vectors[0])
            timed(conn, query_vectors[:5])
            found, hnsw_t = timed(conn, query_vectors)
            recall = np.mean([len(set(f) & set(e)) / TOP for f, e in zip(found, exact, strict=True)])
            ratio = hnsw_t.p50_ms / exact_t.p50_ms
            name = f"HNSW ef_search={ef}" + ("" if hnsw_plan == "HNSW index scan" else f" ({hnsw_plan}!)")
            print(f"  {name:34} {hnsw_t.p50_ms:8.2f} {hnsw_t.p99_ms:8.2f} {recall:9.3f} {ratio:12.3f}")
        conn.execute("DROP TABLE items")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="Table sizes.")
    parser.add_argument("--dim", type=int, default=LOCAL_MODEL_DIM, help="Vector dimension (local model: 256).")
    parser.add_argument("--shape", choices=["corpus", "isotropic"], default="corpus", help="See above.")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--m", type=int, default=HNSW_M, help="HNSW m (ratchet's migrations: %(default)s)")
    parser.add_argument("--ef-construction", type=int, default=HNSW_EF_CONSTRUCTION, help="(ratchet: %(default)s)")
    parser.add_argument("--ef-search", type=int, nargs="+", default=list(EF_SEARCHES), help="ef_search values")
    parser.add_argument("--maintenance-work-mem", default="2GB")
    parser.add_argument("--parallel-workers", type=int, default=1, help="max_parallel_maintenance_workers")
    args = parser.parse_args()
    index = IndexSettings(
        args.m, args.ef_construction, args.ef_search, args.maintenance_work_mem, args.parallel_workers
    )

    with tempfile.TemporaryDirectory() as home:
        url = start_embedded_postgres(Path(home), "vector_bench", fresh=True)
        with psycopg.connect(url) as conn:
            settings = conn.execute(
                "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings "
                "WHERE name IN ('shared_buffers', 'max_parallel_workers_per_gather', 'work_mem')"
            ).fetchone()
            version = conn.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
            ).fetchone()
        print(f"embedded Postgres, pgvector {version[0] if version else '?'}; {settings[0] if settings else ''}")
        if 1_000_000 not in args.sizes:
            print("1,000,000 rows not run this time (sizes given: " + ", ".join(f"{n:,}" for n in args.sizes) + ")")
        for size in args.sizes:
            shape = VectorShape(args.shape, args.dim, size, args.seed)
            run_size(url, size, shape, args.queries, args.seed, index)


if __name__ == "__main__":
    main()
