"""Documentation retrieval on a real Postgres over the corpora kept in tests/data/docs: BM25 over `chunk_terms`
(rare words decide, identifiers count as their words, headings and paths weigh more), one result per document,
the questions of bench/doc_qa whose documents are in the repo, and the postings kept in step with the chunks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from psycopg_pool import AsyncConnectionPool

from ratchet.knowledge.queries import searchable
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from ratchet.storage.search import ChunkHit, search_chunks
from tests.conftest import DATA

DOCS = DATA / "docs"
QUESTIONS = Path(__file__).parents[1] / "bench" / "doc_qa" / "questions.jsonl"
CONNTRACK = "content/runbooks/node/NodeHighNumberConntrackEntriesUsed.md"


@pytest.fixture
async def indexed(pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, tmp_path: Path) -> list[str]:
    """The three corpora in the repo, each a source named like its folder."""
    names = sorted(folder.name for folder in DOCS.iterdir() if folder.is_dir())
    for name in names:
        source = DocSource(name=name, kind="local", location=str(DOCS / name))
        report = await refresh_source(pool, local_embeddings, source, tmp_path)
        assert report.error is None and report.chunks_embedded > 0
    return names


async def search(
    pool: AsyncConnectionPool, embeddings: LocalEmbeddings, question: str, **options: object
) -> list[ChunkHit]:
    query = searchable(question)
    async with pool.connection() as conn:
        return await search_chunks(conn, query, embeddings.embed_query(query), **options)  # type: ignore[arg-type]


async def test_the_in_repo_questions_find_their_documents_once_each(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: list[str]
) -> None:
    """Questions written as people write in Slack, before retrieval was measured (bench/doc_qa/README.md)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    asked = [row for row in rows if row["in_repo"]]
    assert len(asked) >= 40
    found = 0
    for row in asked:
        hits = await search(pool, local_embeddings, row["question"], limit=5)
        documents = [(hit.source, hit.path) for hit in hits]
        assert len(documents) == len(set(documents)), row["id"]
        found += any((e["source"], e["path"]) in documents for e in row["expected"])
    assert found / len(asked) >= 0.9


async def test_a_long_question_s_rare_words_decide(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: list[str]
) -> None:
    question = (
        "hey folks, sorry to bug you — one of the ingress nodes keeps logging this and we are dropping traffic, "
        "what should i check first?\n```kernel: nf_conntrack: nf_conntrack: table full, dropping packet```"
    )
    hits = await search(pool, local_embeddings, question, limit=5)
    assert hits[0].path == CONNTRACK
    assert hits[0].text_rank == 1 and hits[0].bm25 is not None


async def test_an_alert_s_name_and_its_words_find_its_runbook(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: list[str]
) -> None:
    """`KubePodCrashLooping` is indexed as itself and as kube, pod, crash, loop (its path and title too)."""
    for question in ("KubePodCrashLooping fired for checkout", "pods crash looping in the payments namespace"):
        hits = await search(pool, local_embeddings, question, limit=3, mode="text")
        assert hits[0].path == "content/runbooks/kubernetes/KubePodCrashLooping.md", question


async def test_a_document_brings_its_best_passages_in_order(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: list[str]
) -> None:
    hits = await search(pool, local_embeddings, "etcd members down quorum lost", limit=2, per_document=3)
    by_document: dict[str, list[ChunkHit]] = {}
    for hit in hits:
        by_document.setdefault(hit.path, []).append(hit)
    assert len(by_document) == 2 and all(len(passages) <= 3 for passages in by_document.values())
    first = next(iter(by_document.values()))
    assert len(first) > 1 and len({hit.score for hit in first}) == 1
    assert [hit.bm25 or 0 for hit in first] == sorted((hit.bm25 or 0 for hit in first), reverse=True)


async def test_postings_follow_the_chunks(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    """Replacing a document replaces its postings; its length is its chunks' sum; a removed one leaves none."""
    folder = tmp_path / "docs"
    folder.mkdir()
    page = folder / "wal-archiving.md"
    page.write_text("# WAL archiving\n\n## Diagnosis\n\nCheck pgbackrest archive-push errors in the log.\n")
    source = DocSource(name="db", kind="local", location=str(folder))
    await refresh_source(pool, local_embeddings, source, tmp_path)
    page.write_text("# WAL archiving\n\n## Diagnosis\n\nCheck walg uploads to the bucket.\n")
    await refresh_source(pool, local_embeddings, source, tmp_path)
    async with pool.connection() as conn:
        lexemes = {row[0] for row in await (await conn.execute("SELECT lexeme FROM chunk_terms")).fetchall()}
        lengths = await (
            await conn.execute(
                "SELECT d.terms, (SELECT sum(c.terms) FROM document_chunks c WHERE c.document_id = d.id) "
                "FROM documents d"
            )
        ).fetchall()
    assert {"walg", "bucket", "archiv", "wal"} <= lexemes and "pgbackrest" not in lexemes
    assert [(float(a), float(b)) for a, b in lengths] == [(float(lengths[0][1]), float(lengths[0][1]))]
    assert lengths[0][0] > 0
    page.unlink()
    await refresh_source(pool, local_embeddings, source, tmp_path)
    async with pool.connection() as conn:
        assert await (await conn.execute("SELECT count(*) FROM chunk_terms")).fetchone() == (0,)


@pytest.mark.parametrize(
    ("question", "query"),
    [
        (
            "<@U0RATCHET> hey folks, how do i silence an alert in alertmanager? thanks!",
            "how do i silence an alert in alertmanager?",
        ),
        (
            "see <https://example.com/runbook|the runbook> :eyes: pg replication lag",
            "see the runbook pg replication lag",
        ),
        ("thanks!", "thanks!"),
    ],
)
def test_a_question_s_chatter_comes_off_its_query(question: str, query: str) -> None:
    assert searchable(question) == query
