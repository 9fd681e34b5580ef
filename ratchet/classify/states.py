"""The state an alert notification announces, read from its words, whichever vendor or template wrote it.

Every tool says a notification's state with a handful of words — `[FIRING:1]`, `Triggered`, `ALARM`, `Problem`;
`[RESOLVED]`, `Recovered`, `OK`, `Closed`; `Acknowledged by`, `Snoozed`, `Escalated`, `Note added` — in its title,
its first lines or a `Status` field. When one tool relays another's alert (PagerDuty or Opsgenie carrying an
Alertmanager `[FIRING:1] X` title), the relaying tool's own action is the news: an acknowledgement of a firing
alert is not a new firing, and a closed one is resolved. So a resolution outranks an action, which outranks a
firing. Severities (`warning`, `critical`) are not states and are never read as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ratchet.classify.models import AlertMessage, Kind
from ratchet.classify.names import EMOJI

FIRING = "alert_firing"
RESOLVED = "alert_resolved"
OTHER = "alert_other"
PRECEDENCE = {RESOLVED: 3, OTHER: 2, FIRING: 1}

# whole words, case-insensitive; a state word in a phrase ("has been triggered") counts like the bare word
WORDS: dict[str, Kind] = {
    "firing": FIRING,
    "triggered": FIRING,
    "re-triggered": FIRING,
    "retriggered": FIRING,
    "alarm": FIRING,
    "alerting": FIRING,
    "problem": FIRING,
    "new alert": FIRING,
    "alert created": FIRING,
    "down": FIRING,
    "resolved": RESOLVED,
    "recovered": RESOLVED,
    "recovery": RESOLVED,
    "closed": RESOLVED,
    "ok": RESOLVED,
    "up": RESOLVED,
    "acknowledged": OTHER,
    "acknowledgement": OTHER,
    "unacknowledged": OTHER,
    "acked": OTHER,
    "snoozed": OTHER,
    "escalated": OTHER,
    "assigned": OTHER,
    "reassigned": OTHER,
    "note added": OTHER,
    "added a note": OTHER,
    "priority changed": OTHER,
    "priority updated": OTHER,
    "updated problem": OTHER,
    "muted": OTHER,
    "unmuted": OTHER,
    "no data": OTHER,
    "insufficient data": OTHER,
    "insufficient_data": OTHER,
}
WORD = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w).replace(r"\ ", r"[ _]") for w in sorted(WORDS, key=len, reverse=True)) + r")"
    r"(?![\w-])",
    re.IGNORECASE,
)
SET_APART_BEFORE = ("[", "*", "_", ":", "|", "\u2013", "\u2014")
SET_APART_AFTER = ("]", "*", "_", ":", "|", " -", " |", " \u2013", " \u2014")
PHRASED = {"firing", "triggered", "resolved", "recovered", "acknowledged", "snoozed", "escalated", "closed", "muted"}
LEADING_WORDS = 3  # "Alert was acknowledged by ...": near a line's start a state word in a phrase counts too
SHORT_LINE = 8  # words: "An alert for api has been triggered" ends in its state, "Consul is not up" does not
TRANSITION = re.compile(r"\b[A-Z_]+ -> [A-Z_]+\b|\(minimum \d+ datapoints? for [^)]*\)?")  # CloudWatch's reason
FROM_TO = re.compile(r"\bfrom\s+[*_`]*[A-Za-z_]+[*_`]*\s+to\b", re.IGNORECASE)  # "changed from OK to ALARM"
STATUS_VALUE = re.compile(
    r"^[ \t>*_\"]*(?:status|state|new ?state(?:value)?|alarm state|current state)[*_\"]*[ \t]*[:=][ \t]*[*_\"`]*"
    r"([A-Za-z_]+(?: [a-z]+)?)",
    re.IGNORECASE | re.MULTILINE,
)
# an EventBridge "CloudWatch Alarm State Change" event: `"state": {"value": "ALARM", ...}` (not `previousState`)
EVENT_STATE = re.compile(r"\"state\"\s*:\s*\{\s*\"value\"\s*:\s*\"([A-Za-z_]+)\"")
STATUS_REACH = 2000  # characters of the text searched for `Status: X`
COUNTED = re.compile(r"(?<!\d)(?P<firing>\d+)\s+firing\b(?P<resolved>[^\n]{0,40}?\b\d+\s+resolved\b)?", re.IGNORECASE)
MIXED = re.compile(r"\[FIRING:\d+\s*[,|/]\s*RESOLVED:\d+\]")  # some alerts of the group still fire
# `X is firing in ops`, `X has resolved`
PHRASE = re.compile(r"\b(?:is|are|was|were|has|has been|have been|got|now)\s+[*_]?$", re.IGNORECASE)
MENTION = re.compile(r"<[@!][\w|^-]*>")  # `<@U0123> acknowledged ...`: who did it, then the action
# a ticket's or a pull request's event ("Pull request closed by", "Issue closed by"), not an alert's state
TRACKER = re.compile(r"(?:pull request|merge request|\bPR|ticket|task|story|epic|bug|sub-task|issue)\s+$", re.I)
STATUS_FIELDS = ("status", "state", "action", "event", "event type", "alert state", "current state", "new state")
HEADER_LINES = 3  # lines of each part read for state words: a description below may say anything
LINE_LIMIT = 300  # characters of a header line read: a title is shorter, and each state word looks back over it


def word_kind(word: str) -> Kind | None:
    """The kind a state word announces (`Triggered` -> alert_firing), or None."""
    words = word.lower().replace("_", " ").split()
    return WORDS.get(" ".join(words)) or (WORDS.get(words[0]) if words else None)


def strongest(kinds: Iterable[Kind | None]) -> Kind | None:
    """A resolution over an action over a firing (see the module's docstring)."""
    found = [kind for kind in kinds if kind in PRECEDENCE]
    return max(found, key=PRECEDENCE.__getitem__) if found else None


def header_kind(message: AlertMessage) -> Kind | None:
    """The state the message's header announces: its status fields (attachment fields, `Status: X` lines, JSON
    keys) and the state words in the first lines of its title, pretext, fallback and text, the strongest of them."""
    return message.remembered("header_kind", lambda: _header_kind(message))


def _header_kind(message: AlertMessage) -> Kind | None:
    fields = [
        word_kind(field.value.strip(" *_`"))
        for attachment in message.attachments
        for field in attachment.fields
        if field.title.strip(" *_:").lower() in STATUS_FIELDS
    ]
    fields += [word_kind(value) for value in STATUS_VALUE.findall(message.flat[:STATUS_REACH])]
    fields += [word_kind(value) for value in EVENT_STATE.findall(message.flat[:STATUS_REACH])]
    lines = header_lines(message)
    if WORD.search("\n".join(lines)) is None:
        return strongest(fields)
    firsts = first_lines(message)
    return strongest([*fields, *(line_kind(line, first=line in firsts) for line in lines)])


def header_lines(message: AlertMessage) -> list[str]:
    """The first lines of each part, each once (the flattened text repeats the parts)."""
    return message.remembered("header_lines", lambda: _header_lines(message))


def _header_lines(message: AlertMessage) -> list[str]:
    parts = [message.text]
    for attachment in message.attachments:
        parts += [attachment.pretext, attachment.title, attachment.fallback, attachment.text]
    if not message.attachments:
        parts.append(message.flat)  # the blocks' text; an attachment's fields are read as fields, not as a header
    lines = (
        _without_transitions(line).strip()[:LINE_LIMIT]
        for part in parts
        for line in part.strip().split("\n", HEADER_LINES)[:HEADER_LINES]
    )
    return list(dict.fromkeys(line for line in lines if line))


def first_lines(message: AlertMessage) -> set[str]:
    parts = [message.text, message.flat, *(p for a in message.attachments for p in (a.pretext, a.title, a.fallback))]
    return {part.strip().split("\n", 1)[0].strip()[:LINE_LIMIT] for part in parts if part.strip()}


def _without_transitions(line: str) -> str:
    """`for OK -> ALARM transition` and `changed from OK to ALARM` name the old state too: only the new one counts."""
    if "->" in line or "minimum" in line:
        line = TRANSITION.sub(" ", line)
    return FROM_TO.sub("to", line) if "from" in line.lower() else line


def line_kind(line: str, *, first: bool = False) -> Kind | None:
    """The strongest state word of one header line, if any is set apart as a state."""
    counted = COUNTED.search(line)  # `2 firing alert(s), 1 resolved alert(s)`: firing while any fires
    if counted and (int(counted["firing"]) or counted["resolved"]):
        return FIRING if int(counted["firing"]) else RESOLVED
    line = MIXED.sub("[FIRING]", line) if "RESOLVED:" in line else line
    kinds: list[Kind | None] = []
    for match in WORD.finditer(line):
        word = match[1].lower()
        said = word in PHRASED or (match[1].isupper() and len(match[1]) > 1)  # `is firing`, `is DOWN`
        phrased = first and said and PHRASE.search(line[: match.start(1)]) is not None
        if not (phrased or _set_apart(line, match.start(1), match.end(1))) or TRACKER.search(line[: match.start(1)]):
            continue
        if word == "assigned" and line[match.end(1) :].startswith((":", " to:", "*:", ":*")):
            continue  # a field's label ("Assigned to: Jane" on a new incident), not the action
        kinds.append(word_kind(word))
    return strongest(kinds)


def _set_apart(line: str, start: int, end: int) -> bool:
    """A state word is a state when it heads the line, is marked off (`[OK]`, `*Resolved*`, `ALARM:`), opens a
    phrase near the start or ends a short line — not when a description's prose uses it ("has recovered by")."""
    head, after = line[:start], line[end:]
    if after.startswith(("{", "(", "=", ".", "_")):
        return False  # a metric or a function (`up{instance=...}`), not a state
    before = head.rstrip(" ")[-1:]
    spoken = EMOJI.sub(" ", MENTION.sub(" ", head))  # who did it and emoji: not words before the state
    if re.search(r"[A-Za-z0-9]", spoken) is None or before in SET_APART_BEFORE or after.startswith(SET_APART_AFTER):
        return True
    words_before = len(re.findall(r"[A-Za-z0-9]+", spoken))
    if re.search(r"(?:\b(?:to|now|is in|now in)\s+[*_]?)$", head, re.IGNORECASE):
        return True  # "is now in OK state", "back to OK", "changed to ALARM"
    if words_before < LEADING_WORDS and after.startswith((" by ", " to ", " until ", " for ")):
        return True
    previous = re.findall(r"[A-Za-z]+", head)[-2:]
    return (
        not after.strip(" .!")
        and words_before < SHORT_LINE
        and previous[-1:] in (["been"], ["was"], ["is"], ["now"], ["got"])
        and previous[:1] != ["not"]
    )
