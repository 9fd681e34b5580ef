"""Documentation updates: the document a request is about, the model's minimal edit of it as a unified diff, and that
edit proposed as a draft GitHub pull request (or, where none can be opened, the diff itself is what people get).

    document = await choose_document(conn, embeddings, request)
    edit = await propose_edit(chat_model, document, request)
    if can_open_pull_request(source, token := github_token(source)):
        url = await open_draft_pull_request(source, edit, api_url=..., token=token, title=..., body=...)

Opening the pull request is idempotent: the branch is named after the edit, so a second run finds the branch, the
commit and the pull request of the first and creates nothing new.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import re
from typing import Any
from urllib.parse import quote

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from psycopg import AsyncConnection
from pydantic import BaseModel

from ratchet.knowledge.chunking import chunk_document
from ratchet.knowledge.sources import DocSource, GitHubAPI, SourceError, github_client
from ratchet.prompts import quoted, render_prompt
from ratchet.storage import documents
from ratchet.storage.documents import StoredDocument
from ratchet.storage.search import search_chunks

BRANCH_PREFIX = "ratchet/docs-"
GITHUB_TIMEOUT = 30.0  # seconds for one request: a person is waiting in the thread
_MENTIONED = re.compile(r"[\w./-]*\w\.md\b", re.IGNORECASE)
_FENCED = re.compile(r"\A\s*(`{3,}|~{3,})[\w+-]*[ \t]*\r?\n(.*?)\r?\n[ \t]*\1[ \t]*\s*\Z", re.DOTALL)
_ELIDED = re.compile(
    r"(?i)\b(?:rest|remainder) of the (?:document|file|runbook|page|content)\b|\b(?:unchanged|omitted) for brevity\b"
    r"|^\s*(?:\.{3}|…)\s*$"
)


class DocUpdateError(Exception):
    """A documentation update could not be made; the message says why in one line."""


class DocEdit(BaseModel):
    """A proposed change to one document. `path` is relative to the source's root (its `path`), as stored."""

    source: str
    path: str
    url: str | None
    title: str | None
    original: str
    updated: str
    diff: str
    summary: str

    @property
    def branch(self) -> str:
        """The branch this edit is proposed on: the same edit always gets the same one."""
        digest = hashlib.sha256(f"{self.source}\0{self.path}\0{self.updated}".encode()).hexdigest()
        return f"{BRANCH_PREFIX}{digest[:12]}"


async def choose_document(
    conn: AsyncConnection[Any], embeddings: Embeddings, request: str, path: str | None = None
) -> StoredDocument | None:
    """The document to change: the one at `path` when given (None when there is none), else a `*.md` file the
    request names, else the document search ranks first for the request (documents are ranked as wholes, so a long
    document does not win by the number of its chunks that match a little)."""
    if path is not None:
        return await documents.find_document(conn, _relative(path))
    for name in _MENTIONED.findall(request):
        if found := await documents.find_document(conn, _relative(name)):
            return found
    hits = await search_chunks(conn, request, await embeddings.aembed_query(request), limit=1)
    return await documents.get_document(conn, hits[0].source, hits[0].path) if hits else None


async def propose_edit(model: BaseChatModel, document: StoredDocument, request: str) -> DocEdit:
    """The model's minimal edit of `document` for `request`. Lines the model kept keep their exact original bytes
    (a secret the prompt hid, trailing spaces, line endings). An empty, unchanged, cut-off or elided reply is a
    `DocUpdateError`, as is a failing model."""
    prompt = render_prompt(
        "propose_doc_update",
        path=document.path,
        title=document.title or document.path,
        request=request,
        document=document.content,
    )
    try:
        reply = await model.ainvoke(
            prompt, config={"metadata": {"module": "doc_updates"}, "run_name": "propose_doc_update"}
        )
    except Exception as error:
        raise DocUpdateError(f"the LLM could not edit {document.path}: {type(error).__name__}: {error}") from error
    metadata = reply.response_metadata
    if "length" in (metadata.get("finish_reason"), metadata.get("done_reason")):
        raise DocUpdateError(f"the LLM's edit of {document.path} was cut off at its output limit; nothing was proposed")
    text = _unfenced(reply.text, document.content)
    if not text.strip():
        raise DocUpdateError(f"the LLM returned an empty document for {document.path}; nothing was proposed")
    updated = _restored(document.content, quoted("propose_doc_update", document.content), text)
    _check(document, updated)
    return DocEdit(
        source=document.source,
        path=document.path,
        url=document.url,
        title=document.title,
        original=document.content,
        updated=updated,
        diff=unified_diff(document.path, document.content, updated),
        summary=_summary(document.path, document.content, updated),
    )


