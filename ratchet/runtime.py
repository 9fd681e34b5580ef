"""Everything a running ratchet process shares: settings, the database pool and the models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from ratchet.config import Settings
from ratchet.llm import LLMCallRecorder, build_chat_model, build_embeddings, embedding_identity
from ratchet.storage import migrations
from ratchet.storage.database import database_url, open_pool, require_pgvector
from ratchet.storage.vectors import EmbeddingIdentity
from ratchet.tracing import redact_traces


@dataclass
class Runtime:
    settings: Settings
    database_url: str
    pool: AsyncConnectionPool
    embeddings: Embeddings
    embedding: EmbeddingIdentity
    chat_model: BaseChatModel | None
    checkpointer: AsyncPostgresSaver


async def migrate_database(url: str, embedding: EmbeddingIdentity) -> list[migrations.Migration]:
    await require_pgvector(url)
    async with await AsyncConnection.connect(url, autocommit=True) as conn:
        return await migrations.migrate(conn, embedding)


@asynccontextmanager
async def open_runtime(settings: Settings, *, chat_model: BaseChatModel | None = None) -> AsyncIterator[Runtime]:
    """Start (or reach) the database, apply pending migrations, open the pool and build the models (`chat_model`:
    one built elsewhere instead of RATCHET_LLM's, e.g. the scripted model of a benchmark)."""
    redact_traces()
    url = database_url(settings)
    embeddings = build_embeddings(settings)
    embedding = embedding_identity(settings, embeddings)
    await migrate_database(url, embedding)
    pool = await open_pool(url, max_size=max(4, settings.workers + 2))
    # LangGraph's saver wants autocommit connections with dict rows and no prepared statements
    checkpoints = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max(2, settings.workers),
        open=False,
        kwargs={"autocommit": True, "row_factory": dict_row, "prepare_threshold": 0},
        check=AsyncConnectionPool.check_connection,
        name="ratchet-checkpoints",
    )
    await checkpoints.open(wait=True, timeout=15)
    chat_model = chat_model or build_chat_model(settings)
    if chat_model is not None:
        chat_model.callbacks = [LLMCallRecorder(pool)]  # every call lands in llm_calls, whoever makes it
    try:
        # only safe types are read back from checkpoints; each graph allows its own state's types (graphs/state.py)
        saver = AsyncPostgresSaver(checkpoints, serde=JsonPlusSerializer(allowed_msgpack_modules=None))
        yield Runtime(settings, url, pool, embeddings, embedding, chat_model, saver)
    finally:
        await checkpoints.close()
        await pool.close()
