"""The fallback for alerting integrations nobody wrote a recogniser for.

Monitoring tools that post to Slack mark a notification's state in its first lines, in a handful of ways:
a bracketed or upper-case status word (`[FIRING]`, `RESOLVED:`, `*CRITICAL*`, `[🔴 Down]`), a status emoji
(🔥, 🚨, `:rotating_light:`, ✅, `:white_check_mark:`) or a sentence such as Gatus's `An alert for *api* has
been triggered`. Uptime Kuma, for example, posts `[<monitor>] [🔴 Down] <reason>` and `[<monitor>] [✅ Up] ...`.
This recogniser reads those marks, only in posts by integrations (never people's chat), and takes the words
next to the mark as the alert's name, for the settling step to take the decorations off. Its confidence is lower
than a format's own.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage, Classification

SOURCE = "generic"
WORDS = {
    "FIRING": "alert_firing",
    "ALERT": "alert_firing",
    "ALARM": "alert_firing",
    "CRITICAL": "alert_firing",
    "CRIT": "alert_firing",  # Nagios and Checkmk abbreviate their states: CRIT, WARN, UNKN
    "UNKN": "alert_other",
    "UNKNOWN": "alert_other",
    "TRIGGERED": "alert_firing",
    "PROBLEM": "alert_firing",
    "DOWN": "alert_firing",
    "RESOLVED": "alert_resolved",
    "RECOVERED": "alert_resolved",
    "RECOVERY": "alert_resolved",
    "OK": "alert_resolved",
    "UP": "alert_resolved",
    "WARNING": "alert_firing",  # a warning-level alert firing: a severity, where WARN is Datadog's state
    "WARN": "alert_other",
    "ALERTING": "alert_firing",  # Grafana's legacy states: [Alerting], [OK], [Pending]
    "PENDING": "alert_other",
    "ACKNOWLEDGEMENT": "alert_other",
    "S1": "alert_firing",  # a bracketed severity heading an integration's post: `[S2][GPRD] RuleName`
    "S2": "alert_firing",
    "S3": "alert_firing",
    "S4": "alert_firing",
    "P1": "alert_firing",
    "P2": "alert_firing",
    "P3": "alert_firing",
    "P4": "alert_firing",
    "P5": "alert_firing",
    "SEV1": "alert_firing",
    "SEV2": "alert_firing",
    "SEV3": "alert_firing",
    "ACKNOWLEDGED": "alert_other",
}
EMOJI = {
    "🔥": "alert_firing",
    "🚨": "alert_firing",
    "🔴": "alert_firing",
    ":fire:": "alert_firing",
    ":rotating_light:": "alert_firing",
    ":red_circle:": "alert_firing",
    "✅": "alert_resolved",
    "🟢": "alert_resolved",
    ":white_check_mark:": "alert_resolved",
    ":large_green_circle:": "alert_resolved",
    "⚠️": "alert_other",
    ":warning:": "alert_other",
}
WORD = "|".join(sorted(WORDS, key=len, reverse=True))
EMOJIS = "|".join(re.escape(e) for e in sorted(EMOJI, key=len, reverse=True))
# `[name] [🔴 Down] reason` (a bracketed status after a bracketed name)
NAMED_STATUS = re.compile(
    rf"^\[(?P<name>[^\[\]\n]{{1,120}})\][ \t]*\[(?:(?:{EMOJIS})[ \t]*)?(?P<word>{WORD})\]", re.IGNORECASE | re.ASCII
)
# `🔥 [FIRING] name`, `RESOLVED: name`, `*CRITICAL* name`, `:rotating_light: name`
LEADING = re.compile(
    rf"^(?P<emoji>(?:(?:{EMOJIS})[ \t]*)*)[\[*_]*(?:(?P<word>{WORD})(?![a-z])(?::\d+)?)?[\]*_]*"
    rf"[ \t]*[:\-|\u2013\u2014]?[ \t]*(?P<rest>[^\n]*)$",
    re.IGNORECASE | re.ASCII,  # ASCII: with Unicode case folding, "O\u212a" (a Kelvin sign) would pass for "OK"
)
SENTENCE = re.compile(r"\*(?P<name>[^*\n]{1,120})\* has been (?P<word>triggered|resolved)\b", re.I)
LINK = re.compile(r"<[^<>|\n]*\|([^<>\n]*)>")
LINES_READ = 6
EMOJI_ONLY = 0.4  # a status emoji alone is weak evidence: the learned layer may overrule it
# a status emoji on a delivery bot's post (a deploy, a sync, a build) marks its outcome, not an alert
DELIVERY = re.compile(
    r"\b(?:deploy(?:ed|ment)?|synced|sync|build|pipeline|merged|released?|succeeded|successfully)\b", re.I
)
ENVIRONMENT = re.compile(r"^(?:prod|production|staging|stage|stg|dev|test|qa|uat|live|preprod|sandbox)$", re.I)


def recognise(message: AlertMessage) -> Classification | None:
    """A post by an integration that is marked as an alert, or None."""
    if not (message.from_integration or message.username):
        return None
    lines = [LINK.sub(r"\1", line).strip() for line in message.flat.split("\n", LINES_READ)[:LINES_READ]]
    for line in filter(None, lines):
        found = _read(line)
        if found is not None:
            kind, alert, kind_by_emoji = found
            titled = next((a.title for a in message.attachments if a.title.strip()), None)
            if alert == line and titled is not None and line not in titled:
                alert = titled  # a status line in a pretext or the body names nothing: the attachment's title does
            return Classification(
                kind=kind,  # type: ignore[arg-type]
                alert=alert,
                source=SOURCE,
                confidence=EMOJI_ONLY if kind_by_emoji else 0.6,
                layer="recogniser",
            )
    return None


def _read(line: str) -> tuple[str, str | None, bool] | None:
    """The kind a line announces, the alert it names, and whether only an emoji said so, if it is a status line."""
    if match := NAMED_STATUS.match(line):
        named = match["name"].strip()
        return WORDS[match["word"].upper()], line if ENVIRONMENT.match(named) else named, False
    if match := SENTENCE.search(line):
        return WORDS[match["word"].upper()], match["name"].strip(), False
    match = LEADING.match(line)
    if match is None:
        return None
    word, emoji = match["word"], match["emoji"].strip()
    if word and (_is_marked(line, match.start("word"), match.end("word")) or (word.isupper() and len(word) >= 5)):
        return WORDS[word.upper()], line, False
    if emoji and not DELIVERY.search(line):
        first = next(e for e in sorted(EMOJI, key=len, reverse=True) if emoji.lower().startswith(e))  # :FIRE:
        return EMOJI[first], line, True
    return None


def _is_marked(line: str, start: int, end: int) -> bool:
    """A short or title-case status word counts only when set apart: `[OK]`, `Resolved:`, `*Down*`."""
    before, after = line[start - 1 : start] if start else "", line[end:]
    marked_after = after[:1] in (":", "]", "*", "_") or after.startswith((" -", " |", " \u2013", " by "))
    return before in ("[", "*", "_") or marked_after