def unified_diff(path: str, original: str, updated: str) -> str:
    """A unified diff with `a/<path>` and `b/<path>` headers that `git apply` and `patch -p1` accept."""
    lines = difflib.unified_diff(
        original.splitlines(keepends=True), updated.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)


def can_open_pull_request(source: DocSource, token: str | None) -> bool:
    """Whether an edit of this source can become a pull request: a GitHub source and a token to write with. When
    not, show people the diff instead."""
    return source.kind == "github" and bool(token)


async def open_draft_pull_request(
    source: DocSource, edit: DocEdit, *, api_url: str, token: str, title: str, body: str
) -> str:
    """Propose `edit` as a draft pull request on the source's GitHub repository and return its URL: a branch named
    after the edit from the head of the base branch, one commit of the new file, a draft pull request into the base.
    Idempotent: an open pull request of the edit's branch is returned as it is, and an existing branch or commit is
    reused. Refuses when the file on GitHub is no longer the one edited. Errors are `DocUpdateError`."""
    if not can_open_pull_request(source, token):
        raise DocUpdateError(f"source {source.name!r} is not a GitHub repository with a token; share the diff instead")
    if edit.source != source.name:
        raise DocUpdateError(f"the edit is of source {edit.source!r}, not {source.name!r}")
    repo = f"/repos/{source.location}"
    owner = source.location.partition("/")[0]
    file_path = "/".join(part for part in (source.path, edit.path) if part)
    contents = f"{repo}/contents/{quote(file_path)}"
    branch = edit.branch
    try:
        async with github_client(api_url, token, GITHUB_TIMEOUT) as client:
            github = GitHubAPI(client, source, has_token=True)
            pulls = github.json(
                f"{repo}/pulls", await github.send("GET", f"{repo}/pulls", params={"head": f"{owner}:{branch}"})
            )
            if isinstance(pulls, list) and pulls:
                return str(pulls[0]["html_url"])
            base = source.branch or str((await github.get(repo)).get("default_branch") or "")
            on_base = await _file(github, contents, base)
            if on_base is None or on_base[0] != edit.original:
                where = f"{file_path} on {source.location}@{base}"
                if on_base is not None and on_base[0] == edit.updated:
                    raise DocUpdateError(f"{where} already reads as the edit would make it")
                raise DocUpdateError(f"{where} changed since it was read; refresh the docs and propose the edit again")
            head = await github.get(f"{repo}/git/ref/heads/{quote(base)}")
            new_branch = {"ref": f"refs/heads/{branch}", "sha": head["object"]["sha"]}
            created = await github.send("POST", f"{repo}/git/refs", json=new_branch, accept=(422,))
            if created.status_code == 422 and "Reference already exists" not in github.message(created):
                raise SourceError(github.problem(f"{repo}/git/refs", created))
            on_branch = on_base if created.status_code != 422 else await _file(github, contents, branch)
            if on_branch is None or on_branch[0] not in (edit.original, edit.updated):
                raise DocUpdateError(f"branch {branch} of {source.location} holds another version of {file_path}")
            if on_branch[0] != edit.updated:
                content = base64.b64encode(edit.updated.encode()).decode()
                commit = {"message": title, "content": content, "sha": on_branch[1], "branch": branch}
                await github.send("PUT", contents, json=commit)
            draft = {"title": title, "body": body, "head": branch, "base": base, "draft": True}
            pull = github.json(f"{repo}/pulls", await github.send("POST", f"{repo}/pulls", json=draft))
            return str(pull["html_url"])
    except SourceError as error:
        raise DocUpdateError(f"could not open a pull request: {error}") from None
    except (KeyError, TypeError) as error:
        raise DocUpdateError(f"could not open a pull request: GitHub's answer lacks {error}") from None


