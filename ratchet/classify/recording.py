"""The one way a message becomes understood: classified, applied to its channel's incidents, kept with its
classification, and embedded for search. The live path, backfill and imports all call `classify_and_record`."""

from __future__ import annotations

from collections.abc import Sequence

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
    ordered = sorted(batch, key=lambda m: float(m.ts))
    found = [
        await classifier.classify(m.attrs.get("raw", {}), bot_user_id=bot_user_id, use_llm=use_llm) for m in ordered
    ]
    if insert:
        return await _record_new(pool, embeddings, ordered, found)
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


async def _record_new(
    pool: AsyncConnectionPool,
    embeddings: Embeddings,
    ordered: Sequence[Message],
    found: Sequence[Classification],
) -> list[tuple[StoredMessage, Classification]]:
    """The batch path (no reply follows): the messages not stored yet are embedded in one call, then in one
    transaction stored with their classifications and vectors in one pipeline and applied to incidents oldest
    first; a failure anywhere leaves none of them stored."""
    async with pool.connection() as conn:
        known = {
            (channel_id, ts)
            for channel_id in {m.channel_id for m in ordered}
            for ts in await stored_among(conn, channel_id, [m.ts for m in ordered if m.channel_id == channel_id])
        }
    fresh = {(m.channel_id, m.ts): (m, f) for m, f in zip(ordered, found, strict=True)}
    fresh = {key: pair for key, pair in fresh.items() if key not in known}
    with_text = [key for key, (m, _) in fresh.items() if m.text.strip()]
    vectors = await embeddings.aembed_documents([fresh[key][0].text for key in with_text]) if with_text else []
    vector_of = dict(zip(with_text, vectors, strict=True))
    rows = [
        (m.model_copy(update={"attrs": {**m.attrs, "classification": f.model_dump(mode="json")}}), vector_of.get(key))
        for key, (m, f) in fresh.items()
    ]
    recorded: list[tuple[StoredMessage, Classification]] = []
    async with pool.connection() as conn, conn.transaction():
        for stored in await messages.insert_new(conn, rows):
            classification = fresh[(stored.channel_id, stored.ts)][1]
            if (incident := await track(conn, stored, classification)) is not None:
                classification = classification.model_copy(update={"incident": incident})
                await messages.set_classification(
                    conn, stored.channel_id, stored.ts, classification.model_dump(mode="json")
                )
            recorded.append((stored, classification))
    return recorded
