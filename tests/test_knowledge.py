"""Documentation on a real Postgres: incremental refresh, hybrid search, curated runbooks, and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from psycopg_pool import AsyncConnectionPool

from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.runbooks import find_curated_runbook
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from ratchet.storage.search import search_chunks
from tests.conftest import DATA
from tests.helpers import ratchet_cli

RUNBOOKS = DATA / "docs" / "runbooks-prometheus-operator"
CRASHLOOP = "content/runbooks/kubernetes/KubePodCrashLooping.md"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the real prometheus-operator runbooks kept in tests/data."""
    return Path(shutil.copytree(RUNBOOKS, tmp_path / "runbooks"))


@pytest.fixture
async def indexed(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, corpus: Path, tmp_path: Path
) -> DocSource:
    source = DocSource(name="runbooks", kind="local", location=str(corpus))
    report = await refresh_source(pool, local_embeddings, source, tmp_path)
    assert report.error is None and report.added >= 8 and report.chunks_embedded > 0
    return source


async def rows(pool: AsyncConnectionPool, query: str, *params: object) -> list[tuple]:
    async with pool.connection() as conn:
        return await (await conn.execute(query, params or None)).fetchall()


async def test_refresh_embeds_only_what_changed(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource, corpus: Path, tmp_path: Path
) -> None:
    again = await refresh_source(pool, local_embeddings, indexed, tmp_path)
    assert (again.added, again.changed, again.removed, again.chunks_embedded) == (0, 0, 0, 0)
    assert again.unchanged >= 8

    crashloop = corpus / CRASHLOOP
    escalation = "Page the owning team when the pod has been crash looping for 30 minutes and a restart did not help."
    crashloop.write_text(crashloop.read_text() + f"\n## Escalation\n\n{escalation}\n")
    (corpus / "content/runbooks/etcd/etcdMembersDown.md").unlink()
    changed = await refresh_source(pool, local_embeddings, indexed, tmp_path)
    assert (changed.added, changed.changed, changed.removed) == (0, 1, 1)
    chunks = "SELECT heading FROM document_chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = %s"
    headings = [h for (h,) in await rows(pool, chunks + " ORDER BY chunk_index", CRASHLOOP)]
    assert headings[-1] == "KubePodCrashLooping > Escalation"
    assert await rows(pool, "SELECT count(*) FROM documents WHERE path LIKE '%%etcdMembersDown%%'") == [(0,)]
    assert await rows(pool, "SELECT count(*) FROM document_chunks WHERE embedding IS NULL") == [(0,)]


async def test_a_source_that_cannot_be_read_keeps_what_is_stored(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource, corpus: Path, tmp_path: Path
) -> None:
    before = await rows(pool, "SELECT count(*) FROM document_chunks")
    shutil.rmtree(corpus)
    report = await refresh_source(pool, local_embeddings, indexed, tmp_path)
    assert report.error is not None
    assert await rows(pool, "SELECT count(*) FROM document_chunks") == before
    assert await rows(pool, "SELECT last_error IS NOT NULL FROM doc_sources") == [(True,)]


@pytest.mark.parametrize("mode", ["hybrid", "vector", "text"])
async def test_search_finds_the_runbook_for_a_symptom(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource, mode: str
) -> None:
    query = "pod keeps restarting in CrashLoopBackOff"
    async with pool.connection() as conn:
        hits = await search_chunks(conn, query, local_embeddings.embed_query(query), mode=mode, limit=5)  # type: ignore[arg-type]
    assert CRASHLOOP in [hit.path for hit in hits[:3]]
    assert all(hit.source == "runbooks" and hit.heading for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


async def test_curated_runbook_by_link_by_name_and_none(
    pool: AsyncConnectionPool, local_embeddings: LocalEmbeddings, indexed: DocSource
) -> None:
    async with pool.connection() as conn:
        by_link = await find_curated_runbook(
            conn,
            local_embeddings,
            "KubePodCrashLooping",
            runbook_link="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
        )
        by_name = await find_curated_runbook(conn, local_embeddings, "KubeAPIDown")
        unknown = await find_curated_runbook(
            conn,
            local_embeddings,
            "KubeStateMetricsListErrors",
            runbook_link="https://runbooks.prometheus-operator.dev/runbooks/kube-state-metrics/kubestatemetricslisterrors",
            summary="kube-state-metrics is experiencing errors in list operations.",
        )
    assert by_link is not None and (by_link.path, by_link.matched_by) == (CRASHLOOP, "runbook_link")
    assert by_name is not None and (by_name.path, by_name.matched_by) == (
        "content/runbooks/kubernetes/KubeAPIDown.md",
        "file_name",
    )
    assert unknown is None, "a wrong runbook is worse than none"


def test_docs_cli_add_search_show_and_runbook(database_url: str, corpus: Path, tmp_path: Path) -> None:
    env = {"RATCHET_DATABASE_URL": database_url, "RATCHET_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    added = ratchet_cli("docs", "add", str(corpus), "--name", "runbooks", env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "runbooks: ok" in added.stdout and "added" in added.stdout

    refreshed = ratchet_cli("docs", "refresh", env=env, cwd=tmp_path)
    assert "0 chunks embedded" in refreshed.stdout, refreshed.stdout

    found = ratchet_cli("docs", "search", "disk will fill up soon", "--limit", "3", "--json", env=env, cwd=tmp_path)
    hits = json.loads(found.stdout)
    assert len(hits) == 3 and set(hits[0]) == {"path", "url", "heading", "score", "snippet", "source"}
    assert "content/runbooks/node/NodeFilesystemSpaceFillingUp.md" in [hit["path"] for hit in hits]

    shown = ratchet_cli("docs", "show", CRASHLOOP, env=env, cwd=tmp_path)
    assert shown.returncode == 0 and "## Diagnosis" in shown.stdout

    runbook = ratchet_cli("runbook", "KubePodCrashLooping", "--json", env=env, cwd=tmp_path)
    assert json.loads(runbook.stdout) == {
        "alert": "KubePodCrashLooping",
        "service": None,
        "curated": {"path": CRASHLOOP, "url": None, "title": "Kube Pod Crash Looping", "source": "runbooks"},
        "synthesized": None,
    }
    missing = ratchet_cli("docs", "refresh", "nope", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "no source named nope" in missing.stderr
