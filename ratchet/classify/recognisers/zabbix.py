"""Zabbix's Slack media type (`templates/media/slack/media_slack.yaml` in zabbix/zabbix, Zabbix 5.0+).

The webhook posts one attachment per event: the title (and fallback) is the action's subject — by default
`Problem: {EVENT.NAME}`, `Resolved in {EVENT.DURATION}: {EVENT.NAME}` or `Updated problem in {EVENT.AGE}:
{EVENT.NAME}` — linked to `tr_events.php?triggerid=<trigger>&eventid=<problem event>`, with the fields `Host`
(`name [conn]`), `Event time`, `Severity`, `Opdata` and, for problems, `Event tags` and `Trigger description`.
In "alarm" mode the resolution edits the problem's own message (`chat.update`). Older actions and scripts write
the message body instead: `Problem started at ...`, `Problem has been resolved at ...`.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Attachment, Classification, fingerprint

SOURCE = "zabbix"
SUBJECT = re.compile(
    r"^(?:(?P<problem>Problem)|(?P<resolved>Resolved)(?: in [^:\n]{1,40})?|(?P<updated>Updated problem)"
    r"(?: in [^:\n]{1,40})?)[ \t]*:[ \t]*(?P<name>\S[^\n]*)$"
)
EVENT_LINK = re.compile(r"tr_events\.php\?triggerid=(\d+)&(?:amp;)?eventid=(\d+)")
BODY = re.compile(r"^Problem (?:started|has been resolved) at .*$", re.MULTILINE)
PROBLEM_NAME = re.compile(r"^Problem name: (.+)$", re.MULTILINE)


def recognise(message: AlertMessage) -> Classification | None:
    """A Zabbix problem, resolution or update, or None."""
    for attachment in message.attachments:
        found = _from_attachment(attachment)
        if found is not None:
            return found
    return _from_body(message.flat)


def _from_attachment(attachment: Attachment) -> Classification | None:
    fields = {field.title: field.value.strip() for field in attachment.fields}
    match = SUBJECT.match(attachment.title.strip()) or SUBJECT.match(attachment.fallback.strip())
    link = EVENT_LINK.search(attachment.title_link)
    if match is None or not (link or {"Host", "Event time"} <= fields.keys()):
        return None  # a "Problem: ..." title alone is not enough: Zabbix links the event or lists its host
    host = fields.get("Host", "").split(" [", 1)[0].strip() or None
    name = match["name"].strip()
    kind = "alert_firing" if match["problem"] else "alert_resolved" if match["resolved"] else "alert_other"
    identity = f"event={link[2]}" if link else f"host={host}"
    return Classification(
        kind=kind,  # type: ignore[arg-type]
        alert=name,
        service=host,
        severity=fields.get("Severity") or None,
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, name, identity),
        confidence=1.0,
        layer="recogniser",
    )


def _from_body(text: str) -> Classification | None:
    """The default message body, when a script posts it as plain text."""
    started = BODY.search(text)
    name = PROBLEM_NAME.search(text)
    if started is None or name is None:
        return None
    fields = dict(re.findall(r"^(Host|Severity|Original problem ID): (.+)$", text, re.MULTILINE))
    alert = name[1].strip()
    return Classification(
        kind="alert_resolved" if "resolved" in started[0] else "alert_firing",
        alert=alert,
        service=fields.get("Host"),
        severity=fields.get("Severity"),
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, alert, f"event={fields.get('Original problem ID', '')}"),
        confidence=0.9,
        layer="recogniser",
    )
