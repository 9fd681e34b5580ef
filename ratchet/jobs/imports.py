"""`ratchet import`: a Slack export's channels through the path every message takes (store, classify, incidents,
embed), oldest first per channel, so incidents come out as they happened; no job is queued and nothing is posted.

Each day file is read whole before anything of it is written, then stored a page (one transaction) at a time: a
file that cannot be read is logged and skipped, and an import run again stores nothing twice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field

from ratchet.classify.classifier import Classifier
from ratchet.classify.recording import record_pages
from ratchet.slack.events import MalformedEvent, to_message
from ratchet.slack_export import ExportChannel, ExportError, ExportSource
from ratchet.storage import channels
from ratchet.storage.messages import Message

log = logging.getLogger(__name__)

PAGE = 500  # messages per transaction
Progress = Callable[[int, int], None]  # (day files done, day files in all)


class ImportReport(BaseModel):
    """What an import stored: new messages only (a second run of the same export reports zeros)."""

    channels: int = 0
    files: int = 0
    messages: int = 0
    alerts: int = 0
    incidents: int = 0  # incidents opened by the imported alerts
    already_stored: int = 0
    skipped_messages: int = 0
    skipped_files: list[str] = Field(default_factory=list)  # "<file>: <why>"


def select_channels(source: ExportSource, wanted: Sequence[str]) -> list[tuple[ExportChannel, bool]]:
    """The export's public (channels.json) and private (groups.json) channels, each with whether it is private;
    only those named in `wanted` (names, `#names` or IDs) when it is not empty. DMs are never imported."""
    found = [(c, False) for c in source.records("channels.json", ExportChannel, required=True)]
    found += [(c, True) for c in source.records("groups.json", ExportChannel)]
    if not wanted:
        return found
    names = {name.lstrip("#") for name in wanted}
    unknown = names - {c.id for c, _ in found} - {c.name for c, _ in found if c.name}
    if unknown:
        known = ", ".join(sorted(c.name or c.id for c, _ in found))
        raise ExportError(f"no channel {', '.join(sorted(unknown))} in the export (it has: {known})")
    return [(c, private) for c, private in found if names & {c.id, c.name}]


async def import_export(
    pool: AsyncConnectionPool,
    classifier: Classifier,
    embeddings: Embeddings,
    path: Path,
    *,
    only: Sequence[str] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """Import the export at `path` (a .zip or a folder); raises ExportError when it is not an export at all."""
    source = ExportSource(path)
    try:
        chosen = select_channels(source, only)
        files = [(c, private, name) for c, private in chosen for name in source.day_files(c.name or c.id)]
        report = ImportReport(channels=len(chosen))
        for channel, private in chosen:
            async with pool.connection() as conn, conn.transaction():
                await channels.update_info(conn, channel.id, name=channel.name, is_private=private)
                if channel.is_archived:
                    await channels.set_archived(conn, channel.id, True)
        pages = _pages(source, files, report, progress)
        async for page, recorded in record_pages(pool, classifier, embeddings, pages):
            report.messages += len(recorded)
            report.already_stored += page.already_stored + len(page.rows) - len(recorded)
            report.alerts += sum(found.is_alert for _, found in recorded)
            report.incidents += sum((found.incident or "").endswith(" opened") for _, found in recorded)
        return report
    finally:
        source.close()


async def _pages(
    source: ExportSource,
    files: list[tuple[ExportChannel, bool, str]],
    report: ImportReport,
    progress: Progress | None,
) -> AsyncIterator[list[Message]]:
    """The export's messages a page at a time, a channel's day files in order (a page may span days, never
    channels: incidents are applied per channel, oldest first)."""
    page: list[Message] = []
    for done, (channel, private, name) in enumerate(files, start=1):
        if page and page[0].channel_id != channel.id:
            yield page
            page = []
        page += _read_day(source, channel, private, name, report)
        while len(page) >= PAGE:
            yield page[:PAGE]
            page = page[PAGE:]
        if progress is not None:
            progress(done, len(files))
    if page:
        yield page


def _read_day(
    source: ExportSource, channel: ExportChannel, private: bool, name: str, report: ImportReport
) -> list[Message]:
    """A day file's messages; a file that cannot be read, or a message that is not one, is logged and skipped."""
    try:
        records = source.day(name)
    except ExportError as problem:
        log.warning("skipped %s", problem)
        report.skipped_files.append(str(problem))
        return []
    channel_type = "group" if private else "channel"
    batch: list[Message] = []
    for raw in records:
        try:
            batch.append(_message(raw, channel.id, channel_type))
        except MalformedEvent as problem:
            log.warning("skipped a malformed message in %s: %s", name, problem)
            report.skipped_messages += 1
    report.files += 1
    return batch


def _message(raw: Any, channel_id: str, channel_type: str) -> Message:
    if not isinstance(raw, dict):
        raise MalformedEvent(f"a {type(raw).__name__} where a message object belongs")
    message = to_message(raw, channel_id=channel_id, channel_type=channel_type)
    return message.model_copy(update={"origin": "import"})
