"""Synthesized runbooks: what people did about an alert before, written up from the replies in the threads of its
past incidents, every statement cited back to the Slack messages it came from.

With a chat model the replies go to the model as quoted data, each with an id; statements the model cannot tie to
given ids are dropped and the ids become permalinks. The result is cached per (alert, service) and rebuilt only
when a newer reply has arrived. Without a model, or when the model fails, the past threads and their most useful
replies are returned instead.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from langchain_core.language_models import BaseChatModel
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from ratchet.prompts import render_prompt
from ratchet.slack.formatting import shorten
from ratchet.storage import incidents, runbooks
from ratchet.storage.threads import ThreadReply, incident_replies

log = logging.getLogger(__name__)
Section = Literal["overview", "root_cause", "resolution"]
SECTION_TITLES: dict[Section, str] = {
    "overview": "Overview",
    "root_cause": "Likely root causes",
    "resolution": "Resolution steps",
}
MAX_INCIDENTS = 10
REPLIES_PER_THREAD = 3  # shown per thread without a model
REPLY_CHARS = 1500  # of one reply shown to the model
MAX_REPLIES = 80  # shown to the model, the newest
TECHNICAL = re.compile(
    r"`[^`]+`|\b(?:kubectl|helm|systemctl|journalctl|docker|curl|grep|ssh|sudo|psql|git|terraform|aws|gcloud)\b"
    r"|(?<!\w)--?[a-z][\w-]+|\w+/[\w./-]+|\b\w+=\S+|\b\d+(?:\.\d+)?(?:ms|s|m|h|%|Mi|Gi|MB|GB)\b"
)
INLINE_ID = re.compile(r"\s*\[m\d+\]")  # ids the model also wrote into a statement's text
NEEDS_LLM = "A written runbook needs an LLM; these are the past threads of this alert and their most useful replies."


def permalink(channel_id: str, ts: str, *, thread_ts: str | None = None, base: str = "https://slack.com") -> str:
    """The Slack link to a message, built offline in the shape Slack uses.
    In production `chat.getPermalink(channel=channel_id, message_ts=ts)` returns the workspace's canonical link."""
    link = f"{base.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
    return f"{link}?thread_ts={thread_ts}&cid={channel_id}" if thread_ts and thread_ts != ts else link


class Reply(ThreadReply):
    """A person's reply in a past incident thread, with the id it is cited by and its link."""

    id: str
    permalink: str


class PastThread(BaseModel):
    """A past incident of the alert and the replies shown for it."""

    incident_id: int
    channel_id: str
    opened_ts: str
    opened_at: datetime
    status: str
    permalink: str
    reply_count: int
    replies: list[Reply]


class Statement(BaseModel):
    section: Section
    text: str
    citations: list[str]  # reply ids


class Citation(BaseModel):
    """A cited reply, numbered in order of first use."""

    number: int
    id: str
    permalink: str
    user_id: str
    ts: str


class SynthesizedRunbook(BaseModel):
    alert: str
    service: str | None
    statements: list[Statement] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    threads: list[PastThread] = Field(default_factory=list)
    note: str | None = None
    model: str | None = None
    latest_source_ts: str | None = None
    cached: bool = False

    @property
    def written(self) -> bool:
        """True when the model wrote it (statements with citations), False for the list of past threads."""
        return bool(self.statements)

    def to_markdown(self) -> str:
        """Markdown with Slack `<permalink|[n]>` citation links: the sections, or the past threads and replies."""
        title = f"**Runbook from past threads: {self.alert}**" + (f" ({self.service})" if self.service else "")
        lines = [title]
        if self.note:
            lines.append(f"_{self.note}_")
        links = {c.id: f"<{c.permalink}|[{c.number}]>" for c in self.citations}
        for section, heading in SECTION_TITLES.items():
            statements = [s for s in self.statements if s.section == section]
            if statements:
                lines.append(f"\n**{heading}**")
                for number, statement in enumerate(statements, 1):
                    bullet = f"{number}." if section == "resolution" else "•"
                    lines.append(f"{bullet} {statement.text} {''.join(links[i] for i in statement.citations)}")
        if not self.written:
            for thread in self.threads:
                when = thread.opened_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
                lines.append(f"\n<{thread.permalink}|Incident {thread.incident_id}> — {when}, {thread.status}")
                for reply in thread.replies:
                    lines.append(f"• <@{reply.user_id}>: {shorten(reply.text, 300)} <{reply.permalink}|[link]>")
        return "\n".join(lines)


