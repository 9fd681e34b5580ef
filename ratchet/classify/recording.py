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

    With `insert`, messages are stored first and only the new ones are recorded (backfill, imports: a message
    seen twice changes nothing); otherwise they must be stored already (the live path: ingest stored them)."""
    ordered = sorted(batch, key=lambda m: float(m.ts))
    found = [
        await classifier.classify(m.attrs.get("raw", {}), bot_user_id=bot_user_id, use_llm=use_llm) for m in ordered
    ]
    recorded: list[tuple[StoredMessage, Classification]] = []
    async with pool.connection() as conn, conn.transaction():
        for message, classification in zip(ordered, found, strict=True):
            if insert and not await messages.insert_if_new(conn, message):
                continue
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
