"""Benchmark: `ratchet import` throughput (messages stored + classified + applied to incidents + embedded, per
second) next to a bare `COPY` of the same rows into a scratch table, measured in the same run on the same database.

The export is built from real payloads (Alertmanager's Slack notifications from ratchet/demo_data and people's
message objects from Slack's Web API examples; tests/support/slack_export.py), spread over `--days` days with
`--chatter` people's messages a day in #general next to seven a day in #alerts. Embeddings are the local model.

Run from the repository root: `.venv/bin/python -m bench.import_throughput [--days 30] [--chatter 200]` (starts
its own embedded Postgres in a temp dir and removes it afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from psycopg.types.json import Jsonb

from ratchet.classify.classifier import Classifier
from ratchet.config import Settings
from ratchet.jobs.imports import ImportReport, import_export
from ratchet.runtime import Runtime, open_runtime
from ratchet.storage.embedded import start_embedded_postgres
from tests.support.slack_export import write_export

COPY_COLUMNS = "channel_id, ts, thread_ts, user_id, bot_id, subtype, text, origin, attrs, embedding"
COPY_TYPES = ["text"] * 8 + ["jsonb", "vector"]


async def stored_rows(runtime: Runtime) -> list[tuple[object, ...]]:
    """The rows the import left in `messages` (classifications and vectors included): what a bare COPY writes."""
    async with runtime.pool.connection() as conn:
        cursor = await conn.execute(f"SELECT {COPY_COLUMNS} FROM messages ORDER BY channel_id, ts")
        return await cursor.fetchall()


async def bare_copy(runtime: Runtime, rows: list[tuple[object, ...]], *, indexed: bool) -> float:
    """Seconds to COPY the rows, in one transaction, into a scratch table shaped like `messages`: with its
    indexes (the HNSW on the vectors, the full-text GIN, the keys: the same work storing them costs) or bare."""
    table = "copy_indexed" if indexed else "copy_bare"
    shape = "INCLUDING ALL" if indexed else "INCLUDING DEFAULTS INCLUDING GENERATED"
    async with runtime.pool.connection() as conn:
        await conn.execute(f"CREATE TABLE {table} (LIKE messages {shape})")
        await conn.commit()
        started = time.perf_counter()
        statement = f"COPY {table} ({COPY_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        async with conn.transaction(), conn.cursor().copy(statement) as copy:
            copy.set_types(COPY_TYPES)
            for *columns, attrs, embedding in rows:
                await copy.write_row((*columns, Jsonb(attrs), embedding))
        return time.perf_counter() - started


async def main(days: int, chatter: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        export = write_export(Path(home) / "export", days=days, chatter_per_day=chatter)
        url = start_embedded_postgres(Path(home), "bench", fresh=True)
        settings = Settings(_env_file=None, database_url=url, home=Path(home), embeddings="local")
        async with open_runtime(settings) as runtime:
            await runtime.embeddings.aembed_documents(["warm up the local model"])
            started = time.perf_counter()
            report: ImportReport = await import_export(runtime.pool, Classifier(), runtime.embeddings, export)
            ours = time.perf_counter() - started
            rows = await stored_rows(runtime)
            indexed, bare = await bare_copy(runtime, rows, indexed=True), await bare_copy(runtime, rows, indexed=False)
            started = time.perf_counter()
            again = await import_export(runtime.pool, Classifier(), runtime.embeddings, export)
            rerun = time.perf_counter() - started
    assert report.messages == len(rows) and again.messages == 0, (report, again)
    print(
        f"import of {report.messages} messages ({report.alerts} alerts, {report.incidents} incidents opened, "
        f"{report.files} day files):"
    )
    ours_rate = report.messages / ours
    for name, seconds in (("COPY into a table indexed as messages", indexed), ("COPY into an unindexed table", bare)):
        rate = len(rows) / seconds
        print(f"  {ours_rate:8.0f} msg/s   baseline {name} {rate:8.0f} rows/s   ratio {ours_rate / rate:5.3f}")
    print(f"  second import of the same export (adds nothing): {again.already_stored / rerun:8.0f} msg/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--chatter", type=int, default=200, help="people's messages a day in #general")
    args = parser.parse_args()
    asyncio.run(main(args.days, args.chatter))
