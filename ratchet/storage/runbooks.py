"""The `runbooks` aggregate: runbooks synthesized from past threads, cached per (alert, service, scope): the scope
names the channels whose threads were read."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

ALL_CHANNELS = "*"


def scope_of(channels: list[str] | None) -> str:
    """The cache scope of a runbook written from the threads of `channels` (None: every channel)."""
    return ALL_CHANNELS if channels is None else ",".join(sorted(set(channels)))


async def get(conn: AsyncConnection[Any], alert: str, service: str | None, scope: str) -> dict[str, Any] | None:
    """The cached runbook's content, as it was stored."""
    row = await (
        await conn.execute(
            "SELECT content FROM runbooks WHERE alert = %s AND service = %s AND scope = %s",
            (alert, service or "", scope),
        )
    ).fetchone()
    return dict(row[0]) if row else None


async def store(
    conn: AsyncConnection[Any],
    *,
    alert: str,
    service: str | None,
    scope: str,
    content: dict[str, Any],
    citations: list[dict[str, Any]],
    source_threads: int,
    latest_source_ts: str | None,
    model: str | None,
) -> None:
    await conn.execute(
        """
        INSERT INTO runbooks (alert, service, scope, content, citations, source_threads, latest_source_ts, model)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (alert, service, scope) DO UPDATE
        SET content = EXCLUDED.content, citations = EXCLUDED.citations, source_threads = EXCLUDED.source_threads,
            latest_source_ts = EXCLUDED.latest_source_ts, model = EXCLUDED.model, updated_at = now()
        """,
        (alert, service or "", scope, Jsonb(content), Jsonb(citations), source_threads, latest_source_ts, model),
    )
