"""An alert's name as its rule calls it, whatever template decorated it.

Every recogniser finds a name where its format puts one, and teams' templates wrap it in decorations: state words
(`[FIRING:1]`, `Triggered:`, `ALARM:`, `X is back to OK`), ids (`#44285:`, `[#1234]`), priorities and severities in
brackets, emoji, quotes, the host (`X on db-2`, `db-2: X`, `db-2/X`), the region (`"X" in Asia Pacific (Sydney)`),
the label values Alertmanager appends (`X (prod critical)`) and the summary after a dash. One normaliser, run after
every layer, takes those off:

- a name field the post carries (an `alertname` label, an "Alarm name", "Monitor" or "Condition" field) wins;
- a relayed Alertmanager title (`[FIRING:1] <group values> (<common values>)`) is read as Alertmanager writes it;
- in a title that emphasises one part (`New incident: *Marketing site* is down`), that part is the name;
- otherwise decorations come off the front and the back, and a leading token shaped like a rule's name
  (CamelCase, snake_case, dotted, kebab-case) followed by detail is the name; a name in prose ("High CPU
  utilization (over 90% for 5m)") is kept whole.
"""

from __future__ import annotations

import html
import re

from ratchet.classify.models import AlertMessage

MAX_NAME = 200
TITLE_LIMIT = 1000  # characters of a title read: every pattern below then stays cheap
ALERTNAME = re.compile(  # `alertname=X`, `alertname: X`, ` - alertname = X Y` up to the next label or the line's end
    r"(?<![\w.])alert_?name[*_]*\s*(?:=~?|:)[\s\"'`*_]*(?P<name>[A-Za-z_][^\n,}\"'`*]{0,199}?)"
    r"(?=\s+\w+\s*=|[\n,}\"'`*]|\s*$)",
    re.MULTILINE,
)
JSON_NAME = re.compile(
    r"\"(?:AlarmName|alarmName|alertname|monitor_name|rule_name|ruleName)\"\s*:\s*\"([^\"\n]{1,200})\""
)
NAME_FIELDS = (
    "alertname",
    "alert name",
    "alert_name",
    "alert rule",
    "rule",
    "rule name",
    "alarm",
    "alarm name",
    "monitor",
    "monitor name",
    "check",
    "check name",
    "condition",
    "condition name",
    "trigger",
    "trigger name",
)
BLOCK_FIELD = re.compile(r"^\*([A-Za-z][A-Za-z _]{1,25}?):?\*:?[ \t]*\n?[ \t]*([^\n*]{1,200})$", re.MULTILINE)
HOST_FIELDS = ("host", "hostname", "instance", "node", "server", "host name", "resource")
EMOJI = re.compile(r":[a-z0-9_+'-]{1,40}:|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\uFE0F\u200D]")
LINK = re.compile(r"<[^<>|\n]*\|([^<>\n]*)>|<(?:https?|mailto):[^<>\n]*>")
MARKUP = re.compile(r"(?<!\w)[*_`~]+|[*_`~]+(?!\w)")
EMPHASIS = re.compile(r"(?<![\w*])\*([^*\n]{2,200})\*(?![\w*])|`([^`\n]{2,200})`")  # *bold* or `code`
STATE = (
    r"re-?triggered|triggered|firing|resolved|recovered|recovery|alarm|alerting|alert|problem|ok|critical|crit|warning"
    r"|warn|error|info|down|up|acknowledged|acknowledgement|unacknowledged|closed|snoozed|escalated|reassigned"
    r"|assigned|incident|insufficient[ _]data|no data|notification|note added|priority changed|updated|update"
    r"|created|opened|activated|unkn|unknown"
)
ACTION = (
    rf"(?:new |monitor |issue |incident |alert |alarm |check )?(?:is )?(?:{STATE})"
    r"(?: (?:alert|alarm|notification|event|problem))?"
)
STATES_ONLY = re.compile(rf"(?:\W*(?:{STATE}|new|created|opened|activated)\b)+\W*", re.IGNORECASE)
ACTION_ONLY = re.compile(rf"^{ACTION}\s+(?:by|to)\s+[^:]*$", re.IGNORECASE)
TRAILING_STATE = r"firing|resolved|re-?triggered|triggered|recovered|acknowledged|closed|snoozed|escalated|expired"
STATE_LED = re.compile(rf"^\W*(?:new |issue |incident )?(?:{STATE}|activated|opened|created)\b", re.IGNORECASE)
ENVIRONMENTS = r"prod|prd|production|staging|stage|stg|dev|development|test|qa|uat|live|preprod|sandbox"
TAG = re.compile(r"^\s*\[[^\]]*\]\s*$")  # `*[Opsgenie]*`: who posted it, not what
TRAILING_RULE = re.compile(r"^(?P<prose>.{12,}?)\s+[(\[](?P<name>[A-Za-z][\w.:-]{3,})[)\]]$")  # `<summary> (RuleName)`
SEVERITY = r"not classified|information|info|warning|average|high|disaster|critical|major|minor|low|medium|error"
PREFIXES = [
    re.compile(r"^\[[^\[\]\n]{0,80}\]\s*[:\-|]?\s*(?=\S)"),  # [FIRING:1] [P1] [#1234] [Average] [PROD]
    re.compile(r"^\((?:P[1-5]|SEV-?\d|S\d)\)\s*"),  # (P1)
    re.compile(r"^(?:incident|alert|issue)?\s*#\d{1,12}\s*[:\-|]?\s*", re.IGNORECASE),  # #44285:  Incident #12
    re.compile(
        rf"^{ACTION}(?:\s+(?:activated|opened|created|closed|resolved|automatically))?(?:\s*\([^)\n]{{1,30}}\))?"
        rf"(?:\s+(?:in|after|for|from)\s+[^:\n]{{1,40}}?|\s+(?:by|on|to)\s+(?:[^:\n]|:\d\d){{1,80}}?|:\d+)?(?:\s+#\d+)?"
        r"(?:\s*::?\s*|\s+(?:-|\u2013|\u2014|\|)\s+|\s*\|\s*|\s+(?=\())(?=\S)",
        re.IGNORECASE,
    ),  # Triggered: | Resolved in 5m: | Acknowledged by Jane: | ALARM - | FIRING:2 | | Issue activated: | DOWN alert:
    re.compile(rf"^(?:{SEVERITY}|sev\s?\d|p[1-5])\s*(?::|\||-)\s+(?=\S)", re.IGNORECASE),  # Average: | High |
    # Back to OK — X
    re.compile(rf"^(?:back to|is now|now)\s+(?:{STATE}|normal)\s*(?::|\||-|\u2013|\u2014)\s+(?=\S)", re.I),
    re.compile(
        rf"^(?:p[1-5]|sev-?\d|s[1-4]|{ENVIRONMENTS})(?:\s*[:|]|\s+[-\u2013\u2014])\s+(?=\S)", re.I
    ),  # P1: | PROD -
    # CloudWatch alarm X | Alert X | Website X: a word naming what kind of thing the name is
    re.compile(
        r"^(?:(?:aws |amazon )?cloudwatch |datadog |grafana |prometheus |zabbix |sentry |new relic )?"
        r"(?:alarm|alert|monitor|check)\s+(?=[\"'*`]|[\w.-]*[-_.][\w.-]*(?:\s|$)|(?-i:[A-Za-z]*[a-z][A-Z]))",
        re.IGNORECASE,
    ),
    re.compile(r"^service\s+(?=[\w.]*[-_][\w.-]*\s+on\s)", re.IGNORECASE),  # Service ntp_time on db-1
    re.compile(r"^(?:website|site|endpoint|url|service check)\s+(?=\S)(?![^:]*:\s)", re.IGNORECASE),
]
WRAPPED = re.compile(r"^\((?P<inner>[^()]*(?:\([^()]*\)[^()]*)*)\)(?:\s+[-\u2013\u2014].*)?$")
LABEL_GROUP = re.compile(r"\s+\((?P<values>[^()\s<>=%]+(?:\s+[^()\s<>=%]+){2,})\)$")  # `(cause gstg gprd s3 main)`
ENVIRONMENT_GROUP = re.compile(rf"\s+\((?:{ENVIRONMENTS})\)$", re.IGNORECASE)
SCOPE_GROUP = re.compile(r"\s*\(([^()]{1,200})\)$")
TAG_PAIR = re.compile(r"[\w.-]+:[\w.:-]+")
HOST_GROUP = re.compile(r"\s+\(([\w.:-]+)\)$")
PROSE_WORDS = {
    "for",
    "over",
    "than",
    "less",
    "more",
    "used",
    "of",
    "in",
    "on",
    "above",
    "below",
    "and",
    "the",
    "to",
    "with",
}
# `"X" in US East`, `CloudWatch: "X" is ALARM`, `Alarm 'X' in account 1234`: not `Service "nginx" is not running`
QUOTED = re.compile(
    r"^(?:(?:[\w-]+:|(?:the\s+)?(?:alarm|alert|monitor|check|heartbeat|job))\s+)?[\"“']([^\"“”']{2,200})[\"”']", re.I
)
REGION = r"[a-z]{2}(?:-gov)?-[a-z]+-\d"
PRIORITY_GROUP = re.compile(r"\s*[\(\[](?:P[1-5]|SEV-?\d|S[1-4]|critical|warning|high|low|info|page)[\)\]]$", re.I)
SUFFIXES = [
    # `X - Reason: Timeout`, `X. It was down for 2 hours`
    re.compile(r"(?:\s+-|\.)\s+(?:reason|cause|it was|details?|duration)\b.*$", re.IGNORECASE),
    # `X: 3 firing, 1 resolved`, `X (2 firing)`
    re.compile(r"\s*[:\-\u2013\u2014|,(]?\s*(?<!\d)\d+\s+(?:firing|resolved)\b.*$", re.IGNORECASE),
    # `X ( https://api.example.com/health )`, `X ( smtp.example.com )`
    re.compile(r"\s*\((?:\s*https?://[^()\s]*|\s+[^()\s]+\.[^()\s]+)\s*\)$"),
    re.compile(r"\s*[\(\[]?\s*[x\u00d7]\s?\d{1,6}\s*[\)\]]?$"),  # x3, (x3) and with a multiplication sign
    re.compile(r"\s*\(\d{1,6}(?: (?:alerts?|firing|instances?|more))?\)$", re.IGNORECASE),  # (3 alerts), (3)
    PRIORITY_GROUP,
    re.compile(rf"\s*\((?:{REGION}|[\w-]+(?:\.[\w-]+)+\.[a-z]{{2,}}|account:? ?\d+)\)$", re.IGNORECASE),
    # X is CRITICAL | X is back to OK | X is in ALARM | X changed state from OK to ALARM | X went down: at the end
    re.compile(
        rf"\s+(?-i:is|are|was|has|went|changed|entered|transitioned|got)(?:\s+(?:now|back|again|in|to|state|"
        rf"from|been|the))*\s+\W*(?-i:(?=[A-Z*_]))(?:{STATE})\W*(?:\s+(?:to\s+\W*(?:{STATE})\W*|again|state|now))*"
        r"(?:\s+(?:after|for|since)\b.*)?[\s!.]*$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\s+(?:(?:is|has been|was|has|got) )?(?:{TRAILING_STATE})(?:\s+(?:again|after|for|since)\b.*)?[\s!.]*$",
        re.IGNORECASE,
    ),
    re.compile(rf"\s*(?::|\s-|\|)\s*(?-i:(?=[A-Z_]+$))(?:{STATE})$", re.IGNORECASE),  # `X: INSUFFICIENT_DATA`
    re.compile(  # `X — Admin suppressed it`: who did what to it
        r"\s+[-\u2013\u2014]\s+[^-\u2013\u2014]{0,60}\b(?:acknowledged|suppressed|unsuppressed|closed|changed|commented"
        r"|assigned|escalated|snoozed|resolved|muted)\b.*$",
        re.IGNORECASE,
    ),
]
SEPARATOR = re.compile(r"\s+(?:-|\u2013|\u2014|\||::)\s+|:\s+")
HOST = re.compile(r"^(?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*-?\d+[a-z]?(?:\.[a-z0-9.-]+)?|[a-z0-9-]+(?:\.[a-z0-9-]+){2,})$")
HOST_PREFIX = re.compile(r"^(?P<host>[a-z0-9][a-z0-9.\-]*)(?:\s*[:|]|\s+-)\s+(?=\S)")  # `db-2: X`, `db-2 - X`
HOST_PATH = re.compile(r"^(?P<host>[a-z0-9][a-z0-9.\-]*)/(?=[\w.-]+(?:\s|$))")
HEADED_TOKEN = re.compile(r"(?:^|[(\[:|\u2013\u2014-]\s*)([A-Za-z][\w.:-]*?)(?=[)\]:,]|\s+[(\[|\u2013\u2014-]|\s*$)")
CONNECTORS = {"on", "in", "at", "for", "with", "from", "firing", "resolved", "triggered", "state", "changed", "went"}
SUMMARISED_SOURCES = {"pagerduty", "opsgenie", "datadog"}  # their titles are free text that may name the host
CONNECTOR_MARKS = ("(", "[", "{", "@", "\u00b7", "\u2022")
COUNTS_ONLY = re.compile(r"(?:\W*\d+\s+(?:firing|resolved|pending)\s+alerts?(?:\(s\))?)+\W*", re.IGNORECASE)
LISTED = re.compile(r"^[ \t]*(?:[-\u2022*][ \t]*)?\[([^\[\]\n]{2,120})\][ \t]+\S", re.MULTILINE)  # `- [Name] summary`
AM_TITLE = re.compile(r"\[(?:FIRING|RESOLVED)(?::\d{1,9})?(?:\s*[,|/]\s*RESOLVED:\d{1,9})?\][ \t]*(?P<rest>[^\n]*)")


