"""The `runbooks` aggregate: runbooks synthesized from past threads, cached per (alert, service)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb


async def get(conn: AsyncConnection[Any], alert: str, service: str | None) -> dict[str, Any] | None:
    """The cached runbook's content, as it was stored."""
    row = await (
        await conn.execute("SELECT content FROM runbooks WHERE alert = %s AND service = %s", (alert, service or ""))
    ).fetchone()
    return dict(row[0]) if row else None


async def store(
    conn: AsyncConnection[Any],
    *,
    alert: str,
    service: str | None,
    content: dict[str, Any],
    citations: list[dict[str, Any]],
    source_threads: int,
    latest_source_ts: str | None,
    model: str | None,
) -> None:
    await conn.execute(
        """
        INSERT INTO runbooks (alert, service, content, citations, source_threads, latest_source_ts, model)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (alert, service) DO UPDATE
        SET content = EXCLUDED.content, citations = EXCLUDED.citations, source_threads = EXCLUDED.source_threads,
            latest_source_ts = EXCLUDED.latest_source_ts, model = EXCLUDED.model, updated_at = now()
        """,
        (alert, service or "", Jsonb(content), Jsonb(citations), source_threads, latest_source_ts, model),
    )
