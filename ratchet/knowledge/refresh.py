"""Refreshing a documentation source: read it, re-chunk and re-embed only what changed, forget what is gone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from langchain_core.embeddings import Embeddings
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from ratchet.knowledge.chunking import chunk_document
from ratchet.knowledge.sources import GITHUB_API_URL, DocSource, SourceFile, read_source
from ratchet.storage import documents

log = logging.getLogger(__name__)
EMBED_BATCH = 128


class RefreshReport(BaseModel):
    source: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    error: str | None = None


async def refresh_source(
    pool: AsyncConnectionPool,
    embeddings: Embeddings,
    source: DocSource,
    workdir: Path,
    *,
    github_api_url: str = GITHUB_API_URL,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshReport:
    """Bring the stored copy of one source up to date. A failure to read the source leaves what is stored as it
    was and is recorded on the source (and in the report)."""
    report = RefreshReport(source=source.name)
    async with pool.connection() as conn:
        await documents.save_source(conn, source.name, source.kind, source.location, source.model_dump(mode="json"))
        known = await documents.content_hashes(conn, source.name)
    try:
        files = await read_source(source, workdir, github_api_url=github_api_url)
    except Exception as error:
        report.error = f"{type(error).__name__}: {error}"
        log.warning("could not read documentation source %s: %s", source.name, report.error)
        async with pool.connection() as conn:
            await documents.mark_refreshed(conn, source.name, report.error)
        return report
    todo = [f for f in files if known.get(f.path) != f.content_hash]
    report.unchanged = len(files) - len(todo)
    for done, file in enumerate(todo, start=1):
        report.chunks_embedded += await _store(pool, embeddings, source.name, file)
        if file.path in known:
            report.changed += 1
        else:
            report.added += 1
        if progress:
            progress(done, len(todo))
    async with pool.connection() as conn, conn.transaction():
        report.removed = await documents.delete_missing(conn, source.name, {f.path for f in files})
        await documents.update_urls(conn, source.name, {f.path: f.url for f in files})  # a new remote or template
        await documents.mark_refreshed(conn, source.name, None)
        await documents.record_corpus_statistics(conn)
    return report


async def _store(pool: AsyncConnectionPool, embeddings: Embeddings, source: str, file: SourceFile) -> int:
    """Chunk and embed one file and replace its stored copy in one transaction; returns the chunks embedded."""
    assert file.content is not None and file.content_hash is not None, "read without `known`: every file has content"
    chunked = chunk_document(file.content, path=file.path)
    texts = [f"{chunk.heading}\n{chunk.content}" for chunk in chunked.chunks]  # as `ratchet db reembed` does
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBED_BATCH):
        vectors += await embeddings.aembed_documents(texts[start : start + EMBED_BATCH])
    chunks = [
        documents.NewChunk(index=chunk.index, heading=chunk.heading, content=chunk.content, vector=vector)
        for chunk, vector in zip(chunked.chunks, vectors, strict=True)
    ]
    async with pool.connection() as conn, conn.transaction():
        await documents.replace_document(
            conn,
            source=source,
            path=file.path,
            url=file.url,
            title=chunked.title,
            content_hash=file.content_hash,
            content=file.content,
            metadata=chunked.metadata,
            chunks=chunks,
        )
    return len(chunks)