def settle_name(name: str | None, message: AlertMessage, source: str | None = None) -> str | None:
    """The rule's name for what a layer found: a name field of the post, else `name` without decorations."""
    return explicit_name(message) or (clean_name(name, message, source) if name else None)


def explicit_name(message: AlertMessage) -> str | None:
    """The `alertname` label or a name field (attachment field, Block Kit field, JSON key) the post carries."""
    values = [field.value for a in message.attachments for field in a.fields if _is_name_field(field.title)]
    values += [value for title, value in BLOCK_FIELD.findall(message.flat) if _is_name_field(title)]
    for value in values:
        if (name := clean_name(value, message)) and len(name) <= MAX_NAME:
            return name
    if match := ALERTNAME.search(message.flat):
        return match["name"].strip().rstrip(".:,")
    match = JSON_NAME.search(message.flat)
    return match[1] if match else None


def clean_name(name: str, message: AlertMessage, source: str | None = None) -> str | None:
    """`name` without its template's decorations; a host is kept in the free-text titles of `source`s that write
    them (a Datadog monitor named `Disk full on {{host.name}}`)."""
    summarised = source in SUMMARISED_SOURCES or re.search("pagerduty|opsgenie|datadog", message.username, re.I)
    free_text = source == "datadog" or "datadog" in message.username.lower()  # a monitor's name is its own words
    hosts = set() if summarised else _hosts(message)
    line = html.unescape(LINK.sub(lambda match: match[1] or "", name.strip().split("\n", 1)[0][:TITLE_LIMIT]))
    if relayed := AM_TITLE.search(line):
        group, common = split_labels(PRIORITY_GROUP.sub("", MARKUP.sub("", relayed["rest"]).strip()))
        if found := rule_name_among(group + common, strict=True):
            return found
    if ACTION_ONLY.match(_bare(line)):
        return None  # `Resolved by Payments AWS (integration)`: who did what, no alert named
    text = _bare(_emphasised(line) or line)
    text = _strip_prefixes(text, hosts, strip_hosts=not summarised)
    if wrapped := WRAPPED.match(text):
        text = _strip_prefixes(wrapped["inner"], hosts, strip_hosts=not summarised)  # `(Title) - Assigned to Jane`
    if quoted := QUOTED.match(text):
        text = _strip_prefixes(quoted[1].strip(), hosts, strip_hosts=not summarised)  # `"[S2] X: ..." created by`
    if (named := TRAILING_RULE.match(text)) and strong_rule_name(named["name"]) and " " in named["prose"].strip():
        return named["name"]
    text = _strip_suffixes(text, hosts, strip_hosts=not summarised)
    if not free_text:
        text = _rule_token(text)
    text = text.strip(" \"'“”:;,|").rstrip("-").strip()
    ruled = [match[1] for match in HEADED_TOKEN.finditer(text) if _unmistakable(match[1])]
    if " " in text and len(ruled) == 1 and not free_text:
        text = ruled[0]  # a clause headed by a token that can only be a rule's name: the token
    if not text or len(text) > MAX_NAME or not re.search(r"[A-Za-z]", text) or STATES_ONLY.fullmatch(text):
        return None
    return None if COUNTS_ONLY.fullmatch(text) else text  # `1 firing alert(s), 0 resolved alert(s)` names none