class DraftStatement(BaseModel):
    text: str = Field(description="one statement, taken from the replies")
    sources: list[str] = Field(description='ids of the replies it comes from, e.g. ["m3", "m7"]')


class RunbookDraft(BaseModel):
    """The model's runbook: each statement with the ids of the replies it comes from."""

    overview: list[DraftStatement] = Field(default_factory=list)
    root_causes: list[DraftStatement] = Field(default_factory=list)
    resolution_steps: list[DraftStatement] = Field(default_factory=list)


async def synthesize_runbook(
    pool: AsyncConnectionPool,
    chat_model: BaseChatModel | None,
    alert: str,
    *,
    service: str | None = None,
    channels: list[str] | None = None,
    permalink_base: str = "https://slack.com",
    max_incidents: int = MAX_INCIDENTS,
) -> SynthesizedRunbook:
    """The runbook for `alert` (and `service`) from its past threads in `channels` (None: every channel): cached,
    written by the model, or the threads. No connection is held during the model call."""
    scope = runbooks.scope_of(channels)
    async with pool.connection() as conn:
        recent = await incidents.recent(conn, alert=alert, channels=channels, limit=max_incidents * 5)
        past = [i for i in recent if _same(i, service)][:max_incidents]
        found = await incident_replies(conn, [i.id for i in past])
        stored = await runbooks.get(conn, alert, service, scope)
    replies = _number(found, past, permalink_base)
    threads = _threads(past, replies, permalink_base)
    if not replies:
        return SynthesizedRunbook(
            alert=alert, service=service, threads=threads, note="No one has replied in past threads of this alert."
        )
    latest = max((r.ts for r in replies), key=Decimal)
    cached = SynthesizedRunbook.model_validate(stored) if stored else None
    if cached is not None and cached.latest_source_ts and Decimal(cached.latest_source_ts) >= Decimal(latest):
        return cached.model_copy(update={"cached": True})
    if chat_model is None:
        return _without_model(alert, service, threads, latest, NEEDS_LLM)
    try:
        draft = await chat_model.with_structured_output(RunbookDraft).ainvoke(
            render_prompt(
                "synthesize_runbook", alert=alert, service=service or "any", replies=_quoted(replies[:MAX_REPLIES])
            ),
            config={"metadata": {"module": "synthesis"}, "run_name": "synthesize_runbook"},
        )
        if not isinstance(draft, RunbookDraft):
            draft = RunbookDraft.model_validate(draft)
    except Exception as error:  # a failing or garbled model must still leave the threads
        log.warning("the LLM could not synthesize a runbook for %s: %s: %s", alert, type(error).__name__, error)
        return _without_model(alert, service, threads, latest, f"The LLM failed ({type(error).__name__}). {NEEDS_LLM}")
    runbook = _cited(draft, {r.id: r for r in replies[:MAX_REPLIES]}, alert, service, threads, latest)
    if not runbook.statements:
        log.warning("the LLM's runbook for %s had no statement citing a given reply", alert)
        return _without_model(alert, service, threads, latest, f"The LLM cited no past reply. {NEEDS_LLM}")
    runbook.model = _model_name(chat_model)
    async with pool.connection() as conn:
        await runbooks.store(
            conn,
            alert=alert,
            service=service,
            scope=scope,
            content=runbook.model_dump(mode="json"),
            citations=[c.model_dump(mode="json") for c in runbook.citations],
            source_threads=len(runbook.threads),
            latest_source_ts=runbook.latest_source_ts,
            model=runbook.model,
        )
    return runbook


