"""How an integration post is built: where its title is, and whether it carries the fields an alert carries
(severity, priority, urgency, alert name, monitor, metric, threshold) as attachment fields or Block Kit fields."""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage
from ratchet.classify.names import BLOCK_FIELD, LINK
from ratchet.classify.states import HEADER_LINES

ALERT_FIELDS = {  # any one of them: the post describes an alert
    "severity",
    "urgency",
    "alertname",
    "alert name",
    "monitor",
    "metric",
    "threshold",
    "alarm",
    "alarm name",
    "current value",
}
ALERT_HINTS = {"priority", "trigger", "alert", "incident", "status", "state", "host", "region", "service", "entity"}
LINKED_TITLE = re.compile(
    r"^(?:[^<\n]|<[@#!][^>\n]*>){0,80}?[*_]*<https?://[^|>\s]+\|([^<>\n]{3,300})>"
)  # a link heading the line
# a link's words that name no alert: an id, or what the link does (`View incident`, `Open in Grafana`)
ID_ONLY = re.compile(
    r"^\W*(?:(?:event|incident|alert|issue|view|details)?\W*#?\d*|(?:view|open|see|show|go to)\b.*|runbook|dashboard"
    r"|details|link|here)\W*$",
    re.IGNORECASE,
)


def has_alert_fields(message: AlertMessage) -> bool:
    titles = {field.title.strip(" *_:").lower() for a in message.attachments for field in a.fields}
    titles |= {title.lower().strip() for title, _ in BLOCK_FIELD.findall(message.flat)}
    return not titles.isdisjoint(ALERT_FIELDS) or len(titles & ALERT_HINTS) >= 3  # a ticket has two of these


def title_of(message: AlertMessage) -> str | None:
    """Where a post's title is: an attachment's title, a linked title in its first lines (`*<url|title>*`),
    else the first line of its fallback or text."""
    titles = [attachment.title for attachment in message.attachments]
    for line in message.flat.strip().split("\n")[:HEADER_LINES]:
        titles += [label for label in LINKED_TITLE.findall(line) if not ID_ONLY.match(label)]
    titles += [attachment.fallback for attachment in message.attachments] + [message.flat]
    first = next((title.strip().split("\n", 1)[0] for title in titles if title.strip()), "")
    return LINK.sub(lambda m: m[1] or "", first).strip() or None
