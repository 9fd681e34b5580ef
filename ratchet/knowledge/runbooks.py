"""Finding the curated runbook for an alert.

In order: the runbook the notification links to (`runbook_url` or a `runbook` path annotation), a document named
after the alert (`KubePodCrashLooping.md`), a document whose title or front matter names it, and last the best
search hit, only when it is clearly about this alert. When nothing is good enough the answer is None: a wrong
runbook is worse than none.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings
from psycopg import AsyncConnection
from pydantic import BaseModel

from ratchet.knowledge.activity import alert_terms as alert_term_query
from ratchet.storage import documents
from ratchet.storage.documents import DocumentRef
from ratchet.storage.search import search_chunks

MatchedBy = Literal["runbook_link", "file_name", "title", "search"]
SEARCH_MIN_SIMILARITY = 0.75  # cosine similarity of the top chunk when only search found the document


class CuratedRunbook(BaseModel):
    source: str
    path: str
    url: str | None
    title: str | None
    matched_by: MatchedBy


def _link_key(link: str) -> tuple[str, str]:
    """(parent folder, document name) of a runbook link or path, lower case and without extension or anchor."""
    path = urlparse(link).path if "://" in link else link
    parts = [p for p in path.split("#")[0].strip("/").split("/") if p]
    if not parts:
        return "", ""
    name = re.sub(r"\.(md|markdown|txt|html?)$", "", parts[-1].lower())
    return (parts[-2].lower() if len(parts) > 1 else ""), name


async def find_curated_runbook(
    conn: AsyncConnection[Any],
    embeddings: Embeddings,
    alert: str,
    *,
    runbook_link: str | None = None,
    summary: str | None = None,
) -> CuratedRunbook | None:
    """The curated runbook for `alert`, or None when there is none good enough."""
    if runbook_link:
        parent, name = _link_key(runbook_link)
        by_link = await documents.linked_documents(conn, runbook_link, name=name, parent=parent)
        if by_link:
            return _found(by_link[0], "runbook_link")
    by_name = await documents.documents_named(conn, alert)
    if by_name:
        return _found(by_name[0], "file_name")
    by_title = await documents.documents_about_alert(conn, alert)
    if by_title:
        return _found(by_title[0], "title")
    query = " ".join(filter(None, [alert_term_query(alert), summary]))
    hits = await search_chunks(conn, query, await embeddings.aembed_query(query), limit=1)
    if hits and hits[0].text_rank == 1 and (hits[0].similarity or 0) >= SEARCH_MIN_SIMILARITY:
        hit = hits[0]
        return CuratedRunbook(source=hit.source, path=hit.path, url=hit.url, title=hit.title, matched_by="search")
    return None


def _found(candidate: DocumentRef, matched_by: MatchedBy) -> CuratedRunbook:
    return CuratedRunbook(**candidate.model_dump(), matched_by=matched_by)
