"""The documentation aggregate: sources, their documents, and the documents' chunks with vectors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from psycopg import AsyncConnection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel


class StoredSource(BaseModel):
    name: str
    kind: str
    location: str
    config: dict[str, Any]
    last_refreshed_at: datetime | None
    last_error: str | None
    documents: int
    chunks: int


class NewChunk(BaseModel):
    index: int
    heading: str
    content: str
    vector: list[float]


class StoredDocument(BaseModel):
    id: int
    source: str
    path: str
    url: str | None
    title: str | None
    content_hash: str
    content: str
    metadata: dict[str, Any]


async def save_source(conn: AsyncConnection[Any], name: str, kind: str, location: str, config: dict[str, Any]) -> None:
    await conn.execute(
        """
        INSERT INTO doc_sources (name, kind, location, config) VALUES (%s, %s, %s, %s)
        ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, location = EXCLUDED.location, config = EXCLUDED.config
        """,
        (name, kind, location, Jsonb(config)),
    )


async def list_sources(conn: AsyncConnection[Any]) -> list[StoredSource]:
    async with conn.cursor(row_factory=class_row(StoredSource)) as cursor:
        await cursor.execute(
            """
            SELECT s.name, s.kind, s.location, s.config, s.last_refreshed_at, s.last_error,
                   count(DISTINCT d.id)::int AS documents, count(c.id)::int AS chunks
            FROM doc_sources s
            LEFT JOIN documents d ON d.source = s.name LEFT JOIN document_chunks c ON c.document_id = d.id
            GROUP BY s.name ORDER BY s.name
            """
        )
        return await cursor.fetchall()


async def content_hashes(conn: AsyncConnection[Any], source: str) -> dict[str, str]:
    """path → content hash of every stored document of the source."""
    rows = await (
        await conn.execute("SELECT path, content_hash FROM documents WHERE source = %s", (source,))
    ).fetchall()
    return dict(rows)


async def replace_document(
    conn: AsyncConnection[Any],
    *,
    source: str,
    path: str,
    url: str | None,
    title: str,
    content_hash: str,
    content: str,
    metadata: dict[str, Any],
    chunks: list[NewChunk],
) -> None:
    """Store a new or changed document with all its chunks (call inside a transaction)."""
    row = await (
        await conn.execute(
            """
            INSERT INTO documents (source, path, url, title, content_hash, content, metadata)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (source, path) DO UPDATE SET url = EXCLUDED.url, title = EXCLUDED.title,
                content_hash = EXCLUDED.content_hash, content = EXCLUDED.content, metadata = EXCLUDED.metadata,
                updated_at = now()
            RETURNING id
            """,
            (source, path, url, title, content_hash, content, Jsonb(metadata)),
        )
    ).fetchone()
    assert row is not None
    document_id = row[0]
    await conn.execute("DELETE FROM document_chunks WHERE document_id = %s", (document_id,))
    async with conn.cursor() as cursor:
        await cursor.executemany(
            """
            INSERT INTO document_chunks (document_id, chunk_index, heading, content, metadata, embedding)
            VALUES (%s, %s, %s, %s, %s, %s)
            """,
            [
                (
                    document_id,
                    chunk.index,
                    chunk.heading,
                    chunk.content,
                    Jsonb({"source": source, "path": path}),
                    np.asarray(chunk.vector, dtype=np.float32),
                )
                for chunk in chunks
            ],
        )


async def delete_missing(conn: AsyncConnection[Any], source: str, present: set[str]) -> int:
    """Remove the source's documents that are no longer in it; returns how many."""
    cursor = await conn.execute(
        "DELETE FROM documents WHERE source = %s AND NOT (path = ANY(%s))", (source, list(present))
    )
    return cursor.rowcount


async def mark_refreshed(conn: AsyncConnection[Any], source: str, error: str | None) -> None:
    await conn.execute(
        "UPDATE doc_sources SET last_refreshed_at = CASE WHEN %s::text IS NULL THEN now() ELSE last_refreshed_at END, "
        "last_error = %s WHERE name = %s",
        (error, error, source),
    )


async def get_document(conn: AsyncConnection[Any], source: str | None, path: str) -> StoredDocument | None:
    """A document by its path in a source (any source when None)."""
    async with conn.cursor(row_factory=class_row(StoredDocument)) as cursor:
        await cursor.execute(
            """
            SELECT id, source, path, url, title, content_hash, content, metadata FROM documents
            WHERE path = %s AND (%s::text IS NULL OR source = %s) ORDER BY source LIMIT 1
            """,
            (path, source, source),
        )
        return await cursor.fetchone()


