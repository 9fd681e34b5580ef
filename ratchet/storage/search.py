"""Hybrid retrieval: documentation chunks and Slack messages, each by pgvector (cosine, HNSW) and full text.

Documentation is ranked per document, so a top 5 is five documents. The full-text side is BM25 over `chunk_terms`
(migration 0006: term frequencies with headings and paths weighted, identifiers split into their words): BM25 over
whole documents and BM25 of their best chunk each rank the documents, and reciprocal rank fusion (k = 60) merges the
two. The vector side only fills in documents the words did not find: with the bundled static embedding, giving it a
weight in the fusion lowered recall on bench/doc_qa's tuning questions at every weight tried. Each document brings
its best passages (by BM25, then similarity). BM25 lets a long question's rare words decide (`nf_conntrack: table
full` finds the conntrack runbook) where `ts_rank` weighs every matched word alike; bench/doc_qa_eval.py measures
both.
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
COVERAGE_WORDS = 4  # a question's rarest words, which `coverage` and the normalised `bm25` are measured against
COMMON_WORD_SHARE = 0.25  # of all chunks: a query word in more of them is not searched for
BM25_K1 = 1.2  # term-frequency saturation
BM25_B = 0.75  # length normalisation


class ChunkHit(BaseModel):
    source: str
    path: str
    url: str | None
    title: str | None
    heading: str
    content: str
    score: float  # the document's fused BM25 ranks (0 when only the vectors found it); its passages share it
    similarity: float | None  # cosine similarity of this passage to the query vector
    vector_rank: int | None  # the document's rank on the vector side
    text_rank: int | None  # the document's rank on the full-text side
    bm25: float | None  # this passage's BM25 over the sum of the idf of the query's COVERAGE_WORDS rarest terms
    coverage: float  # the share of the query's rarest words (weighted by rarity) the document holds


SEARCH = """
WITH corpus AS (
    SELECT chunks, greatest(chunk_terms, 1) AS chunk_terms, documents, greatest(document_terms, 1) AS document_terms
    FROM search_corpus
),
words AS (
    SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('english', search_words(%(text)s))) t
),
query AS (  -- the words that can tell documents apart: one in most chunks weighs next to nothing and costs the most
    SELECT lexeme FROM words, corpus
    WHERE (SELECT count(*) FROM chunk_terms ct WHERE ct.lexeme = words.lexeme) <= %(common)s * corpus.chunks
),
postings AS (
    SELECT ct.lexeme, ct.chunk_id, ct.document_id, ct.tf, ct.terms, count(*) OVER (PARTITION BY ct.lexeme) AS df
    FROM query CROSS JOIN LATERAL (SELECT * FROM chunk_terms WHERE lexeme = query.lexeme) ct  -- by the index
    WHERE %(use_text)s
      AND (%(source)s::text IS NULL OR ct.document_id IN (SELECT id FROM documents WHERE source = %(source)s))
),
text_chunks AS (
    SELECT p.chunk_id AS id, p.document_id,
           sum(ln(1 + (corpus.chunks - p.df + 0.5) / (p.df + 0.5)) * p.tf * (%(k1)s + 1)
               / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * p.terms / corpus.chunk_terms))) AS bm25
    FROM postings p, corpus
    GROUP BY p.chunk_id, p.document_id
),
document_postings AS (
    SELECT lexeme, document_id, sum(tf) AS tf, count(*) OVER (PARTITION BY lexeme) AS df
    FROM postings GROUP BY lexeme, document_id
),
query_weights AS (  -- the query's rarest terms, by idf over documents; a term no document holds weighs the most
    SELECT q.lexeme, ln(1 + (corpus.documents - coalesce(df, 0) + 0.5) / (coalesce(df, 0) + 0.5)) AS idf
    FROM query q LEFT JOIN (SELECT DISTINCT lexeme, df FROM document_postings) known USING (lexeme), corpus
    ORDER BY idf DESC LIMIT %(coverage_words)s
),
coverage AS (  -- the share of the query's weight a document holds
    SELECT p.document_id, sum(w.idf) / (SELECT nullif(sum(idf), 0) FROM query_weights) AS coverage
    FROM (SELECT DISTINCT lexeme, document_id FROM document_postings) p JOIN query_weights w USING (lexeme)
    GROUP BY p.document_id
),
text_documents AS (  -- BM25 over whole documents, and over their best chunk: each ranks them, fused
    SELECT document_id, score, row_number() OVER (ORDER BY score DESC, document_id) AS rank
    FROM (SELECT document_id, 1.0 / (%(k)s + whole_rank) + 1.0 / (%(k)s + chunk_rank) AS score FROM (
        SELECT w.document_id, rank() OVER (ORDER BY w.bm25 DESC) AS whole_rank,
               rank() OVER (ORDER BY c.bm25 DESC) AS chunk_rank
        FROM (
            SELECT p.document_id,
                   sum(ln(1 + (corpus.documents - p.df + 0.5) / (p.df + 0.5)) * p.tf * (%(k1)s + 1)
                       / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * d.terms / corpus.document_terms))) AS bm25
            FROM document_postings p JOIN documents d ON d.id = p.document_id, corpus
            GROUP BY p.document_id
        ) w JOIN (SELECT document_id, max(bm25) AS bm25 FROM text_chunks GROUP BY document_id) c USING (document_id)
    ) ranks) fused
),
vector_chunks AS (  -- the nearest chunks, then the source's among them
    SELECT nearest.id, nearest.document_id, 1 - nearest.distance AS similarity
    FROM nearest_chunks(%(vector)s, %(candidates)s) nearest JOIN documents d ON d.id = nearest.document_id
    WHERE %(use_vector)s AND (%(source)s::text IS NULL OR d.source = %(source)s)
),
vector_documents AS (
    SELECT document_id, row_number() OVER (ORDER BY max(similarity) DESC, document_id) AS rank
    FROM vector_chunks GROUP BY document_id
),
ranked_documents AS (  -- the words' ranking, then the documents only the vectors found
    SELECT document_id, t.rank AS text_rank, v.rank AS vector_rank, coalesce(t.score, 0) AS score
    FROM text_documents t FULL JOIN vector_documents v USING (document_id)
    ORDER BY t.rank NULLS LAST, v.rank LIMIT %(limit)s
),
passages AS (  -- a document's chunks, best first: by BM25, then by similarity
    SELECT id, document_id, t.bm25, v.similarity, row_number() OVER (
        PARTITION BY document_id ORDER BY t.bm25 DESC NULLS LAST, v.similarity DESC NULLS LAST, id
    ) AS passage
    FROM text_chunks t FULL JOIN vector_chunks v USING (id, document_id)
    WHERE document_id IN (SELECT document_id FROM ranked_documents)
)
SELECT d.source, d.path, d.url, d.title, dc.heading, dc.content, r.score, p.similarity,
       r.vector_rank, r.text_rank, p.bm25 / (SELECT nullif(sum(idf), 0) FROM query_weights) AS bm25,
       coalesce(c.coverage, 0) AS coverage
