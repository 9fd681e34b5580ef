"""An alert's name as its rule calls it, whatever template decorated it.

Every recogniser finds a name where its format puts one, and teams' templates wrap it in decorations: state words
(`[FIRING:1]`, `Triggered:`, `ALARM:`, `X firing`), ids (`#44285:`, `[#1234]`), priorities and severities in
brackets, emoji, quotes, the host (`X on db-2`, `db-2: X`), the region (`"X" in Asia Pacific (Sydney)`), the label
values Alertmanager appends (`X (prod critical)`) and the summary after a dash. One normaliser, run after every
layer, takes those off. An explicit `alertname` label in the post wins over any of it; otherwise, when what is left
starts with a token shaped like a rule name (CamelCase, snake_case, dotted) followed by detail, the token is the
name; a name in prose ("High CPU utilization (over 90% for 5m)") is kept whole.
"""

from __future__ import annotations

import re

from ratchet.classify.models import AlertMessage

MAX_NAME = 200
ALERTNAME = re.compile(r"(?<![\w.])alert_?name\s*(?:=~?|:)\s*[\"'`*]*(?P<name>[A-Za-z_][\w:.\-]*(?:\([\w.-]*\))?)")
ALERTNAME_FIELDS = ("alertname", "alert name", "alert_name", "alert rule", "rule name", "alarm name", "monitor name")
HOST_FIELDS = ("host", "hostname", "instance", "node", "server", "host name", "entity", "resource")
EMOJI = re.compile(r":[a-z0-9_+'-]{1,40}:|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\uFE0F\u200D]")
LINK = re.compile(r"<[^<>|\n]*\|([^<>\n]*)>|<(?:https?|mailto):[^<>\n]*>")
MARKUP = re.compile(r"(?<!\w)[*_`~]+|[*_`~]+(?!\w)")
STATE = (
    r"re-?triggered|triggered|firing|resolved|recovered|recovery|alarm|alerting|alert|problem|ok|critical|warning"
    r"|warn|error|info|down|up|new alert|alert created|acknowledged|unacknowledged|closed|snoozed|escalated"
    r"|reassigned|assigned|monitor alert|incident|insufficient[ _]data|no data|notification"
)
PREFIXES = [
    re.compile(r"^\[[^\[\]\n]{0,80}\]\s*[:\-|]?\s*(?=\S)"),  # [FIRING:1] [P1] [#1234] [Average] [PROD]
    re.compile(r"^\((?:P[1-5]|SEV-?\d|S\d)\)\s*"),  # (P1)
    re.compile(r"^(?:incident|alert|issue)?\s*#\d{1,12}\s*[:\-|]?\s*", re.IGNORECASE),  # #44285:  Incident #12
    re.compile(
        rf"^(?:{STATE})(?:\s+(?:in|after|for)\s+[^:\n]{{1,30}}?|\s+(?:by|on)\s+[^:\n]{{1,80}}?|:\d+)?"
        r"\s*(?::|-|\u2013|\u2014|\|)\s*(?=\S)",
        re.IGNORECASE,
    ),  # Triggered: | Resolved in 5m: | Acknowledged by Jane: | ALARM - | FIRING:2 |
    # P1: | PROD - | PROBLEM:
    re.compile(r"^(?:P[1-5]|SEV-?\d|S[1-4]|[A-Z][A-Z0-9_]{1,15})(?:\s*[:|]|\s+[-\u2013\u2014])\s+(?=\S)"),
]
QUOTED = re.compile(r"^[^\"“”']{0,40}?[\"“']([^\"“”']{2,200})[\"”']")
SUFFIXES = [
    re.compile(r"\s*[\(\[]?\s*[x\u00d7]\s?\d{1,6}\s*[\)\]]?$"),  # x3, (x3) and with a multiplication sign
    re.compile(r"\s*\(\d{1,6} (?:alerts?|firing|instances?|more)\)$", re.IGNORECASE),  # (3 alerts)
    re.compile(r"\s+(?:is |has |has been |was )?(?:firing|resolved|re-?triggered|triggered|recovered)\b[\s!.]*$", re.I),
]
SEPARATOR = re.compile(r"\s+(?:-|\u2013|\u2014|\||::)\s+|:\s+")
HOST_PREFIX = re.compile(r"^(?P<host>[a-z0-9][a-z0-9.\-]*[0-9.\-][a-z0-9.\-]*|[a-z0-9.\-]+\.[a-z]{2,})\s*:\s+(?=\S)")
CONNECTORS = {"on", "in", "at", "for", "is", "was", "has", "with", "from", "firing", "resolved", "triggered"}
CONNECTOR_MARKS = ("(", "[", "{", "-", "\u2013", "\u2014", "|", "@", "/", "\u00b7", "\u2022")


