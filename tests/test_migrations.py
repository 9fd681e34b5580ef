"""Schema migrations on a real Postgres: apply, re-apply as a no-op, concurrency, the embedding-model guard."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from psycopg import AsyncConnection

from ratchet.config import ConfigError
from ratchet.runtime import migrate_database
from ratchet.storage import migrations, vectors
from ratchet.storage.vectors import EmbeddingIdentity

TABLES = {
    "ratchet_meta", "schema_migrations", "channels", "messages", "incidents", "doc_sources", "documents",
    "document_chunks", "runbooks", "jobs", "bot_posts", "reactions", "llm_calls",
    "checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_migrations",
}  # fmt: skip

SCHEMA_SNAPSHOT = """
    SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = 'public' ORDER BY 1, 2, 3
"""


async def fetch(url: str, query: str, *params: object) -> list[tuple]:
    async with await AsyncConnection.connect(url) as conn:
        return await (await conn.execute(query, params or None)).fetchall()


async def test_applies_on_empty_database_then_is_a_no_op(
    empty_database_url: str, local_identity: EmbeddingIdentity
) -> None:
    applied = await migrate_database(empty_database_url, local_identity)
    assert [m.version for m in applied] == [m.version for m in migrations.load_migrations()]
    tables = {
        row[0] for row in await fetch(empty_database_url, "SELECT tablename FROM pg_tables WHERE schemaname='public'")
    }
    assert tables >= TABLES
    before = await fetch(empty_database_url, SCHEMA_SNAPSHOT)

    assert await migrate_database(empty_database_url, local_identity) == []
    assert await fetch(empty_database_url, SCHEMA_SNAPSHOT) == before
    assert await fetch(empty_database_url, "SELECT count(*) FROM schema_migrations") == [(len(applied),)]


async def test_vector_columns_follow_the_embedding_model(database_url: str, local_identity: EmbeddingIdentity) -> None:
    types = await fetch(
        database_url,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attname = 'embedding' "
        "AND attrelid IN ('messages'::regclass, 'document_chunks'::regclass)",
    )
    assert types == [(f"vector({local_identity.dimension})",)] * 2


async def test_concurrent_migrations_apply_once(empty_database_url: str, local_identity: EmbeddingIdentity) -> None:
    results = await asyncio.gather(*(migrate_database(empty_database_url, local_identity) for _ in range(3)))
    assert sorted(len(applied) for applied in results) == [0, 0, len(migrations.load_migrations())]


async def test_status_reads_without_writing(empty_database_url: str, local_identity: EmbeddingIdentity) -> None:
    async with await AsyncConnection.connect(empty_database_url) as conn:
        states = await migrations.status(conn)
    assert states and all(state.applied_at is None for state in states)
    assert await fetch(empty_database_url, "SELECT to_regclass('schema_migrations')") == [(None,)]

    await migrate_database(empty_database_url, local_identity)
    async with await AsyncConnection.connect(empty_database_url) as conn:
        states = await migrations.status(conn)
    assert all(state.applied_at is not None and not state.changed_since_applied for state in states)


async def test_another_embedding_model_is_a_clear_error_naming_reembed(database_url: str) -> None:
    other = EmbeddingIdentity(spec="openai:text-embedding-3-small", dimension=1536)
    with pytest.raises(ConfigError) as caught:
        await migrate_database(database_url, other)
    message = str(caught.value)
    assert message.startswith("RATCHET_EMBEDDINGS: ")
    assert "`ratchet db reembed`" in message and "256-d" in message and "1536-d" in message


async def insert_message(url: str, channel: str, ts: str, text: str) -> None:
    async with await AsyncConnection.connect(url) as conn:
        await conn.execute("INSERT INTO channels (channel_id) VALUES (%s) ON CONFLICT DO NOTHING", (channel,))
        await conn.execute("INSERT INTO messages (channel_id, ts, text) VALUES (%s, %s, %s)", (channel, ts, text))


async def hnsw_indexes(database_url: str) -> dict[str, str]:
    rows = await fetch(database_url, "SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING hnsw%'")
    return {name: definition.rsplit("WITH (", 1)[-1].rstrip(")") for name, definition in rows}


HNSW_PARAMETERS = f"m='{vectors.HNSW_M}', ef_construction='{vectors.HNSW_EF_CONSTRUCTION}'"


async def test_the_hnsw_indexes_are_built_with_the_parameters_reembed_uses(database_url: str) -> None:
    assert await hnsw_indexes(database_url) == {
        "document_chunks_embedding_idx": HNSW_PARAMETERS,
        "messages_embedding_idx": HNSW_PARAMETERS,
    }


async def test_reembed_switches_model_and_fills_every_vector(database_url: str, local_embeddings) -> None:
    await insert_message(database_url, "C024BE91L", "1700000000.000100", "[FIRING:1] KubePodCrashLooping")
    await insert_message(database_url, "C024BE91L", "1700000060.000200", "Pod is crash looping.")
    fake = DeterministicFakeEmbedding(size=8)
    new_identity = EmbeddingIdentity(spec="ollama:tiny-test-model", dimension=8)
    seen: list[tuple[str, int, int]] = []
    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        counts = await vectors.reembed(conn, fake, new_identity, batch_size=1, progress=lambda *step: seen.append(step))
        assert await vectors.read_identity(conn) == new_identity
    assert counts == {"messages": 2, "document_chunks": 0}
    assert ("messages", 2, 2) in seen
    rows = await fetch(database_url, "SELECT text, embedding::text FROM messages ORDER BY ts")
    for text, embedding in rows:
        assert np.allclose(json.loads(embedding), fake.embed_query(text), atol=1e-6)
    assert set((await hnsw_indexes(database_url)).values()) == {HNSW_PARAMETERS}, "rebuilt with the same parameters"
    # the schema now accepts the new model and refuses the old one
    assert await migrate_database(database_url, new_identity) == []
    with pytest.raises(ConfigError):
        await migrate_database(database_url, EmbeddingIdentity(spec="local", dimension=local_embeddings.dimension))


async def test_message_rows_derive_time_and_search_vector(database_url: str) -> None:
    await insert_message(database_url, "C024BE91L", "1700000000.000100", "Filesystem has less than 5% space left.")
    rows = await fetch(
        database_url,
        "SELECT posted_at = to_timestamp(1700000000.0001), tsv @@ websearch_to_tsquery('english', 'filesystem space') "
        "FROM messages",
    )
    assert rows == [(True, True)]


async def test_new_job_notifies_listeners(database_url: str) -> None:
    async with await AsyncConnection.connect(database_url, autocommit=True) as listener:
        await listener.execute("LISTEN ratchet_jobs")
        async with await AsyncConnection.connect(database_url, autocommit=True) as writer:
            await writer.execute("INSERT INTO jobs (kind, key) VALUES ('message', 'C024BE91L:1700000000.000100')")
        notification = await anext(listener.notifies(timeout=5))
    assert (notification.channel, notification.payload) == ("ratchet_jobs", "message")
