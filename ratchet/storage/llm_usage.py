"""The `llm_calls` aggregate: one row per call made to a model."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

from psycopg import sql
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


class LLMUsage(BaseModel):
    requests: int
    input_tokens: int
    output_tokens: int
    errors: int


class ModelUsage(LLMUsage):
    model: str


class ModuleUsage(LLMUsage):
    module: str


UsageRow = TypeVar("UsageRow", ModelUsage, ModuleUsage)


async def usage_by_model(pool: AsyncConnectionPool, *, since: datetime, until: datetime) -> list[ModelUsage]:
    """Calls made in `[since, until)`, per model, most first."""
    return await _usage_by(pool, "model", ModelUsage, since, until)


async def usage_by_module(pool: AsyncConnectionPool, *, since: datetime, until: datetime) -> list[ModuleUsage]:
    """Calls made in `[since, until)`, per module that made them, most first."""
    return await _usage_by(pool, "module", ModuleUsage, since, until)


async def _usage_by(
    pool: AsyncConnectionPool,
    column: Literal["model", "module"],
    row_model: type[UsageRow],
    since: datetime,
    until: datetime,
) -> list[UsageRow]:
    query = sql.SQL(
        """
        SELECT {column}, count(*) AS requests, coalesce(sum(input_tokens), 0) AS input_tokens,
               coalesce(sum(output_tokens), 0) AS output_tokens, count(error) AS errors
        FROM llm_calls WHERE created_at >= %(since)s AND created_at < %(until)s
        GROUP BY {column} ORDER BY requests DESC, {column}
        """
    ).format(column=sql.Identifier(column))
    async with pool.connection() as conn, conn.cursor(row_factory=class_row(row_model)) as cursor:
        await cursor.execute(query, {"since": since, "until": until})
        return await cursor.fetchall()
