"""Prometheus Alertmanager's Slack notifications.

Alertmanager's default template (`slack.default.title`) makes the title

    [FIRING:<n>] <group label values> (<common label values not in the group>)      or      [RESOLVED] ...

with values joined by spaces in label-name order and no label names, and leaves `text` empty; teams often set
`text` to the summary and description. The alert name is the `alertname` label's value: among the group values
when alerts are grouped by it, else usually first in the parentheses (few label names sort before
"alertname"). Prometheus names alerts in CamelCase by convention, which is how the name is told apart from the
other values; snake_case names are recognised by their shape.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Classification, fingerprint
from ratchet.classify.names import rule_name_among, split_labels
from ratchet.classify.recognisers.grafana import signed_by_grafana

SOURCE = "alertmanager"
# a count of up to 9 digits: a longer one is no group size, and past 4,300 digits int() refuses it
TITLE = re.compile(r"^\[(?P<status>FIRING|RESOLVED)(?::(?P<count>\d{1,9}))?\] ?(?P<rest>.*)$", re.DOTALL)
SEVERITIES = ("critical", "error", "warning", "info", "page", "high", "low", "none", "s1", "s2", "s3", "s4")


def recognise(message: AlertMessage) -> Classification | None:
    if signed_by_grafana(message):
        return None  # Grafana's unified alerting reuses this title; its own recogniser handles it
    title = _title(message)
    if title is None:
        return None
    match = TITLE.match(title)
    assert match is not None
    if ": " in match["rest"]:
        return None  # `[RESOLVED] db-2: Linux: ...`: a team's own subject, not label values
    group, common = split_labels(match["rest"])
    alert = rule_name_among(group + common)
    if alert is None:
        return None
    kind = "alert_firing" if match["status"] == "FIRING" else "alert_resolved"
    group_values = [value for value in group if value != alert]
    return Classification(
        kind=kind,
        alert=alert,
        service=" ".join(group_values) or None,
        severity=next((value for value in reversed(common) if value.lower() in SEVERITIES), None),
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, alert, " ".join(group_values)),
        confidence=1.0 if message.username == "Alertmanager" else 0.9,
        layer="recogniser",
        count=int(match["count"]) if match["count"] else None,
    )


def _title(message: AlertMessage) -> str | None:
    """The `[FIRING:n] ...` line: the attachment title in the default template, else the text's first line."""
    candidates = [a.title for a in message.attachments] + [a.fallback.split(" | ")[0] for a in message.attachments]
    candidates += [message.text.strip().split("\n", 1)[0], message.flat.strip().split("\n", 1)[0]]
    return next((c.strip() for c in candidates if TITLE.match(c.strip())), None)