async def _file(github: GitHubAPI, contents: str, ref: str) -> tuple[str, str] | None:
    """The text and blob SHA of the file at `contents` on branch `ref`, None when it is not there."""
    response = await github.send("GET", contents, params={"ref": ref}, accept=(404,))
    if response.status_code == 404:
        return None
    found = github.json(contents, response)
    try:
        text = base64.b64decode(found["content"]).decode("utf-8-sig")  # decoded as the docs refresh decodes it
        return text, str(found["sha"])
    except (binascii.Error, UnicodeDecodeError):
        raise SourceError(f"source {github.source.name!r}: GitHub sent an unreadable {contents}") from None


def _relative(name: str) -> str:
    return name.strip().removeprefix("./").lstrip("/")


def _unfenced(reply: str, original: str) -> str:
    """The reply without a code fence wrapped around the whole of it (unless the document itself is fenced so)."""
    match = _FENCED.match(reply)
    if match is None or _FENCED.match(original):
        return reply
    return match.group(2) + "\n"


def _restored(original: str, shown: str, reply: str) -> str:
    """The reply with every line the model kept as it was shown (ignoring trailing whitespace) taken from the original:
    a secret redacted or a marker escaped in the prompt comes back, as do trailing spaces and the final newline the
    model dropped. New lines get the original's line endings."""
    originals = original.splitlines(keepends=True)
    shown_lines = shown.splitlines(keepends=True)
    replied = reply.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in original else "\n"
    origins = _origins(originals, shown_lines)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(
        None, [line.rstrip() for line in shown_lines], [line.rstrip() for line in replied], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [line for i in range(i1, i2) for line in origins[i]]
        else:
            out += [line.rstrip("\r\n") + newline for line in replied[j1:j2]]
    text = "".join(line if line.endswith(("\n", "\r")) else line + newline for line in out)
    return text if original.endswith(("\n", "\r")) or not original else text.removesuffix(newline)


def _origins(originals: list[str], shown: list[str]) -> list[list[str]]:
    """For each line of the text shown to the model, the original lines it stands for."""
    origins: list[list[str]] = [[] for _ in shown]
    if not shown:
        return origins
    for _, i1, i2, j1, j2 in difflib.SequenceMatcher(None, originals, shown, autojunk=False).get_opcodes():
        if i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                origins[j1 + k].append(originals[i1 + k])
        else:  # a secret over several lines (a private key) shown as one: that line stands for all of them
            origins[min(j1, len(shown) - 1)] += originals[i1:i2]
    return origins


def _check(document: StoredDocument, updated: str) -> None:
    """Refuse a reply that changes nothing, drops most of the document, or elides parts of it."""
    path = document.path
    if updated == document.content:
        raise DocUpdateError(
            f"the LLM returned {path} unchanged; nothing was proposed (say more exactly what to change)"
        )
    old, new = document.content.splitlines(), updated.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    if len(old) - kept >= 5 and kept < len(old) / 2:
        raise DocUpdateError(
            f"the LLM's edit of {path} keeps {kept} of its {len(old)} lines: it looks cut off; nothing was proposed"
        )
    added = [line for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal" for line in new[j1:j2]]
    if elided := next((line for line in added if _ELIDED.search(line)), None):
        raise DocUpdateError(f"the LLM left out part of {path} (it wrote {elided.strip()!r}); nothing was proposed")
    if "[redacted " in updated and "[redacted " not in document.content:
        raise DocUpdateError(f"the LLM's edit of {path} changes a line holding a secret; edit that line by hand")


def _summary(path: str, original: str, updated: str) -> str:
    """One line: the file, the lines added and removed, and the sections they are in."""
    old, new = original.splitlines(), updated.splitlines()
    chunks = chunk_document(updated, path=path).chunks
    added = removed = 0
    sections: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        added, removed = added + j2 - j1, removed + i2 - i1
        anchor = next((line.strip() for line in new[j1 : j2 + 1] if line.strip()), "")
        heading = next((chunk.heading for chunk in chunks if anchor and anchor in chunk.content), "")
        if heading and heading not in sections:
            sections.append(heading)
    where = f" in {'; '.join(sections)}" if sections else ""
    return f"{path}: +{added} -{removed} lines{where}"
