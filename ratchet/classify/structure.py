"""How an integration post is built: where its title is, and whether it carries the fields an alert carries
(severity, priority, urgency, alert name, monitor, metric, threshold) as attachment fields or Block Kit fields."""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage
from ratchet.classify.names import LINK

ALERT_FIELDS = {
    "severity",
    "priority",
    "urgency",
    "alertname",
    "alert name",
    "alert",
    "monitor",
    "metric",
    "threshold",
    "trigger",
    "alarm",
    "alarm name",
    "current value",
}
BLOCK_FIELD = re.compile(r"^\*?([A-Za-z][A-Za-z ]{1,20}?)\*?:\*?\s*(?:\n|$)", re.MULTILINE)  # "*Severity:*\ncritical"


def has_alert_fields(message: AlertMessage) -> bool:
    titles = {field.title.strip(" *_:").lower() for a in message.attachments for field in a.fields}
    titles |= {match.lower().strip() for match in BLOCK_FIELD.findall(message.flat)}
    return not titles.isdisjoint(ALERT_FIELDS)


def title_of(message: AlertMessage) -> str | None:
    """Where a post's title is: an attachment's title or fallback, else its first line of text."""
    for attachment in message.attachments:
        for part in (attachment.title, attachment.fallback, attachment.text):
            if part.strip():
                return LINK.sub(lambda m: m[1] or "", part.strip().split("\n", 1)[0]).strip() or None
    first = message.flat.strip().split("\n", 1)[0]
    return LINK.sub(lambda m: m[1] or "", first).strip() or None
