"""Amazon CloudWatch alarms, as AWS Chatbot (now Amazon Q Developer in chat applications) posts them.

Chatbot heads an alarm notification `CloudWatch Alarm | <alarm name> | <region> | Account: <account id>` and puts
the alarm's state-change reason below it, as CloudWatch writes it: `Threshold Crossed: 1 out of the last 1
datapoints [95.0 (...)] was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).`,
`... was not greater than the threshold ...` when it recovers, `Insufficient Data: ...` when data stops. The
attachment is red for ALARM and green for OK.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Classification, fingerprint

SOURCE = "cloudwatch"
HEADER = re.compile(
    r"CloudWatch Alarm \| (?P<name>[^|\n]{1,255}?) \| (?P<region>[^|\n]{1,40}?) \| Account: (?P<account>[^\s|*]{1,40})"
)
TRANSITION = re.compile(r"\b(OK|ALARM|INSUFFICIENT_DATA) -> (OK|ALARM|INSUFFICIENT_DATA) transition\b")
STATE_WORD = re.compile(r"\b(?:State|New state|Alarm state)\b[^\n]{0,3}?\b(OK|ALARM|INSUFFICIENT_DATA)\b")
KINDS = {"ALARM": "alert_firing", "OK": "alert_resolved", "INSUFFICIENT_DATA": "alert_other"}
COLORS = {"danger": "ALARM", "#d13212": "ALARM", "#a30200": "ALARM", "good": "OK", "#1d8102": "OK", "#2eb886": "OK"}


def recognise(message: AlertMessage) -> Classification | None:
    """A CloudWatch alarm state change posted by AWS Chatbot, or None."""
    texts = [message.flat, *(a.fallback for a in message.attachments)]
    header = next((match for text in texts if (match := HEADER.search(text))), None)
    if header is None:
        return None
    name, region, account = header["name"].strip(" *_`"), header["region"].strip(), header["account"].strip()
    state = _state(message)
    return Classification(
        kind=KINDS.get(state, "alert_other"),  # type: ignore[arg-type]
        alert=name,
        source=SOURCE,
        fingerprint=fingerprint(SOURCE, name, f"{region}|{account}"),
        confidence=1.0 if state else 0.8,
        layer="recogniser",
    )


def _state(message: AlertMessage) -> str | None:
    """ALARM, OK or INSUFFICIENT_DATA: said outright, read from the reason, else from the attachment's colour."""
    text = message.flat
    if match := TRANSITION.search(text) or STATE_WORD.search(text):
        return match.groups()[-1]
    if "Insufficient Data:" in text:
        return "INSUFFICIENT_DATA"
    if "Threshold Crossed:" in text:
        return "OK" if re.search(r"\bwas not (?:less|greater)\b", text) else "ALARM"
    return next((COLORS[a.color.lower()] for a in message.attachments if a.color.lower() in COLORS), None)
