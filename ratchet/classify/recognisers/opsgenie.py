"""Opsgenie alert notifications from the Opsgenie app for Slack.

The app posts an alert when it is created and again as it is acknowledged, closed, snoozed or escalated: the
action (`New alert`, `Acknowledged by <user>`, `Closed by <user>`, ...), the alert as `#<tinyId>: <message>`
linked to the alert in Opsgenie (app.opsgenie.com / opsg.in), its priority `P1`…`P5` (in brackets or as a field)
and the alert's fields: Priority, Entity, Source, Tags, Alias.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Classification, fingerprint

SOURCE = "opsgenie"
TINY = re.compile(r"(?:\[(?P<priority>P[1-5])\][ \t]*)?#(?P<tiny>\d{1,10}):[ \t]*(?P<message>[^\n<|*]{1,300})")
ACTION = re.compile(r"\b(New alert|Alert created|Acknowledged|Unacknowledged|Closed|Snoozed|Escalated|Assigned)\b")
FIELD = r"^\**{}:?\**:?[ \t]*([^\n*]{{1,200}})$"
PRIORITY = re.compile(r"\b(P[1-5])\b")
KINDS = {"new alert": "alert_firing", "alert created": "alert_firing", "closed": "alert_resolved"}
MARKS = ("opsgenie.com", "opsg.in/")


def recognise(message: AlertMessage) -> Classification | None:
    """An Opsgenie alert notification, or None."""
    text = message.flat
    links = " ".join([text, *(a.title_link for a in message.attachments)])
    signed = "opsgenie" in message.username.lower() or any(mark in links for mark in MARKS)
    alert = TINY.search(text)
    if not signed or alert is None:
        return None
    action = ACTION.search(text)
    name = alert["message"].strip().removesuffix(">").strip()  # a linked alert's link ends with `>`
    priority = alert["priority"] or _field(text, "Priority")
    return Classification(
        kind=KINDS.get(action[1].lower(), "alert_other") if action else "alert_firing",  # type: ignore[arg-type]
        alert=name,
        service=_field(text, "Entity"),
        severity=priority if priority and PRIORITY.fullmatch(priority) else None,
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, name, f"#{alert['tiny']}"),
        confidence=1.0,
        layer="recogniser",
    )


def _field(text: str, name: str) -> str | None:
    match = re.search(FIELD.format(name), text, re.MULTILINE)
    return match[1].strip() if match else None
