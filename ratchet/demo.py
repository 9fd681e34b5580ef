"""`ratchet demo`: the bot's foundations, working on the embedded defaults with no Slack and no LLM.

For now it starts the embedded Postgres, applies the schema, embeds the 139 real kube-prometheus alert rules
shipped in `demo_data/` with the local model, and answers a few on-call questions by vector search in pgvector.
The Slack simulator and live alert triage join the demo when they land (the Slack intake issue).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
from psycopg import AsyncConnection
from rich.console import Console
from rich.table import Table

from ratchet.config import Settings
from ratchet.runtime import open_runtime

DEMO_ALERTS = Path(__file__).parent / "demo_data" / "alerts" / "kube-prometheus.jsonl"
DEMO_QUESTIONS = (
    "pods keep restarting over and over",
    "the disk on a node is almost full",
    "certificate is about to expire",
)


def alert_name_words(name: str) -> str:
    """`KubePodCrashLooping` -> `Kube Pod Crash Looping`: the embedding model knows words, not CamelCase."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


def load_demo_alerts(path: Path = DEMO_ALERTS) -> list[dict[str, str]]:
    rules = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [{"alert": r["alert"], "text": f"{alert_name_words(r['alert'])}: {r['summary']}"} for r in rules]


async def run_demo(settings: Settings, console: Console) -> None:
    started = time.monotonic()
    async with open_runtime(settings) as runtime:
        where = "your RATCHET_DATABASE_URL" if settings.database_url else f"{settings.home / 'postgres'}"
        console.print(f"[green]✓[/] Postgres with pgvector ready ({where}), schema migrated")
        console.print(f"[green]✓[/] embeddings: {runtime.embedding.spec} ({runtime.embedding.dimension}-d)")
        degraded = " (degraded mode: no model needed)" if settings.llm == "none" else ""
        console.print(f"[green]✓[/] LLM: {settings.llm}{degraded}")

        alerts = load_demo_alerts()
        embed_started = time.monotonic()
        vectors = await runtime.embeddings.aembed_documents([a["text"] for a in alerts])
        console.print(
            f"[green]✓[/] embedded {len(alerts)} real kube-prometheus alert rules "
            f"in {time.monotonic() - embed_started:.2f}s"
        )
        async with runtime.pool.connection() as conn:
            dimension = runtime.embedding.dimension
            await conn.execute(f"CREATE TEMP TABLE demo_alerts (alert text, text text, embedding vector({dimension}))")
            async with conn.cursor() as cursor:
                await cursor.executemany(
                    "INSERT INTO demo_alerts VALUES (%s, %s, %s)",
                    [(a["alert"], a["text"], np.asarray(v)) for a, v in zip(alerts, vectors, strict=True)],
                )
            table = Table("question", "closest alert rules (cosine similarity)", title="vector search in pgvector")
            for question in DEMO_QUESTIONS:
                hits = await nearest_alerts(conn, await runtime.embeddings.aembed_query(question))
                table.add_row(question, ", ".join(f"{alert} ({score:.2f})" for alert, score in hits))
            console.print(table)
            await conn.execute("DROP TABLE demo_alerts")
            await conn.commit()
    console.print(f"done in {time.monotonic() - started:.1f}s")
    console.print(
        "[yellow]Not in this build yet:[/] the Slack simulator and live alert triage; "
        "`ratchet demo` grows into a full Slack conversation when the Slack intake issue lands."
    )


async def nearest_alerts(conn: AsyncConnection, vector: list[float], limit: int = 3) -> list[tuple[str, float]]:
    rows = await (
        await conn.execute(
            """
            SELECT alert, max(1 - (embedding <=> %s)) AS score
            FROM demo_alerts GROUP BY alert ORDER BY score DESC LIMIT %s
            """,
            (np.asarray(vector), limit),
        )
    ).fetchall()
    return [(alert, float(score)) for alert, score in rows]
