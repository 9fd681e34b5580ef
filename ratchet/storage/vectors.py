"""The embedding columns: which model filled them, checking that against config, and re-embedding.

All vectors in the database come from one embedding model, recorded in `ratchet_meta`. Configuring another model
is an error until `ratchet db reembed` has resized the columns and recomputed every vector.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pgvector.psycopg import register_vector_async
from psycopg import AsyncConnection, sql
from pydantic import BaseModel

from ratchet.config import ConfigError

REEMBED_COMMAND = "ratchet db reembed"


HNSW_M, HNSW_EF_CONSTRUCTION = 24, 128  # the HNSW indexes' build parameters, as migration 0003 sets them


class EmbeddedTable(BaseModel):
    table: str
    key_columns: tuple[str, ...]
    text_sql: str  # SQL expression giving the text to embed
    index: str


EMBEDDED_TABLES = (
    EmbeddedTable(
        table="messages",
        key_columns=("channel_id", "ts"),
        text_sql="text",
        index="messages_embedding_idx",
    ),
    EmbeddedTable(
        table="document_chunks",
        key_columns=("id",),
        text_sql="heading || E'\\n' || content",
        index="document_chunks_embedding_idx",
    ),
)


class EmbeddingIdentity(BaseModel):
    """Which embedding model made the stored vectors, and their dimension."""

    spec: str
    dimension: int


async def read_identity(conn: AsyncConnection[Any]) -> EmbeddingIdentity | None:
    rows = await (
        await conn.execute("SELECT key, value FROM ratchet_meta WHERE key IN ('embedding_spec', 'embedding_dimension')")
    ).fetchall()
    values = dict(rows)
    if len(values) < 2:
        return None
    return EmbeddingIdentity(spec=values["embedding_spec"], dimension=int(values["embedding_dimension"]))


async def write_identity(conn: AsyncConnection[Any], identity: EmbeddingIdentity) -> None:
    await conn.execute(
        """
        INSERT INTO ratchet_meta (key, value) VALUES ('embedding_spec', %s), ('embedding_dimension', %s)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
        """,
        (identity.spec, str(identity.dimension)),
    )


def check_identity(stored: EmbeddingIdentity | None, configured: EmbeddingIdentity) -> None:
    if stored is None or stored == configured:
        return
    raise ConfigError(
        f"RATCHET_EMBEDDINGS: the database holds {stored.dimension}-d vectors from {stored.spec!r} but "
        f"{configured.spec!r} ({configured.dimension}-d) is configured; run `{REEMBED_COMMAND}` to re-embed "
        f"everything with the new model, or set RATCHET_EMBEDDINGS={stored.spec}"
    )


async def resize_vector_columns(conn: AsyncConnection[Any], identity: EmbeddingIdentity) -> None:
    """Drop every stored vector and retype the columns for `identity` (call inside a transaction)."""
    for target in EMBEDDED_TABLES:
        await conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(target.index)))
        await conn.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN embedding TYPE vector({}) USING NULL").format(
                sql.Identifier(target.table), sql.Literal(identity.dimension)
            )
        )
        await conn.execute(
            sql.SQL(
                "CREATE INDEX {} ON {} USING hnsw (embedding vector_cosine_ops) WITH (m = {}, ef_construction = {})"
            ).format(
                sql.Identifier(target.index),
                sql.Identifier(target.table),
                sql.Literal(HNSW_M),
                sql.Literal(HNSW_EF_CONSTRUCTION),
            )
        )
    await write_identity(conn, identity)


async def count_missing(conn: AsyncConnection[Any], target: EmbeddedTable) -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE embedding IS NULL").format(sql.Identifier(target.table))
    row = await (await conn.execute(query)).fetchone()
    return int(row[0]) if row else 0


async def batches_missing(
    conn: AsyncConnection[Any], target: EmbeddedTable, batch_size: int
) -> AsyncIterator[list[tuple[tuple[Any, ...], str]]]:
    """Yield `(key, text)` batches of rows without a vector until none is left."""
    keys = sql.SQL(", ").join(map(sql.Identifier, target.key_columns))
    query = sql.SQL("SELECT {keys}, {text} FROM {table} WHERE embedding IS NULL ORDER BY {keys} LIMIT {n}").format(
        keys=keys, text=sql.SQL(target.text_sql), table=sql.Identifier(target.table), n=sql.Literal(batch_size)
    )
    while rows := await (await conn.execute(query)).fetchall():
        yield [(tuple(row[:-1]), row[-1]) for row in rows]


async def store_vectors(  # the connection must have pgvector's types registered
    conn: AsyncConnection[Any], target: EmbeddedTable, keys: list[tuple[Any, ...]], vectors: list[list[float]]
) -> None:
    condition = sql.SQL(" AND ").join(
        sql.SQL("{} = %s").format(sql.Identifier(column)) for column in target.key_columns
    )
    query = sql.SQL("UPDATE {} SET embedding = %s WHERE {}").format(sql.Identifier(target.table), condition)
    async with conn.cursor() as cursor:
        await cursor.executemany(
            query, [(np.asarray(vector, dtype=np.float32), *key) for key, vector in zip(keys, vectors, strict=True)]
        )


async def reembed(
    conn: AsyncConnection[Any],
    embeddings: Embeddings,
    identity: EmbeddingIdentity,
    *,
    batch_size: int = 256,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Make every stored vector come from `identity`'s model (autocommit connection; schema must exist).

    If the stored vectors come from another model, the columns are retyped and emptied first. Then every row
    without a vector is embedded, one committed batch at a time, so an interrupted run resumes where it stopped.
    Returns how many rows of each table were embedded.
    """
    await register_vector_async(conn)
    stored = await read_identity(conn)
    if stored is None:
        raise ConfigError("RATCHET_DATABASE_URL: the schema is missing; run `ratchet db migrate` first")
    if stored != identity:
        async with conn.transaction():
            await resize_vector_columns(conn, identity)
    counts = {}
    for target in EMBEDDED_TABLES:
        total, done = await count_missing(conn, target), 0
        if progress:
            progress(target.table, done, total)
        async for batch in batches_missing(conn, target, batch_size):
            vectors = await embeddings.aembed_documents([text for _, text in batch])
            await store_vectors(conn, target, [key for key, _ in batch], vectors)
            done += len(batch)
            if progress:
                progress(target.table, done, total)
        counts[target.table] = done
    return counts