async def find_document(conn: AsyncConnection[Any], name: str) -> StoredDocument | None:
    """The document a person named, case-insensitively: the one at that path, else one whose path ends with the name
    (a file name) or that the name ends with (a path that includes the source's sub-directory, or a URL), the longest
    such path first."""
    async with conn.cursor(row_factory=class_row(StoredDocument)) as cursor:
        await cursor.execute(
            """
            SELECT id, source, path, url, title, content_hash, content, metadata FROM documents
            WHERE lower(path) = lower(%(name)s)
               OR right(lower(path), length(%(name)s) + 1) = '/' || lower(%(name)s)
               OR right(lower(%(name)s), length(path) + 1) = '/' || lower(path)
            ORDER BY lower(path) = lower(%(name)s) DESC, length(path) DESC, source, path LIMIT 1
            """,
            {"name": name},
        )
        return await cursor.fetchone()


class DocumentRef(BaseModel):
    """Which document, without its content."""

    source: str
    path: str
    url: str | None
    title: str | None


STEM = "lower(regexp_replace(split_part(path, '/', -1), '\\.[^.]*$', ''))"  # file name without extension
PARENT = "lower(split_part(path, '/', -2))"


async def linked_documents(conn: AsyncConnection[Any], link: str, *, name: str, parent: str) -> list[DocumentRef]:
    """Documents a runbook link points at: by path or URL, else a file `name` in a folder `parent` (any when '')."""
    return await _refs(
        conn,
        f"(lower(path) = %(path)s OR lower(path) LIKE '%%/' || %(path)s OR lower(url) = %(url)s) "
        f"OR ({STEM} = %(name)s AND (%(parent)s = '' OR {PARENT} = %(parent)s))",
        {"path": link.lower().split("#")[0], "url": link.lower(), "name": name, "parent": parent},
    )


async def documents_named(conn: AsyncConnection[Any], name: str) -> list[DocumentRef]:
    """Documents whose file name (without extension) is `name`, in any case."""
    return await _refs(conn, f"{STEM} = %(name)s", {"name": name.lower()})


async def documents_about_alert(conn: AsyncConnection[Any], alert: str) -> list[DocumentRef]:
    """Documents titled after `alert`, or whose front matter names it (`alert:` or `alerts:`)."""
    return await _refs(
        conn,
        "lower(title) = %(name)s OR lower(metadata->>'alert') = %(name)s OR metadata->'alerts' ? %(alert)s",
        {"name": alert.lower(), "alert": alert},
    )


async def _refs(conn: AsyncConnection[Any], where: str, params: dict[str, Any]) -> list[DocumentRef]:
    async with conn.cursor(row_factory=class_row(DocumentRef)) as cursor:
        await cursor.execute(
            f"SELECT source, path, url, title FROM documents WHERE {where} ORDER BY source, path", params
        )
        return await cursor.fetchall()


async def record_corpus_statistics(conn: AsyncConnection[Any]) -> None:
    """Record the figures BM25 reads of the whole corpus, and the planner's statistics of the tables search reads
    (call after documents changed: a search right after the first refresh would otherwise be planned blind)."""
    await conn.execute(
        """
        INSERT INTO search_corpus (chunks, chunk_terms, documents, document_terms)
        SELECT (SELECT count(*) FROM document_chunks), (SELECT coalesce(avg(terms), 0) FROM document_chunks),
               (SELECT count(*) FROM documents), (SELECT coalesce(avg(terms), 0) FROM documents)
        ON CONFLICT (only_row) DO UPDATE SET chunks = EXCLUDED.chunks, chunk_terms = EXCLUDED.chunk_terms,
            documents = EXCLUDED.documents, document_terms = EXCLUDED.document_terms
        """
    )
    await conn.execute("ANALYZE documents, document_chunks, chunk_terms, search_corpus")


async def update_urls(conn: AsyncConnection[Any], source: str, urls: dict[str, str | None]) -> int:
    """Set the web URLs of the source's documents (path → URL) where they differ; returns how many changed."""
    cursor = await conn.execute(
        """
        UPDATE documents d SET url = u.url
        FROM unnest(%s::text[], %s::text[]) AS u (path, url)
        WHERE d.source = %s AND d.path = u.path AND d.url IS DISTINCT FROM u.url
        """,
        (list(urls), list(urls.values()), source),
    )
    return cursor.rowcount
