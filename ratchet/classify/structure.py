"""How an integration post is built: where its title is, and whether it carries the fields an alert carries
(severity, priority, urgency, alert name, monitor, metric, threshold) as attachment fields or Block Kit fields."""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage
from ratchet.classify.names import BLOCK_FIELD, EMOJI, LINK, SEVERITY, strong_rule_name
from ratchet.classify.states import HEADER_LINES, header_lines

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
# a severity or priority set apart in a header line: `[INFO] X`, `*High: db-2: X*`, `X | warning | checkout`
SEVERITY_MARK = re.compile(
    rf"(?:^|[\[(*|:\u2013\u2014-]\s*)(?:{SEVERITY}|P[1-5]|SEV-?\d)(?=\s*(?:[\])*|:\u2013\u2014-]|$))", re.IGNORECASE
)
# a measure against a limit, as alert titles state their condition: `Apdex below 0.85`, `CPU > 90%`
THRESHOLD = re.compile(
    r"\b(?:above|below|over|under|exceeds?|exceeded|(?:greater|less|more|higher|lower) than)\s+[<>=]*\s*\d"
    r"|\s[<>]=?\s*\d",
    re.IGNORECASE,
)
TAG_TOKEN = re.compile(r"\W*\[[^\]]*\]\W*")  # `[LIVE]`, `[prod]`: a tag before the title's first word


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


def has_alert_marks(message: AlertMessage) -> bool:
    """A mark only alerts carry, besides state words and fields: a severity or priority set apart in the header, a
    title stating a threshold (`Queue time over 500ms`) or headed by a rule's name (`KubePodCrashLooping (2
    alerts)`). A deploy, a build, a ticket or a calendar reminder carries none, even when its title mentions a rule
    further on (`#6987 Silence CephPGNotScrubbed`)."""
    if any(SEVERITY_MARK.search(EMOJI.sub(" ", line)) for line in header_lines(message)):
        return True
    title = EMOJI.sub(" ", title_of(message) or "")
    if THRESHOLD.search(title):
        return True
    words = [word for word in title.split() if not TAG_TOKEN.fullmatch(word)]
    return bool(words) and strong_rule_name(words[0].strip("()*_`:,|\"'"))
