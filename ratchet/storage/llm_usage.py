"""The `llm_calls` aggregate: one row per call made to a model."""

from __future__ import annotations

from datetime import datetime

from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel


class LLMCall(BaseModel):
    module: str
    model: str
    kind: str = "chat"
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: int | None = None
    error: str | None = None
    run_id: str | None = None


class StoredLLMCall(LLMCall):
    id: int
    created_at: datetime


async def record(pool: AsyncConnectionPool, call: LLMCall) -> None:
    async with pool.connection() as conn:
        await conn.execute(
            """
            INSERT INTO llm_calls (module, model, kind, input_tokens, output_tokens, latency_ms, error, run_id)
            VALUES (%(module)s, %(model)s, %(kind)s, %(input_tokens)s, %(output_tokens)s, %(latency_ms)s,
                    %(error)s, %(run_id)s)
            """,
            call.model_dump(),
        )


async def recent(pool: AsyncConnectionPool, limit: int = 100) -> list[StoredLLMCall]:
    async with pool.connection() as conn, conn.cursor(row_factory=class_row(StoredLLMCall)) as cursor:
        await cursor.execute(
            """
            SELECT id, module, model, kind, input_tokens, output_tokens, latency_ms, error, run_id, created_at
            FROM llm_calls ORDER BY id DESC LIMIT %s
            """,
            (limit,),
        )
        return await cursor.fetchall()
