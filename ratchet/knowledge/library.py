"""The documentation library: which sources there are (the config file and `ratchet docs add`), refreshing them,
searching them, and finding runbooks. The CLI, the scheduler and the tools call these."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from ratchet.config import ConfigError, Settings
from ratchet.knowledge.refresh import RefreshReport, refresh_source
from ratchet.knowledge.runbooks import CuratedRunbook, find_curated_runbook
from ratchet.knowledge.sources import DocSource, load_docs_config
from ratchet.knowledge.synthesis import SynthesizedRunbook, synthesize_runbook
from ratchet.runtime import Runtime
from ratchet.storage import documents
from ratchet.storage.search import ChunkHit, Mode, search_chunks


class DocHit(BaseModel):
    """A search result as `ratchet docs search --json` prints it."""

    path: str
    url: str | None
    heading: str
    score: float
    snippet: str
    source: str

    @classmethod
    def of(cls, hit: ChunkHit, snippet_chars: int = 300) -> DocHit:
        snippet = " ".join(hit.content.split())
        snippet = snippet if len(snippet) <= snippet_chars else snippet[: snippet_chars - 1] + "…"
        return cls(
            path=hit.path,
            url=hit.url,
            heading=hit.heading,
            score=round(hit.score, 6),
            snippet=snippet,
            source=hit.source,
        )


def configured_sources(settings: Settings) -> list[DocSource]:
    if settings.docs_config is None:
        return []
    try:
        return load_docs_config(settings.docs_config).sources
    except ValueError as error:
        raise ConfigError(f"RATCHET_DOCS_CONFIG: {error}") from None


async def all_sources(runtime: Runtime) -> list[DocSource]:
    """Sources from the config file, then those added with `ratchet docs add` (the file wins on a name clash)."""
    from_file = configured_sources(runtime.settings)
    names = {source.name for source in from_file}
    async with runtime.pool.connection() as conn:
        stored = await documents.list_sources(conn)
    added = [DocSource.model_validate(s.config) for s in stored if s.name not in names and s.config]
    return from_file + added


def workdir(settings: Settings) -> Path:
    """Where git sources are cloned."""
    path = settings.home / "sources"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def refresh(
    runtime: Runtime,
    sources: list[DocSource],
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[RefreshReport]:
    reports = []
    for source in sources:

        def step(done: int, total: int, name: str = source.name) -> None:
            if progress:
                progress(name, done, total)

        reports.append(
            await refresh_source(
                runtime.pool,
                runtime.embeddings,
                source,
                workdir(runtime.settings),
                github_api_url=runtime.settings.github_api_url,
                progress=step,
            )
        )
    return reports


async def search(
    runtime: Runtime, query: str, *, limit: int = 5, source: str | None = None, mode: Mode = "hybrid"
) -> list[DocHit]:
    vector = await runtime.embeddings.aembed_query(query)
    async with runtime.pool.connection() as conn:
        hits = await search_chunks(conn, query, vector, mode=mode, source=source, limit=limit)
    return [DocHit.of(hit) for hit in hits]


async def curated_runbook(
    runtime: Runtime, alert: str, *, runbook_link: str | None = None, summary: str | None = None
) -> CuratedRunbook | None:
    async with runtime.pool.connection() as conn:
        return await find_curated_runbook(conn, runtime.embeddings, alert, runbook_link=runbook_link, summary=summary)


async def synthesized_runbook(runtime: Runtime, alert: str, *, service: str | None = None) -> SynthesizedRunbook | None:
    """The runbook written from the alert's past threads (or the threads themselves without an LLM); None when
    the alert has no past thread with a person's reply."""
    found = await synthesize_runbook(runtime.pool, runtime.chat_model, alert, service=service)
    return found if found.statements or found.threads else None
