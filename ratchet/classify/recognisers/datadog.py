"""Datadog monitor notifications, as the Datadog Slack integration posts them.

Datadog titles each monitor event `[<transition>] <monitor name>`; a multi-alert monitor (`include_tags`, the
default) names the group that changed, `[<transition> on {host:web-01,env:prod}] <monitor name>`, and a monitor
with a priority is prefixed `[P1]`…`[P5]`. Transitions are Triggered, Re-Triggered, Warn, Re-Warn, No Data,
Re-No Data and Recovered. The Slack message carries that title (linked to the event on app.datadoghq.com) with the
monitor's message below it; some renderings put the transition first, `Triggered: [P1] <monitor name>`.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Classification, fingerprint

SOURCE = "datadog"
BRACKETED = re.compile(
    r"^(?:\[(?P<priority>P[1-5])\][ \t]*)?\[(?P<state>[A-Za-z][A-Za-z -]{1,20}?)(?: on \{(?P<scope>[^{}\n]*)\})?\]"
    r"[ \t]*(?P<name>\S[^\n]*)$"
)
COLONED = re.compile(
    r"^(?P<state>Re-Triggered|Triggered|Recovered|Re-Warn|Warn|Re-No Data|No Data):[ \t]*"
    r"(?:\[(?P<priority>P[1-5])\][ \t]*)?(?P<name>\S[^\n]*)$"
)
KINDS = {
    "triggered": "alert_firing",
    "re-triggered": "alert_firing",
    "recovered": "alert_resolved",
    "warn": "alert_other",
    "re-warn": "alert_other",
    "no data": "alert_other",
    "re-no data": "alert_other",
}
SERVICE_TAGS = ("service", "host", "kube_service", "kube_deployment", "kube_namespace", "namespace", "container_name")
LINK = re.compile(r"<[^<>|\n]*\|([^<>\n]*)>")
MARKS = ("datadoghq.", "ddog-gov.com")


def recognise(message: AlertMessage) -> Classification | None:
    """A Datadog monitor notification, or None."""
    titles = _title_lines(message)
    # Datadog's name or its link on the title: a link to Datadog anywhere else (a PagerDuty incident's details)
    # does not make the message Datadog's
    links = [*titles, *(a.title_link for a in message.attachments)]
    signed = "datadog" in message.username.lower() or any(mark in link for link in links for mark in MARKS)
    for line in map(_plain, titles):
        match = BRACKETED.match(line)
        if match and (signed or match["scope"] is not None) and match["state"].lower() in KINDS:
            return _classification(match["state"], match["priority"], match["scope"] or "", match["name"])
        match = COLONED.match(line)
        if match and signed:
            return _classification(match["state"], match["priority"], "", match["name"])
    return None


def _title_lines(message: AlertMessage) -> list[str]:
    """Where the event title can be (with its link): attachment titles and fallbacks, then the first lines of the
    texts."""
    lines = [part for a in message.attachments for part in (a.title, a.fallback, a.pretext, a.text)]
    lines.append(message.text)
    return [text.strip().split("\n", 1)[0] for text in lines if text.strip()]


def _plain(line: str) -> str:
    return LINK.sub(r"\1", line).strip().strip("*_").strip()


def _classification(state: str, priority: str | None, scope: str, name: str) -> Classification:
    name = name.strip().strip("*_").strip()
    tags = dict(tag.strip().partition(":")[::2] for tag in scope.split(",") if ":" in tag)
    service = next((tags[key] for key in SERVICE_TAGS if tags.get(key)), None)
    identity = ",".join(sorted(tag.strip() for tag in scope.split(",") if tag.strip()))
    return Classification(
        kind=KINDS[state.lower()],  # type: ignore[arg-type]
        alert=name,
        service=service,
        severity=priority,
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, name, identity),
        confidence=1.0,
        layer="recogniser",
    )
