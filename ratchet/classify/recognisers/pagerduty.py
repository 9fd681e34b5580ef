"""PagerDuty incident notifications from PagerDuty's Slack app.

The app posts one message per incident and posts again (or updates it) as the incident changes: its status
(Triggered, Acknowledged, Resolved), the incident as PagerDuty summarises it, `[#<number>] <title>`, linked to
`https://<subdomain>.pagerduty.com/incidents/<id>`, and the service, urgency (High / Low), priority (P1…P5) and
assignee — as legacy attachment fields or, in the newer layout, as Block Kit section fields.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Classification, fingerprint
from ratchet.classify.states import header_kind

SOURCE = "pagerduty"
INCIDENT_URL = re.compile(r"pagerduty\.com/incidents/([A-Z0-9]{4,20})\b")
NUMBERED = re.compile(r"\[#(?P<number>\d{1,10})\][ \t]*(?P<title>[^\n<|*]{1,300})")  # `>` in a title: `(> 80%)`
STATUS = re.compile(r"\b(Triggered|Acknowledged|Resolved|Reassigned|Escalated)\b")
FIELD = r"\b{}:\**[ \t]*\n?[ \t]*\**[ \t]*([^\n*]{{1,200}})"
KINDS = {"triggered": "alert_firing", "resolved": "alert_resolved"}


def recognise(message: AlertMessage) -> Classification | None:
    """A PagerDuty incident notification, or None."""
    text = message.flat
    links = " ".join([text, *(a.title_link for a in message.attachments)])
    signed = "pagerduty" in message.username.lower() or INCIDENT_URL.search(links) is not None
    incident = NUMBERED.search(text)
    if not signed or incident is None:
        return None
    status = _field(text, "Status") or _first(STATUS, text)
    kind = KINDS.get(status.split()[0].lower(), "alert_other") if status else header_kind(message)
    if kind is None:
        return None
    title = incident["title"].strip().removesuffix(">").strip()  # a linked title's link ends with `>`
    url = INCIDENT_URL.search(links)
    return Classification(
        kind=kind,  # type: ignore[arg-type]
        alert=title,
        service=_field(text, "Service"),
        severity=_field(text, "Priority") or _field(text, "Urgency"),
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, title, url[1] if url else f"#{incident['number']}"),
        confidence=1.0,
        layer="recogniser",
    )


def _field(text: str, name: str) -> str | None:
    match = re.search(FIELD.format(name), text)
    return match[1].strip() if match else None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match[1] if match else None