def listed_name(message: AlertMessage) -> str | None:
    """For a title that names no alert (only counts or states): the first alert its body lists, `- [Name] ...`."""
    for match in LISTED.finditer(message.flat[:TITLE_LIMIT]):
        if (name := clean_name(match[1], message)) and not STATES_ONLY.fullmatch(name):
            return name
    return None


def split_labels(rest: str) -> tuple[list[str], list[str]]:
    """Alertmanager's title after `[FIRING:n]`: group label values, and the common ones in the last parentheses."""
    rest = rest.strip()
    if rest.endswith(")"):
        depth = 0
        for index in range(len(rest) - 1, -1, -1):  # the parenthesis that opens the last group (values may nest)
            depth += {")": 1, "(": -1}.get(rest[index], 0)
            if depth == 0 and rest[index] == "(" and (index == 0 or rest[index - 1] == " "):
                return rest[:index].split(), rest[index + 1 : -1].split()
    return rest.split(), []


def rule_name_among(values: list[str], *, strict: bool = False) -> str | None:
    """The value shaped like a rule's name: CamelCase first, then snake_case of four words or more; without
    `strict`, the first value when none is."""
    values = [_unwrapped(value) for value in values]
    camel = next((v for v in values if _camel(v) and (not strict or re.search(r"[a-z0-9][A-Z]", v))), None)
    snake = next((v for v in values if re.match(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+){3,}$", v)), None)
    return camel or snake or (None if strict or not values else values[0])


def _unwrapped(value: str) -> str:
    """A label value without the parenthesis of the group it opens or closes: `(KubeAPIDown` -> `KubeAPIDown`."""
    if value.startswith("(") and value.count("(") > value.count(")"):
        value = value[1:]
    if value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1]
    return value


def _is_name_field(title: str) -> bool:
    return title.strip(" *_:").lower() in NAME_FIELDS


def _emphasised(line: str) -> str | None:
    """The one emphasised part of a title that says more than a state (`New incident: *Marketing site* is down`),
    when the title has words outside it."""
    found = [
        (match.start(), match[1] or match[2]) for match in EMPHASIS.finditer(line) if match[1] or _rule_like(match[2])
    ]
    parts = [
        part
        for start, part in found
        if not (STATE_LED.match(_bare(part)) or TAG.match(part) or _located(part, line[:start]))
    ]
    outside = EMPHASIS.sub(" ", line)
    if not re.search(r"[A-Za-z]{2}", EMOJI.sub(" ", outside)):
        return None
    ruled = [part for part in parts if _rule_like(part)]  # `*Alarm State Change* — `db-lag-high` changed ...`
    return parts[0] if len(parts) == 1 else ruled[0] if len(ruled) == 1 else None


def _located(part: str, before: str) -> bool:
    """An emphasised host after a name (`ntp_time on *backup-01*`) says where; after only an action
    (`Incident on *api.example.com* resolved`) it is what is monitored."""
    if not HOST.match(part):
        return False
    lead = re.sub(r"\bon\s*$", "", _bare(before)).strip(" :")
    return bool(lead) and not STATES_ONLY.fullmatch(lead)


def _bare(text: str) -> str:
    """Text without links' targets, emoji and Slack markup, on one line."""
    text = LINK.sub(lambda match: match[1] or "", text.strip().split("\n", 1)[0])
    return MARKUP.sub("", EMOJI.sub(" ", text)).strip()


def _strip_prefixes(text: str, hosts: set[str], *, strip_hosts: bool) -> str:
    """Decorations in front of the name, layer after layer (`[Average] mq-1: Problem: X`)."""
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            stripped = prefix.sub("", text, count=1).strip()
            if stripped and stripped != text:
                text, changed = stripped, True
        for pattern in (HOST_PREFIX, HOST_PATH) if strip_hosts else ():
            host = pattern.match(text)
            if host and (host["host"] in hosts or HOST.match(host["host"])) and text[host.end() :].strip():
                text, changed = text[host.end() :].strip(), True
    return text


def _strip_suffixes(text: str, hosts: set[str], *, strip_hosts: bool) -> str:
    changed = True
    while changed:
        changed = False
        for host in sorted(hosts, key=len, reverse=True):
            if text.endswith(f" on {host}") and len(text) > len(host) + 4:
                text, changed = text[: -len(host) - 4].strip(), True
        on_host = re.search(r"\s+on\s+(\S+)$", text)
        if on_host and HOST.match(on_host[1]) and (strip_hosts or _rule_like(text[: on_host.start()].strip())):
            text, changed = text[: on_host.start()].strip(), True
        detail = re.search(r"\s+[-\u2013\u2014|]\s+(\S+)$", text)
        where = detail and (HOST.match(detail[1]) or re.fullmatch(rf"{REGION}|{ENVIRONMENTS}", detail[1], re.I))
        if strip_hosts and detail and where:
            text, changed = text[: detail.start()].strip(), True  # `X - prod-us-2`: where, not what
        if (host := HOST_GROUP.search(text)) and (HOST.match(host[1]) or host[1] in hosts) and strip_hosts:
            text, changed = text[: host.start()].strip(), True  # `X (web-03)`
        tags = SCOPE_GROUP.search(text)
        if tags and all(TAG_PAIR.fullmatch(tag.strip()) for tag in tags[1].split(",")):
            text, changed = text[: tags.start()].strip(), True  # `(service:gateway)`: a monitor's scope tags
        env = ENVIRONMENT_GROUP.search(text)
        if env and len(text[: env.start()].split()) >= 2:
            text, changed = text[: env.start()].strip(), True  # `Node memory pressure (production)`
        group = LABEL_GROUP.search(text)
        if group and PROSE_WORDS.isdisjoint(group["values"].lower().split()) and text[: group.start()].strip():
            text, changed = text[: group.start()].strip(), True  # Alertmanager's label values, not a qualifier
        for suffix in SUFFIXES:
            stripped = suffix.sub("", text).strip()
            if stripped and stripped != text:
                text, changed = stripped, True
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


def _rule_token(text: str) -> str:
    """The leading rule-shaped token when detail follows it (`X on db-2`, `X (prod critical)`, `X - summary`)."""
    tokens = text.split()
    if len(tokens) < 2:
        return text
    first, second = tokens[0], tokens[1]
    if len(tokens) == 2 and re.fullmatch(r"\([\w.-]+\)", second) and not strong_rule_name(first):
        return text  # `checkout-api (prod)`: a qualifier the monitor's name carries
    detail_follows = first.endswith(",") or second.lower() in CONNECTORS or second.startswith(CONNECTOR_MARKS)
    if _rule_like(first) and detail_follows:
        return first
    segments = [segment.strip() for segment in text.split(" | ")]
    if len(segments) > 1 and all(len(segment.split()) <= 2 for segment in segments[1:]):
        return segments[0]  # `X | gstg | s3`: the name, then label values
    parts = SEPARATOR.split(text, maxsplit=1)
    head = parts[0].strip()
    if len(parts) == 2 and " " not in head and _rule_like(head):
        summary = parts[1].strip()
        if strong_rule_name(head) or summary.endswith("."):
            return head
    return first if _unmistakable(first) else text


def _camel(token: str) -> bool:
    return bool(re.search(r"[A-Z]", token) and re.search(r"[a-z]", token) and re.match(r"^[A-Za-z][^\s/]*$", token))


def _rule_like(token: str) -> bool:
    """CamelCase (`TargetDown`), snake_case (`node_disk_full`), dotted (`disk.usage.high`) or kebab-case
    (`prod-rds-cpu-high`), and not a host (`db-2`, `web-01.prod`)."""
    if not re.match(r"^[A-Za-z][\w.\-:()>%<=/]*$", token) or HOST.match(token):
        return False
    camel = re.search(r"[a-z0-9][A-Z]|[A-Z][A-Z][a-z]", token) is not None and re.search(r"[a-z]", token) is not None
    kebab = re.match(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+$", token) is not None and re.search(r"[A-Za-z]{3}", token)
    return camel or bool(kebab) or re.search(r"[A-Za-z0-9]_[A-Za-z0-9]|[a-z]\.[a-z]", token) is not None


def _unmistakable(token: str) -> bool:
    """Three capitalised words run together (`KubePodCrashLooping`) or snake_case of three words: a rule's name
    wherever it stands."""
    token = token.strip("()[]:,.\"'")
    return _rule_like(token) and (len(re.findall(r"[A-Z][a-z0-9]+", token)) >= 3 or token.count("_") >= 2)


def strong_rule_name(token: str) -> bool:
    """A rule's name rather than a product's or a service's, even with a summary after it: two capitalised words
    run together or more (`TargetDown`, `KubeAPIDown`; not `MySQL` or `CoreDNS`), snake_case, or kebab-case of
    three words or more (`prod-rds-cpu-high`; not `checkout-api`)."""
    if not _rule_like(token):
        return False
    words = len(re.findall(r"[A-Z][a-z0-9]+", token))
    return words >= 2 or token.count("_") >= 2 or len(re.findall(r"[A-Za-z]\w*", token.replace("-", " "))) >= 3
