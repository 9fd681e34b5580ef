"""`ratchet classify`: JSON lines in, one classification a line out, in order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from ratchet.classify.classifier import Classifier

OUTPUT_FIELDS = ("kind", "alert", "service", "severity", "source", "fingerprint", "confidence", "layer")
EXPLAINED_FIELDS = (*OUTPUT_FIELDS, "reason")


def message_of(item: Any) -> dict[str, Any]:
    """A Slack message object from one input: a message object, an Events API payload, or a plain string."""
    if isinstance(item, str):
        return {"text": item}
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object or string, got {type(item).__name__}")
    if isinstance(item.get("event"), dict):
        event = item["event"]
        return event["message"] if event.get("subtype") == "message_changed" and "message" in event else event
    return item


async def classify_lines(
    lines: Iterable[str], classifier: Classifier, *, bot_user_id: str | None = None, explain: bool = False
) -> AsyncIterator[str]:
    fields = EXPLAINED_FIELDS if explain else OUTPUT_FIELDS
    for line in lines:
        if not line.strip():
            continue
        try:
            message = message_of(json.loads(line))
        except (json.JSONDecodeError, ValueError) as error:
            yield json.dumps({"error": f"cannot read this line: {error}"})
            continue
        found = await classifier.classify(message, bot_user_id=bot_user_id)
        yield json.dumps({field: getattr(found, field) for field in fields}, ensure_ascii=False)
