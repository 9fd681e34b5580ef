"""The one way a message becomes understood: classified, applied to its channel's incidents, kept with its
classification, and embedded for search. The live path, backfill and imports all call `classify_and_record`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings
from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import Classifier
from ratchet.classify.incidents import track
from ratchet.classify.models import Classification
from ratchet.storage import messages
from ratchet.storage.backfill import stored_among
from ratchet.storage.messages import Message, StoredMessage

EMBED_BATCH = 256  # texts per embeddings call


async def classify_and_record(
    pool: AsyncConnectionPool,
    classifier: Classifier,
    embeddings: Embeddings,
    batch: Sequence[Message],
    *,
    bot_user_id: str | None,
    use_llm: bool = True,
    insert: bool = False,
) -> list[tuple[StoredMessage, Classification]]:
    """Classify `batch` (no connection is held meanwhile: the LLM layer may be slow), then in one transaction,
    oldest first, apply each to incidents and keep its classification; then embed them in batches.

    With `insert` (backfill, imports: no reply follows), the batch path: only the messages not stored yet are
    recorded (a message seen twice changes nothing), embedded first and stored classified and embedded in one
    transaction; otherwise they must be stored already (the live path: ingest stored them)."""
    if insert:
        page = await prepare_page(pool, classifier, embeddings, batch, bot_user_id=bot_user_id, use_llm=use_llm)
        return await record_page(pool, page)
    ordered = sorted(batch, key=lambda m: float(m.ts))
    found = [
        await classifier.classify(m.attrs.get("raw", {}), bot_user_id=bot_user_id, use_llm=use_llm) for m in ordered
    ]
    recorded: list[tuple[StoredMessage, Classification]] = []
    async with pool.connection() as conn, conn.transaction():
        for message, classification in zip(ordered, found, strict=True):
            stored = await messages.get(conn, message.channel_id, message.ts)
            if stored is None:
                continue  # deleted meanwhile
            if (earlier := stored.attrs.get("classification")) is not None:
                # recorded already (backfill got it first, or this step runs again): incidents count it once
                recorded.append((stored, Classification.model_validate(earlier)))
                continue
            classification = classification.model_copy(update={"incident": await track(conn, stored, classification)})
            await messages.set_classification(
                conn, stored.channel_id, stored.ts, classification.model_dump(mode="json")
            )
            recorded.append((stored, classification))
    with_text = [stored for stored, _ in recorded if stored.text.strip()]
    for start in range(0, len(with_text), EMBED_BATCH):
        chunk = with_text[start : start + EMBED_BATCH]
        vectors = await embeddings.aembed_documents([m.text for m in chunk])
        async with pool.connection() as conn, conn.transaction():
            for message, vector in zip(chunk, vectors, strict=True):
                await messages.set_embedding(conn, message.channel_id, message.ts, vector)
    return recorded


@dataclass
class PreparedPage:
    """A page of messages not stored yet, oldest first, each with its classification and vector (None without
    text): everything `record_page` needs but the database's own work."""

    rows: list[tuple[Message, Classification, list[float] | None]]
    already_stored: int


async def prepare_page(
    pool: AsyncConnectionPool,
    classifier: Classifier,
    embeddings: Embeddings,
    batch: Sequence[Message],
    *,
    bot_user_id: str | None,
    use_llm: bool = False,
) -> PreparedPage:
    """Drop what is stored already, classify the rest (yielding to the event loop between messages, so a page
    being written meanwhile keeps going) and embed them in one call."""
    async with pool.connection() as conn:
        known = {
            (channel_id, ts)
            for channel_id in {m.channel_id for m in batch}
            for ts in await stored_among(conn, channel_id, [m.ts for m in batch if m.channel_id == channel_id])
        }
    fresh = {(m.channel_id, m.ts): m for m in sorted(batch, key=lambda m: float(m.ts))}
    fresh = {key: m for key, m in fresh.items() if key not in known}
    found = []
    for message in fresh.values():
        found.append(await classifier.classify(message.attrs.get("raw", {}), bot_user_id=bot_user_id, use_llm=use_llm))
        await asyncio.sleep(0)
    with_text = [m for m in fresh.values() if m.text.strip()]
    vectors = await embeddings.aembed_documents([m.text for m in with_text]) if with_text else []
    vector_of = {id(m): v for m, v in zip(with_text, vectors, strict=True)}
    rows = [(m, f, vector_of.get(id(m))) for m, f in zip(fresh.values(), found, strict=True)]
    return PreparedPage(rows=rows, already_stored=len(batch) - len(rows))


async def record_page(pool: AsyncConnectionPool, page: PreparedPage) -> list[tuple[StoredMessage, Classification]]:
    """In one transaction, store the page's messages with their classifications and vectors, then apply each to
    incidents oldest first; a failure anywhere leaves none of them stored, and one stored meanwhile is skipped."""
    found = {(m.channel_id, m.ts): f for m, f, _ in page.rows}
    rows = [
        (m.model_copy(update={"attrs": {**m.attrs, "classification": f.model_dump(mode="json")}}), vector)
        for m, f, vector in page.rows
    ]
    recorded: list[tuple[StoredMessage, Classification]] = []
    async with pool.connection() as conn, conn.transaction():
        for stored in await messages.insert_new(conn, rows):
            classification = found[(stored.channel_id, stored.ts)]
            if (incident := await track(conn, stored, classification)) is not None:
                classification = classification.model_copy(update={"incident": incident})
                await messages.set_classification(
                    conn, stored.channel_id, stored.ts, classification.model_dump(mode="json")
                )
            recorded.append((stored, classification))
    return recorded


async def record_pages(
    pool: AsyncConnectionPool,
    classifier: Classifier,
    embeddings: Embeddings,
    pages: AsyncIterator[Sequence[Message]],
) -> AsyncIterator[tuple[PreparedPage, list[tuple[StoredMessage, Classification]]]]:
    """Record pages in order (no reply follows; no LLM), preparing the next page while the last one is written:
    the classifier and the embeddings keep this process busy while Postgres stores and indexes."""
    writing: asyncio.Task[list[tuple[StoredMessage, Classification]]] | None = None
    written = PreparedPage(rows=[], already_stored=0)
    try:
        async for batch in pages:
            page = await prepare_page(pool, classifier, embeddings, batch, bot_user_id=None)
            if writing is not None:
                yield written, await writing
            writing, written = asyncio.create_task(record_page(pool, page)), page
        if writing is not None:
            yield written, await writing
    finally:
        if writing is not None and not writing.done():  # preparing failed: the page being written completes
            await asyncio.wait([writing])