def settle_name(name: str | None, message: AlertMessage) -> str | None:
    """The rule's name for what a layer found: the post's explicit `alertname`, else `name` without decorations."""
    explicit = explicit_alertname(message)
    if explicit:
        return explicit
    return clean_name(name, message) if name else None


def explicit_alertname(message: AlertMessage) -> str | None:
    """The `alertname` label or an alert-name field the post carries, if it does."""
    for attachment in message.attachments:
        for field in attachment.fields:
            value = _bare(field.value) if field.title.strip(" *_:").lower() in ALERTNAME_FIELDS else ""
            if value and " " not in value and len(value) <= MAX_NAME:
                return value
    match = ALERTNAME.search(message.flat)
    return match["name"].rstrip(".:,") if match else None


def clean_name(name: str, message: AlertMessage) -> str | None:
    hosts = _hosts(message)
    text = _strip_prefixes(_bare(name), hosts)
    if quoted := QUOTED.match(text):
        text = quoted[1].strip()
    text = _strip_host(text, hosts)
    for suffix in SUFFIXES:
        text = suffix.sub("", text).strip()
    text = _rule_token(text)
    text = text.strip(" \"'“”:;,|").rstrip("-").strip()
    return text if text and len(text) <= MAX_NAME and re.search(r"[A-Za-z]", text) else None


def _bare(text: str) -> str:
    """Text without links' targets, emoji and Slack markup, on one line."""
    text = LINK.sub(lambda match: match[1] or "", text.strip().split("\n", 1)[0])
    return MARKUP.sub("", EMOJI.sub(" ", text)).strip()


def _strip_prefixes(text: str, hosts: set[str]) -> str:
    """Decorations in front of the name, layer after layer (`[Average] mq-1: Problem: X`)."""
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            stripped = prefix.sub("", text, count=1).strip()
            if stripped and stripped != text:
                text, changed = stripped, True
        host = HOST_PREFIX.match(text)
        if host and (host["host"] in hosts or not _rule_like(host["host"])):
            text, changed = text[host.end() :], True
    return text


def _hosts(message: AlertMessage) -> set[str]:
    hosts = {
        field.value.strip(" *_`").split(" [", 1)[0].strip()
        for attachment in message.attachments
        for field in attachment.fields
        if field.title.strip(" *_:").lower() in HOST_FIELDS
    }
    hosts |= set(re.findall(r"\b(?:host|hostname|instance)\s*[:=]\s*\"?([\w.\-:]+)", message.flat, re.IGNORECASE))
    return {host for host in hosts if host}


def _strip_host(text: str, hosts: set[str]) -> str:
    """`X on db-2` names the host, not the alert; in prose only a host the post names elsewhere does."""
    for host in sorted(hosts, key=len, reverse=True):
        for pattern in (f" on {host}", f" @ {host}", f" - {host}", f" ({host})", f" [{host}]"):
            if text.endswith(pattern) and len(text) > len(pattern):
                return text[: -len(pattern)]
    return text


def _rule_token(text: str) -> str:
    """The leading rule-shaped token when detail follows it (`X on db-2`, `X (prod critical)`, `X - summary`)."""
    tokens = text.split()
    if len(tokens) < 2:
        return text
    first, second = tokens[0], tokens[1]
    head = first.rstrip(":,")
    detail_follows = first.endswith((":", ",")) or second.lower() in CONNECTORS or second.startswith(CONNECTOR_MARKS)
    if _rule_like(head) and (detail_follows or _strong(head)):
        return head
    parts = SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2 and " " not in parts[0].strip() and _rule_like(parts[0].strip()):
        return parts[0].strip()
    return text


def _rule_like(token: str) -> bool:
    """CamelCase (`TargetDown`, `KubeAPIDown`), snake_case (`node_disk_full`) or dotted (`disk.usage.high`)."""
    if not re.match(r"^[A-Za-z][\w.\-:()>%<=]*$", token):
        return False
    camel = re.search(r"[a-z0-9][A-Z]", token) is not None and re.search(r"[a-z]", token) is not None
    return camel or re.search(r"[A-Za-z0-9]_[A-Za-z0-9]|[a-z]\.[a-z]", token) is not None


def _strong(token: str) -> bool:
    """Unmistakably a rule's name even with plain words after it: several humps or underscores."""
    return len(re.findall(r"[a-z0-9][A-Z]", token)) >= 2 or token.count("_") >= 2
