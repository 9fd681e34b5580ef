"""Grafana's Slack notifications, both generations.

Unified alerting (Grafana 8+, `grafana/alerting` `receivers/slack`): one attachment whose title is the default
template's `[FIRING:<n>] <group values> (<common values>)` / `[FIRING:<n>, RESOLVED:<m>] ...` / `[RESOLVED] ...`,
whose text is `**Firing**` / `**Resolved**` followed by each alert's `Labels:` list (` - alertname = X`), and
whose footer is `Grafana v<version>`. The title is Alertmanager's, so only a Grafana mark (the footer, the
username, a `/alerting/` link with `alertmanager=grafana`) lets this recogniser claim it.

Legacy alerting (Grafana 4-10, `pkg/services/alerting/notifiers/slack.go`): an attachment titled
`[Alerting] <rule name>`, `[OK] <rule name>` or `[No Data] <rule name>`, the metrics as fields, the rule URL as
title link and the same `Grafana v<version>` footer.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Attachment, Classification, fingerprint

SOURCE = "grafana"
# a count of up to 9 digits, as in Alertmanager's title
UNIFIED = re.compile(r"\[(FIRING|RESOLVED)(?::(\d{1,9}))?(?:, RESOLVED:\d+)?\][ \t]*([^\n]*)")
LEGACY = re.compile(r"^\[(Alerting|OK|No Data|Pending|Paused|Unknown)\][ \t]+([^\n]+)$", re.IGNORECASE)
LABEL = re.compile(r"^ - ([A-Za-z_][A-Za-z0-9_]*) = (.*)$", re.MULTILINE)
SERVICE_LABELS = ("service", "namespace", "job", "instance", "host", "hostname", "pod", "grafana_folder")
LEGACY_KINDS = {"alerting": "alert_firing", "ok": "alert_resolved"}


def recognise(message: AlertMessage) -> Classification | None:
    """A Grafana notification, or None when the message does not carry Grafana's marks."""
    if not signed_by_grafana(message):
        return None
    for attachment in message.attachments or [Attachment(title=message.text.split("\n", 1)[0], text=message.text)]:
        found = _unified(attachment) or _legacy(attachment)
        if found is not None:
            return found
    return None


def signed_by_grafana(message: AlertMessage) -> bool:
    marks = [message.username, *(a.footer for a in message.attachments)]
    if any(mark.strip().lower().startswith("grafana") for mark in marks):
        return True
    return any("alertmanager=grafana" in a.text or "/alerting/grafana/" in a.text for a in message.attachments)


def _unified(attachment: Attachment) -> Classification | None:
    match = UNIFIED.search(attachment.title) or UNIFIED.search(attachment.fallback)
    if match is None:
        return None
    status, count, rest = match.groups()
    labels = dict(LABEL.findall(attachment.text.partition("Labels:")[2].partition("Annotations:")[0]))  # 1st alert
    values = rest.replace("(", " ").replace(")", " ").split()
    alert = labels.get("alertname") or (f"[{status}] {rest}" if values else None)  # settled like a relayed title
    if not alert:
        return None
    service = next((labels[name] for name in SERVICE_LABELS if labels.get(name)), None)
    firing = status == "FIRING"
    return Classification(
        kind="alert_firing" if firing else "alert_resolved",
        alert=alert,
        service=service,
        severity=labels.get("severity") or None,
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, alert, " ".join(rest.split())),
        confidence=1.0,
        layer="recogniser",
        count=int(count) if count else None,
    )


def _legacy(attachment: Attachment) -> Classification | None:
    match = LEGACY.match(attachment.title.strip()) or LEGACY.match(attachment.fallback.strip())
    if match is None:
        return None
    state, rule = match[1].lower(), match[2].strip()
    return Classification(
        kind=LEGACY_KINDS.get(state, "alert_other"),
        alert=rule,
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, rule, attachment.title_link),
        confidence=1.0,
        layer="recogniser",
    )