def usefulness(text: str) -> int:
    """How much a reply is worth showing: its length, plus a bonus for each command, flag, path or measurement."""
    return len(text.strip()) + 40 * len(TECHNICAL.findall(text))


def _same(incident: incidents.Incident, service: str | None) -> bool:
    return service is None or incident.service == service


def _number(found: list[ThreadReply], past: list[incidents.Incident], base: str) -> list[Reply]:
    """Ids m1, m2, ... in the order the model sees the replies: newest incidents first, each thread in order."""
    order = {incident.id: rank for rank, incident in enumerate(past)}
    ordered = sorted(found, key=lambda r: (order[r.incident_id], r.posted_at, r.ts))
    return [
        Reply(id=f"m{n}", **r.model_dump(), permalink=permalink(r.channel_id, r.ts, thread_ts=r.thread_ts, base=base))
        for n, r in enumerate(ordered, 1)
    ]


def _threads(past: list[incidents.Incident], replies: list[Reply], base: str) -> list[PastThread]:
    """The incidents that have replies, newest first, each with its most useful replies in the order posted."""
    threads = []
    for incident in past:
        own = [r for r in replies if r.incident_id == incident.id]
        if not own:
            continue
        best = {r.id for r in sorted(own, key=lambda r: usefulness(r.text), reverse=True)[:REPLIES_PER_THREAD]}
        threads.append(
            PastThread(
                incident_id=incident.id,
                channel_id=incident.channel_id,
                opened_ts=incident.opened_ts,
                opened_at=incident.opened_at,
                status=incident.status,
                permalink=permalink(incident.channel_id, incident.opened_ts, base=base),
                reply_count=len(own),
                replies=[r for r in own if r.id in best],
            )
        )
    return threads


def _quoted(replies: list[Reply]) -> str:
    """Each reply as `[id] header` and its text quoted line by line; the closing marker cannot occur inside."""
    blocks = []
    for reply in replies:
        text = reply.text[:REPLY_CHARS].replace("REPLIES>>>", "REPLIES> > >")
        quoted = "\n".join(f"> {line}" for line in text.splitlines())
        when = reply.posted_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        blocks.append(f"[{reply.id}] incident {reply.incident_id}, {when}, user {reply.user_id}:\n{quoted}")
    return "\n\n".join(blocks)


def _cited(
    draft: RunbookDraft,
    given: dict[str, Reply],
    alert: str,
    service: str | None,
    threads: list[PastThread],
    latest: str | None,
) -> SynthesizedRunbook:
    """Keep the statements citing at least one given id (only those ids), and number the citations."""
    statements: list[Statement] = []
    citations: dict[str, Citation] = {}
    sections: list[tuple[Section, list[DraftStatement]]] = [
        ("overview", draft.overview),
        ("root_cause", draft.root_causes),
        ("resolution", draft.resolution_steps),
    ]
    for section, drafts in sections:
        for item in drafts:
            ids = list(dict.fromkeys(i.strip().strip("[]") for i in item.sources))
            valid = [i for i in ids if i in given]
            text = INLINE_ID.sub("", item.text).strip()
            if not valid or not text:
                log.info("dropped a runbook statement without a valid citation: %r (cited %s)", item.text, ids)
                continue
            for i in valid:
                if i not in citations:
                    reply = given[i]
                    citations[i] = Citation(
                        number=len(citations) + 1, id=i, permalink=reply.permalink, user_id=reply.user_id, ts=reply.ts
                    )
            statements.append(Statement(section=section, text=text, citations=valid))
    return SynthesizedRunbook(
        alert=alert,
        service=service,
        statements=statements,
        citations=list(citations.values()),
        threads=threads,
        latest_source_ts=latest,
    )


def _without_model(
    alert: str, service: str | None, threads: list[PastThread], latest: str | None, note: str
) -> SynthesizedRunbook:
    return SynthesizedRunbook(alert=alert, service=service, threads=threads, note=note, latest_source_ts=latest)


def _model_name(chat_model: BaseChatModel) -> str:
    return str(getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or chat_model._llm_type)
