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
from ratchet.slack.events import to_message
from ratchet.slack_export import ExportChannel, ExportSource
from ratchet.storage.embedded import start_embedded_postgres
from ratchet.storage.messages import Message
from tests.support.slack_export import write_export

COPY_COLUMNS = "channel_id, ts, thread_ts, user_id, bot_id, subtype, text, origin, attrs"


def export_rows(path: Path) -> list[Message]:
    """Every message of the export, parsed as the import parses it (the rows the bare COPY writes)."""
    source = ExportSource(path)
    try:
        rows = []
        for channel in source.records("channels.json", ExportChannel, required=True):
            for name in source.day_files(channel.name or channel.id):
                rows += [to_message(raw, channel_id=channel.id) for raw in source.day(name)]
        return rows
    finally:
        source.close()


async def bare_copy(runtime: Runtime, rows: list[Message]) -> float:
    """Seconds to COPY the rows into an unindexed scratch table shaped like `messages`, in one transaction."""
    async with runtime.pool.connection() as conn:
        await conn.execute(
            "CREATE TABLE import_scratch (channel_id text, ts text, thread_ts text, user_id text, bot_id text, "
            "subtype text, text text, origin text, attrs jsonb)"
        )
        await conn.commit()
        started = time.perf_counter()
        async with conn.transaction(), conn.cursor().copy(f"COPY import_scratch ({COPY_COLUMNS}) FROM STDIN") as copy:
            for m in rows:
                await copy.write_row(
                    (m.channel_id, m.ts, m.thread_ts, m.user_id, m.bot_id, m.subtype, m.text, "import", Jsonb(m.attrs))
                )
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
            rows = export_rows(export)
            bare = await bare_copy(runtime, rows)
            started = time.perf_counter()
            again = await import_export(runtime.pool, Classifier(), runtime.embeddings, export)
            rerun = time.perf_counter() - started
    assert report.messages == len(rows) and again.messages == 0, (report, again)
    print(
        f"import of {report.messages} messages ({report.alerts} alerts, {report.incidents} incidents opened, "
        f"{report.files} day files):"
    )
    ours_rate, bare_rate = report.messages / ours, len(rows) / bare
    print(f"  {ours_rate:8.0f} msg/s   baseline bare COPY {bare_rate:8.0f} rows/s   ratio {ours_rate / bare_rate:5.3f}")
    print(f"  second import of the same export (adds nothing): {again.already_stored / rerun:8.0f} msg/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--chatter", type=int, default=200, help="people's messages a day in #general")
    args = parser.parse_args()
    asyncio.run(main(args.days, args.chatter))