FROM ranked_documents r JOIN passages p USING (document_id) LEFT JOIN coverage c USING (document_id)
JOIN documents d ON d.id = r.document_id JOIN document_chunks dc ON dc.id = p.id
WHERE p.passage <= %(per_document)s
ORDER BY r.text_rank NULLS LAST, r.vector_rank, p.passage
"""


async def search_chunks(
    conn: AsyncConnection[Any],
    text: str,
    vector: list[float],
    *,
    mode: Mode = "hybrid",
    source: str | None = None,
    limit: int = 10,
    per_document: int = 1,
    candidates: int = 50,
) -> list[ChunkHit]:
    """The `limit` best documents for a query, each with its `per_document` best passages (best first), and where
    each lives and how each side ranked it."""
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
                "per_document": per_document,
                "k": RRF_K,
                "common": COMMON_WORD_SHARE,
                "coverage_words": COVERAGE_WORDS,
                "k1": BM25_K1,
                "b": BM25_B,
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


class AlertSubject(BaseModel):
    """The alert messages are searched around. A reply in the thread of another alert's notification is about it
    only when it names it (one of `names`: how its name is written) or its `service` where that alert is about
    another one; the same alert is the same fingerprint, else (no fingerprint on either side) the same name."""

    alert: str
    fingerprint: str | None = None
    service: str | None = None
    names: list[str]


SEARCH_MESSAGES = """
WITH query AS (
    SELECT to_tsquery('english', replace(plainto_tsquery('english', %(text)s)::text, ' & ', ' | ')) AS tsq
),
eligible AS (
    SELECT m.channel_id, m.ts FROM messages m
    LEFT JOIN messages root ON (root.channel_id, root.ts) = (m.channel_id, m.thread_ts)
    WHERE NOT m.is_deleted AND (%(channels)s::text[] IS NULL OR m.channel_id = ANY(%(channels)s))
      AND m.posted_at >= %(since)s AND m.posted_at < %(until)s
      AND (NOT %(people_only)s OR (m.bot_id IS NULL AND m.user_id IS NOT NULL
           AND coalesce(m.subtype, '') IN ('', 'thread_broadcast', 'file_share', 'me_message')
           AND coalesce(m.attrs->'classification'->>'kind', '') NOT LIKE 'alert%%'))
      AND (%(bot_user_id)s::text IS NULL OR (m.user_id IS DISTINCT FROM %(bot_user_id)s
           AND (coalesce(m.attrs->'classification'->>'kind', '') <> 'question'
                OR strpos(m.text, '<@' || %(bot_user_id)s || '>') = 0)))
      AND (%(alert)s::text IS NULL
           OR coalesce(root.attrs->'classification'->>'kind', '') NOT LIKE 'alert%%'
           OR coalesce(root.attrs->'classification'->>'fingerprint' = %(fingerprint)s,
                       root.attrs->'classification'->>'alert' = %(alert)s, false)
           OR EXISTS (SELECT FROM unnest(%(names)s::text[]) AS name
                      WHERE m.tsv @@ phraseto_tsquery('english', name))
           OR (%(service)s::text IS NOT NULL
               AND root.attrs->'classification'->>'service' IS DISTINCT FROM %(service)s
               AND m.tsv @@ phraseto_tsquery('english', %(service)s)))
),
by_vector AS (
    SELECT channel_id, ts, row_number() OVER (ORDER BY distance) AS rank FROM (
        SELECT m.channel_id, m.ts, m.embedding <=> %(vector)s AS distance
        FROM messages m JOIN eligible USING (channel_id, ts)
        WHERE m.embedding IS NOT NULL
          AND (%(min_similarity)s::float8 IS NULL OR 1 - (m.embedding <=> %(vector)s) >= %(min_similarity)s)
        ORDER BY distance LIMIT %(candidates)s
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
    bot_user_id: str | None = None,
    around: AlertSubject | None = None,
    min_similarity: float | None = None,
    limit: int = 10,
    candidates: int = 50,
) -> list[MessageHit]:
    """Messages for a query, hybrid like `search_chunks`, filtered by channel and time; `people_only` leaves out
    bots, integrations and alerts; `bot_user_id` the bot's own posts and the questions put to it (a `question`
    that mentions it); `around` the replies in other alerts' threads that do not name its alert; a message found
    only by meaning counts from `min_similarity` (cosine) up."""
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
                "bot_user_id": bot_user_id,
                "alert": around.alert if around else None,
                "fingerprint": around.fingerprint if around else None,
                "service": around.service if around else None,
                "names": around.names if around else [],
                "min_similarity": min_similarity,
                "candidates": max(candidates, limit),
                "limit": limit,
                "k": RRF_K,
            },
        )
        return await cursor.fetchall()
