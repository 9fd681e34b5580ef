"""Benchmark: pgvector HNSW (cosine) against exact search on synthetic embeddings, per table size.

For each size N: N seeded, clustered, unit-length random vectors of dimension D (default 256, the local embedding
model's) are COPYed (binary) into a fresh table of a fresh embedded Postgres; then it measures
- load time (COPY + ANALYZE) and HNSW index build time (`vector_cosine_ops`, default m=16 / ef_construction=64,
  maintenance_work_mem and max_parallel_maintenance_workers as given);
- for Q query vectors drawn from the same distribution, top-10 by cosine distance:
  exact (`enable_indexscan = off`: a (parallel) sequential scan + top-N sort) and HNSW at ef_search 40 (pgvector's
  default) and 100: p50/p99 latency per query (client-side, one connection, prepared statement), recall@10 of HNSW
  against exact, and latency(HNSW) / latency(exact).

Run: `/tmp/venvs/main/bin/python bench/vector_search.py [--sizes 100000 1000000] [--dim 256] [--queries 200]`.
Both sizes run by default; on a 2-core box the whole run takes about 7 minutes (the 1M HNSW build about 5 of
them); pass `--sizes 100000` for a 30-second run.
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

from ratchet.storage.embedded import start_embedded_postgres

LOCAL_MODEL_DIM = 256
TOP = 10
EF_SEARCHES = (40, 100, 400)  # pgvector default; ratchet's pool setting; a wider search
BATCH = 50_000
SEARCH = "SELECT id FROM items ORDER BY embedding <=> %s LIMIT %s"


@dataclass
class Timing:
    p50_ms: float
    p99_ms: float


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def clustered(rng: np.random.Generator, centers: np.ndarray, count: int, spread: float) -> np.ndarray:
    """`count` unit vectors scattered around randomly chosen cluster centres (text embeddings cluster by topic)."""
    picks = rng.integers(0, len(centers), size=count)
    noise = rng.standard_normal((count, centers.shape[1]), dtype=np.float32) * spread
    return unit(centers[picks] + noise)


def batches(seed: int, centers: np.ndarray, size: int, spread: float) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for start in range(0, size, BATCH):
        yield clustered(rng, centers, min(BATCH, size - start), spread)


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


def run_size(url: str, size: int, dim: int, queries: int, seed: int, mem: str, workers: int) -> None:
    rng = np.random.default_rng(seed)
    centers = unit(rng.standard_normal((max(16, size // 1000), dim), dtype=np.float32))
    spread = 1.0 / np.sqrt(dim)  # noise about as long as the centre: clusters overlap, as real topics do
    query_vectors = clustered(np.random.default_rng(seed + 1), centers, queries, spread)

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
            for batch in batches(seed + 2, centers, size, spread):
                for vector in batch:
                    copy.write_row((next_id, vector))
                    next_id += 1
        conn.execute("VACUUM ANALYZE items")
        load_s = time.perf_counter() - started

        conn.execute(f"SET maintenance_work_mem = '{mem}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {workers}")
        notices: list[str] = []
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        started = time.perf_counter()
        conn.execute("CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_cosine_ops)")
        build_s = time.perf_counter() - started
        conn.execute("ANALYZE items")
        table_mb = conn.execute("SELECT pg_relation_size('items') / 1048576.0").fetchone()[0]  # type: ignore[index]
        index_mb = conn.execute("SELECT pg_relation_size('items_embedding_idx') / 1048576.0").fetchone()[0]  # type: ignore[index]

        print(f"\n== {size:,} vectors x {dim}-d ({len(centers)} clusters), {queries} queries, top {TOP} ==")
        print(
            f"load (binary COPY + VACUUM ANALYZE)  {load_s:8.1f} s   "
            f"({size / load_s:,.0f} rows/s, table {table_mb:,.0f} MB)"
        )
        print(f"HNSW build (m=16, ef_construction=64) {build_s:8.1f} s   (index {index_mb:,.0f} MB)")
        for notice in notices:
            print(f"  server notice: {notice}")

        conn.execute("SET enable_indexscan = off")
        exact_plan = plan(conn, query_vectors[0])
        timed(conn, query_vectors[:5])  # warm the cache
        exact, exact_t = timed(conn, query_vectors)
        conn.execute("RESET enable_indexscan")

        print(f"  {'method':34} {'p50 ms':>8} {'p99 ms':>8} {'recall@10':>9} {'p50 vs exact':>12}")
        print(f"  {'exact (' + exact_plan + ')':34} {exact_t.p50_ms:8.2f} {exact_t.p99_ms:8.2f} {1.0:9.3f} {1.0:12.3f}")
        for ef in EF_SEARCHES:
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
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--maintenance-work-mem", default="2GB")
    parser.add_argument("--parallel-workers", type=int, default=1, help="max_parallel_maintenance_workers")
    args = parser.parse_args()

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
            run_size(url, size, args.dim, args.queries, args.seed, args.maintenance_work_mem, args.parallel_workers)


if __name__ == "__main__":
    main()
