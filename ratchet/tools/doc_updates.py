"""The agent's `propose_doc_update` tool, and what carries the change out once a person approves it."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool
from langchain_core.messages import ToolMessage
from langgraph.types import Command
from psycopg import AsyncConnection

from ratchet.context import PendingAction, TriageContext
from ratchet.knowledge.doc_updates import (
    DocEdit,
    DocUpdateError,
    can_open_pull_request,
    choose_document,
    open_draft_pull_request,
    propose_edit,
)
from ratchet.knowledge.sources import DocSource, github_token
from ratchet.storage import documents

DOC_PULL_REQUEST = "doc_pull_request"


@tool
async def propose_doc_update(request: str, runtime: ToolRuntime, path: str | None = None) -> Command | str:
    """Propose a minimal change to one document of the team's documentation (fix a wrong step, add what a thread
    just found out), described in plain words in `request`; `path` names the document when you know it (as
    search_docs returns it). Returns the change as a unified diff. For a GitHub source the bot then asks people in
    the thread to approve before it opens a draft pull request; otherwise the diff is for people to apply."""
    ctx: TriageContext = runtime.context
    if ctx.chat_model is None:
        return "Error: writing a documentation change needs an LLM, and none is configured."
    async with ctx.pool.connection() as conn:
        document = await choose_document(conn, ctx.embeddings, request, path)
        source = await _source(conn, document.source) if document else None
    if document is None or source is None:
        return f"Error: no indexed document matches {path or request!r}."
    try:
        edit = await propose_edit(ctx.chat_model, document, request)
    except DocUpdateError as error:
        return f"Error: {error}"
    diff = f"```diff\n{edit.diff}```"
    if not can_open_pull_request(source, github_token(source)):
        return (
            f"{edit.summary}. The source {source.name} is not a GitHub repository with a token: show this diff:\n{diff}"
        )
    pending = PendingAction(
        kind=DOC_PULL_REQUEST,
        summary=f"open a draft pull request: {edit.summary}",
        details=diff,
        data=edit.model_dump(),
    )
    note = (
        f"{edit.summary}. Proposed: the bot now asks the people in the thread to approve a draft pull request "
        f"with this diff (do not repeat the diff):\n{diff}"
    )
    return Command(update={"pending": [pending], "messages": [ToolMessage(note, tool_call_id=runtime.tool_call_id)]})


async def open_approved_pull_request(action: PendingAction, ctx: TriageContext) -> str:
    edit = DocEdit.model_validate(action["data"])
    async with ctx.pool.connection() as conn:
        source = await _source(conn, edit.source)
    token = github_token(source) if source else None
    if source is None or token is None:
        raise DocUpdateError(f"the source {edit.source} is gone or has no GitHub token any more")
    body = f"Proposed by ratchet from a Slack thread and approved there.\n\n```diff\n{edit.diff}```"
    url = await open_draft_pull_request(
        source, edit, api_url=ctx.github_api_url, token=token, title=f"docs: {edit.summary}"[:250], body=body
    )
    return f"opened the draft pull request <{url}|{edit.path}>"


async def _source(conn: AsyncConnection[Any], name: str) -> DocSource | None:
    stored = next((s for s in await documents.list_sources(conn) if s.name == name), None)
    return DocSource.model_validate(stored.config) if stored and stored.config else None
