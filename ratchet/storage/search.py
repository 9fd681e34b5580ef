"""Hybrid retrieval over document chunks: pgvector (cosine, HNSW) and full-text, fused by reciprocal rank fusion.

The full-text side ORs the query's terms (`websearch_to_tsquery` would AND them, and a question rarely shares
every word with its answer) and ranks with `ts_rank` normalised by document length (on the runbook evaluation
it finds the right document first 45% of the time against 11% for `ts_rank_cd`); both sides take their best
`candidates`, then RRF (k = 60) ranks the union.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from psycopg import AsyncConnection
from psycopg.rows import class_row
from pydantic import BaseModel

Mode = Literal["hybrid", "vector", "text"]
RRF_K = 60


class ChunkHit(BaseModel):
    source: str
    path: str
    url: str | None
    title: str | None
    heading: str
    content: str
    score: float
    similarity: float | None  # cosine similarity to the query vector
    vector_rank: int | None
    text_rank: int | None


SEARCH = """
WITH query AS (
    SELECT to_tsquery('english', replace(plainto_tsquery('english', %(text)s)::text, ' & ', ' | ')) AS tsq
),
by_vector AS (
    SELECT c.id, row_number() OVER (ORDER BY c.embedding <=> %(vector)s) AS rank
    FROM (
        SELECT c.id, c.embedding FROM document_chunks c JOIN documents d ON d.id = c.document_id
        WHERE %(use_vector)s AND c.embedding IS NOT NULL AND (%(source)s::text IS NULL OR d.source = %(source)s)
        ORDER BY c.embedding <=> %(vector)s LIMIT %(candidates)s
    ) c
),
by_text AS (
    SELECT c.id, row_number() OVER (ORDER BY ts_rank(c.tsv, query.tsq, 1) DESC, c.id) AS rank
    FROM document_chunks c JOIN documents d ON d.id = c.document_id, query
    WHERE %(use_text)s AND c.tsv @@ query.tsq AND (%(source)s::text IS NULL OR d.source = %(source)s)
    ORDER BY ts_rank(c.tsv, query.tsq, 1) DESC, c.id LIMIT %(candidates)s
)
SELECT d.source, d.path, d.url, d.title, c.heading, c.content,
       coalesce(1.0 / (%(k)s + v.rank), 0) + coalesce(1.0 / (%(k)s + t.rank), 0) AS score,
       1 - (c.embedding <=> %(vector)s) AS similarity, v.rank AS vector_rank, t.rank AS text_rank
FROM by_vector v FULL JOIN by_text t USING (id)
JOIN document_chunks c ON c.id = coalesce(v.id, t.id) JOIN documents d ON d.id = c.document_id
ORDER BY score DESC, coalesce(v.rank, 1000), coalesce(t.rank, 1000)
LIMIT %(limit)s
"""


async def search_chunks(
    conn: AsyncConnection[Any],
    text: str,
    vector: list[float],
    *,
    mode: Mode = "hybrid",
    source: str | None = None,
    limit: int = 10,
    candidates: int = 50,
) -> list[ChunkHit]:
    """The best chunks for a query, each with where it lives and how each side ranked it."""
    async with conn.cursor(row_factory=class_row(ChunkHit)) as cursor:
        await cursor.execute(
            SEARCH,
            {
                "text": text,
                "vector": np.asarray(vector, dtype=np.float32),
                "use_vector": mode in ("hybrid", "vector"),
                "use_text": mode in ("hybrid", "text"),
                "source": source,
                "candidates": max(candidates, limit),
                "limit": limit,
                "k": RRF_K,
            },
        )
        return await cursor.fetchall()


class MessageHit(BaseModel):
    channel_id: str
    ts: str
    thread_ts: str | None
    user_id: str | None
    text: str
    posted_at: datetime
    score: float
    vector_rank: int | None
    text_rank: int | None


SEARCH_MESSAGES = """
WITH query AS (
    SELECT to_tsquery('english', replace(plainto_tsquery('english', %(text)s)::text, ' & ', ' | ')) AS tsq
),
eligible AS (
    SELECT m.channel_id, m.ts FROM messages m
    WHERE NOT m.is_deleted AND (%(channels)s::text[] IS NULL OR m.channel_id = ANY(%(channels)s))
      AND m.posted_at >= %(since)s AND m.posted_at < %(until)s
      AND (NOT %(people_only)s OR (m.bot_id IS NULL AND m.user_id IS NOT NULL
           AND coalesce(m.subtype, '') IN ('', 'thread_broadcast', 'file_share', 'me_message')
           AND coalesce(m.attrs->'classification'->>'kind', '') NOT LIKE 'alert%%'))
),
by_vector AS (
    SELECT channel_id, ts, row_number() OVER (ORDER BY distance) AS rank FROM (
        SELECT m.channel_id, m.ts, m.embedding <=> %(vector)s AS distance
        FROM messages m JOIN eligible USING (channel_id, ts)
        WHERE m.embedding IS NOT NULL ORDER BY distance LIMIT %(candidates)s
    ) nearest
),
by_text AS (
    SELECT channel_id, ts, row_number() OVER (ORDER BY rank_value DESC, ts) AS rank FROM (
        SELECT m.channel_id, m.ts, ts_rank(m.tsv, query.tsq, 1) AS rank_value
        FROM messages m JOIN eligible USING (channel_id, ts), query
        WHERE m.tsv @@ query.tsq ORDER BY rank_value DESC, m.ts LIMIT %(candidates)s
    ) matching
)
SELECT m.channel_id, m.ts, m.thread_ts, m.user_id, m.text, m.posted_at,
       coalesce(1.0 / (%(k)s + v.rank), 0) + coalesce(1.0 / (%(k)s + t.rank), 0) AS score,
       v.rank AS vector_rank, t.rank AS text_rank
FROM by_vector v FULL JOIN by_text t USING (channel_id, ts)
JOIN messages m ON (m.channel_id, m.ts) = (coalesce(v.channel_id, t.channel_id), coalesce(v.ts, t.ts))
ORDER BY score DESC, m.posted_at DESC
LIMIT %(limit)s
"""


async def search_messages(
    conn: AsyncConnection[Any],
    text: str,
    vector: list[float],
    *,
    channels: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    people_only: bool = False,
    limit: int = 10,
    candidates: int = 50,
) -> list[MessageHit]:
    """Messages for a query, hybrid like `search_chunks`, filtered by channel and time; `people_only` leaves out
    bots, integrations and alerts."""
    async with conn.cursor(row_factory=class_row(MessageHit)) as cursor:
        await cursor.execute(
            SEARCH_MESSAGES,
            {
                "text": text,
                "vector": np.asarray(vector, dtype=np.float32),
                "channels": channels,
                "since": since or datetime.min.replace(tzinfo=UTC),
                "until": until or datetime.max.replace(tzinfo=UTC),
                "people_only": people_only,
                "candidates": max(candidates, limit),
                "limit": limit,
                "k": RRF_K,
            },
        )
        return await cursor.fetchall()
