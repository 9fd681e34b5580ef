"""Labelled streams of Slack messages for training and evaluating a learned alert classifier.

An operations channel carries notifications from many monitoring tools, each customised by the team that set it
up, between people talking about them and other integrations' posts. This module writes such a stream, each message
labelled with what the classifier must say about it:

- `family`: the tool (or `people`, `bots`), `template`: which of the many variants of its Slack format wrote it;
- `kind`: alert_firing | alert_resolved | alert_other | question | chatter;
- `alert`: the alert's identity as configured, without decorations (the Prometheus `alertname`, also when PagerDuty,
  Opsgenie or Grafana relays it; the Datadog monitor name; the CloudWatch alarm name; the Zabbix trigger name;
  the monitor name of generic tools), None for people and bots.

The notifications are rendered from real Prometheus alerting rules (tests/data/alerts/alerts.jsonl; the
`gitlab-com-runbooks` rules are never used: they are held out for a separate evaluation set). Tools that do not
speak Prometheus get names in their own idiom derived from a rule (a CloudWatch kebab-case alarm name, a Datadog
monitor named by the rule's summary, a Zabbix trigger name with its threshold) or drawn from the names those tools
ship with. Each template variant follows the payloads its tool really posts (tests/data/alert-formats holds real and
reconstructed examples) and the customisations teams commonly make: custom titles, emoji, severity brackets, label
lists, Block Kit layouts, relays of Alertmanager through PagerDuty and Opsgenie, acknowledgements, escalations,
notes, edits of a message in place (the `message` of a `message_changed` event).

Everything is a pure function of (seed, template, sample number): the rule a sample uses and every value in it come
from a `random.Random` seeded with those, so any part of the stream can be regenerated alone.

    rules = load_rules(Path("tests/data/alerts/alerts.jsonl"))
    samples = generate(rules, seed=0, per_template=40)

    python -m ratchet.classify.learned.streams --rules tests/data/alerts/alerts.jsonl --out stream.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "FAMILIES",
    "HELD_OUT_DATASET",
    "INTERROGATIVES",
    "KINDS",
    "TEMPLATE_IDS",
    "Sample",
    "generate",
    "load_rules",
    "main",
]

FAMILIES: tuple[str, ...] = (
    "alertmanager",
    "grafana",
    "datadog",
    "pagerduty",
    "opsgenie",
    "zabbix",
    "cloudwatch",
    "generic",
    "people",
    "bots",
)
KINDS: tuple[str, ...] = ("alert_firing", "alert_resolved", "alert_other", "question", "chatter")
FIRING, RESOLVED, OTHER, QUESTION, CHATTER = KINDS
HELD_OUT_DATASET = "gitlab-com-runbooks"  # reserved for a held-out evaluation set: never rendered here

FR: tuple[str, ...] = (FIRING, RESOLVED)
FRO: tuple[str, ...] = (FIRING, RESOLVED, OTHER)

TEAM = "T0RATCHET1"
EPOCH = 1741910400  # 2025-03-14 00:00 UTC, the start of the stream's clock
SPAN = 30 * 86400  # samples are spread over 30 days


@dataclass(frozen=True)
class Sample:
    """One labelled message of the stream."""

    family: str  # one of FAMILIES
    template: str  # stable id of the template variant, e.g. "pagerduty/blocks-relay-am"
    message: dict[str, Any]  # the Slack message object as a bot receives it (Events API `message` event)
    kind: str  # one of KINDS
    alert: str | None  # the gold alert name; None for people and bots


def load_rules(path: Path) -> list[dict[str, Any]]:
    """The alerting rules of an alerts.jsonl file that may be rendered (the held-out dataset's are left out)."""
    rules = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return [rule for rule in rules if rule.get("dataset") != HELD_OUT_DATASET and rule.get("alert")]


# ---------------------------------------------------------------------------------------------------------------
# per-sample context
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """What one sample is rendered from: its random source, its rule and its time."""

    rng: random.Random
    rule: dict[str, Any]
    index: int  # the rule's index in the rules given to generate()
    n: int  # the sample's number within its template
    seconds: int  # the sample's time, seconds after EPOCH
    _series: dict[str, str] | None = field(default=None, repr=False)

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def num(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    @property
    def alertname(self) -> str:
        return str(self.rule["alert"])

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(EPOCH + self.seconds, UTC)

    def ts(self, after: int = 0) -> str:
        """A Slack ts `after` seconds after the sample's time (microseconds from the sample's number)."""
        return f"{EPOCH + self.seconds + after}.{(self.n * 7919 + self.index * 31) % 900000 + 100:06d}"

    @property
    def series(self) -> dict[str, str]:
        """The labels of one series matching the rule (stable for the sample)."""
        if self._series is None:
            self._series = _series_labels(self.rule, self.rng)
        return self._series

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(digits * 4):0{digits}x}"

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _esc(text: str) -> str:
    """Slack's escaping of message text: `&`, `<`, `>` (what a bot receives for text that is not markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    return f"<{url}|{_esc(label)}>"


# ---------------------------------------------------------------------------------------------------------------
# pools of plausible values
# ---------------------------------------------------------------------------------------------------------------

PEOPLE = (
    "Priya Natarajan",
    "Marco Rossi",
    "Aisha Bello",
    "Tom Becker",
    "Lena Fischer",
    "Diego Alvarez",
    "Sofia Lindqvist",
    "Kenji Watanabe",
    "Hannah Okafor",
    "Jonas Meyer",
    "Emily Carter",
    "Ravi Shah",
    "Chloe Martin",
    "Yusuf Demir",
    "Anna Kowalska",
    "Sam O'Brien",
    "Mei Chen",
    "Lucas Silva",
    "Fatima Haddad",
    "Oliver Grant",
    "Nina Petrova",
    "Ben Adler",
)
USER_IDS = tuple(f"U0{name.split()[0].upper()[:6]}{i:02d}" for i, name in enumerate(PEOPLE))
SERVICES = (
    "checkout-api",
    "payments",
    "orders-service",
    "auth",
    "search",
    "billing-worker",
    "frontend",
    "inventory",
    "notifications",
    "gateway",
    "ledger",
    "user-profile",
    "shipping",
    "catalog",
    "reporting",
)
TEAMS = ("platform", "sre", "payments", "core-infra", "data", "growth", "checkout", "identity")
ENVS = ("prod", "production", "staging", "prd", "prod-eu", "live")
NAMESPACES = ("payments", "checkout", "monitoring", "kube-system", "default", "ingress-nginx", "data", "platform")
CLUSTERS = ("prod-eu-west-1", "prod-us-east-1", "gke-prod-01", "staging-eu-1", "eks-prod-blue", "aks-live-02")
REGIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "Europe (Ireland)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-west-2": "Europe (London)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}
HOST_ROLES = ("web", "db", "app", "cache", "api", "worker", "lb", "kafka", "redis", "pg", "es", "mq")
LABEL_POOLS: dict[str, tuple[str, ...]] = {
    "namespace": NAMESPACES,
    "cluster": CLUSTERS,
    "service": ("api", "checkout", "payments", "kube-state-metrics", "node-exporter", "web", "frontend", "orders"),
    "container": ("api", "worker", "prometheus", "kube-rbac-proxy", "nginx", "sidecar", "app", "envoy"),
    "deployment": ("api", "checkout", "payments-worker", "frontend", "coredns", "ingress-nginx-controller"),
    "statefulset": ("postgres", "redis", "kafka", "prometheus-k8s", "alertmanager-main", "elasticsearch-data"),
    "daemonset": ("node-exporter", "fluent-bit", "calico-node", "kube-proxy", "cilium"),
    "device": ("/dev/nvme0n1p1", "/dev/sda1", "/dev/xvda1", "/dev/mapper/vg0-data", "/dev/sdb"),
    "mountpoint": ("/", "/var/lib/docker", "/data", "/var/log", "/home", "/var/lib/postgresql"),
    "fstype": ("ext4", "xfs"),
    "env": ENVS,
    "environment": ("production", "staging", "prod"),
    "region": ("us-east-1", "eu-west-1", "europe-west1", "us-west-2"),
    "zone": ("us-east-1a", "europe-west1-c", "eu-west-1b"),
    "code": ("500", "503", "429", "502"),
    "status_code": ("500", "503", "429"),
    "method": ("GET", "POST", "PUT"),
    "verb": ("GET", "LIST", "WATCH", "POST"),
    "handler": ("/api/v1/query", "/metrics", "/api/v1/orders", "/-/healthy", "/login"),
    "route": ("/api/v1/orders", "/login", "/checkout", "/api/v2/cart"),
    "reason": ("CrashLoopBackOff", "OOMKilled", "ImagePullBackOff", "Evicted"),
    "phase": ("Pending", "Failed", "Unknown"),
    "mode": ("idle", "iowait", "system", "user"),
    "endpoint": ("https-main", "http-metrics", "metrics", "https"),
    "topic": ("orders", "payments.events", "audit-log", "clickstream"),
    "queue": ("default", "mailers", "critical", "orders"),
    "datname": ("orders", "postgres", "billing", "app_production"),
    "controller": ("ReplicaSet/api-7d9f5c", "StatefulSet/postgres", "Job/nightly-backup"),
    "resource": ("cpu", "memory", "pods", "connections"),
    "persistentvolumeclaim": ("data-postgres-0", "prometheus-k8s-db-prometheus-k8s-0", "storage-kafka-1"),
    "horizontalpodautoscaler": ("api", "checkout", "frontend"),
    "cronjob": ("nightly-backup", "report-generator", "cleanup"),
    "job_name": ("nightly-backup-28472910", "migrate-db-1", "cleanup-28473000"),
    "state": ("down", "failed", "inactive"),
    "interface": ("eth0", "ens5", "bond0"),
    "app": ("api", "checkout", "frontend", "worker"),
    "tenant": ("team-a", "anonymous", "acme"),
    "pool": ("rbd", "cephfs_data", "default"),
    "name": ("nginx", "postgres", "redis", "api", "worker"),
    "severity": ("warning", "critical"),
}
_IDENTITY = (
    "instance",
    "pod",
    "node",
    "device",
    "mountpoint",
    "hostname",
    "host",
    "name",
    "container",
    "queue",
    "topic",
)
_DATASET_JOBS = ("node-exporter", "kube-state-metrics", "kubelet", "apiserver", "blackbox", "postgres-exporter", "api")


def _host(rng: random.Random) -> str:
    return f"{rng.choice(HOST_ROLES)}-{rng.randint(1, 24):02d}"


def _label_value(name: str, rng: random.Random, rule: Mapping[str, Any]) -> str:
    """A realistic value for a label of this name."""
    if name == "job":
        path = str(rule.get("source", "")).split(":", 1)[-1].split(" ")[0]
        if rule.get("dataset") == "awesome-prometheus-alerts" and path.endswith(".yml"):
            service, exporter = path.split("/")[-2], Path(path).stem
            return service if exporter.startswith("embedded-exporter") else exporter
        if rule.get("dataset") == "monitoring-mixins" and rule.get("mixin"):
            return f"integrations/{rule['mixin']}"
        return rng.choice(_DATASET_JOBS)
    if name in ("fqdn", "hostname", "host", "server", "nodename"):
        return f"{_host(rng)}.prod.internal"
    if name in LABEL_POOLS:
        return rng.choice(LABEL_POOLS[name])
    if name == "instance":
        octets = f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
        return rng.choice([f"{octets}:{rng.choice([9100, 9090, 8080, 9187, 9121])}", f"{_host(rng)}:9100"])
    if name == "pod":
        tail = "".join(rng.choices("bcdfghjklmnpqrstvwxz2456789", k=5))
        return f"{rng.choice(LABEL_POOLS['deployment'])}-{rng.getrandbits(36):09x}-{tail}"
    if name in ("node", "kubernetes_node"):
        return rng.choice(
            [f"ip-10-0-{rng.randint(0, 255)}-{rng.randint(2, 254)}.ec2.internal", f"worker-{rng.randint(1, 9)}"]
        )
    if name in ("id", "cpu", "core", "partition"):
        return str(rng.randint(0, 15))
    if name.endswith("cluster"):
        return rng.choice(["prod-1", "analytics", "main", "eu-cluster"])
    if name.endswith(("_id", "_identifier")):
        return f"{name.split('_')[0]}-{rng.randint(100, 999)}"
    return rng.choice(["main", "primary", "default", "prod-1", "app-01", "shared", "blue"])


_SELECTOR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", re.IGNORECASE)
_AGGREGATION = re.compile(r"\b(sum|count|avg|max|min|topk|bottomk|quantile|stddev|group)\s*\(")
_TEMPLATE_REFS = re.compile(r"(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)")
_METRIC = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{|\[)")
_THRESHOLD = re.compile(r"(>=|<=|>|<|==|!=)\s*([0-9][0-9.e+]*)\s*$")


def _series_labels(rule: Mapping[str, Any], rng: random.Random) -> dict[str, str]:
    """The labels one series matching the rule's expression plausibly has (instance and job at least)."""
    expr = str(rule.get("expr") or "")
    templates = " ".join(
        str(v) for v in [*(rule.get("annotations") or {}).values(), *(rule.get("labels") or {}).values()]
    )
    names = set(_TEMPLATE_REFS.findall(templates))
    groupings = _GROUPING.findall(expr)
    selectors = _SELECTOR.findall(expr)
    equal = {name: value for name, op, value in reversed(selectors) if op == "=" and value}
    if any(kind.lower() in ("by", "on", "group_left", "group_right") for kind, _ in groupings):
        for kind, listed in groupings:
            if kind.lower() != "without":
                names |= {n.strip() for n in listed.split(",") if n.strip()}
    elif not _AGGREGATION.search(expr):
        names |= set(equal) | {"job", "instance"}
    names -= {"__name__", "le", "quantile", "alertname"}
    if not names:
        names = {"job", "instance"}
    labels: dict[str, str] = {}
    for name in sorted(names):
        value = equal.get(name, "")
        labels[name] = value if re.fullmatch(r"[\w./-]+", value) else _label_value(name, rng, rule)
    return labels


def _rule_severity(rule: Mapping[str, Any]) -> str:
    severity = str((rule.get("labels") or {}).get("severity") or rule.get("severity") or "warning")
    return severity if severity in ("critical", "warning", "info", "page", "high", "low") else "warning"


def _format_value(value: float) -> str:
    """Go's %v of a float64 as Prometheus prints $value (3 -> 3, 0.25 -> 0.25)."""
    return f"{value:.15g}" if value != int(value) or abs(value) >= 1e15 else str(int(value))


_ACTION = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)


def _expand(text: str | None, labels: Mapping[str, str], value: float) -> str:
    """A rule's annotation template expanded roughly as Prometheus does (labels, $value, printf, humanize*)."""
    if not text:
        return ""

    def action(match: re.Match[str]) -> str:
        body = match.group(1).strip()
        if ref := _TEMPLATE_REFS.search(body):
            return labels.get(ref.group(1), "<no value>")
        if re.fullmatch(r"\$labels|\.Labels", body):
            return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(labels.items())) + "]"
        if "$value" in body or ".Value" in body:
            if "humanizePercentage" in body:
                return f"{value * 100:.4g}%"
            if "humanizeDuration" in body:
                return f"{int(value // 60)}m {int(value % 60)}s"
            if "humanize" in body:
                return f"{value:.4g}"
            if printf := re.search(r'printf\s+"([^"]*)"', body):
                try:
                    return printf.group(1).replace("%%", "%") % value if "%" in printf.group(1) else printf.group(1)
                except (TypeError, ValueError):
                    return _format_value(value)
            return _format_value(value)
        if "$externalLabels" in body:
            return labels.get("cluster", "prod")
        if body.startswith('"') and body.endswith('"'):
            return body[1:-1]
        return ""  # if / range / with / end and friends

    out = _ACTION.sub(action, str(text))
    return "\n".join(line.rstrip() for line in out.strip().splitlines())


def _sample_value(rule: Mapping[str, Any], rng: random.Random) -> float:
    text = " ".join(str(v) for v in (rule.get("annotations") or {}).values())
    if "humanizePercentage" in text:
        return round(rng.uniform(0.01, 0.99), 4)
    if "printf" in text:
        return round(rng.uniform(0.5, 99.5), 4)
    return rng.choice([1.0, 0.0, 2.0, float(rng.randint(3, 500)), round(rng.uniform(0, 100), 3)])


# ---------------------------------------------------------------------------------------------------------------
# names in each tool's idiom, derived from a rule
# ---------------------------------------------------------------------------------------------------------------

_CAMEL = re.compile(r"\d+[A-Z]+(?![a-z])|\d+[a-z]*|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
_LABEL_PAREN = re.compile(r"\s*\((?:instance|host|node|pod|job|target)\b[^)]*\)", re.IGNORECASE)
_ACRONYMS = {
    word: word.upper()
    for word in """
        cpu api http https ssl tls dns oom pvc hpa io ntp raid tcp udp jvm gc smart sap hana snmp ipam bpf mds osd
        wal tsdb grpc xds sla slo nfs lvm ecs eks rds sqs sns ec2 vm url ip ips db pg k8s lb mq smtp ldap acme ci cd
    """.split()  # noqa: SIM905
}
_ACRONYMS.update({"ips": "IPs", "k8s": "k8s", "grpc": "gRPC", "5xx": "5xx", "4xx": "4xx"})
_BRANDS = {
    word.lower(): word
    for word in """
        PostgreSQL MySQL MongoDB OpenSearch Elasticsearch RabbitMQ HAProxy ArgoCD GitLab HBase CoreDNS ClickHouse
        CouchDB MinIO ZooKeeper OpenStack NVMeoF etcd Kubernetes Prometheus Alertmanager Thanos Cortex Mimir Loki
        Grafana Redis Kafka Cassandra Ceph Cilium Istio Jenkins Consul Vault Traefik Nginx Apache Windows Linux
        CloudWatch DigitalOcean VMware Pulsar Promscale CockroachDB ScyllaDB Memcached Keycloak
    """.split()  # noqa: SIM905
}


def _words(alertname: str) -> list[str]:
    """`KubePodCrashLooping` -> ['Kube', 'Pod', 'Crash', 'Looping']; brand names kept whole (PostgreSQL, NVMeoF)."""
    words = _CAMEL.findall(alertname) or [alertname]
    merged: list[str] = []
    i = 0
    while i < len(words):
        for span in (3, 2):
            joined = "".join(words[i : i + span])
            if i + span <= len(words) and joined.lower() in _BRANDS:
                merged.append(_BRANDS[joined.lower()])
                i += span
                break
        else:
            merged.append(_BRANDS.get(words[i].lower(), words[i]))
            i += 1
    return merged


def _sentence(words: Sequence[str]) -> str:
    """['Host', 'High', 'Cpu', 'Load'] -> 'Host high CPU load'."""
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if low in _ACRONYMS:
            out.append(_ACRONYMS[low])
        elif low in _BRANDS or (word.isupper() and len(word) > 1) or any(ch.isupper() for ch in word[1:]):
            out.append(word)
        else:
            out.append(word.capitalize() if i == 0 else low)
    return " ".join(out)


def _name_words(alertname: str) -> str:
    """The rule's name as a sentence, or the name itself when it does not split into words cleanly."""
    words = _words(alertname.split("(")[0])
    if any(len(w) == 1 and w.isalpha() for w in words):
        return alertname
    return _sentence(words)


def _lower_first(text: str) -> str:
    """Lower-case a leading ordinary word ('Redis down' -> 'redis down'), not an acronym or a brand ('PVE ...')."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and first.lower() not in _BRANDS:
        return text[0].lower() + text[1:]
    return text


def _summary_text(c: _Ctx, labels: Mapping[str, str] | None = None, value: float = 1.0) -> str:
    """The rule's summary (or message, or description's first line), expanded for a series."""
    annotations = c.rule.get("annotations") or {}
    raw = c.rule.get("summary") or annotations.get("summary") or annotations.get("message") or ""
    if not raw:
        raw = str(c.rule.get("description") or annotations.get("description") or "").split("\n")[0]
    text = _expand(raw, labels if labels is not None else c.series, value)
    return text or _name_words(c.alertname)


def _description_text(c: _Ctx, labels: Mapping[str, str], value: float) -> str:
    annotations = c.rule.get("annotations") or {}
    raw = annotations.get("description") or c.rule.get("description") or annotations.get("message") or ""
    return _expand(raw, labels, value)


def _prose_name(c: _Ctx) -> str:
    """A short human name for the rule's condition: its summary without label parts, or its name as a sentence."""
    raw = c.rule.get("summary") or ""
    if raw and "{{" not in _LABEL_PAREN.sub("", raw):
        text = _LABEL_PAREN.sub("", raw).strip().rstrip(".").strip()
        if 8 <= len(text) <= 64 and "\n" not in text:
            return text
    return _name_words(c.alertname)


def _kebab(c: _Ctx, limit: int = 5) -> str:
    words = [
        w.lower()
        for w in _words(re.sub(r"[^A-Za-z0-9]", "", c.alertname))
        if w.lower() not in ("kube", "kubernetes", "host")
    ]
    return "-".join(words[:limit]) or c.alertname.lower()


def _threshold(c: _Ctx) -> str | None:
    expr = str(c.rule.get("expr") or "").strip().splitlines()
    match = _THRESHOLD.search(expr[-1]) if expr else None
    return match.group(2) if match else None


def _metric(c: _Ctx) -> str:
    match = _METRIC.search(str(c.rule.get("expr") or ""))
    functions = {"rate", "irate", "increase", "sum", "avg", "max", "min", "count", "absent", "by", "without"}
    while match and match.group(1) in functions:
        match = _METRIC.search(str(c.rule.get("expr") or ""), match.end())
    return match.group(1) if match else "up"


def _for(c: _Ctx) -> str:
    value = str(c.rule.get("for") or "")
    return value if value and value != "0m" else c.pick(("5m", "10m", "3m"))


# ---------------------------------------------------------------------------------------------------------------
# Slack message shapes
# ---------------------------------------------------------------------------------------------------------------

ALERT_CHANNELS = ("C0ALERTPRD", "C0OPSALRTS", "C0INCIDENT", "C0PLATFORM", "C0SRE00001", "C0ONCALL01")
TALK_CHANNELS = ("C0OPSCHAT1", "C0SRE00001", "C0PLATFORM", "C0INCIDENT", "C0DEVOPS01", "C0ONCALL01")
BOT_CHANNELS = ("C0DEPLOYS1", "C0ENGINEER", "C0PLATFORM", "C0CICD0001", "C0OPSCHAT1")


@dataclass(frozen=True)
class _App:
    """A Slack app posting with its bot token (chat.postMessage): `user`, `bot_id`, `app_id`, `bot_profile`."""

    name: str
    bot_id: str
    app_id: str
    user: str


def _mkapp(name: str, key: str) -> _App:
    return _App(name, f"B0{key}", f"A0{key}", f"U0{key}")


APPS: dict[str, _App] = {
    "pagerduty": _mkapp("PagerDuty", "PAGERDY1"),
    "opsgenie": _mkapp("Opsgenie", "OPSGENI1"),
    "jsm": _mkapp("Jira Service Management", "JSMOPS01"),
    "datadog": _mkapp("Datadog", "DATADOG1"),
    "aws": _mkapp("aws", "AWSCHAT1"),
    "amazonq": _mkapp("Amazon Q", "AMAZONQ1"),
    "zabbix": _mkapp("Zabbix", "ZABBIX01"),
    "grafana": _mkapp("Grafana", "GRAFANA2"),
    "oncall": _mkapp("Grafana OnCall", "GONCALL1"),
    "promalerts": _mkapp("Prometheus Alerts", "PROMBOT1"),
    "sentry": _mkapp("Sentry", "SENTRY01"),
    "newrelic": _mkapp("New Relic", "NEWRELC1"),
    "betterstack": _mkapp("Better Stack", "BETTERS1"),
    "github": _mkapp("GitHub", "GITHUB01"),
    "jira": _mkapp("Jira Cloud", "JIRACLD1"),
    "jenkins": _mkapp("Jenkins CI", "JENKINS1"),
    "argocd": _mkapp("Argo CD", "ARGOCD01"),
    "spinnaker": _mkapp("Spinnaker", "SPINNAK1"),
    "geekbot": _mkapp("Geekbot", "GEEKBOT1"),
    "calendar": _mkapp("Google Calendar", "GCALNDR1"),
}


def _finish(c: _Ctx, message: dict[str, Any], channels: Sequence[str]) -> dict[str, Any]:
    """Slack's additions: attachment ids, block ids, the channel and event_ts of a `message` event."""
    if message.get("attachments"):
        message["attachments"] = [{**a, "id": i} for i, a in enumerate(message["attachments"], 1)]
    for block in message.get("blocks") or []:
        block.setdefault("block_id", c.hex(5))
    message["channel"] = c.pick(channels)
    message["event_ts"] = message["ts"]
    message["channel_type"] = "channel"
    return message


def _webhook(
    c: _Ctx,
    username: str,
    *,
    text: str = "",
    attachments: list[dict[str, Any]] | None = None,
    blocks: list[dict[str, Any]] | None = None,
    icon_emoji: str | None = None,
    channels: Sequence[str] = ALERT_CHANNELS,
) -> dict[str, Any]:
    """An incoming-webhook post: a `bot_message` with the webhook's bot id and the username it posted under."""
    key = re.sub(r"[^A-Z0-9]", "", username.upper())[:6].ljust(6, "X")
    message: dict[str, Any] = {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": c.ts(),
        "bot_id": f"B0WH{key}",
        "username": username,
    }
    if icon_emoji:
        message["icons"] = {"emoji": icon_emoji}
    if attachments:
        message["attachments"] = attachments
    if blocks:
        message["blocks"] = blocks
    return _finish(c, message, channels)


def _app_post(
    c: _Ctx,
    app: _App,
    *,
    text: str = "",
    attachments: list[dict[str, Any]] | None = None,
    blocks: list[dict[str, Any]] | None = None,
    channels: Sequence[str] = ALERT_CHANNELS,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A post of a Slack app with a bot token (how PagerDuty, Opsgenie, Datadog, AWS Chatbot, Zabbix post)."""
    message: dict[str, Any] = {
        "type": "message",
        "user": app.user,
        "bot_id": app.bot_id,
        "app_id": app.app_id,
        "text": text,
        "ts": c.ts(),
        "team": TEAM,
        "bot_profile": {
            "id": app.bot_id,
            "app_id": app.app_id,
            "name": app.name,
            "deleted": False,
            "team_id": TEAM,
            "updated": 1700000000,
            "icons": {"image_36": f"https://avatars.slack-edge.com/{app.app_id.lower()}_36.png"},
        },
    }
    if attachments:
        message["attachments"] = attachments
    if blocks:
        message["blocks"] = blocks
    if thread_ts:
        message["thread_ts"] = thread_ts
        message["parent_user_id"] = app.user
    return _finish(c, message, channels)


def _edited(c: _Ctx, message: dict[str, Any], after: int) -> dict[str, Any]:
    """The message as a `message_changed` event carries it (`event.message`): edited in place, `after` s later."""
    for key in ("channel", "event_ts", "channel_type"):
        message.pop(key, None)
    message["edited"] = {"user": message.get("user") or message["bot_id"], "ts": f"{EPOCH + c.seconds + after}.000000"}
    return message


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _fields(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}:*\n{v}"} for k, v in pairs if v]}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def _buttons(*labels: tuple[str, str | None]) -> dict[str, Any]:
    elements = []
    for label, url in labels:
        button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": label, "emoji": True}}
        if url:
            button["url"] = url
        else:
            button["value"] = re.sub(r"\W+", "_", label.lower()).strip("_")
        elements.append(button)
    return {"type": "actions", "elements": elements}


def _field(title: str, value: str, short: bool = True) -> dict[str, Any]:
    return {"title": title, "value": value, "short": short}


# ---------------------------------------------------------------------------------------------------------------
# the template registry
# ---------------------------------------------------------------------------------------------------------------

_Rendered = tuple[dict[str, Any], str, str | None]  # message, kind, gold alert name


@dataclass(frozen=True)
class _Template:
    id: str
    kinds: tuple[str, ...]  # the kinds it is asked for, in turn
    render: Callable[[_Ctx, str], _Rendered]

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]


_TEMPLATES: list[_Template] = []


def _template(template_id: str, kinds: tuple[str, ...]) -> Callable[[Callable[[_Ctx, str], _Rendered]], Any]:
    def register(render: Callable[[_Ctx, str], _Rendered]) -> Callable[[_Ctx, str], _Rendered]:
        assert template_id.split("/")[0] in FAMILIES and all(t.id != template_id for t in _TEMPLATES)
        _TEMPLATES.append(_Template(template_id, kinds, render))
        return render

    return register


def _when(c: _Ctx, fmt: str, after: int = 0) -> str:
    return (c.time + timedelta(seconds=after)).strftime(fmt)


# ---------------------------------------------------------------------------------------------------------------
# Prometheus Alertmanager
# ---------------------------------------------------------------------------------------------------------------

AM_URLS = (
    "http://alertmanager-main.monitoring.svc:9093",
    "https://alertmanager.prod.example.com",
    "https://am.ops.acme.io",
    "http://alertmanager:9093",
    "https://alerts.internal.example.net",
)
PROM_URLS = (
    "http://prometheus-k8s.monitoring.svc:9090",
    "https://prometheus.prod.example.com",
    "http://prometheus:9090",
)
AM_USERNAMES = ("Alertmanager", "alertmanager", "Prometheus", "AlertManager", "prometheus-alerts", "Alertmanager Prod")
AM_RECEIVERS = ("Default", "Critical", "slack-ops", "team-platform-slack", "slack-critical", "null-but-slack")
GROUP_BYS: tuple[tuple[str, ...], ...] = (
    ("namespace",),
    ("alertname",),
    ("alertname", "cluster", "service"),
    ("job",),
    (),
    ("alertname", "namespace"),
    ("cluster", "alertname"),
    ("alertname", "severity"),
)
FIRE = (":fire:", "\U0001f525", ":rotating_light:", "\U0001f6a8", ":red_circle:", ":bangbang:")
OK = (":white_check_mark:", "\u2705", ":large_green_circle:", ":heavy_check_mark:", "\U0001f7e2")


def _pairs(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Alertmanager's KV.SortedPairs: by name, but `alertname` first."""
    return sorted(sorted(labels.items()), key=lambda kv: kv[0] != "alertname")


@dataclass
class _AmAlert:
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts: datetime
    value: float
    generator_url: str


@dataclass
class _AmGroup:
    status: str
    alerts: list[_AmAlert]
    group_by: tuple[str, ...]
    receiver: str
    external_url: str

    @property
    def common_labels(self) -> dict[str, str]:
        first = self.alerts[0].labels
        return {k: v for k, v in first.items() if all(a.labels.get(k) == v for a in self.alerts[1:])}

    @property
    def common_annotations(self) -> dict[str, str]:
        first = self.alerts[0].annotations
        return {k: v for k, v in first.items() if all(a.annotations.get(k) == v for a in self.alerts[1:])}

    @property
    def group_labels(self) -> dict[str, str]:
        return {k: self.alerts[0].labels[k] for k in self.group_by if k in self.alerts[0].labels}

    @property
    def firing(self) -> int:
        return sum(a.status == "firing" for a in self.alerts)

    @property
    def resolved(self) -> int:
        return len(self.alerts) - self.firing

    @property
    def link(self) -> str:
        return f"{self.external_url}/#/alerts?receiver={quote_plus(self.receiver)}"

    def status_tag(self, grafana: bool = False) -> str:
        if self.status != "firing":
            return "RESOLVED"
        extra = f", RESOLVED:{self.resolved}" if grafana and self.resolved else ""
        return f"FIRING:{self.firing}{extra}"

    def subject(self, grafana: bool = False) -> str:
        """Alertmanager's (and Grafana's) default `__subject`."""
        groups, common = self.group_labels, self.common_labels
        title = f"[{self.status_tag(grafana)}] {' '.join(v for _, v in _pairs(groups))} "
        if len(common) > len(groups):
            rest = {k: v for k, v in common.items() if k not in groups}
            title += f"({' '.join(v for _, v in _pairs(rest))})"
        return title

    def label(self, name: str, default: str = "") -> str:
        return self.common_labels.get(name, self.alerts[0].labels.get(name, default))

    @property
    def summary(self) -> str:
        return self.alerts[0].annotations.get("summary") or self.alerts[0].annotations.get("message", "")

    @property
    def description(self) -> str:
        return self.alerts[0].annotations.get("description") or self.alerts[0].annotations.get("message", "")


def _am_group(
    c: _Ctx,
    kind: str,
    *,
    group_by: tuple[str, ...] | None = None,
    size: int | None = None,
    need: tuple[str, ...] = (),
    alertname: str | None = None,
    extra: Mapping[str, str] | None = None,
    mixed: float = 0.35,
) -> _AmGroup:
    """A notification group of the sample's rule: 1-4 alerts of different series, firing or resolved."""
    status = "resolved" if kind == RESOLVED else "firing"
    series = dict(c.series)
    for name in need:
        series.setdefault(name, _label_value(name, c.rng, c.rule))
    group_by = c.pick(GROUP_BYS) if group_by is None else group_by
    size = size or c.pick((1, 1, 1, 1, 2, 2, 3, 4))
    vary = next((n for n in _IDENTITY if n in series and n not in group_by), "instance")
    used = {series.get(vary)}
    prometheus = c.pick(PROM_URLS)
    alerts: list[_AmAlert] = []
    for member in range(size):
        labels = dict(series)
        if member:
            value = _label_value(vary, c.rng, c.rule)
            while value in used:
                value = f"{value}-{member}"
            used.add(value)
            labels[vary] = value
        sample = _sample_value(c.rule, c.rng)
        final = {k: v for k, v in labels.items() if k != "__name__"}
        for name, text in (c.rule.get("labels") or {}).items():
            final[name] = _expand(str(text), labels, sample)
        final["alertname"] = alertname or c.alertname
        final.update(extra or {})
        annotations = {k: _expand(str(v), labels, sample) for k, v in (c.rule.get("annotations") or {}).items()}
        member_status = status
        if status == "firing" and size >= 3 and member == size - 1 and c.chance(mixed):
            member_status = "resolved"
        expr = str(c.rule.get("expr") or "up == 0")
        alerts.append(
            _AmAlert(
                status=member_status,
                labels=final,
                annotations=annotations,
                starts=c.time - timedelta(minutes=c.num(1, 90), seconds=member * 30),
                value=sample,
                generator_url=f"{prometheus}/graph?g0.expr={quote_plus(expr)}&g0.tab=1",
            )
        )
    severity = alerts[0].labels.get("severity", "")
    receiver = "Critical" if severity == "critical" and c.chance(0.5) else c.pick(AM_RECEIVERS)
    return _AmGroup(status, alerts, tuple(group_by), receiver, c.pick(AM_URLS))


def _am_attachment(g: _AmGroup, title: str, text: str = "", **extra: Any) -> dict[str, Any]:
    """The attachment Alertmanager's Slack notifier posts (its default fields, `title`/`text` as configured)."""
    attachment = {
        "title": _esc(title),
        "title_link": g.link,
        "text": text,
        "fallback": f"{_esc(title)} | {g.link}",
        "callback_id": "",
        "footer": "",
        "color": "danger" if g.status == "firing" else "good",
        "mrkdwn_in": ["fallback", "pretext", "text"],
    }
    attachment.update(extra)
    return attachment


def _silence_url(g: _AmGroup) -> str:
    matchers = ",".join(f'{k}="{v}"' for k, v in _pairs(g.common_labels))
    return f"{g.external_url}/#/silences/new?filter={quote('{' + matchers + '}')}"


@_template("alertmanager/default", FR)
def _am_default(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind)
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, g.subject())]), kind, c.alertname


@_template("alertmanager/docs-common-annotations", FR)
def _am_docs(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind)
    ann = g.common_annotations
    text = f"<!channel> \nsummary: {_esc(ann.get('summary', ''))}\ndescription: {_esc(ann.get('description', ''))}"
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, g.subject(), text)]), kind, c.alertname


@_template("alertmanager/alert-details", FR)
def _am_details(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind)
    parts = []
    for a in g.alerts:
        severity = a.labels.get("severity")
        details = "".join(f" \u2022 *{k}:* `{_esc(v)}`\n" for k, v in _pairs(a.labels))
        parts.append(
            f"*Alert:* {_esc(a.annotations.get('summary', ''))}{f' - `{severity}`' if severity else ''}\n"
            f"*Description:* {_esc(a.annotations.get('description', ''))}\n*Details:*\n{details}"
        )
    text = "\n".join(parts)
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, g.subject(), text)]), kind, c.alertname


@_template("alertmanager/emoji-title", FR)
def _am_emoji(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind)
    emoji = c.pick(FIRE) if g.status == "firing" else c.pick(OK)
    title = f"{emoji} [{g.status_tag()}] {c.alertname}"
    if c.chance(0.4):
        title += f" ({g.label('severity', 'warning')})"
    text = "\n".join(
        f"*{_esc(a.annotations.get('summary', ''))}*\n{_esc(a.annotations.get('description', ''))}" for a in g.alerts
    )
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, text)]), kind, c.alertname


@_template("alertmanager/cluster-title", FR)
def _am_cluster(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, need=("cluster", "namespace"), group_by=c.pick((("alertname", "cluster"), ("cluster",))))
    cluster = g.label("cluster")
    word = "firing" if g.status == "firing" else "resolved"
    title = c.pick(
        (
            f"{c.alertname} {word} in {cluster}",
            f"{c.alertname} is {word} in {cluster}",
            f"{c.alertname} {word} on {cluster}",
        )
    )
    runbook = g.alerts[0].annotations.get("runbook_url") or c.rule.get("runbook_url") or ""
    lines = [
        f"*Summary:* {_esc(g.summary)}",
        f"*Severity:* `{g.label('severity', 'warning')}`",
        f"*Namespace:* {g.label('namespace')}",
    ]
    if runbook:
        lines.append(f"*Runbook:* <{runbook}|:notebook:>")
    return (
        _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, "\n".join(lines))]),
        kind,
        c.alertname,
    )


@_template("alertmanager/prod-count", FR)
def _am_prod(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, size=c.pick((1, 2, 3, 3, 4, 5)), mixed=0.0)
    env = c.pick(("PROD", "prod", "PRODUCTION", "LIVE", "prd"))
    n = len(g.alerts)
    count = f"{n} alert{'s' if n > 1 else ''}"
    if g.status == "firing":
        title = f"[{env}] {c.alertname} ({count})"
    else:
        title = c.pick((f"[{env}] [RESOLVED] {c.alertname}", f"[{env}] {c.alertname} ({count}) - resolved"))
    text = "\n".join(
        f"\u2022 `{_esc(a.labels.get('instance') or a.labels.get('pod') or a.labels.get('job', ''))}` "
        f"{_esc(a.annotations.get('summary', ''))}"
        for a in g.alerts
    )
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, text)]), kind, c.alertname


@_template("alertmanager/pipe-title", FR)
def _am_pipe(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, need=("namespace",))
    ns = g.label("namespace")
    if g.status == "firing":
        title = f"{c.pick(FIRE)} {c.alertname} | {g.label('severity', 'warning')} | {ns}"
    else:
        title = f"{c.pick(OK)} {c.alertname} | resolved | {ns}"
    text = _esc(g.description)
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, text)]), kind, c.alertname


@_template("alertmanager/labels-text", FR)
def _am_labels(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, group_by=c.pick((("namespace",), ("job",), ("cluster", "namespace"), ("severity",))))
    pairs = list(g.common_labels.items())
    c.rng.shuffle(pairs)
    if pairs and pairs[0][0] == "alertname" and len(pairs) > 1:
        pairs.append(pairs.pop(0))
    groups = " ".join(v for _, v in _pairs(g.group_labels)) or "alerts"
    title = c.pick((g.subject(), f"[{g.status_tag()}] {groups}", f"[{g.status_tag()}] {groups} alerts"))
    sep = c.pick((" ", ", ", "\n"))
    text = (
        f"*Labels:* {sep.join(f'{k}={_esc(v)}' for k, v in pairs)}\n"
        f"*Annotations:* summary={_esc(g.common_annotations.get('summary', ''))}"
    )
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, text)]), kind, c.alertname


@_template("alertmanager/severity-bracket", FR)
def _am_severity(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, size=1)
    severity = g.label("severity", "warning").upper()
    summary = g.summary.split("\n")[0]
    sep = c.pick((" - ", ": ", " \u2014 "))
    if g.status == "firing":
        title = f"[{severity}] {c.alertname}{sep}{summary}"
    else:
        title = c.pick(
            (f"[RESOLVED] [{severity}] {c.alertname}{sep}{summary}", f"[RESOLVED][{severity}] {c.alertname}")
        )
    return (
        _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, _esc(g.description))]),
        kind,
        c.alertname,
    )


@_template("alertmanager/blocks-app", FR)
def _am_blocks(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, need=("namespace",))
    firing = g.status == "firing"
    header = (
        c.pick(
            (
                f"\U0001f525 Alert firing: {c.alertname}",
                f"\U0001f6a8 {c.alertname}",
                f"[FIRING:{g.firing}] {c.alertname}",
            )
        )
        if firing
        else c.pick((f"\u2705 Resolved: {c.alertname}", f"\u2705 {c.alertname} resolved", f"[RESOLVED] {c.alertname}"))
    )
    blocks = [
        _header(header),
        _fields(
            ("Status", "Firing" if firing else "Resolved"),
            ("Severity", g.label("severity", "warning")),
            ("Namespace", g.label("namespace")),
            ("Cluster", g.label("cluster", c.pick(CLUSTERS))),
        ),
        _section(f"*Summary:* {_esc(g.summary)}\n{_esc(g.description)}"),
        _context(
            f"Started <!date^{int(g.alerts[0].starts.timestamp())}^{{date_short_pretty}} {{time}}"
            f"|{g.alerts[0].starts:%Y-%m-%d %H:%M} UTC> \u00b7 {len(g.alerts)} alert(s)"
        ),
        _buttons(
            ("Runbook", g.alerts[0].annotations.get("runbook_url") or c.rule.get("runbook_url") or None),
            ("Silence", _silence_url(g)),
            ("Query", g.alerts[0].generator_url),
        ),
    ]
    text = f"[{g.status_tag()}] {_esc(c.alertname)}"
    message = _app_post(c, APPS["promalerts"], text=text, blocks=blocks)
    if not firing and c.chance(0.5):  # the bot updates its firing post when the alert resolves
        message = _edited(c, message, c.num(300, 7200))
    return message, kind, c.alertname


@_template("alertmanager/runbook-buttons", FR)
def _am_runbook(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind)
    job = g.common_labels.get("job", "")
    title = f"[{g.status_tag()}] {c.alertname} for {job}" if job else f"[{g.status_tag()}] {c.alertname}"
    text = "\n".join(
        f"*Alert:* {_esc(c.alertname)} - {_esc(a.annotations.get('summary', ''))}\n"
        f"*Severity:* `{a.labels.get('severity', 'none')}`\n*Description:* {_esc(a.annotations.get('description', ''))}"
        for a in g.alerts
    )
    actions = [
        {
            "type": "button",
            "text": "Runbook :green_book:",
            "url": c.rule.get("runbook_url") or f"{g.external_url}/runbooks",
        },
        {"type": "button", "text": "Query :mag:", "url": g.alerts[0].generator_url},
        {"type": "button", "text": "Silence :no_bell:", "url": _silence_url(g)},
    ]
    attachment = _am_attachment(g, title, text, actions=actions)
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[attachment]), kind, c.alertname


@_template("alertmanager/text-only", FR)
def _am_text(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, size=c.pick((1, 1, 2)))
    where = g.label("instance") or g.label("pod") or g.label("namespace") or g.label("job")
    severity = g.label("severity", "warning")
    if g.status == "firing":
        head = c.pick(
            (
                f"{c.pick(FIRE)} *FIRING:{g.firing}* `{_esc(c.alertname)}`"
                + (f" on {_esc(where)}" if where else "")
                + f" ({severity})",
                f"*[FIRING:{g.firing}] {_esc(c.alertname)}*",
                f"{c.pick(FIRE)} Firing: *{_esc(c.alertname)}* [{severity}]",
            )
        )
    else:
        head = c.pick(
            (
                f"{c.pick(OK)} *RESOLVED* `{_esc(c.alertname)}`" + (f" on {_esc(where)}" if where else ""),
                f"*[RESOLVED] {_esc(c.alertname)}*",
                f"{c.pick(OK)} Resolved: *{_esc(c.alertname)}*",
            )
        )
    text = f"{head}\n>{_esc(g.summary.split(chr(10))[0])}"
    return (
        _webhook(c, c.pick(AM_USERNAMES), text=text, icon_emoji=c.pick((None, ":prometheus:", ":fire:"))),
        kind,
        c.alertname,
    )


@_template("alertmanager/mixed-group", FR)
def _am_mixed(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, size=c.pick((3, 4)), mixed=1.0)
    firing = [a for a in g.alerts if a.status == "firing"]
    resolved = [a for a in g.alerts if a.status != "firing"]

    def line(a: _AmAlert) -> str:
        target = a.labels.get("instance") or a.labels.get("pod") or a.labels.get("job", "")
        return f"\u2022 {_esc(target)}: {_esc(a.annotations.get('summary', ''))}"

    parts = []
    if firing:
        parts.append("*Firing:*\n" + "\n".join(line(a) for a in firing))
    if resolved:
        parts.append("*Resolved:*\n" + "\n".join(line(a) for a in resolved))
    attachment = _am_attachment(g, g.subject(), "\n".join(parts))
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[attachment]), kind, c.alertname


@_template("alertmanager/severity-emoji", FR)
def _am_sev_emoji(c: _Ctx, kind: str) -> _Rendered:
    g = _am_group(c, kind, need=("cluster",))
    severity = g.label("severity", "warning")
    if g.status == "firing":
        emoji = {"critical": ":red_circle:", "warning": ":large_orange_circle:"}.get(severity, ":large_blue_circle:")
    else:
        emoji = ":large_green_circle:"
    title = f"{emoji} {c.alertname}"
    text = (
        f"*Status:* {g.status}\n*Cluster:* {g.label('cluster')}\n*Severity:* {severity}\n*Summary:* {_esc(g.summary)}"
    )
    return _webhook(c, c.pick(AM_USERNAMES), attachments=[_am_attachment(g, title, text)]), kind, c.alertname


# ---------------------------------------------------------------------------------------------------------------
# Grafana (unified alerting, legacy alerting, OnCall)
# ---------------------------------------------------------------------------------------------------------------

GRAFANA_URLS = (
    "https://grafana.example.com",
    "https://grafana.prod.acme.io",
    "https://acme.grafana.net",
    "http://grafana:3000",
)
FOLDERS = (
    "Kubernetes",
    "Infrastructure",
    "Databases",
    "Payments",
    "Platform alerts",
    "SRE",
    "Node Exporter",
    "Services",
)
GRAFANA_VERSIONS = ("Grafana v10.4.1", "Grafana v11.2.0", "Grafana v11.5.2", "Grafana v12.0.1", "Grafana v12.2.1")


def _grafana_group(c: _Ctx, kind: str, *, prose: bool = False, **kwargs: Any) -> tuple[_AmGroup, str]:
    name = _prose_name(c) if prose else c.alertname
    kwargs.setdefault("group_by", ("alertname", "grafana_folder"))
    g = _am_group(c, kind, alertname=name, extra={"grafana_folder": c.pick(FOLDERS)}, **kwargs)
    g.external_url = c.pick(GRAFANA_URLS)
    return g, name


def _grafana_alert_text(c: _Ctx, g: _AmGroup, a: _AmAlert) -> str:
    value = c.pick(
        (
            f"A={_format_value(a.value)}, C=1",
            f"B={_format_value(a.value)}, C=1",
            f"[ var='A' labels={{instance={a.labels.get('instance', '')}}} value={_format_value(a.value)} ]",
        )
    )
    labels = "".join(f" - {k} = {_esc(v)}\n" for k, v in _pairs(a.labels))
    annotations = "".join(f" - {k} = {_esc(v)}\n" for k, v in sorted(a.annotations.items()))
    uid = c.hex(8)
    matchers = "&".join(f"matcher={quote_plus(f'{k}={v}')}" for k, v in _pairs(a.labels))
    return (
        f"Value: {value}\nLabels:\n{labels}Annotations:\n{annotations}"
        f"Source: {g.external_url}/alerting/grafana/{uid}/view?orgId=1\n"
        f"Silence: {g.external_url}/alerting/silence/new?alertmanager=grafana&{matchers}&orgId=1\n"
    )


def _grafana_text(c: _Ctx, g: _AmGroup) -> str:
    firing = [a for a in g.alerts if a.status == "firing"]
    resolved = [a for a in g.alerts if a.status != "firing"]
    parts = []
    if firing:
        parts.append("**Firing**\n\n" + "\n".join(_grafana_alert_text(c, g, a) for a in firing))
    if resolved:
        parts.append("**Resolved**\n\n" + "\n".join(_grafana_alert_text(c, g, a) for a in resolved))
    return "\n\n".join(parts)


def _grafana_attachment(c: _Ctx, g: _AmGroup, title: str, text: str) -> dict[str, Any]:
    return {
        "color": "#D63232" if g.status == "firing" else "#36a64f",
        "fallback": _esc(title),
        "footer": c.pick(GRAFANA_VERSIONS),
        "footer_icon": "https://grafana.com/static/assets/img/fav32.png",
        "text": text,
        "title": _esc(title),
        "title_link": f"{g.external_url}/alerting/list",
        "ts": EPOCH + c.seconds,
    }


def _grafana_post(c: _Ctx, attachment: dict[str, Any]) -> dict[str, Any]:
    username = c.pick(("Grafana", "Grafana", "grafana-alerts", "Grafana Alerting"))
    return _webhook(c, username, attachments=[attachment], icon_emoji=c.pick((None, ":grafana:")))


@_template("grafana/unified-default", FR)
def _gf_default(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, kind)
    return _grafana_post(c, _grafana_attachment(c, g, g.subject(grafana=True), _grafana_text(c, g))), kind, name


@_template("grafana/unified-prose-title", FR)
def _gf_prose(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, kind, prose=True)
    return _grafana_post(c, _grafana_attachment(c, g, g.subject(grafana=True), _grafana_text(c, g))), kind, name


@_template("grafana/group-by-folder", FR)
def _gf_folder(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(
        c, kind, group_by=c.pick((("grafana_folder",), ("grafana_folder", "namespace"))), prose=c.chance(0.3)
    )
    return _grafana_post(c, _grafana_attachment(c, g, g.subject(grafana=True), _grafana_text(c, g))), kind, name


@_template("grafana/mixed-resolved", FR)
def _gf_mixed(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, kind, size=c.pick((3, 4)), mixed=1.0)
    return _grafana_post(c, _grafana_attachment(c, g, g.subject(grafana=True), _grafana_text(c, g))), kind, name


@_template("grafana/custom-title-status", FR)
def _gf_custom(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, kind, prose=c.chance(0.3))
    status = "Firing" if g.status == "firing" else "Resolved"
    title = c.pick((f"{name} - {status}", f"{name} is {status.lower()}", f"[{status.upper()}] {name}"))
    text = "\n".join(
        f"*Summary:* {_esc(a.annotations.get('summary', ''))}\n"
        f"*Description:* {_esc(a.annotations.get('description', ''))}\n"
        f"*Severity:* {a.labels.get('severity', 'none')}"
        for a in g.alerts
    )
    return _grafana_post(c, _grafana_attachment(c, g, title, text)), kind, name


@_template("grafana/emoji-custom", FR)
def _gf_emoji(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, kind, prose=c.chance(0.4))
    firing = g.status == "firing"
    title = f"{c.pick(FIRE) if firing else c.pick(OK)} {name}"
    if firing and len(g.alerts) > 1:
        title += f" ({g.firing})"
    labels = ", ".join(f"{k}={_esc(v)}" for k, v in sorted(g.common_labels.items()) if k != "alertname")
    text = f"*Status:* {'Firing' if firing else 'Resolved'}\n*Labels:* {labels}\n{_esc(g.summary)}"
    return _grafana_post(c, _grafana_attachment(c, g, title, text)), kind, name


@_template("grafana/legacy", FRO)
def _gf_legacy(c: _Ctx, kind: str) -> _Rendered:
    prose = _prose_name(c)
    name = c.pick((prose, f"{c.pick(SERVICES)} {_lower_first(prose)}", f"{_name_words(c.alertname)} alert"))
    state, color = {FIRING: ("Alerting", "#D63232"), RESOLVED: ("OK", "#36a64f"), OTHER: ("No Data", "#888888")}[kind]
    metric = _metric(c)
    fields = []
    text = ""
    if kind == FIRING:
        text = _esc(_description_text(c, c.series, 1.0).split("\n")[0]) or " "
        fields = [
            _field(f'{metric}{{instance="{c.series.get("instance", _host(c.rng))}"}}', f"{c.rng.uniform(1, 100):.3f}")
        ]
    elif kind == OTHER:
        text = " "
    base = c.pick(GRAFANA_URLS)
    attachment = {
        "ts": EPOCH + c.seconds,
        "text": text,
        "color": color,
        "title": f"[{state}] {_esc(name)}",
        "fields": fields,
        "footer": c.pick(("Grafana v6.7.4", "Grafana v7.5.11", "Grafana v8.5.3", "Grafana v5.4.3")),
        "fallback": f"[{state}] {_esc(name)}",
        "image_url": "",
        "title_link": f"{base}/d/{c.hex(8)}/{_kebab(c)}?tab=alert&editPanel={c.num(1, 30)}&orgId=1",
        "footer_icon": "https://grafana.com/assets/img/fav32.png",
    }
    return _webhook(c, c.pick(("incoming-webhook", "Grafana", "grafana")), attachments=[attachment]), kind, name


@_template("grafana/oncall", FRO)
def _gf_oncall(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, FIRING, prose=c.chance(0.3))  # the alert group keeps its first title
    number = c.num(100, 9999)
    base = c.pick(("https://oncall.example.com", "https://acme.grafana.net/a/grafana-oncall-app"))
    link = f"{base}/alert-groups/I{c.hex(10).upper()}"
    via = c.pick(("Grafana Alerting", "Alertmanager", "Grafana"))
    title = f"#{number} {g.subject(grafana=True).strip()}"
    who = f"<@{c.pick(USER_IDS)}>"
    status, emoji, actions = {
        FIRING: ("Firing", ":red_circle:", ("Acknowledge", "Resolve", "Silence")),
        RESOLVED: (f"Resolved by {who}", ":large_green_circle:", ("Unresolve",)),
        OTHER: (f"Acknowledged by {who}", ":large_orange_circle:", ("Unacknowledge", "Resolve", "Silence")),
    }[kind]
    blocks = [
        _section(f"{emoji} *<{link}|{_esc(title)}>* via {via}"),
        _context(f"Alert Group status: *{status}* \u00b7 fired {c.num(1, 9)} time(s) \u00b7 team {c.pick(TEAMS)}"),
        _buttons(*((a, None) for a in actions)),
    ]
    message = _app_post(c, APPS["oncall"], text=f"{title}", blocks=blocks)
    if kind != FIRING:
        message = _edited(c, message, c.num(120, 5400))
    return message, kind, name


@_template("grafana/bot-token", FR)
def _gf_bot(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(
        c, kind, group_by=c.pick((("alertname", "grafana_folder"), ("alertname", "cluster"))), need=("cluster",)
    )
    attachment = _grafana_attachment(c, g, g.subject(grafana=True), _grafana_text(c, g))
    return _app_post(c, APPS["grafana"], attachments=[attachment]), kind, name


@_template("grafana/summary-title", FR)
def _gf_summary(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, kind)
    title = f"[{g.status_tag(grafana=True)}] {g.summary.split(chr(10))[0] or name}"
    pairs = [(k, v) for k, v in g.common_labels.items() if k != "alertname"]
    c.rng.shuffle(pairs)
    pairs.insert(c.num(min(1, len(pairs)), len(pairs)), ("alertname", name))
    text = f"*Alert:* `{_esc(name)}`\n*Labels:* {', '.join(f'{k}={_esc(v)}' for k, v in pairs)}\n{_esc(g.description)}"
    return _grafana_post(c, _grafana_attachment(c, g, title, text)), kind, name


# ---------------------------------------------------------------------------------------------------------------
# Datadog
# ---------------------------------------------------------------------------------------------------------------

DD_SITES = ("https://app.datadoghq.com", "https://app.datadoghq.eu", "https://us5.datadoghq.com")
DD_HANDLES = (
    "@slack-ops-alerts",
    "@slack-platform",
    "@pagerduty-Platform",
    "@oncall-sre",
    "@slack-prod-alerts",
    "@opsgenie-core",
)
DD_COLORS = {
    "Triggered": "#d9534f",
    "Re-Triggered": "#d9534f",
    "Recovered": "#5cb85c",
    "Warn": "#f0ad4e",
    "No Data": "#888888",
}
DD_EMOJI = {
    "Triggered": "\U0001f534",
    "Re-Triggered": "\U0001f534",
    "Recovered": "\U0001f7e2",
    "Warn": "\U0001f7e1",
    "No Data": "\u26aa",
}
_DD_METRICS = (
    (("cpu", "load", "throttl"), "system.cpu.user"),
    (("memory", "mem", "oom", "heap"), "system.mem.pct_usable"),
    (("disk", "filesystem", "volume", "storage", "space", "inode"), "system.disk.in_use"),
    (("latency", "slow", "duration"), "trace.http.request.duration.by.service.99p"),
    (("error", "5xx", "fail"), "trace.http.request.errors"),
    (("restart", "crash", "pod"), "kubernetes.containers.restarts"),
    (("replica", "lag", "replication"), "postgresql.replication_delay"),
    (("down", "unreachable", "absent", "up"), "network.http.can_connect"),
)


def _dd_status(c: _Ctx, kind: str) -> str:
    if kind == FIRING:
        return "Re-Triggered" if c.chance(0.2) else "Triggered"
    if kind == RESOLVED:
        return "Recovered"
    return "Warn" if c.chance(0.7) else "No Data"


def _dd_metric(c: _Ctx, name: str | None = None) -> str:
    """The metric a monitor watches: by keywords of its name (a native monitor) or of the rule's name."""
    low = (name or c.alertname).lower()
    for keys, metric in _DD_METRICS:
        if any(k in low for k in keys):
            return metric
    return "trace.http.request.hits" if name else f"prometheus.{_metric(c)}"


def _dd_scope(c: _Ctx, style: str | None = None) -> tuple[str, dict[str, str]]:
    """A monitor's group scope as Datadog prints it (`host:web-01`, `env:prod,service:checkout-api`)."""
    style = style or c.pick(("host", "host", "service", "kube", "service-env"))
    env = c.pick(("prod", "production", "staging", "prod-eu"))
    host = c.series.get("instance", _host(c.rng)).split(":")[0] if c.chance(0.3) else f"{_host(c.rng)}.{env}"
    svc = c.pick(SERVICES)
    tags = {
        "host": {"host": host},
        "service": {"service": svc},
        "kube": {"kube_namespace": c.pick(NAMESPACES), "kube_deployment": c.pick(LABEL_POOLS["deployment"])},
        "service-env": {"env": env, "service": svc},
    }[style]
    return ",".join(f"{k}:{v}" for k, v in tags.items()), tags


def _dd_name(c: _Ctx, tags: Mapping[str, str]) -> str:
    """A monitor name derived from the rule, with template variables rendered from the scope."""
    subject = tags.get("host") or tags.get("service") or tags.get("kube_deployment") or c.pick(SERVICES)
    prose = _prose_name(c)
    words = _name_words(c.alertname)
    return c.pick(
        (
            prose,
            f"{prose} on {subject}",
            f"{subject}: {_lower_first(prose)}",
            f"{words} on {subject}",
            words,
            f"{words} - {subject}",
        )
    )


def _dd_title(status: str, name: str, scope: str | None, priority: str | None) -> str:
    head = f"[{priority}] " if priority else ""
    return f"{head}[{status}{f' on {{{scope}}}' if scope else ''}] {name}"


def _dd_body(c: _Ctx, status: str, scope: str, monitor: int, description: str | None = None, name: str = "") -> str:
    site = c.pick(DD_SITES)
    handles = " ".join(c.rng.sample(DD_HANDLES, c.num(1, 2)))
    if description is None:
        description = _description_text(c, c.series, c.rng.uniform(1, 100)).split("\n")[0]
        metric, threshold = _dd_metric(c), _threshold(c) or str(c.num(1, 95))
    else:  # a monitor of Datadog's own idiom, not derived from the rule
        metric, threshold = _dd_metric(c, name), str(c.num(1, 95))
    query = f"avg(last_{c.pick(('5m', '10m', '15m', '1h'))}):avg:{metric}{{{scope or '*'}}} > {threshold}"
    when = _when(c, "%a %b %d %Y %H:%M:%S UTC")
    if status == "Recovered":
        lead = f"{handles} Recovered: {_esc(description)}"
    elif status in ("Warn", "No Data"):
        lead = f"{handles} {status}: {_esc(description)}"
    else:
        lead = f"{handles} {_esc(description)}"
    link = f"{site}/monitors/{monitor}?to_ts={(EPOCH + c.seconds) * 1000}&from_ts={(EPOCH + c.seconds - 900) * 1000}"
    return (
        f"{lead}\n\n`{_esc(query)}`\n\nThe monitor was last triggered at {when}.\n\n- - -\n\n"
        f"<{link}|Monitor Status> \u00b7 <{site}/monitors#{monitor}/edit|Edit Monitor>"
    )


def _dd_attachment(
    c: _Ctx,
    kind: str,
    *,
    scoped: bool | None,
    priority: float,
    name: str | None = None,
    scope: tuple[str, dict[str, str]] | None = None,
    description: str | None = None,
) -> tuple[dict[str, Any], str, str]:
    """The Datadog app's classic attachment of a monitor event: (attachment, monitor name, status word)."""
    status = _dd_status(c, kind)
    scope_text, tags = scope or _dd_scope(c)
    name = name or _dd_name(c, tags)
    show_scope = c.chance(0.7) if scoped is None else scoped
    p = f"P{c.num(1, 5)}" if c.chance(priority) else None
    title = _dd_title(status, name, scope_text if show_scope else None, p)
    monitor = c.num(1000000, 99999999)
    attachment = {
        "fallback": _esc(title),
        "title": _esc(title),
        "text": _dd_body(c, status, scope_text, monitor, description, name) if c.chance(0.8) else "",
        "color": DD_COLORS[status],
        "title_link": f"{c.pick(DD_SITES)}/event/event?id={c.num(10**18, 10**19 - 1)}",
    }
    return attachment, name, status


@_template("datadog/classic-scoped", FRO)
def _dd_scoped(c: _Ctx, kind: str) -> _Rendered:
    attachment, name, _ = _dd_attachment(c, kind, scoped=True, priority=0.5)
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/classic-unscoped", FRO)
def _dd_unscoped(c: _Ctx, kind: str) -> _Rendered:
    attachment, name, _ = _dd_attachment(c, kind, scoped=False, priority=0.2)
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/priority-first", FRO)
def _dd_priority(c: _Ctx, kind: str) -> _Rendered:
    attachment, name, _ = _dd_attachment(c, kind, scoped=c.chance(0.3), priority=1.0)
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/multi-scope", FRO)
def _dd_multi(c: _Ctx, kind: str) -> _Rendered:
    scope = _dd_scope(c, c.pick(("service-env", "kube")))
    attachment, name, _ = _dd_attachment(c, kind, scoped=True, priority=0.4, scope=scope)
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/slack-app-blocks", FRO)
def _dd_blocks(c: _Ctx, kind: str) -> _Rendered:
    status = _dd_status(c, kind)
    scope, tags = _dd_scope(c)
    name = _dd_name(c, tags)
    site = c.pick(DD_SITES)
    monitor = c.num(1000000, 99999999)
    url = f"{site}/monitors/{monitor}"
    muted = kind == OTHER and c.chance(0.3)
    if muted:
        who = c.pick(PEOPLE)
        head, line, text = (
            "Monitor Muted",
            f"\U0001f515 *Muted: <{url}|{_esc(name)}>* by {who} for {c.pick(('1h', '4h', '1d'))}",
            f"Muted: {name}",
        )
    else:
        head = c.pick(("Monitor Alert", "Monitor Alert", f"Monitor {status}"))
        line, text = f"{DD_EMOJI[status]} *{status}: <{url}|{_esc(name)}>*", f"{status}: {name}"
    blocks = [
        _header(head),
        _section(line),
        _section(_esc(_description_text(c, c.series, c.rng.uniform(1, 100)).split("\n")[0]) or _esc(name)),
        _fields(
            ("Priority", f"P{c.num(1, 5)}" if c.chance(0.6) else ""),
            ("Scope", f"`{scope}`"),
            ("Monitor type", c.pick(("metric alert", "query alert", "service check", "log alert"))),
            ("Tags", f"team:{c.pick(TEAMS)}, env:{c.pick(('prod', 'staging'))}"),
        ),
        _context(f"Datadog \u00b7 {_when(c, '%b %d, %H:%M UTC')}"),
        _buttons(("View Monitor", url), ("Mute", None), ("Declare Incident", None)),
    ]
    return _app_post(c, APPS["datadog"], text=_esc(text), blocks=blocks), kind, name


@_template("datadog/webhook-custom", FRO)
def _dd_webhook(c: _Ctx, kind: str) -> _Rendered:
    status = _dd_status(c, kind)
    scope, tags = _dd_scope(c)
    name = _dd_name(c, tags)
    url = f"{c.pick(DD_SITES)}/monitors/{c.num(1000000, 99999999)}"
    emoji = {
        "Triggered": ":red_circle:",
        "Re-Triggered": ":red_circle:",
        "Recovered": ":large_green_circle:",
        "Warn": ":warning:",
        "No Data": ":grey_question:",
    }[status]
    priority = f"P{c.num(1, 4)}"
    text = c.pick(
        (
            f"{emoji} *{status}*: <{url}|{_esc(name)}>\nScope: `{scope}` \u00b7 Priority: {priority}",
            f"{emoji} *{_esc(name)}* is {status.lower()}\n>{scope}",
            f"*[{status}]* {_esc(name)} ({scope})\n<{url}|Open in Datadog>",
        )
    )
    return (
        _webhook(c, c.pick(("Datadog Alerts", "datadog-webhook", "DD Monitors")), text=text, icon_emoji=":dog:"),
        kind,
        name,
    )


@_template("datadog/is-alert-body", FRO)
def _dd_is_alert(c: _Ctx, kind: str) -> _Rendered:
    attachment, name, status = _dd_attachment(c, kind, scoped=True, priority=0.3)
    subject = _esc(_summary_text(c).split("\n")[0])
    body = {
        "Recovered": f"\u2705 Recovered - {subject}. No action needed.",
        "Warn": f"\u26a0\ufe0f Warning threshold reached - {subject}. Keep an eye on it.",
        "No Data": f"No data received for {c.pick(('10 minutes', '15 minutes', '1 hour'))}. Check the agent.",
    }.get(status, f"\U0001f6a8 {subject}\nRunbook: {c.rule.get('runbook_url') or 'https://wiki.example.com/runbooks'}")
    attachment["text"] = f"{' '.join(c.rng.sample(DD_HANDLES, 2))}\n{body}"
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/apm-names", FRO)
def _dd_apm(c: _Ctx, kind: str) -> _Rendered:
    svc, env = c.pick(SERVICES), c.pick(("prod", "production", "staging"))
    rate, latency = f"{c.rng.uniform(2, 40):.1f}%", f"{c.num(300, 4000)}ms"
    name, description = c.pick(
        (
            (
                f"Service {svc} has a high error rate on env:{env}",
                f"{svc} error rate is {rate} over the last 10 minutes.",
            ),
            (f"Service {svc} has a high p99 latency on env:{env}", f"{svc} p99 latency is {latency}."),
            (f"High error rate on {svc}", f"Error rate on {svc} is {rate}, above the 5% threshold."),
            (f"{svc} p95 latency above {c.pick(('300ms', '500ms', '1s'))}", f"p95 latency on {svc} is {latency}."),
            (
                f"Service {svc} has an abnormal change in throughput on env:{env}",
                "Throughput dropped by 63% compared to last week.",
            ),
            (
                f"Error budget burn rate high - {svc}",
                f"{svc} is burning its 30-day error budget 14x faster than sustainable.",
            ),
        )
    )
    scope = (f"env:{env},service:{svc}", {"env": env, "service": svc})
    attachment, name, _ = _dd_attachment(
        c, kind, scoped=c.chance(0.6), priority=0.5, name=name, scope=scope, description=description
    )
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/log-monitor", FRO)
def _dd_logs(c: _Ctx, kind: str) -> _Rendered:
    svc = c.pick(SERVICES)
    name = c.pick(
        (
            f"Error logs spike on {svc}",
            f"{svc} - too many 5xx in access logs",
            f"Payment provider timeouts in {svc} logs",
            f"OOM messages in {svc} logs",
            f"{_prose_name(c)} (logs)",
        )
    )
    status = _dd_status(c, kind)
    condition = c.pick(("NOT_SYNCHRONIZED", "TIMEOUT", "NO_RESPONSE", "DB_ERROR"))
    scope = c.pick((f"@conditions:{condition}", f"service:{svc}", f"status:error,service:{svc}"))
    title = _dd_title(status, name, scope if c.chance(0.7) else None, f"P{c.num(1, 4)}" if c.chance(0.4) else None)
    site = c.pick(DD_SITES)
    count = c.num(5, 500)
    text = (
        f"{c.pick(DD_HANDLES)}\n\nMore than *{count}* log events matched in the last *{c.pick(('1m', '5m', '15m'))}* "
        f"against the monitored query: "
        f"*<{site}/logs/analytics?query=status%3Aerror+service%3A{svc}|status:error service:{svc}>*"
    )
    attachment = {"fallback": _esc(title), "title": _esc(title), "text": text, "color": DD_COLORS[status]}
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


@_template("datadog/kubernetes-names", FRO)
def _dd_kube(c: _Ctx, kind: str) -> _Rendered:
    ns, deploy = c.pick(NAMESPACES), c.pick(LABEL_POOLS["deployment"])
    name, description = c.pick(
        (
            (
                f"Pods in CrashLoopBackOff in namespace {ns}",
                f"{c.num(1, 6)} pod(s) of {deploy} are in CrashLoopBackOff.",
            ),
            (f"Deployment {deploy} has unavailable replicas", f"{deploy} has {c.num(1, 3)} unavailable replica(s)."),
            (f"Kubernetes node not ready on {c.pick(CLUSTERS)}", "A node has been NotReady for more than 5 minutes."),
            (
                f"Container restarts high for {deploy}",
                f"{deploy} containers restarted {c.num(4, 40)} times in 30 minutes.",
            ),
            (f"PVC almost full in {ns}", f"A persistent volume in {ns} is {c.num(85, 99)}% full."),
            (f"{_name_words(c.alertname)} in {ns}", None),
        )
    )
    scope = (f"kube_namespace:{ns},kube_deployment:{deploy}", {"kube_namespace": ns, "kube_deployment": deploy})
    attachment, name, _ = _dd_attachment(
        c, kind, scoped=c.chance(0.7), priority=0.4, name=name, scope=scope, description=description
    )
    return _app_post(c, APPS["datadog"], attachments=[attachment]), kind, name


# ---------------------------------------------------------------------------------------------------------------
# relays: what PagerDuty and Opsgenie carry as an incident's / alert's title
# ---------------------------------------------------------------------------------------------------------------


def _relay_am(c: _Ctx, style: str | None = None) -> tuple[str, str, str]:
    """An Alertmanager alert as a relay's title (set when it fired; the relay keeps it): (title, alertname, source)."""
    style = style or c.pick(("default", "default", "default", "custom-colon", "custom-sev", "custom-ns"))
    g = _am_group(c, FIRING, size=c.pick((1, 1, 2, 3)), mixed=0.0, need=("namespace",) if style == "custom-ns" else ())
    summary = g.summary.split("\n")[0]
    title = {
        "default": g.subject().strip(),
        "custom-colon": f"{c.alertname}: {summary}",
        "custom-sev": f"[{g.label('severity', 'warning').upper()}] {c.alertname} - {summary}",
        "custom-ns": f"{c.alertname} ({g.label('namespace')} {g.label('severity', 'warning')})",
    }[style]
    return title, c.alertname, c.pick(("Alertmanager", "Prometheus Alertmanager", "Prometheus"))


def _relay_native(c: _Ctx) -> tuple[str, str, str]:
    """A title from a tool other than Alertmanager: (title, gold name, source)."""
    style = c.pick(("summary", "summary", "datadog", "cloudwatch", "grafana"))
    if style == "datadog":
        scope, tags = _dd_scope(c)
        name = _dd_name(c, tags)
        title = c.pick(
            (f"[Triggered on {{{scope}}}] {name}", f"[Triggered] {name}", f"[P{c.num(1, 3)}] [Triggered] {name}")
        )
        return title, name, "Datadog"
    if style == "cloudwatch":
        alarm = _cw_alarm(c)
        return (
            f'ALARM: "{alarm.name}" in {REGIONS[alarm.region]}',
            alarm.name,
            c.pick(("CloudWatch", "Amazon CloudWatch")),
        )
    if style == "grafana":
        g, name = _grafana_group(c, FIRING, size=1)
        return g.subject(grafana=True).strip(), name, "Grafana"
    title = _summary_text(c).split("\n")[0].rstrip(".")
    return title, title, c.pick(("API", "Events API v2", "Custom integration"))


def _relay(c: _Ctx, am: float) -> tuple[str, str, str]:
    return _relay_am(c) if c.chance(am) else _relay_native(c)


# ---------------------------------------------------------------------------------------------------------------
# PagerDuty
# ---------------------------------------------------------------------------------------------------------------

PD_DOMAINS = ("acme", "example", "platform-co", "shopco")
PD_COLORS = {"Triggered": "#a30200", "Acknowledged": "#f2c744", "Resolved": "#2eb67d"}


@dataclass
class _Incident:
    number: int
    id: str
    url: str
    title: str
    alert: str
    source: str
    service: str
    urgency: str
    priority: str
    assignee: str
    action: str  # the event's word: Triggered / Acknowledged / Resolved / Escalated / Note added / ...
    state: str  # the incident's status after it: Triggered / Acknowledged / Resolved
    detail: str  # "Acknowledged by Jane Doe", "Escalated to Sam (level 2)", ...
    color: str
    emoji: str


def _pd_action(c: _Ctx, kind: str, who: str) -> tuple[str, str, str, str, str]:
    """(action, incident state, detail line, colour, emoji) of an incident event of this kind."""
    if kind == FIRING:
        return "Triggered", "Triggered", "Triggered", PD_COLORS["Triggered"], ":red_circle:"
    if kind == RESOLVED:
        by = c.pick((f" by {who}", f" by {who}", "", " automatically by the integration"))
        return "Resolved", "Resolved", f"Resolved{by}", PD_COLORS["Resolved"], ":large_green_circle:"
    other = c.pick(("ack", "ack", "escalated", "reassigned", "note", "priority", "unack", "snoozed"))
    someone = c.pick([p for p in PEOPLE if p != who])
    acked, triggered = "Acknowledged", "Triggered"
    return {
        "ack": ("Acknowledged", acked, f"Acknowledged by {who}", PD_COLORS["Acknowledged"], ":large_yellow_circle:"),
        "escalated": ("Escalated", triggered, f"Escalated to {someone} (level {c.num(2, 3)})", "#ff9900", ":arrow_up:"),
        "reassigned": (
            "Reassigned",
            c.pick((acked, triggered)),
            f"Reassigned to {someone} by {who}",
            "#f2c744",
            ":arrows_counterclockwise:",
        ),
        "note": (
            "Note added",
            c.pick((acked, triggered)),
            f"Note added by {who}: {c.pick(NOTES)}",
            "#6c7a89",
            ":memo:",
        ),
        "priority": (
            "Priority changed",
            c.pick((acked, triggered)),
            f"Priority changed from P{c.num(3, 5)} to P{c.num(1, 2)} by {who}",
            "#6c7a89",
            ":arrow_double_up:",
        ),
        "unack": (
            "Unacknowledged",
            triggered,
            "Unacknowledged: the acknowledgement timed out",
            "#a30200",
            ":red_circle:",
        ),
        "snoozed": (
            "Snoozed",
            acked,
            f"Snoozed by {who} for {c.pick(('1 hour', '4 hours', '30 minutes'))}",
            "#f2c744",
            ":zzz:",
        ),
    }[other]


NOTES = (
    "looking into it, probably the nightly batch",
    "rolled back the last deploy",
    "vendor confirmed an outage on their side",
    "restarted the consumer, watching lag",
    "disk extended, will clean up tomorrow",
    "known issue, see OPS-1423",
    "scaling the node pool",
)


def _team_name(team: str) -> str:
    return team.upper() if len(team) <= 3 else team.title()


def _incident(c: _Ctx, kind: str, *, am: float) -> _Incident:
    title, alert, source = _relay(c, am)
    who = c.pick(PEOPLE)
    action, state, detail, color, emoji = _pd_action(c, kind, who)
    number = c.num(1000, 99999)
    pid = "Q" + "".join(c.rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=12))
    svc = c.pick(SERVICES)
    return _Incident(
        number=number,
        id=pid,
        url=f"https://{c.pick(PD_DOMAINS)}.pagerduty.com/incidents/{pid}",
        title=title,
        alert=alert,
        source=source,
        service=c.pick((f"{svc} ({source})", f"{_team_name(c.pick(TEAMS))} - Production", svc, f"{svc}-prod")),
        urgency=c.pick(("High", "High", "Low")),
        priority=c.pick(("P1", "P2", "P3", "P4", "")),
        assignee=who,
        action=action,
        state=state,
        detail=detail,
        color=color,
        emoji=emoji,
    )


def _pd_classic(i: _Incident, *, fields: bool = True) -> dict[str, Any]:
    """The classic attachment: the incident's fields, and the event's line as pretext when it is not the status."""
    attachment: dict[str, Any] = {
        "fallback": f"{_esc(i.detail)}: [#{i.number}] {_esc(i.title)}",
        "color": i.color,
        "title": f"[#{i.number}] {_esc(i.title)}",
        "title_link": i.url,
        "footer": "PagerDuty",
    }
    if not fields or i.action != i.state:
        attachment["pretext"] = _esc(i.detail)
    if fields:
        attachment["fields"] = [
            _field("Status", i.state),
            _field("Urgency", i.urgency),
            *([_field("Priority", i.priority)] if i.priority else []),
            _field("Service", i.service),
            _field("Assigned", i.assignee),
        ]
    return attachment


def _pd_blocks(i: _Incident) -> list[dict[str, Any]]:
    rest = i.detail[len(i.action) :].strip() if i.detail.startswith(i.action) else i.detail
    head = f"{i.emoji} *{i.action}*" + (f" {_esc(rest)}" if rest else "")
    actions = (
        _buttons(("Acknowledge", None), ("Resolve", None))
        if i.state != "Resolved"
        else _context("Resolved incidents can be reopened in PagerDuty")
    )
    return [
        _section(f"{head}\n*<{i.url}|[#{i.number}] {_esc(i.title)}>*"),
        _fields(("Service", i.service), ("Urgency", i.urgency), ("Priority", i.priority), ("Assigned", i.assignee)),
        actions,
    ]


@_template("pagerduty/classic-relay-am", FRO)
def _pd_classic_am(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=1.0)
    return _app_post(c, APPS["pagerduty"], attachments=[_pd_classic(i)]), kind, i.alert


@_template("pagerduty/classic-native", FRO)
def _pd_classic_native(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.0)
    return _app_post(c, APPS["pagerduty"], attachments=[_pd_classic(i)]), kind, i.alert


@_template("pagerduty/classic-compact", FRO)
def _pd_compact(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.6)
    return _app_post(c, APPS["pagerduty"], attachments=[_pd_classic(i, fields=False)]), kind, i.alert


@_template("pagerduty/blocks-relay-am", FRO)
def _pd_blocks_am(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=1.0)
    text = f"{i.detail}: [#{i.number}] {_esc(i.title)}"
    return _app_post(c, APPS["pagerduty"], text=text, blocks=_pd_blocks(i)), kind, i.alert


@_template("pagerduty/blocks-native", FRO)
def _pd_blocks_native(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.0)
    text = f"{_esc(i.detail)}: [#{i.number}] {_esc(i.title)}"
    return _app_post(c, APPS["pagerduty"], text=text, blocks=_pd_blocks(i)), kind, i.alert


@_template("pagerduty/blocks-edited", FRO)
def _pd_edited(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.7)
    text = f"{_esc(i.detail)}: [#{i.number}] {_esc(i.title)}"
    message = _app_post(c, APPS["pagerduty"], text=text, blocks=_pd_blocks(i))
    if kind != FIRING:  # the app rewrites the incident's message as its status changes
        message = _edited(c, message, c.num(60, 7200))
    return message, kind, i.alert


@_template("pagerduty/text-v1", FRO)
def _pd_text(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.7)
    text = c.pick(
        (
            f"*{_esc(i.detail)}* <{i.url}|#{i.number}>: {_esc(i.title)}\n"
            f"Service: {i.service} \u00b7 Urgency: {i.urgency}",
            f"{i.emoji} {_esc(i.detail)}: <{i.url}|[#{i.number}] {_esc(i.title)}>",
            f"Incident <{i.url}|#{i.number}> *{i.action.lower()}* ({_esc(i.title)}) on {i.service}",
        )
    )
    return _webhook(c, "PagerDuty", text=text, icon_emoji=":pagerduty:"), kind, i.alert


@_template("pagerduty/thread-updates", (RESOLVED, OTHER, OTHER))
def _pd_thread(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.7)
    text = f"{i.emoji} *{_esc(i.detail)}*\n<{i.url}|[#{i.number}] {_esc(i.title)}>"
    message = _app_post(c, APPS["pagerduty"], text=text, thread_ts=c.ts(-c.num(120, 7200)))
    return message, kind, i.alert


@_template("pagerduty/incident-details", FRO)
def _pd_details(c: _Ctx, kind: str) -> _Rendered:
    i = _incident(c, kind, am=0.6)
    blocks = [
        _header(f"{i.action}: #{i.number}"),
        _section(f"*<{i.url}|{_esc(i.title)}>*\n{_esc(i.detail)}"),
        _fields(
            ("Service", i.service),
            ("Priority", i.priority or "None"),
            ("Urgency", i.urgency),
            ("Assignee", i.assignee),
            ("Escalation policy", f"{_team_name(c.pick(TEAMS))} on-call"),
        ),
        _buttons(("View in PagerDuty", i.url), ("Add note", None)),
    ]
    text = f"{_esc(i.detail)}: #{i.number} {_esc(i.title)}"
    return _app_post(c, APPS["pagerduty"], text=text, blocks=blocks), kind, i.alert


@_template("pagerduty/relay-datadog", FRO)
def _pd_relay_dd(c: _Ctx, kind: str) -> _Rendered:
    scope, tags = _dd_scope(c)
    name = _dd_name(c, tags)
    i = _incident(c, kind, am=1.0)
    i.title = c.pick(
        (
            f"[Triggered on {{{scope}}}] {name}",
            f"[Triggered] {name}",
            f"[P{c.num(1, 3)}] [Triggered on {{{scope}}}] {name}",
        )
    )
    i.alert = name
    i.service = f"Datadog - {_team_name(c.pick(TEAMS))}"
    return _app_post(c, APPS["pagerduty"], attachments=[_pd_classic(i)]), kind, name


@_template("pagerduty/relay-cloudwatch", FRO)
def _pd_relay_cw(c: _Ctx, kind: str) -> _Rendered:
    alarm = _cw_alarm(c)
    i = _incident(c, kind, am=1.0)
    i.title = c.pick((f'ALARM: "{alarm.name}" in {REGIONS[alarm.region]}', f"{alarm.name}: {alarm.description}"))
    i.alert = alarm.name
    i.service = c.pick(("AWS CloudWatch", f"CloudWatch {alarm.env}"))
    text = f"{_esc(i.detail)}: [#{i.number}] {_esc(i.title)}"
    return _app_post(c, APPS["pagerduty"], text=text, blocks=_pd_blocks(i)), kind, alarm.name


# ---------------------------------------------------------------------------------------------------------------
# Opsgenie (and Jira Service Management, its successor)
# ---------------------------------------------------------------------------------------------------------------

OG_COLORS = {"P1": "#d13212", "P2": "#ff7a00", "P3": "#ffb000", "P4": "#2d9ee0", "P5": "#8a9ba8"}


@dataclass
class _OgAlert:
    tiny: int
    url: str
    message: str
    alert: str
    priority: str
    action: str  # the line Opsgenie writes: "New alert", "Acknowledged by x", ...
    status: str  # Open / Acked / Closed / Snoozed
    source: str
    entity: str
    tags: str


def _og_action(c: _Ctx, kind: str) -> tuple[str, str]:
    email = f"{c.pick(PEOPLE).split()[0].lower()}@{c.pick(('acme.io', 'example.com', 'shopco.dev'))}"
    if kind == FIRING:
        return c.pick(("New alert", "New alert", "Alert created", "Created")), "Open"
    if kind == RESOLVED:
        return c.pick(
            (f"Closed by {email}", f"Closed by {email}", "Closed by Alertmanager", "Closed automatically")
        ), "Closed"
    return c.pick(
        (
            (f"Acknowledged by {email}", "Acked"),
            (f"Acknowledged by {email}", "Acked"),
            (f"Snoozed by {email} until {_when(c, '%d %b %Y %H:%M', 3600)}", "Snoozed"),
            (f"Escalated to {c.pick(TEAMS)}_escalation", "Open"),
            (f"Assigned to {c.pick(PEOPLE)} by {email}", "Open"),
            (f"Note added by {email}: {c.pick(NOTES)}", "Acked"),
            (f"Priority changed from P{c.num(3, 5)} to P{c.num(1, 2)} by {email}", "Open"),
            (f"Unacknowledged by {email}", "Open"),
        )
    )


def _og_alert(c: _Ctx, kind: str, *, am: float, relay: tuple[str, str, str] | None = None) -> _OgAlert:
    message, alert, source = relay or _relay(c, am)
    action, status = _og_action(c, kind)
    return _OgAlert(
        tiny=c.num(100, 99999),
        url=f"https://{c.pick(PD_DOMAINS)}.app.opsgenie.com/alert/detail/{c.uid()}/details",
        message=message,
        alert=alert,
        priority=c.pick(("P1", "P2", "P3", "P3", "P4", "P5")),
        action=action,
        status=status,
        source=source,
        entity=c.pick((c.pick(SERVICES), c.series.get("instance", ""), c.pick(CLUSTERS))) or c.pick(SERVICES),
        tags=", ".join(
            c.rng.sample(("critical", "prod", "k8s", "team:" + c.pick(TEAMS), "OverwriteQuietHours", "db"), 2)
        ),
    )


def _og_classic(a: _OgAlert, *, fields: bool = True) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "fallback": f"{_esc(a.action)}: [{a.priority}] #{a.tiny}: {_esc(a.message)}",
        "pretext": _esc(a.action),
        "color": OG_COLORS[a.priority],
        "title": f"#{a.tiny}: {_esc(a.message)}",
        "title_link": a.url,
    }
    if fields:
        attachment["fields"] = [
            _field("Priority", a.priority),
            _field("Entity", a.entity),
            _field("Source", a.source),
            _field("Tags", a.tags),
        ]
    return attachment


def _og_blocks(a: _OgAlert) -> list[dict[str, Any]]:
    emoji = {
        "Open": ":red_circle:",
        "Acked": ":large_yellow_circle:",
        "Closed": ":large_green_circle:",
        "Snoozed": ":zzz:",
    }[a.status]
    return [
        _section(f"{emoji} *{_esc(a.action)}*\n*<{a.url}|#{a.tiny}: {_esc(a.message)}>*"),
        _fields(("Priority", a.priority), ("Status", a.status), ("Source", a.source), ("Tags", a.tags)),
        _buttons(("Acknowledge", None), ("Close", None), ("Take Ownership", None), ("More", None))
        if a.status != "Closed"
        else _context(f"Closed \u00b7 {a.source}"),
    ]


@_template("opsgenie/classic-relay-am", FRO)
def _og_classic_am(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=1.0)
    return _app_post(c, APPS["opsgenie"], attachments=[_og_classic(a)]), kind, a.alert


@_template("opsgenie/classic-native", FRO)
def _og_classic_native(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=0.0)
    return _app_post(c, APPS["opsgenie"], attachments=[_og_classic(a)]), kind, a.alert


@_template("opsgenie/classic-compact", FRO)
def _og_compact(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=0.6)
    return _app_post(c, APPS["opsgenie"], attachments=[_og_classic(a, fields=False)]), kind, a.alert


@_template("opsgenie/blocks-relay-am", FRO)
def _og_blocks_am(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=1.0)
    text = f"{_esc(a.action)}: #{a.tiny}: {_esc(a.message)}"
    return _app_post(c, APPS["opsgenie"], text=text, blocks=_og_blocks(a)), kind, a.alert


@_template("opsgenie/blocks-native", FRO)
def _og_blocks_native(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=0.0)
    text = f"{_esc(a.action)}: #{a.tiny}: {_esc(a.message)}"
    return _app_post(c, APPS["opsgenie"], text=text, blocks=_og_blocks(a)), kind, a.alert


@_template("opsgenie/blocks-edited", FRO)
def _og_edited(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=0.7)
    text = f"{_esc(a.action)}: #{a.tiny}: {_esc(a.message)}"
    message = _app_post(c, APPS["opsgenie"], text=text, blocks=_og_blocks(a))
    if kind != FIRING:
        message = _edited(c, message, c.num(60, 7200))
    return message, kind, a.alert


@_template("opsgenie/text-legacy", FRO)
def _og_text(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=0.7)
    text = c.pick(
        (
            f"[{a.priority}] *{_esc(a.action)}*: <{a.url}|#{a.tiny}: {_esc(a.message)}>",
            f"*{_esc(a.action)}* <{a.url}|#{a.tiny}>: {_esc(a.message)} ({a.priority})",
            f"[Opsgenie] {_esc(a.action)}: #{a.tiny}: {_esc(a.message)}",
        )
    )
    return _webhook(c, "Opsgenie", text=text, icon_emoji=":opsgenie:"), kind, a.alert


@_template("opsgenie/jsm", FRO)
def _og_jsm(c: _Ctx, kind: str) -> _Rendered:
    a = _og_alert(c, kind, am=0.6)
    key = c.pick(("OPS", "ITOPS", "SRE"))
    a.url = f"https://{c.pick(PD_DOMAINS)}.atlassian.net/jira/ops/alerts/{c.uid()}"
    blocks = [
        _section(f"*{_esc(a.action)}*"),
        _section(f"*<{a.url}|{_esc(a.message)}>*"),
        _fields(
            ("Alert", f"#{a.tiny}"), ("Priority", a.priority), ("Status", a.status), ("Team", f"{key} {c.pick(TEAMS)}")
        ),
        _buttons(("Acknowledge", None), ("Close", None), ("View alert", a.url))
        if a.status != "Closed"
        else _context("Jira Service Management"),
    ]
    text = f"{_esc(a.action)}: {_esc(a.message)}"
    return _app_post(c, APPS["jsm"], text=text, blocks=blocks), kind, a.alert


@_template("opsgenie/relay-grafana", FRO)
def _og_grafana(c: _Ctx, kind: str) -> _Rendered:
    g, name = _grafana_group(c, FIRING, size=c.pick((1, 1, 2)), prose=c.chance(0.3), mixed=0.0)
    a = _og_alert(c, kind, am=1.0, relay=(g.subject(grafana=True).strip(), name, "Grafana"))
    return _app_post(c, APPS["opsgenie"], attachments=[_og_classic(a)]), kind, a.alert


@_template("opsgenie/custom-message-am", FRO)
def _og_custom(c: _Ctx, kind: str) -> _Rendered:
    style = c.pick(("custom-colon", "custom-sev", "custom-ns"))
    a = _og_alert(c, kind, am=1.0, relay=_relay_am(c, style))
    if c.chance(0.5):
        text = f"{_esc(a.action)}: #{a.tiny}: {_esc(a.message)}"
        return _app_post(c, APPS["opsgenie"], text=text, blocks=_og_blocks(a)), kind, a.alert
    return _app_post(c, APPS["opsgenie"], attachments=[_og_classic(a)]), kind, a.alert


# ---------------------------------------------------------------------------------------------------------------
# AWS CloudWatch (AWS Chatbot / Amazon Q Developer, SNS -> Lambda relays, EventBridge)
# ---------------------------------------------------------------------------------------------------------------

CW_STATE = {FIRING: "ALARM", RESOLVED: "OK", OTHER: "INSUFFICIENT_DATA"}
CW_COLORS = {"ALARM": "#d13212", "OK": "#1d8102", "INSUFFICIENT_DATA": "#aab7b8"}
CW_EMOJI = {"ALARM": ":rotating_light:", "OK": ":white_check_mark:", "INSUFFICIENT_DATA": ":grey_question:"}
_CMP = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
# (namespace, metric, dimension, comparison, threshold, name patterns)
AWS_METRICS: tuple[tuple[str, str, str, str, float, tuple[str, ...]], ...] = (
    (
        "AWS/RDS",
        "CPUUtilization",
        "DBInstanceIdentifier",
        "GreaterThanThreshold",
        80.0,
        ("{env}-rds-cpu-high", "RDS-{db}-HighCPU", "{db}-cpu-utilization"),
    ),
    (
        "AWS/RDS",
        "FreeStorageSpace",
        "DBInstanceIdentifier",
        "LessThanThreshold",
        10737418240.0,
        ("{env}-rds-low-storage", "{db}-FreeStorageSpace-low"),
    ),
    (
        "AWS/RDS",
        "DatabaseConnections",
        "DBInstanceIdentifier",
        "GreaterThanOrEqualToThreshold",
        450.0,
        ("{db}-connections-high",),
    ),
    ("AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", "GreaterThanThreshold", 30.0, ("{env}-{db}-replica-lag",)),
    (
        "AWS/ApiGateway",
        "5XXError",
        "ApiName",
        "GreaterThanThreshold",
        5.0,
        ("ApiGateway5XXErrors-{svc}", "{env}-apigw-5xx", "{Svc}Api5xxAlarm"),
    ),
    (
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "LoadBalancer",
        "GreaterThanThreshold",
        50.0,
        ("{env}-alb-5xx-{svc}", "ALB-{svc}-Target5XX"),
    ),
    (
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "TargetGroup",
        "GreaterThanOrEqualToThreshold",
        1.0,
        ("{svc}-unhealthy-hosts", "{env}-{svc}-tg-unhealthy"),
    ),
    (
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "LoadBalancer",
        "GreaterThanThreshold",
        1.5,
        ("{env}-{svc}-latency-high",),
    ),
    (
        "AWS/Lambda",
        "Errors",
        "FunctionName",
        "GreaterThanThreshold",
        0.0,
        ("{fn}-errors", "lambda-{fn}-error-rate", "{Svc}LambdaErrors"),
    ),
    ("AWS/Lambda", "Throttles", "FunctionName", "GreaterThanThreshold", 10.0, ("{fn}-throttles",)),
    (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        "QueueName",
        "GreaterThanThreshold",
        600.0,
        ("{queue}-age-of-oldest-message", "SQS-{queue}-backlog"),
    ),
    (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        "GreaterThanThreshold",
        0.0,
        ("{svc}-dlq-not-empty", "{env}-{svc}-dlq-messages"),
    ),
    (
        "AWS/DynamoDB",
        "ThrottledRequests",
        "TableName",
        "GreaterThanThreshold",
        0.0,
        ("{table}-throttled-requests", "DynamoDB-{table}-Throttles"),
    ),
    (
        "AWS/EC2",
        "StatusCheckFailed",
        "InstanceId",
        "GreaterThanOrEqualToThreshold",
        1.0,
        ("{env}-ec2-status-check-failed-{iid}", "ec2-{svc}-status-check"),
    ),
    ("AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "GreaterThanThreshold", 85.0, ("{env}-{svc}-asg-cpu-high",)),
    (
        "AWS/ECS",
        "MemoryUtilization",
        "ServiceName",
        "GreaterThanThreshold",
        90.0,
        ("ecs-{svc}-memory-high", "{env}-{svc}-ecs-memory"),
    ),
    (
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        "CacheClusterId",
        "GreaterThanThreshold",
        75.0,
        ("{env}-redis-engine-cpu", "elasticache-{svc}-cpu"),
    ),
    (
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        "StreamName",
        "GreaterThanThreshold",
        60000.0,
        ("{stream}-iterator-age",),
    ),
    ("AWS/CloudFront", "5xxErrorRate", "DistributionId", "GreaterThanThreshold", 1.0, ("cloudfront-{svc}-5xx-rate",)),
    (
        "AWS/ES",
        "ClusterStatus.red",
        "DomainName",
        "GreaterThanOrEqualToThreshold",
        1.0,
        ("{env}-opensearch-cluster-red",),
    ),
)
_CW_KEYWORDS = (
    (("cpu", "load", "throttl"), "AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "GreaterThanThreshold"),
    (("memory", "mem", "oom", "heap"), "CWAgent", "mem_used_percent", "InstanceId", "GreaterThanThreshold"),
    (
        ("disk", "filesystem", "volume", "storage", "space", "inode"),
        "CWAgent",
        "disk_used_percent",
        "path",
        "GreaterThanThreshold",
    ),
    (
        ("latency", "slow", "duration"),
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "LoadBalancer",
        "GreaterThanThreshold",
    ),
    (
        ("error", "5xx", "fail"),
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "LoadBalancer",
        "GreaterThanThreshold",
    ),
    (("replica", "lag", "replication"), "AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", "GreaterThanThreshold"),
    (
        ("down", "unreachable", "absent", "unhealthy"),
        "AWS/ApplicationELB",
        "HealthyHostCount",
        "TargetGroup",
        "LessThanThreshold",
    ),
)


@dataclass
class _Alarm:
    name: str
    region: str
    account: str
    namespace: str
    metric: str
    dimension: tuple[str, str]
    comparison: str
    threshold: float
    period: int
    evaluation: int
    description: str
    env: str


def _num(value: float) -> str:
    """A threshold as people write it: 80, 1.5, 10737418240."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _cw_alarm(c: _Ctx) -> _Alarm:
    """A CloudWatch alarm: named after the rule in a CloudWatch idiom, or one of AWS's usual alarms."""
    env = c.pick(("prod", "production", "staging", "prd", "live"))
    svc = c.pick(SERVICES)
    style = c.pick(
        ("kebab", "kebab", "pascal", "snake", "cw-prefix", "native", "native", "native", "native", "generated")
    )
    values = {
        "env": env,
        "svc": svc,
        "Svc": "".join(p.title() for p in svc.split("-")),
        "db": c.pick((f"{svc}-db", f"{env}-{svc}-primary", f"{svc}-{env}-replica-1")),
        "fn": c.pick((f"{svc}-handler", f"{env}-{svc}-worker", f"{svc}-{c.pick(('ingest', 'webhook', 'cron'))}")),
        "queue": c.pick((f"{svc}-events", f"{env}-{svc}-jobs", f"{svc}.fifo")),
        "table": c.pick((f"{svc}-{env}", f"{svc.replace('-', '_')}_table")),
        "iid": f"i-0{c.hex(16)}",
        "stream": f"{env}-{svc}-stream",
    }
    description = ""
    if style in ("native", "generated"):
        namespace, metric, dim, cmp, threshold, patterns = c.pick(AWS_METRICS)
        name = c.pick(patterns).format(**values)
        if style == "generated":
            name = c.pick(
                (
                    f"awseb-e-{c.hex(10)}-stack-AWSEBCloudwatchAlarm{c.pick(('High', 'Low'))}-{c.hex(12).upper()}",
                    f"TargetTracking-service/{c.pick(CLUSTERS)}/{svc}-AlarmHigh-{c.uid()}",
                    f"TargetTracking-table/{values['table']}-ProvisionedCapacityHigh-{c.uid()}",
                )
            )
        if c.chance(0.6):
            description = f"{metric} {_CMP[cmp]} {_num(threshold)} for {svc} ({env})"
    else:
        low = c.alertname.lower()
        namespace, metric, dim, cmp = "ContainerInsights/Prometheus", _metric(c), "ClusterName", "GreaterThanThreshold"
        for keys, ns, m, d, comparison in _CW_KEYWORDS:
            if any(k in low for k in keys):
                namespace, metric, dim, cmp = ns, m, d, comparison
                break
        threshold = float(_threshold(c) or c.num(1, 95))
        clean = re.sub(r"[^A-Za-z0-9]", "", c.alertname)
        name = {
            "kebab": c.pick((f"{env}-{svc}-{_kebab(c)}", f"{env}-{_kebab(c)}", f"{_kebab(c)}-{env}")),
            "pascal": c.pick((f"{clean}-{svc}", f"{clean}-{env}", f"{values['Svc']}{clean}")),
            "snake": f"{env}_{svc.replace('-', '_')}_{_kebab(c).replace('-', '_')}",
            "cw-prefix": f"CW-{namespace.split('/')[-1]}-{svc}-{env}-{metric}",
        }[style]
        description = _summary_text(c).split("\n")[0] if c.chance(0.8) else ""
    dim_value = values.get(
        {
            "DBInstanceIdentifier": "db",
            "FunctionName": "fn",
            "QueueName": "queue",
            "TableName": "table",
            "InstanceId": "iid",
            "StreamName": "stream",
        }.get(dim, "svc"),
        svc,
    )
    return _Alarm(
        name=name,
        region=c.pick(tuple(REGIONS)),
        account=str(c.num(10**11, 10**12 - 1)),
        namespace=namespace,
        metric=metric,
        dimension=(dim, dim_value),
        comparison=cmp,
        threshold=threshold,
        period=c.pick((60, 60, 300, 900)),
        evaluation=c.pick((1, 1, 2, 3, 5)),
        description=description,
        env=env,
    )


def _cw_reason(c: _Ctx, alarm: _Alarm, state: str) -> str:
    """The alarm's NewStateReason, in CloudWatch's words."""
    if state == "INSUFFICIENT_DATA":
        k = c.num(1, 3)
        return (
            "Insufficient Data: 1 datapoint was unknown."
            if k == 1
            else f"Insufficient Data: {k} datapoints were unknown."
        )
    m = alarm.evaluation
    k = c.num(1, m)
    above = alarm.comparison.startswith("Greater")
    crossing = state == "ALARM"
    points = []
    for i in range(k):
        delta = abs(alarm.threshold) * c.rng.uniform(0.05, 0.4) + c.rng.uniform(0.1, 3)
        value = alarm.threshold + delta if above == crossing else max(0.0, alarm.threshold - delta)
        when = c.time - timedelta(seconds=i * alarm.period)
        points.append(f"{value:.1f} ({when:%d/%m/%y %H:%M:00})")
    count = f"{k} out of the last {m} datapoints" if m > 1 else "1 datapoint"
    words = _CMP[alarm.comparison]
    s = "s" if k > 1 else ""
    if crossing:
        return (
            f"Threshold Crossed: {count} [{', '.join(points)}] was {words} the threshold ({alarm.threshold:.1f}) "
            f"(minimum {k} datapoint{s} for OK -> ALARM transition)."
        )
    return (
        f"Threshold Crossed: {count} [{', '.join(points)}] was not {words} the threshold ({alarm.threshold:.1f}) "
        f"(minimum {k} datapoint{s} for ALARM -> OK transition)."
    )


def _cw_console(alarm: _Alarm) -> str:
    return (
        f"https://{alarm.region}.console.aws.amazon.com/cloudwatch/home?region={alarm.region}"
        f"#alarmsV2:alarm/{quote(alarm.name, safe='')}"
    )


@_template("cloudwatch/chatbot-classic", FRO)
def _cw_chatbot(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    title = f"CloudWatch Alarm | {alarm.name} | {alarm.region} | Account: {alarm.account}"
    attachment = {
        "fallback": _esc(title),
        "title": _esc(title),
        "text": _esc(_cw_reason(c, alarm, state)),
        "color": CW_COLORS[state],
    }
    return _app_post(c, APPS["aws"], attachments=[attachment]), kind, alarm.name


@_template("cloudwatch/q-developer-blocks", FRO)
def _cw_q(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    emoji = {"ALARM": ":red_circle:", "OK": ":large_green_circle:", "INSUFFICIENT_DATA": ":white_circle:"}[state]
    head = f'{state}: "{alarm.name}" in {REGIONS[alarm.region]}'
    blocks = [
        _section(f"{emoji} *{_esc(head)}*"),
        *([_section(_esc(alarm.description))] if alarm.description else []),
        _section(_esc(_cw_reason(c, alarm, state))),
        _fields(
            ("Metric", f"{alarm.namespace} {alarm.metric}"),
            ("Threshold", f"{_CMP[alarm.comparison]} {_num(alarm.threshold)} for {alarm.evaluation} datapoint(s)"),
            ("Account", alarm.account),
            ("Changed at", _when(c, "%Y-%m-%d %H:%M:%S UTC")),
        ),
        _buttons(("Show details", _cw_console(alarm)), ("Show logs", None)),
    ]
    app = APPS[c.pick(("aws", "amazonq"))]
    return _app_post(c, app, text=_esc(head), blocks=blocks), kind, alarm.name


@_template("cloudwatch/notify-slack-lambda", FRO)
def _cw_lambda(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    old = {"ALARM": c.pick(("OK", "INSUFFICIENT_DATA")), "OK": "ALARM", "INSUFFICIENT_DATA": c.pick(("OK", "ALARM"))}[
        state
    ]
    attachment = {
        "color": {"ALARM": "danger", "OK": "good", "INSUFFICIENT_DATA": "warning"}[state],
        "fallback": f"Alarm {_esc(alarm.name)} triggered",  # the module writes this whatever the state
        "fields": [
            _field("Alarm Name", f"`{_esc(alarm.name)}`"),
            _field("Alarm Description", f"`{_esc(alarm.description or 'None')}`", False),
            _field("Alarm reason", f"`{_esc(_cw_reason(c, alarm, state))}`", False),
            _field("Old State", f"`{old}`"),
            _field("Current State", f"`{state}`"),
            _field("Link to Alarm", _cw_console(alarm), False),
        ],
        "text": f"AWS CloudWatch notification - {_esc(alarm.name)}",
    }
    return (
        _webhook(
            c, c.pick(("AWS CloudWatch", "notify_slack", "aws-alerts")), attachments=[attachment], icon_emoji=":aws:"
        ),
        kind,
        alarm.name,
    )


@_template("cloudwatch/sns-subject-text", FRO)
def _cw_subject(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    subject = f'{state}: "{alarm.name}" in {REGIONS[alarm.region]}'
    lines = [f"*{_esc(subject)}*"]
    if alarm.description:
        lines.append(f">{_esc(alarm.description)}")
    lines.append(f">{_esc(_cw_reason(c, alarm, state))}")
    lines.append(f"<{_cw_console(alarm)}|View in CloudWatch>")
    return _webhook(c, c.pick(("CloudWatch", "sns-to-slack", "aws-notifier")), text="\n".join(lines)), kind, alarm.name


@_template("cloudwatch/eventbridge-state-change", FRO)
def _cw_eventbridge(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    old = {"ALARM": "OK", "OK": "ALARM", "INSUFFICIENT_DATA": c.pick(("OK", "ALARM"))}[state]
    text = (
        f"{CW_EMOJI[state]} CloudWatch alarm *{_esc(alarm.name)}* changed state from *{old}* to *{state}*\n"
        f"{_esc(_cw_reason(c, alarm, state))}"
    )
    blocks = [
        _section(text),
        _context(f"{alarm.region} \u00b7 account {alarm.account} \u00b7 CloudWatch Alarm State Change"),
    ]
    return (
        _webhook(c, c.pick(("EventBridge", "aws-events", "CloudWatch Alarms")), text=text, blocks=blocks),
        kind,
        alarm.name,
    )


@_template("cloudwatch/emoji-lambda", FRO)
def _cw_emoji(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    emoji = {
        "ALARM": c.pick(("\U0001f6a8", ":rotating_light:", "\U0001f534")),
        "OK": c.pick(OK),
        "INSUFFICIENT_DATA": c.pick(("\u2754", ":grey_question:")),
    }[state]
    title = f"{emoji} [{state}] {alarm.name} ({alarm.region})"
    attachment = {
        "color": CW_COLORS[state],
        "title": _esc(title),
        "title_link": _cw_console(alarm),
        "fallback": _esc(title),
        "text": _esc("\n".join(x for x in (alarm.description, _cw_reason(c, alarm, state)) if x)),
        "fields": [
            _field("Metric", f"{alarm.namespace}/{alarm.metric}"),
            _field("Threshold", f"{_num(alarm.threshold)}"),
        ],
        "footer": f"Account {alarm.account}",
    }
    return _webhook(c, c.pick(("aws-alarms", "CloudWatch", "AWS")), attachments=[attachment]), kind, alarm.name


@_template("cloudwatch/quoted-name", FRO)
def _cw_quoted(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    text = c.pick(
        (
            f"Alarm '{_esc(alarm.name)}' in account {alarm.account} ({alarm.region}) is now in {state} state",
            f'CloudWatch: "{_esc(alarm.name)}" is {state} ({alarm.region})',
        )
    )
    attachment = {"color": CW_COLORS[state], "text": _esc(_cw_reason(c, alarm, state)), "fallback": text}
    return _webhook(c, c.pick(("aws-alerts", "CloudWatch")), text=text, attachments=[attachment]), kind, alarm.name


@_template("cloudwatch/sns-json-codeblock", FRO)
def _cw_json(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    old = {"ALARM": "OK", "OK": "ALARM", "INSUFFICIENT_DATA": "OK"}[state]
    payload = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description or None,
        "AWSAccountId": alarm.account,
        "NewStateValue": state,
        "NewStateReason": _cw_reason(c, alarm, state),
        "StateChangeTime": _when(c, "%Y-%m-%dT%H:%M:%S.000+0000"),
        "Region": REGIONS[alarm.region],
        "OldStateValue": old,
        "Trigger": {"MetricName": alarm.metric, "Namespace": alarm.namespace, "Threshold": alarm.threshold},
    }
    text = f"*New CloudWatch notification*\n```{_esc(json.dumps(payload, indent=2))}```"
    return _webhook(c, c.pick(("sns-relay", "aws-sns", "Lambda Notifier")), text=text), kind, alarm.name


@_template("cloudwatch/chatbot-custom", FRO)
def _cw_custom(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    title = {
        "ALARM": c.pick((f":rotating_light: {alarm.name} is in ALARM", f"ALARM | {alarm.name}")),
        "OK": c.pick((f":white_check_mark: {alarm.name} is back to OK", f"OK | {alarm.name}")),
        "INSUFFICIENT_DATA": c.pick(
            (f":grey_question: {alarm.name}: INSUFFICIENT_DATA", f"INSUFFICIENT_DATA | {alarm.name}")
        ),
    }[state]
    blocks = [
        _section(f"*{_esc(title)}*"),
        _section(_esc(alarm.description or _cw_reason(c, alarm, state))),
        _context(f"{alarm.env} \u00b7 {alarm.region} \u00b7 {alarm.account}"),
    ]
    return _app_post(c, APPS["aws"], text=_esc(title), blocks=blocks), kind, alarm.name


@_template("cloudwatch/ops-lambda-blocks", FRO)
def _cw_ops(c: _Ctx, kind: str) -> _Rendered:
    alarm, state = _cw_alarm(c), CW_STATE[kind]
    emoji = {"ALARM": "\U0001f534", "OK": "\U0001f7e2", "INSUFFICIENT_DATA": "\u26aa"}[state]
    blocks = [
        _header(f"{emoji} {state} | {alarm.env} | {alarm.name}"),
        _fields(
            ("Metric", f"`{alarm.metric}` ({alarm.dimension[0]}={alarm.dimension[1]})"),
            ("Threshold", f"{_CMP[alarm.comparison]} {_num(alarm.threshold)}"),
            ("Region", REGIONS[alarm.region]),
            ("Account", alarm.account),
        ),
        _section(_esc(_cw_reason(c, alarm, state))),
    ]
    return _webhook(c, "cloudwatch-alerts", text=f"{state}: {_esc(alarm.name)}", blocks=blocks), kind, alarm.name


# ---------------------------------------------------------------------------------------------------------------
# Zabbix
# ---------------------------------------------------------------------------------------------------------------

ZBX_SEVERITY_COLORS = {
    "Not classified": "#97AAB3",
    "Information": "#7499FF",
    "Warning": "#FFC859",
    "Average": "#FFA059",
    "High": "#E97659",
    "Disaster": "#E45959",
}
ZBX_RESOLVED_COLOR = "#009900"
ZBX_URLS = ("https://zabbix.example.com", "https://monitoring.acme.io/zabbix", "http://zabbix.corp.local")
# real trigger names of Zabbix's bundled templates (host-independent)
ZBX_TRIGGERS = (
    (
        "Linux: High CPU utilization (over 90% for 5m)",
        "CPU utilization is too high. The system might be slow to respond.",
        "class: os\ncomponent: cpu",
    ),
    (
        "Linux: Zabbix agent is not available (for 3m)",
        "For passive agents only, host availability is used with `3m` as a time threshold.",
        "class: os\ncomponent: system",
    ),
    (
        "Linux: Load average is too high (per CPU load over 1.5 for 5m)",
        "Per CPU load average is too high. Your system may be slow to respond.",
        "class: os\ncomponent: cpu",
    ),
    (
        "Linux: High memory utilization (>90% for 5m)",
        "The system is running out of free memory.",
        "class: os\ncomponent: memory",
    ),
    ("Linux: Lack of available memory (<20M of 7.6 GB)", "", "class: os\ncomponent: memory"),
    (
        "Linux: High swap space usage (less than 50% free)",
        "This trigger is ignored, if there is no swap configured.",
        "class: os\ncomponent: swap",
    ),
    (
        "Linux: FS [/]: Space is critically low (used > 90%, total 48.4GB)",
        "Two conditions should match: First, space utilization should be above 90%.",
        "class: os\ncomponent: storage",
    ),
    (
        "Linux: FS [/var]: Space is low (used > 80%, total 100GB)",
        "Two conditions should match.",
        "class: os\ncomponent: storage",
    ),
    (
        "Linux: Interface eth0: Link down",
        "This trigger expression works as follows: ...",
        "class: os\ncomponent: network",
    ),
    (
        "Linux: Interface ens5: High bandwidth usage (>90%)",
        "The utilization of the network interface is close to its estimated maximum bandwidth.",
        "class: os\ncomponent: network",
    ),
    ("Linux: /etc/passwd has been changed", "", "class: os\ncomponent: security"),
    ("Linux: Number of installed packages has been changed", "", "class: os\ncomponent: os"),
    ("MySQL: Service is down", "", "class: database\ncomponent: application"),
    ("MySQL: Replication lag is too high (over 30s for 5m)", "", "class: database\ncomponent: replication"),
    ("PostgreSQL: Service is down", "", "class: database\ncomponent: application"),
    ("PostgreSQL: Oldest xid is too big", "", "class: database"),
    ("Nginx: Service is down", "", "class: software\ncomponent: web"),
    ("Nginx: Failed to fetch stub status page (or no data for 30m)", "", "class: software"),
    ("Redis: Memory usage is too high (over 90% of maxmemory)", "", "class: database"),
    ("Docker: Service is down", "", "class: software"),
    ("ICMP: Unavailable by ICMP ping", "Last three attempts returned timeout.", "class: network"),
    ("ICMP: High ICMP ping loss", "", "class: network"),
    ("ICMP: High ICMP ping response time", "", "class: network"),
    ("Windows: High CPU utilization (over 90% for 5m)", "", "class: os\ncomponent: cpu"),
    ("Windows: Zabbix agent is not available (for 3m)", "", "class: os"),
    ("Website certificate: SSL certificate expires soon (less than 7 days)", "", "class: software\ncomponent: tls"),
    ("Zabbix server: Utilization of poller processes over 75%", "", "class: software"),
    ("High CPU utilization (over 90% for 5m)", "", "component: cpu"),
    ("Zabbix agent is not available (for 3m)", "", "component: system"),
)
# older templates named triggers after the host: "Processor load is too high on {HOST.NAME}"
ZBX_HOST_TRIGGERS = (
    "Processor load is too high",
    "Zabbix agent is unreachable for 5 minutes",
    "Lack of free swap space",
    "Too many processes",
    "Disk I/O is overloaded",
    "Host information was changed",
)
_ZBX_TECH = {
    "mysql": "MySQL",
    "postgresql": "PostgreSQL",
    "postgres": "PostgreSQL",
    "redis": "Redis",
    "nginx": "Nginx",
    "host": "Linux",
    "node": "Linux",
    "windows": "Windows",
    "kafka": "Kafka",
    "rabbitmq": "RabbitMQ",
    "elasticsearch": "Elasticsearch",
    "mongodb": "MongoDB",
    "docker": "Docker",
    "apache": "Apache",
    "haproxy": "HAProxy",
    "etcd": "Etcd",
    "ceph": "Ceph",
    "memcached": "Memcached",
    "minio": "MinIO",
    "jenkins": "Jenkins",
    "consul": "Consul",
    "vault": "Vault",
    "zookeeper": "ZooKeeper",
    "cassandra": "Cassandra",
}


@dataclass
class _Problem:
    event_name: str  # EVENT.NAME as it appears after a "Problem: " subject
    name: str  # gold: the trigger name without the host
    host: str
    ip: str
    severity: str
    description: str
    tags: str
    opdata: str
    duration: str  # how long the problem lasted (a resolution) or has lasted (an update)
    event_id: int
    trigger_id: int
    url: str


def _zbx_problem(c: _Ctx, *, host_suffix: bool = True) -> _Problem:
    host = c.pick(
        (_host(c.rng), f"srv-{_host(c.rng)}", f"{_host(c.rng)}.dc1.example.com", f"{c.pick(HOST_ROLES)}{c.num(1, 9)}")
    )
    style = c.pick(("derived", "derived", "derived", "native", "native", "host"))
    description, tags = "", "scope: availability"
    if style == "host" and host_suffix:
        name = c.pick(ZBX_HOST_TRIGGERS)
        event_name = f"{name} on {host}"
    elif style == "native":
        name, description, tags = c.pick(ZBX_TRIGGERS)
        event_name = name
    else:
        words = _words(c.alertname.split("(")[0])
        tech = _ZBX_TECH.get(words[0].lower()) if words else None
        body = _sentence(words[1:] if tech and len(words) > 1 else words)
        threshold, for_ = _threshold(c), _for(c)
        meaningful = threshold is not None and threshold not in ("0", "1", "0.0", "1.0")
        suffix = c.pick(("", f" (for {for_})", f" (over {threshold} for {for_})" if meaningful else f" (for {for_})"))
        name = f"{tech + ': ' if tech and c.chance(0.7) else ''}{body}{suffix}"
        event_name = name
        description = _description_text(c, c.series, 1.0).split("\n")[0]
        tags = f"class: {c.pick(('os', 'software', 'database', 'network'))}\ncomponent: {_kebab(c, 1)}"
    base = c.pick(ZBX_URLS)
    event_id, trigger_id = c.num(1000, 999999), c.num(10000, 99999)
    return _Problem(
        event_name=event_name,
        name=name,
        host=host,
        ip=f"10.{c.num(0, 20)}.{c.num(0, 255)}.{c.num(2, 254)}",
        severity=c.pick(("Warning", "Average", "Average", "High", "High", "Disaster", "Information")),
        description=description,
        tags=tags,
        opdata=c.pick(
            ("", f"Current utilization: {c.rng.uniform(80, 100):.2f} %", f"{c.rng.uniform(0, 100):.1f}", "Down (0)")
        ),
        duration=_duration(c),
        event_id=event_id,
        trigger_id=trigger_id,
        url=f"{base}/tr_events.php?triggerid={trigger_id}&eventid={event_id}",
    )


def _duration(c: _Ctx) -> str:
    return c.pick(
        (
            f"{c.num(1, 59)}m {c.num(1, 59)}s",
            f"{c.num(1, 59)}m",
            f"{c.num(1, 9)}h {c.num(1, 59)}m",
            f"{c.num(1, 3)}d {c.num(1, 23)}h {c.num(1, 59)}m",
        )
    )


def _zbx_update(c: _Ctx, ack_only: bool = False) -> tuple[str, str]:
    """(what the user did, their message) of a problem update (an acknowledgement, if the subject says so)."""
    actions = (
        "acknowledged",
        "acknowledged",
        "commented",
        f"changed severity from {c.pick(('Warning', 'Average'))} to High",
        "unacknowledged",
    )
    action = "acknowledged" if ack_only else c.pick(actions)
    return action, c.pick(
        ("Looking into it", "Known issue, maintenance tonight", "Restarted the service", "Ticket OPS-2231", "")
    )


def _zbx_media(c: _Ctx, kind: str, *, alarm_mode: bool) -> _Rendered:
    p = _zbx_problem(c, host_suffix=True)
    fields = [
        _field("Host", f"{p.host} [{p.ip}]"),
        _field("Event time", _when(c, "%Y.%m.%d %H:%M:%S")),
        _field("Severity", p.severity),
        _field("Opdata", p.opdata),
    ]
    if kind == FIRING:
        title, color = f"Problem: {p.event_name}", ZBX_SEVERITY_COLORS[p.severity]
    elif kind == RESOLVED:
        title, color = f"Resolved in {p.duration}: {p.event_name}", ZBX_RESOLVED_COLOR
    else:
        age = p.duration
        title, color = f"Updated problem in {age}: {p.event_name}", ZBX_SEVERITY_COLORS[p.severity]
        action, note = _zbx_update(c)
        who = c.pick(("Admin (Zabbix Administrator)", f"{c.pick(PEOPLE).split()[0].lower()} ({c.pick(PEOPLE)})"))
        ack = "No" if action == "unacknowledged" else "Yes"
        details = (
            f"{who} {action} problem at {_when(c, '%Y.%m.%d %H:%M:%S')}.\n{note}\n\n"
            f"Current problem status is PROBLEM, age is {age}, acknowledged: {ack}."
        )
        fields.append(_field("Details", _esc(details), False))
    if kind != OTHER:
        fields += [_field("Event tags", p.tags), _field("Trigger description", _esc(p.description))]
    attachment: dict[str, Any] = {
        "fallback": _esc(title),
        "title": _esc(title),
        "color": color,
        "title_link": p.url,
        "pretext": "",
        "fields": fields,
    }
    if kind != OTHER:
        attachment["actions"] = [{"type": "button", "text": "Open in Zabbix", "url": p.url}]
    thread = c.ts(-c.num(300, 7200)) if kind == OTHER else None
    message = _app_post(c, APPS["zabbix"], attachments=[attachment], thread_ts=thread)
    if kind == RESOLVED and alarm_mode:  # alarm mode rewrites the problem's message when it resolves
        message = _edited(c, message, c.num(300, 20000))
    return message, kind, p.name


@_template("zabbix/media-alarm-mode", FRO)
def _zbx_alarm(c: _Ctx, kind: str) -> _Rendered:
    return _zbx_media(c, kind, alarm_mode=True)


@_template("zabbix/media-default", FRO)
def _zbx_default(c: _Ctx, kind: str) -> _Rendered:
    return _zbx_media(c, kind, alarm_mode=False)


def _zbx_simple(
    c: _Ctx,
    kind: str,
    subject: Callable[[_Problem, str], str],
    *,
    host_suffix: bool = False,
    webhook: bool = True,
    ack_only: bool = True,
) -> _Rendered:
    p = _zbx_problem(c, host_suffix=host_suffix)
    state = {FIRING: "problem", RESOLVED: "resolved", OTHER: "update"}[kind]
    title = subject(p, state)
    body = _zbx_body(c, p, kind, ack_only=ack_only)
    color = ZBX_RESOLVED_COLOR if kind == RESOLVED else ZBX_SEVERITY_COLORS[p.severity]
    attachment = {
        "fallback": _esc(title),
        "title": _esc(title),
        "text": _esc(body),
        "color": color,
        "title_link": p.url,
    }
    if webhook:
        return (
            _webhook(c, c.pick(("Zabbix", "zabbix", "Zabbix Alerts")), attachments=[attachment], icon_emoji=":zabbix:"),
            kind,
            p.name,
        )
    return _app_post(c, APPS["zabbix"], attachments=[attachment]), kind, p.name


def _zbx_body(c: _Ctx, p: _Problem, kind: str, *, ack_only: bool = False) -> str:
    """Zabbix's default action message bodies (problem, recovery, update)."""
    if kind == FIRING:
        return (
            f"Problem started at {_when(c, '%H:%M:%S')} on {_when(c, '%Y.%m.%d')}\nProblem name: {p.event_name}\n"
            f"Host: {p.host}\nSeverity: {p.severity}\nOperational data: {p.opdata}\nOriginal problem ID: {p.event_id}"
        )
    if kind == RESOLVED:
        return (
            f"Problem has been resolved at {_when(c, '%H:%M:%S')} on {_when(c, '%Y.%m.%d')}\n"
            f"Problem name: {p.event_name}\n"
            f"Problem duration: {p.duration}\nHost: {p.host}\nSeverity: {p.severity}\nOriginal problem ID: {p.event_id}"
        )
    action, note = _zbx_update(c, ack_only)
    return (
        f"{c.pick(PEOPLE)} {action} problem at {_when(c, '%Y.%m.%d %H:%M:%S')}.\n{note}\n\n"
        f"Current problem status is PROBLEM, acknowledged: {'No' if action == 'unacknowledged' else 'Yes'}."
    )


@_template("zabbix/subject-severity-host", FRO)
def _zbx_sev_host(c: _Ctx, kind: str) -> _Rendered:
    def subject(p: _Problem, state: str) -> str:
        tag = {"problem": p.severity, "resolved": "RESOLVED", "update": "Acknowledged"}[state]
        return f"[{tag}] {p.host}: {p.name}"

    return _zbx_simple(c, kind, subject)


@_template("zabbix/problem-on-host", FRO)
def _zbx_on_host(c: _Ctx, kind: str) -> _Rendered:
    def subject(p: _Problem, state: str) -> str:
        return (
            f"{ {'problem': 'PROBLEM', 'resolved': 'RESOLVED', 'update': 'ACKNOWLEDGED'}[state] }: {p.name} on {p.host}"
        )

    return _zbx_simple(c, kind, subject, webhook=c.chance(0.5))


@_template("zabbix/status-colon", FRO)
def _zbx_status(c: _Ctx, kind: str) -> _Rendered:
    def subject(p: _Problem, state: str) -> str:
        return f"{ {'problem': 'PROBLEM', 'resolved': 'OK', 'update': 'UPDATE (acknowledged)'}[state] }: {p.event_name}"

    return _zbx_simple(c, kind, subject, host_suffix=True)


@_template("zabbix/emoji-subject", FRO)
def _zbx_emoji(c: _Ctx, kind: str) -> _Rendered:
    def subject(p: _Problem, state: str) -> str:
        return {
            "problem": f"\U0001f525 Problem on {p.host}: {p.name}",
            "resolved": f"\u2705 Resolved on {p.host}: {p.name}",
            "update": f"\U0001f440 Acknowledged on {p.host}: {p.name}",
        }[state]

    return _zbx_simple(c, kind, subject, webhook=False)


@_template("zabbix/default-body-text", FRO)
def _zbx_text(c: _Ctx, kind: str) -> _Rendered:
    p = _zbx_problem(c, host_suffix=True)
    subject = {
        FIRING: f"Problem: {p.event_name}",
        RESOLVED: f"Resolved in {p.duration}: {p.event_name}",
        OTHER: f"Updated problem in {p.duration}: {p.event_name}",
    }[kind]
    text = f"*{_esc(subject)}*\n{_esc(_zbx_body(c, p, kind))}\n{p.url}"
    return _webhook(c, c.pick(("Zabbix", "zabbix-bot")), text=text), kind, p.name


@_template("zabbix/alertscript", FRO)
def _zbx_script(c: _Ctx, kind: str) -> _Rendered:
    p = _zbx_problem(c, host_suffix=True)
    subject = {
        FIRING: f"PROBLEM: {p.event_name}",
        RESOLVED: f"OK: {p.event_name}",
        OTHER: f"Updated problem: {p.event_name}",
    }[kind]
    emoji = {FIRING: ":frowning:", RESOLVED: ":smile:", OTHER: ":ghost:"}[kind]
    text = f"{_esc(subject)}\n{_esc(_zbx_body(c, p, kind))}"
    return _webhook(c, "Zabbix", text=text, icon_emoji=emoji), kind, p.name


@_template("zabbix/blocks-custom", FRO)
def _zbx_blocks(c: _Ctx, kind: str) -> _Rendered:
    p = _zbx_problem(c, host_suffix=False)
    head = {
        FIRING: f"\U0001f534 {p.severity}: {p.name}",
        RESOLVED: f"\U0001f7e2 Resolved: {p.name}",
        OTHER: f"\U0001f7e1 Acknowledged: {p.name}",
    }[kind]
    blocks = [
        _header(head),
        _fields(
            ("Host", p.host),
            ("Severity", p.severity),
            ("Time", _when(c, "%Y-%m-%d %H:%M:%S")),
            ("Event", f"<{p.url}|#{p.event_id}>"),
        ),
        _context(_esc(p.tags.replace("\n", " \u00b7 ")) or "zabbix"),
    ]
    return _app_post(c, APPS["zabbix"], text=_esc(head), blocks=blocks), kind, p.name


@_template("zabbix/pipe-short", FRO)
def _zbx_pipe(c: _Ctx, kind: str) -> _Rendered:
    p = _zbx_problem(c, host_suffix=False)
    state = {FIRING: "PROBLEM", RESOLVED: "RESOLVED", OTHER: "ACKNOWLEDGED"}[kind]
    text = f"{p.host} | {p.severity} | {state} | {_esc(p.name)}"
    if c.chance(0.5):
        text += f"\n<{p.url}|event {p.event_id}>"
    return _webhook(c, c.pick(("zabbix", "Zabbix")), text=text), kind, p.name


# ---------------------------------------------------------------------------------------------------------------
# generic uptime / error / monitoring tools
# ---------------------------------------------------------------------------------------------------------------


def _monitor_name(c: _Ctx) -> str:
    svc = c.pick(SERVICES)
    return c.pick(
        (
            f"{svc} API",
            f"{svc}.example.com",
            f"https://{svc}.example.com/healthz",
            "Marketing site",
            "Customer portal",
            f"{svc} ({c.pick(('prod', 'production', 'eu'))})",
            f"Postgres {c.pick(('primary', 'replica'))}",
            "VPN gateway",
            f"{svc} health",
            f"api.{c.pick(('acme.io', 'shopco.dev', 'example.com'))}",
        )
    )


def _cron_name(c: _Ctx) -> str:
    svc = c.pick(SERVICES)
    return c.pick(
        (
            f"{svc}-backup",
            "nightly-backup",
            "db-dump",
            "invoice-sync",
            "cert-renewal",
            "etl-hourly",
            "cleanup-tmp",
            f"{svc} cron",
            "log-rotate",
            f"{svc}-reindex",
        )
    )


def _condition_name(c: _Ctx) -> str:
    svc = c.pick(SERVICES)
    return c.pick(
        (
            _prose_name(c),
            f"{svc} - {_prose_name(c)}",
            _name_words(c.alertname),
            f"High error rate - {svc}",
            f"p95 latency {svc}",
            f"Failure rate above 5% ({svc})",
            "Apdex below 0.85",
            "Host not reporting",
            f"Error percentage high on {svc}",
        )
    )


_DOWN_REASONS = (
    "timeout of 48000ms exceeded",
    "Request failed with status code 503",
    "getaddrinfo ENOTFOUND api.example.com",
    "connect ECONNREFUSED 10.0.3.12:443",
    "Keyword not found",
    "Request failed with status code 502",
)


@_template("generic/uptime-kuma-blocks", FR)
def _kuma_blocks(c: _Ctx, kind: str) -> _Rendered:
    name = _monitor_name(c)
    state = "\U0001f534 Down" if kind == FIRING else "\u2705 Up"
    reason = c.pick(_DOWN_REASONS) if kind == FIRING else c.pick(("200 - OK", "Keyword found", "OK"))
    msg = f"[{name}] [{state}] {reason}"
    attachment = {
        "color": "#e01e5a" if kind == FIRING else "#2eb886",
        "blocks": [
            _header("Uptime Kuma Alert"),
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*Message*\n{_esc(msg)}"},
                    {"type": "mrkdwn", "text": f"*Time (UTC)*\n{_when(c, '%Y-%m-%d %H:%M:%S')}"},
                ],
            },
            _buttons(
                ("Visit Uptime Kuma", f"https://status.{c.pick(('example.com', 'acme.io'))}/dashboard/{c.num(1, 60)}")
            ),
        ],
    }
    return (
        _webhook(
            c,
            "Uptime Kuma",
            text=f"Uptime Kuma Alert\n{_esc(msg)}",
            attachments=[attachment],
            icon_emoji=":robot_face:",
        ),
        kind,
        name,
    )


@_template("generic/uptime-kuma-text", FR)
def _kuma_text(c: _Ctx, kind: str) -> _Rendered:
    name = _monitor_name(c)
    state = c.pick(("\U0001f534 Down", "Down")) if kind == FIRING else c.pick(("\u2705 Up", "Up"))
    reason = c.pick(_DOWN_REASONS) if kind == FIRING else "200 - OK"
    return _webhook(c, c.pick(("Uptime Kuma", "uptime-kuma")), text=_esc(f"[{name}] [{state}] {reason}")), kind, name


@_template("generic/gatus", FR)
def _gatus(c: _Ctx, kind: str) -> _Rendered:
    name = c.pick((_monitor_name(c), f"{c.pick(('core', 'external', 'internal'))}/{c.pick(SERVICES)}"))
    description = c.pick(("healthcheck failing", "api returned an error", "", "see runbook"))
    if kind == FIRING:
        text = (
            f"An alert for *{_esc(name)}* has been triggered due to having failed {c.num(2, 5)} time(s) in a row:\n"
            f"> {description}"
        )
        mark, color = ":x:", "#DD0000"
    else:
        text = (
            f"An alert for *{_esc(name)}* has been resolved after passing successfully {c.num(2, 5)} time(s) "
            f"in a row:\n> {description}"
        )
        mark, color = ":white_check_mark:", "#36A64F"
    attachment = {
        "title": ":helmet_with_white_cross: Gatus",
        "text": text,
        "short": False,
        "color": color,
        "fields": [_field("Condition results", f"{mark} - `[CONNECTED] == true`\n{mark} - `[STATUS] == 200`\n", False)],
    }
    return _webhook(c, c.pick(("gatus", "Gatus")), attachments=[attachment]), kind, name


@_template("generic/healthchecks", FR)
def _healthchecks(c: _Ctx, kind: str) -> _Rendered:
    name = _cron_name(c)
    q = ("\u201c", "\u201d")
    if kind == FIRING:
        fallback = f"The check {q[0]}{name}{q[1]} is DOWN."
        text = f"{q[0]}{_esc(name)}{q[1]} is DOWN. Last ping was {c.num(2, 30)} hours ago."
    else:
        fallback = f"The check {q[0]}{name}{q[1]} is now UP."
        text = f"{q[0]}{_esc(name)}{q[1]} is now UP."
    attachment = {
        "color": "danger" if kind == FIRING else "good",
        "fallback": _esc(fallback),
        "mrkdwn_in": ["fields"],
        "text": text,
        "fields": [
            _field("Project", c.pick(("Production", "Backups", "Data"))),
            _field("Tags", c.pick(("prod cron", "backup", "etl"))),
            _field("Period", c.pick(("1 day", "1 hour", "5 minutes"))),
            _field("Total Pings", str(c.num(10, 9000))),
        ],
        "footer": "<https://healthchecks.io/|healthchecks.io>",
    }
    return _webhook(c, "healthchecks.io", attachments=[attachment]), kind, name


@_template("generic/sentry-metric", FRO)
def _sentry(c: _Ctx, kind: str) -> _Rendered:
    name = _condition_name(c)
    status = {FIRING: "Critical", RESOLVED: "Resolved", OTHER: "Warning"}[kind]
    org = c.pick(("acme", "shopco", "example"))
    url = f"https://{org}.sentry.io/alerts/rules/details/{c.num(1000, 99999)}/"
    value = c.pick(
        (
            f"{c.num(50, 5000)} events in the last {c.pick(('10 minutes', '1 hour'))}",
            f"p95(transaction.duration) {c.rng.uniform(0.4, 5):.2f}s",
            f"Failure rate {c.rng.uniform(1, 30):.1f}%",
        )
    )
    attachment = {
        "color": {"Critical": "#E1567C", "Resolved": "#4DC771", "Warning": "#FFC227"}[status],
        "title": f"{status}: {_esc(name)}",
        "title_link": url,
        "text": f"{value}\nFiltered by: `environment:{c.pick(('production', 'prod'))}`",
        "fallback": f"{status}: {_esc(name)}",
        "footer": f"<{url}|{org}> Metric Alert",
    }
    return _app_post(c, APPS["sentry"], attachments=[attachment]), kind, name


@_template("generic/newrelic", FRO)
def _newrelic(c: _Ctx, kind: str) -> _Rendered:
    condition = _condition_name(c)
    entity = c.pick((_host(c.rng), c.pick(SERVICES)))
    state, emoji = {
        FIRING: ("Issue activated", ":red_circle:"),
        RESOLVED: ("Issue closed", ":large_green_circle:"),
        OTHER: ("Issue acknowledged", ":large_yellow_circle:"),
    }[kind]
    priority = c.pick(("CRITICAL", "HIGH", "MEDIUM"))
    url = f"https://one.newrelic.com/alerts-ai/issues/{c.uid()}"
    title = c.pick(
        (condition, f"{condition} query result is > {c.num(1, 95)} for {c.num(1, 15)} minutes on '{entity}'")
    )
    blocks = [
        _section(f"{emoji} *{state}* \u00b7 Priority: *{priority}*\n*<{url}|{_esc(title)}>*"),
        _fields(
            ("Policy", f"{c.pick(SERVICES)} policy"),
            ("Condition", _esc(condition)),
            ("Entity", entity),
            ("Issue ID", c.hex(8)),
        ),
        _buttons(("Acknowledge", None), ("Close", None), ("View issue", url))
        if kind != RESOLVED
        else _context("New Relic"),
    ]
    return _app_post(c, APPS["newrelic"], text=f"{state}: {_esc(title)}", blocks=blocks), kind, condition


_CHECKS = (
    ("Current Load", "CRITICAL - load average: {a:.2f}, {b:.2f}, {b:.2f}", "OK - load average: 0.41, 0.52, 0.60"),
    (
        "Root Partition",
        "DISK CRITICAL - free space: / 1203 MB (4% inode=80%)",
        "DISK OK - free space: / 20411 MB (61% inode=92%)",
    ),
    (
        "HTTP",
        "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 512 bytes in 0.012 second response time",
        "HTTP OK: HTTP/1.1 200 OK - 1532 bytes in 0.031 second response time",
    ),
    ("SSH", "CRITICAL - Socket timeout after 10 seconds", "SSH OK - OpenSSH_8.9p1 (protocol 2.0)"),
    ("Swap Usage", "SWAP CRITICAL - 3% free (61 MB out of 2047 MB)", "SWAP OK - 98% free (2010 MB out of 2047 MB)"),
    ("PING", "PING CRITICAL - Packet loss = 100%", "PING OK - Packet loss = 0%, RTA = 0.52 ms"),
    (
        "disk /var",
        "DISK CRITICAL - free space: /var 812 MB (3% inode=71%)",
        "DISK OK - free space: /var 40211 MB (52%)",
    ),
    ("mysql-replication", "CRITICAL - Slave is 612 seconds behind master", "OK - Slave is 0 seconds behind master"),
    ("ssl-cert", "SSL CRITICAL - Certificate expires in 3 day(s)", "SSL OK - Certificate will expire in 84 days"),
    ("procs", "PROCS CRITICAL: 912 processes", "PROCS OK: 212 processes"),
    (
        "Postgres connections",
        "POSTGRES_BACKENDS CRITICAL: 495 of 500 connections",
        "POSTGRES_BACKENDS OK: 120 of 500 connections",
    ),
)


@_template("generic/icinga2", FRO)
def _icinga(c: _Ctx, kind: str) -> _Rendered:
    service, bad, good = c.pick(_CHECKS)
    if c.chance(0.3):  # a check named after the rule, its output the rule's summary
        service = f"check_{_kebab(c, 3).replace('-', '_')}"
        bad, good = f"CRITICAL - {_summary_text(c).splitlines()[0]}", "OK - all checks passed"
    host = _host(c.rng)
    kind_word = {FIRING: "PROBLEM", RESOLVED: "RECOVERY", OTHER: "ACKNOWLEDGEMENT"}[kind]
    state = "OK" if kind == RESOLVED else c.pick(("CRITICAL", "CRITICAL", "WARNING")) if kind == OTHER else "CRITICAL"
    output = good if kind == RESOLVED else bad.format(a=c.rng.uniform(8, 30), b=c.rng.uniform(5, 20))
    url = f"https://icinga.example.com/icingaweb2/monitoring/service/show?host={host}&service={quote_plus(service)}"
    text = f"*{kind_word}*: <{url}|{_esc(service)}> on {host} is {state}"
    extra = f"\nAcknowledged by {c.pick(PEOPLE)}: {c.pick(NOTES)}" if kind == OTHER else ""
    attachment = {
        "color": {FIRING: "#ff5566", RESOLVED: "#44bb77", OTHER: "#aa44ff"}[kind],
        "text": _esc(output) + _esc(extra),
        "fallback": _esc(output),
    }
    return _webhook(c, c.pick(("icinga2", "Icinga")), text=text, attachments=[attachment]), kind, service


@_template("generic/nagios", FRO)
def _nagios(c: _Ctx, kind: str) -> _Rendered:
    service, bad, good = c.pick(_CHECKS)
    host = _host(c.rng)
    kind_word = {FIRING: "PROBLEM", RESOLVED: "RECOVERY", OTHER: "ACKNOWLEDGEMENT"}[kind]
    state = "OK" if kind == RESOLVED else "CRITICAL"
    emoji = {FIRING: ":red_circle:", RESOLVED: ":large_green_circle:", OTHER: ":eyes:"}[kind]
    output = good if kind == RESOLVED else bad.format(a=c.rng.uniform(8, 30), b=c.rng.uniform(5, 20))
    text = f"{emoji} *{kind_word}*: {host}/{_esc(service)} is {state}\n>{_esc(output)}"
    if kind == OTHER:
        text += f"\n>Author: {c.pick(PEOPLE)}"
    return _webhook(c, c.pick(("nagios", "Nagios")), text=text, icon_emoji=":nagios:"), kind, service


_BETTERSTACK_CAUSES = ("Status 503", "Timeout (no response in 30s)", "Keyword missing", "SSL error")


@_template("generic/betterstack", FRO)
def _betterstack(c: _Ctx, kind: str) -> _Rendered:
    name = _monitor_name(c)
    url = f"https://uptime.betterstack.com/team/{c.num(1000, 99999)}/incidents/{c.num(100000, 999999)}"
    line = {
        FIRING: f"\U0001f534 New incident: *{_esc(name)}* is down\nCause: {c.pick(_BETTERSTACK_CAUSES)}",
        RESOLVED: f"\u2705 Incident on *{_esc(name)}* resolved after {_duration(c)}",
        OTHER: f"\u270b Incident on *{_esc(name)}* acknowledged by {c.pick(PEOPLE)}",
    }[kind]
    blocks = [_section(line), _buttons(("View incident", url)) if kind == FIRING else _context("Better Stack")]
    return _app_post(c, APPS["betterstack"], text=line.split("\n")[0], blocks=blocks), kind, name


@_template("generic/pingdom", FR)
def _pingdom(c: _Ctx, kind: str) -> _Rendered:
    name = _monitor_name(c)
    host = f"{c.pick(SERVICES)}.{c.pick(('example.com', 'acme.io'))}"
    if kind == FIRING:
        reason = c.pick(("Timeout (&gt; 30s)", "HTTP Error 503", "Connection refused"))
        text = f":red_circle: *DOWN alert: {_esc(name)} ({host}) is DOWN*\nReason: {reason}"
    else:
        text = f":large_green_circle: *UP alert: {_esc(name)} ({host}) is UP again* after {_duration(c)} of downtime"
    return _webhook(c, "Pingdom", text=text), kind, name


@_template("generic/statuscake", FR)
def _statuscake(c: _Ctx, kind: str) -> _Rendered:
    name = _monitor_name(c)
    state = "Down" if kind == FIRING else "Up"
    attachment = {
        "title": f"Website {_esc(name)} is {state}",
        "color": "danger" if kind == FIRING else "good",
        "fields": [
            _field("Status Code", c.pick(("503", "0", "502")) if kind == FIRING else "200"),
            _field("URL", f"https://{c.pick(SERVICES)}.example.com"),
        ],
        "fallback": f"Website {_esc(name)} is {state}",
    }
    return _webhook(c, "StatusCake", attachments=[attachment]), kind, name


# ---------------------------------------------------------------------------------------------------------------
# people: on-call chatter and questions
# ---------------------------------------------------------------------------------------------------------------

INTERROGATIVES = frozenset(
    """
    who what when where why how which whose is are am was were can could should would will do does did has have
    any anyone anybody
    """.split()  # noqa: SIM905
)
Q_ALERT = (
    "is {alert} in {env} expected?",
    "anyone looking at {alert} on {host}?",
    "does anyone know why {alert} keeps flapping?",
    "how do I silence {alert} for the maintenance window?",
    "what's the runbook for {alert}?",
    "has anyone seen {alert} before? first time I see it",
    "is {host} being decommissioned? seeing {alert} on it",
    "{mention} can you take a look at {alert} when you have a sec?",
    "what's the threshold on {alert}? feels too noisy",
    "should {alert} page at night or can it wait till morning?",
    "who owns {alert}? it's been going off since {hour}",
    "is {alert} related to the {svc} deploy?",
    "can we downgrade {alert} to warning? it fires every night during backups",
    "why did {alert} clear on its own, did someone do something?",
    "is it safe to ignore {alert} in {ns} for now?",
    "anyone else getting {alert} pages from {cluster}?",
    "did {alert} fire during the last incident too?",
    "where is {alert} defined? can't find it in the rules repo",
    "is there a dashboard for {alert}?",
    "was {alert} ack'd by anyone? PD still shows it open",
    "{mention} is {alert} on {host} yours?",
    "{alert} again... is this the third time this week?",
)
Q_OPS = (
    "who owns the {svc} alerts?",
    "should I page {team} for this?",
    "can someone review my PR for the {svc} dashboards? {link}",
    "are we still doing the incident review at {hour}?",
    "where do the {svc} logs go these days?",
    "why is {svc} p99 so high since the deploy?",
    "did someone restart {svc}?",
    "is {env} frozen for deploys today?",
    "who's on call this week?",
    "how long does the {svc} migration usually take?",
    "any objections to bumping the {svc} replicas to {n}?",
    "is grafana in {cluster} down for anyone else?",
    "what's the status of the {svc} rollback?",
    "can I get access to the {ns} namespace?",
    "do we have a runbook for rotating the {svc} certs?",
    "is there a known issue with {svc} right now?",
    "has the {svc} postmortem been scheduled?",
    "could someone check why the {svc} canary is stuck?",
    "when is the next maintenance window for {host}?",
    "which team handles {svc} on weekends?",
    "{mention} do you know who changed the {ns} network policy?",
    "lunch?",
    "coffee run, anyone want something?",
)
Q_NOMARK = (
    "anyone know how to mute {alert} for an hour",
    "does the {svc} deploy need approval today",
    "who can approve my change for {svc}",
    "is anyone else seeing timeouts from {svc}",
    "how do we usually handle {alert} on weekends",
    "can someone with prod access restart {svc} in {ns}",
    "what's the escalation for {team} again",
    "did the {svc} rollback finish",
    "where's the runbook for {alert} these days",
    "has anyone touched {host} today",
    "any update on {alert}",
    "should we open an incident for {svc}",
    "anybody around who knows the {svc} billing cron",
    "why is {alert} still open in PD",
)
C_ACK = (
    "ack",
    "ack, looking",
    "looking :eyes:",
    "on it",
    "taking this one",
    "I've got it",
    "ack'd in PD",
    "mine",
    "I'll take {alert}",
    "ack - {alert} is mine",
    "looking at {alert} now",
    "on it, give me 10 min",
    "got it, checking {host}",
    "ok looking",
    "acked, investigating",
    "I'm on {alert}, ignore the pages",
)
C_STATUS = (
    "resolved it by restarting the pod {pod}",
    "FYI {alert} firing again on {host}, on it",
    "{alert} is flapping again, silencing for 1h",
    "rolled back {svc} to {version}, errors are dropping",
    "\U0001f525 prod is down for me",
    "{svc} looks healthy again",
    "false alarm, it was the load test",
    "bumped the disk on {host} to {size}",
    "opened {jira} to fix the threshold on {alert}",
    "I'll write up the postmortem tomorrow",
    "{alert} resolved after the node drain",
    "scaled {svc} to {n} replicas, CPU back to normal",
    "silenced {alert} until {hour} while we migrate {host}",
    "root cause was a bad config push to {svc}, reverted",
    "the {alert} page was me, sorry - forgot to set a silence before the maintenance",
    "{alert} is expected during the {svc} migration, ignore it for now",
    "restarted {svc} in {ns}, watching",
    "{host} is back, it was a kernel panic",
    "closed {jira}, the fix is in {version}",
    "we're OK now, keeping an eye on {svc}",
    "things are recovering, error rate is at {pct}% and dropping",
    "it's up again, was the LB health check",
    "{alert} on {host} is a known issue, see {jira}",
    "drained {host}, {alert} should clear in a few minutes",
    "{svc} is down in {env}, rolling back now",
    "the {alert} alert is noise, tuning it in {link}",
    "triggered a manual failover for {svc}, primary is healthy again",
)
C_SOCIAL = (
    "morning all",
    "heading out, {mention} has the pager",
    "back from lunch",
    "thanks everyone for the help today \U0001f64f",
    "brb",
    "happy friday",
    "I'm OOO tomorrow, {mention} is covering",
    "congrats on the launch {mention} \U0001f389",
    "TIL about kubectl debug, super handy",
    "reminder: retro at {hour}",
    "+1",
    "lol",
    "nice",
    "ty!",
    "agreed",
    "sounds good",
    "yep, will do",
    "makes sense, thanks",
)
C_EMOJI = (
    "\U0001f525 prod is down for me",
    ":eyes:",
    ":white_check_mark: done",
    "\U0001f64f",
    ":fire: :fire: :fire:",
    "\u2705 {svc} deployed",
    "\U0001f389",
    "\U0001f62c {alert} again",
    ":pray: thanks {mention}",
    ":rotating_light: heads up, {svc} latency spiking",
    "\U0001f440 on {alert}",
    ":tada: {jira} closed",
    ":thumbsup:",
    "\U0001f680 {svc} {version} is out",
)
C_INCIDENT = (
    "customer impact confirmed for {svc}, opening an incident",
    "status page updated",
    "I'm IC, {mention} is comms",
    "{svc} error rate is back to baseline",
    "timeline doc: {link}",
    "mitigation deployed, monitoring",
    "declaring the incident resolved, thanks all",
    "we're seeing 5xx on {svc} since {hour}",
    "paging {team} for {svc}",
    "next update in 30 min",
    "{alert} fired at {hour}, first customer ticket at {hour2}",
    "bridge is open: {link}",
)
COMMENT_CHATTER = (
    "this one is on me",
    "third time today",
    "seeing this again",
    "this again \U0001f644",
    "muting this for 2h",
    "ignore, it's the load test",
    "fix is rolling out",
    "expected, migration in progress",
    "ugh",
)
COMMENT_QUESTION = (
    "anyone know what this is?",
    "is this real?",
    "should I worry about this?",
    "who owns this one?",
    "is this related to the deploy?",
    "seen this before?",
)
LOG_LINES = (
    "ERROR [{svc}] connection refused: dial tcp 10.0.3.12:5432: connect: connection refused",
    "java.lang.OutOfMemoryError: Java heap space",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "WARN pool exhausted, 0/50 connections available",
    "Back-off restarting failed container {svc} in pod {pod}",
    "upstream connect error or disconnect/reset before headers. reset reason: overflow",
    "FATAL: remaining connection slots are reserved for non-replication superuser connections",
)
COMMANDS = (
    "kubectl -n {ns} rollout restart deploy/{svc}",
    "kubectl -n {ns} get pods | grep -v Running",
    "amtool silence add alertname={alert} --duration=2h --comment='maintenance'",
    "df -h /var",
    "kubectl top pods -n {ns} --sort-by=memory",
    "systemctl restart {svc}",
    "aws rds describe-db-instances --db-instance-identifier {svc}-db",
)


def _fill(c: _Ctx, template: str) -> str:
    """A people template with the sample's alert, hosts, services and mentions (escaped as Slack delivers)."""
    values = {
        "alert": c.pick(
            (
                c.alertname,
                c.alertname,
                c.alertname,
                _prose_name(c).lower(),
                f"the {_kebab(c, 2).replace('-', ' ')} alerts",
            )
        ),
        "host": _host(c.rng),
        "svc": c.pick(SERVICES),
        "ns": c.pick(NAMESPACES),
        "env": c.pick(("prod", "staging", "production", "eu", "us-east")),
        "cluster": c.pick(CLUSTERS),
        "team": c.pick(TEAMS),
        "mention": f"<@{c.pick(USER_IDS)}>",
        "hour": f"{c.num(8, 18)}:{c.pick(('00', '15', '30', '45'))}",
        "hour2": f"{c.num(8, 18)}:{c.pick(('05', '20', '40'))}",
        "n": str(c.num(3, 12)),
        "pod": _label_value("pod", c.rng, c.rule),
        "version": f"v{c.num(1, 4)}.{c.num(0, 40)}.{c.num(0, 9)}",
        "size": c.pick(("200G", "500G", "1T")),
        "jira": f"{c.pick(('OPS', 'SRE', 'PLAT', 'INC'))}-{c.num(100, 4999)}",
        "pct": str(c.num(1, 9)),
        "link": c.pick(
            (
                f"<https://github.com/acme/{c.pick(('infra', 'alerts', 'dashboards'))}/pull/{c.num(100, 3000)}>",
                f"<https://docs.google.com/document/d/{c.hex(12)}|timeline>",
                f"<https://acme.zoom.us/j/{c.num(10**9, 10**10 - 1)}>",
            )
        ),
    }
    return template.format(**{k: (v if k in ("mention", "link") else _esc(v)) for k, v in values.items()})


def _is_question(text: str) -> bool:
    body = re.sub(r"^(<@\w+>\s*)+", "", text).strip()
    first = re.split(r"[\s,':]+", body.lower(), maxsplit=1)[0] if body else ""
    return "?" in text or first in INTERROGATIVES


def _decorate(c: _Ctx, text: str, *, question: bool) -> str:
    """Light variation of how people write: a lead-in, a tail, capitalisation."""
    if not question and c.chance(0.35):
        text = c.pick(("fyi ", "FYI: ", "heads up: ", "update: ", "quick note - ", f"<@{c.pick(USER_IDS)}> ")) + text
    if c.chance(0.25):
        tail = c.pick(
            (" :eyes:", " \U0001f64f", " thanks", f" (cc <@{c.pick(USER_IDS)}>)", " :pray:", " lol")
            if not question
            else (" \U0001f64f", " thanks!", f" cc <@{c.pick(USER_IDS)}>", " :thinking_face:")
        )
        text += tail
    if c.chance(0.3):
        text = text[0].upper() + text[1:] if text[0].islower() else text
    return text


_INLINE = re.compile(r"<@(U\w+)>|<(https?://[^|>]+)(?:\|([^>]*))?>|:([a-z0-9_+-]+):")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _inline_elements(text: str) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            elements.append({"type": "text", "text": _unescape(text[pos : match.start()])})
        if match.group(1):
            elements.append({"type": "user", "user_id": match.group(1)})
        elif match.group(2):
            link: dict[str, Any] = {"type": "link", "url": match.group(2)}
            if match.group(3):
                link["text"] = match.group(3)
            elements.append(link)
        else:
            elements.append({"type": "emoji", "name": match.group(4)})
        pos = match.end()
    if pos < len(text):
        elements.append({"type": "text", "text": _unescape(text[pos:])})
    return elements


def _rich_text(text: str) -> dict[str, Any]:
    """The rich_text block Slack's clients attach to what a person typed."""
    elements: list[dict[str, Any]] = []
    for i, part in enumerate(text.split("```")):
        if not part:
            continue
        if i % 2:
            elements.append(
                {
                    "type": "rich_text_preformatted",
                    "elements": [{"type": "text", "text": _unescape(part.strip(chr(10)))}],
                }
            )
            continue
        lines = part.split("\n")
        quoted = [line[5:] for line in lines if line.startswith("&gt; ")]
        plain = "\n".join(line for line in lines if not line.startswith("&gt; "))
        if quoted:
            elements.append({"type": "rich_text_quote", "elements": _inline_elements("\n".join(quoted))})
        if plain.strip():
            elements.append({"type": "rich_text_section", "elements": _inline_elements(plain)})
    return {"type": "rich_text", "elements": elements}


def _human(c: _Ctx, text: str, *, thread: bool | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "message",
        "user": c.pick(USER_IDS),
        "text": text,
        "ts": c.ts(),
        "team": TEAM,
        "client_msg_id": c.uid(),
        "blocks": [_rich_text(text)],
    }
    if thread if thread is not None else c.chance(0.3):
        message["thread_ts"] = c.ts(-c.num(30, 7200))
        message["parent_user_id"] = c.pick(
            (*USER_IDS[:6], APPS["pagerduty"].user, APPS["promalerts"].user, APPS["datadog"].user)
        )
    message = _finish(c, message, TALK_CHANNELS)
    if c.chance(0.06):
        message = _edited(c, message, c.num(10, 600))
    return message


def _people(c: _Ctx, pools: Sequence[tuple[Sequence[str], bool]], *, thread: bool | None = None) -> _Rendered:
    pool, question = c.pick(pools)
    text = _decorate(c, _fill(c, c.pick(pool)), question=question)
    kind = QUESTION if question else CHATTER
    assert _is_question(text) == question, text
    return _human(c, text, thread=thread), kind, None


def _paste_line(c: _Ctx) -> str:
    """An alert line as people paste it from a notification."""
    g = _am_group(c, c.pick((FIRING, FIRING, RESOLVED)), size=c.pick((1, 1, 2)), mixed=0.0)
    scope, tags = _dd_scope(c)
    return c.pick(
        (
            g.subject().strip(),
            g.subject().strip(),
            f"[FIRING:{g.firing}] {c.alertname}",
            f"[Triggered on {{{scope}}}] {_dd_name(c, tags)}",
            f"Problem: {_zbx_problem(c, host_suffix=False).name}",
        )
    )


@_template("people/question-alert", (QUESTION,))
def _pp_q_alert(c: _Ctx, kind: str) -> _Rendered:
    return _people(c, [(Q_ALERT, True)])


@_template("people/question-ops", (QUESTION,))
def _pp_q_ops(c: _Ctx, kind: str) -> _Rendered:
    return _people(c, [(Q_OPS, True)])


@_template("people/question-no-mark", (QUESTION,))
def _pp_q_nomark(c: _Ctx, kind: str) -> _Rendered:
    text = _fill(c, c.pick(Q_NOMARK))
    if c.chance(0.3):
        text = text[0].upper() + text[1:]
    assert _is_question(text), text
    return _human(c, text), QUESTION, None


@_template("people/ack", (CHATTER,))
def _pp_ack(c: _Ctx, kind: str) -> _Rendered:
    return _people(c, [(C_ACK, False)], thread=c.chance(0.6))


@_template("people/status-update", (CHATTER,))
def _pp_status(c: _Ctx, kind: str) -> _Rendered:
    return _people(c, [(C_STATUS, False)])


@_template("people/paste-alert", (CHATTER, CHATTER, QUESTION))
def _pp_paste(c: _Ctx, kind: str) -> _Rendered:
    line = _esc(_paste_line(c))
    question = kind == QUESTION
    comment = _fill(c, c.pick(COMMENT_QUESTION if question else COMMENT_CHATTER))
    layouts = [f"{comment}\n```{line}```", f"&gt; {line}\n{comment}", f"{line}\n^ {comment}"]
    if not question:
        layouts.append(f"{comment}: `{line}`")
    text = c.pick(layouts)
    assert ("?" in text) == question, text
    return _human(c, text), kind, None


@_template("people/code-block", (CHATTER, QUESTION))
def _pp_code(c: _Ctx, kind: str) -> _Rendered:
    command = c.chance(0.5)
    snippet = _fill(c, c.pick(COMMANDS if command else LOG_LINES))
    if kind == QUESTION:
        leads = (
            ("is this the right way to do it?", "does this look right to you?", "safe to run this in prod?")
            if command
            else ("anyone seen this error before?", "why would this happen?", "is this related to the alert?")
        )
    else:
        leads = (
            ("that fixed it:", "ran this on the box:", "workaround until the fix ships:", "for the record:")
            if command
            else ("here's the error:", "found this in the logs:", "the pod keeps printing this:")
        )
    text = f"{c.pick(leads)}\n```{snippet}```"
    return _human(c, text), kind, None


@_template("people/thread-reply", (CHATTER, QUESTION))
def _pp_thread(c: _Ctx, kind: str) -> _Rendered:
    pools = [(C_ACK, False), (C_STATUS, False)] if kind == CHATTER else [(Q_ALERT, True), (Q_NOMARK, True)]
    pool, question = c.pick(pools)
    text = _fill(c, c.pick(pool))
    if pool is not Q_NOMARK:
        text = _decorate(c, text, question=question)
    assert _is_question(text) == question, text
    return _human(c, text, thread=True), kind, None


@_template("people/emoji", (CHATTER,))
def _pp_emoji(c: _Ctx, kind: str) -> _Rendered:
    return _people(c, [(C_EMOJI, False)])


@_template("people/handover", (CHATTER,))
def _pp_handover(c: _Ctx, kind: str) -> _Rendered:
    items = c.rng.sample(
        (
            "{alert} fired twice overnight, both cleared on their own",
            "{svc} deploy is paused until the fix for {jira} lands",
            "{host} disk at 85%, ticket {jira}",
            "silenced {alert} in {ns} until tomorrow {hour}",
            "nothing paged after midnight",
            "{svc} error budget is at {pct}%",
            "the {cluster} upgrade is scheduled for thursday",
        ),
        c.num(2, 4),
    )
    head = c.pick(("On-call handover:", "handover notes", "*Handover* :wave:", "Shift summary"))
    text = head + "\n" + "\n".join(f"\u2022 {_fill(c, item)}" for item in items)
    return _human(c, text, thread=False), CHATTER, None


@_template("people/incident-chatter", (CHATTER,))
def _pp_incident(c: _Ctx, kind: str) -> _Rendered:
    return _people(c, [(C_INCIDENT, False)])


@_template("people/social", (CHATTER, CHATTER, QUESTION))
def _pp_social(c: _Ctx, kind: str) -> _Rendered:
    if kind == QUESTION:
        return _people(
            c,
            [
                (
                    (
                        "lunch?",
                        "coffee run, anyone want something?",
                        "who's around friday?",
                        "is the office open on monday?",
                        "{mention} are you joining the offsite?",
                    ),
                    True,
                )
            ],
        )
    return _people(c, [(C_SOCIAL, False)])


# ---------------------------------------------------------------------------------------------------------------
# bots: integrations that are not alerting (deploys, CI, code review, tickets, calendars, on-call schedules)
# ---------------------------------------------------------------------------------------------------------------

REPOS = ("infra", "checkout", "payments-service", "platform-charts", "alerts", "web-app", "terraform-live")
GH_LOGINS = ("priyan", "mrossi", "abello", "tbecker", "lfischer", "dalvarez", "kwatanabe", "hokafor")


def _bot_values(c: _Ctx) -> dict[str, str]:
    return {
        "app": c.pick(SERVICES),
        "env": c.pick(("prod", "staging", "production", "dev")),
        "sha": c.hex(7),
        "repo": c.pick(REPOS),
        "who": c.pick(PEOPLE),
        "login": c.pick(GH_LOGINS),
        "n": str(c.num(10, 9999)),
        "alert": c.alertname,
        "version": f"{c.num(1, 4)}.{c.num(0, 40)}.{c.num(0, 9)}",
    }


@_template("bots/argocd", (CHATTER,))
def _bot_argocd(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    url = f"https://argocd.{c.pick(('example.com', 'acme.io'))}"
    at = _when(c, "%Y-%m-%dT%H:%M:%SZ")
    text, color = c.pick(
        (
            (
                f":white_check_mark: Application {v['app']} has been successfully synced at {at}.\n"
                f"Sync operation details are available at: {url}/applications/{v['app']}?operation=true .",
                "#18be52",
            ),
            (f":rocket: Application {v['app']} is now running new version of deployments manifests.", "#18be52"),
            (
                f"The sync operation of application {v['app']} has started at {at}.\n"
                f"Sync operation details are available at: {url}/applications/{v['app']}?operation=true .",
                "#0DADEA",
            ),
            (f"Application {v['app']} has been created.", "#18be52"),
        )
    )
    attachment = {
        "title": v["app"],
        "title_link": f"{url}/applications/{v['app']}",
        "color": color,
        "fields": [
            _field("Sync Status", "Synced"),
            _field("Repository", f"https://github.com/acme/{v['repo']}.git"),
            _field("Revision", c.hex(40), False),
        ],
    }
    return _app_post(c, APPS["argocd"], text=text, attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/spinnaker", (CHATTER,))
def _bot_spinnaker(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    pipeline = c.pick(("deploy-prod", "deploy-staging", "canary", "bake-and-deploy"))
    status = c.pick(("has started", "completed successfully", "is awaiting manual judgment", "completed successfully"))
    text = f"Spinnaker pipeline *{pipeline}* for application *{v['app']}* {status}"
    attachment = {
        "color": "#2eb886" if "success" in status else "#439FE0",
        "fields": [
            _field("Trigger", f"{v['login']} (manual)" if c.chance(0.4) else f"git push {v['sha']}"),
            _field("Duration", f"{c.num(1, 40)}m"),
        ],
        "fallback": text,
    }
    return _app_post(c, APPS["spinnaker"], text=text, attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/github-actions", (CHATTER,))
def _bot_gha(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    workflow = c.pick(("CI", "Deploy", "Release", "Terraform Apply", "Lint & Test"))
    ok = c.chance(0.75)
    run = f"https://github.com/acme/{v['repo']}/actions/runs/{c.num(10**9, 10**10 - 1)}"
    message = (
        c.pick((f"Successfully deployed {v['app']} to {v['env']}", f"{workflow} passed", f"Released v{v['version']}"))
        if ok
        else f"{workflow} failed on main"
    )
    attachment = {
        "color": "good" if ok else "danger",
        "author_name": v["login"],
        "title": "Message",
        "text": message,
        "fields": [
            _field("Ref", "refs/heads/main"),
            _field("Event", c.pick(("push", "workflow_dispatch", "pull_request"))),
            _field("Actions URL", f"<{run}|{workflow}>"),
            _field("Commit", f"<https://github.com/acme/{v['repo']}/commit/{v['sha']}|{v['sha']}>"),
        ],
        "footer": "<https://github.com/rtCamp/github-actions-library|Powered By rtCamp's GitHub Actions Library>",
        "fallback": message,
    }
    return (
        _webhook(c, c.pick(("GitHub Actions", "rtCamp", "ci-bot")), attachments=[attachment], channels=BOT_CHANNELS),
        CHATTER,
        None,
    )


@_template("bots/jenkins", (CHATTER,))
def _bot_jenkins(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    job = f"{v['app']} \u00bb {c.pick(('main', 'release', 'PR-' + str(c.num(10, 999))))}"
    status, color = c.pick(
        (
            ("Success", "good"),
            ("SUCCESS", "good"),
            (f"Started by user {v['who']}", "#439FE0"),
            ("Back to normal", "good"),
            ("FAILURE", "danger"),
            ("Unstable", "warning"),
        )
    )
    url = f"https://jenkins.acme.io/job/{v['app']}/{v['n']}/"
    text = c.pick(
        (
            f"{job} - #{v['n']} {status} after {c.num(1, 30)} min {c.num(1, 59)} sec (<{url}|Open>)",
            f"Build #{v['n']} {status}: {job}",
        )
    )
    return (
        _app_post(
            c, APPS["jenkins"], attachments=[{"color": color, "text": text, "fallback": text}], channels=BOT_CHANNELS
        ),
        CHATTER,
        None,
    )


def _github_attachment(c: _Ctx, pretext: str, title: str, body: str, repo: str, number: str) -> dict[str, Any]:
    return {
        "pretext": pretext,
        "title": f"#{number} {title}",
        "title_link": f"https://github.com/acme/{repo}/pull/{number}",
        "text": body,
        "color": "#36a64f",
        "footer": f"<https://github.com/acme/{repo}|acme/{repo}>",
        "fallback": f"{pretext}: #{number} {title}",
    }


@_template("bots/github-pr", (CHATTER,))
def _bot_gh_pr(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    title = _esc(
        c.pick(
            (
                f"Raise {v['alert']} threshold to 95%",
                f"Silence {v['alert']} during nightly backups",
                f"Fix flapping {v['alert']}",
                f"Bump {v['app']} memory limits",
                f"Add runbook link to {v['alert']}",
                f"{v['app']}: retry on connection reset",
                "Upgrade kube-prometheus-stack to 65.1.0",
            )
        )
    )
    action = c.pick(
        ("Pull request opened by", "Pull request merged by", "Review requested by", "Pull request closed by")
    )
    attachment = _github_attachment(
        c,
        f"{action} <https://github.com/{v['login']}|{v['login']}>",
        title,
        c.pick(("", "Closes #" + v["n"], "See incident doc")),
        v["repo"],
        v["n"],
    )
    return _app_post(c, APPS["github"], attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/github-issue", (CHATTER,))
def _bot_gh_issue(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    title = _esc(
        c.pick(
            (
                f"{v['alert']} firing constantly in staging",
                f"{v['alert']} should not page outside business hours",
                f"{v['app']} crashes on startup with empty config",
                f"Alert {v['alert']} has no runbook",
                f"Resolved alerts are not posted for {v['app']}",
            )
        )
    )
    action = c.pick(("Issue opened by", "Issue closed by", "Comment by"))
    attachment = _github_attachment(
        c,
        f"{action} {v['login']}",
        title,
        c.pick(("", "Happens since the last upgrade.", "Seen 14 times this week.")),
        v["repo"],
        v["n"],
    )
    attachment["title_link"] = attachment["title_link"].replace("/pull/", "/issues/")
    return _app_post(c, APPS["github"], attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/jira", (CHATTER,))
def _bot_jira(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    key = f"{c.pick(('OPS', 'SRE', 'PLAT'))}-{c.num(100, 4999)}"
    summary = _esc(
        c.pick(
            (
                f"Investigate {v['alert']} noise",
                f"{v['app']}: reduce p99 latency",
                f"Postmortem action: add alert for {v['app']} queue depth",
                f"Tune {v['alert']} threshold",
                f"Rotate {v['app']} TLS certificates",
            )
        )
    )
    verb = c.pick(("created", "transitioned", "commented on", "assigned"))
    issue = c.pick(("Task", "Bug", "Story"))
    text = f"{v['who']} {verb} a {issue} <https://acme.atlassian.net/browse/{key}|{key}: {summary}>"
    attachment = {
        "color": "#2684FF",
        "fields": [
            _field("Status", c.pick(("To Do", "In Progress", "Done"))),
            _field("Priority", c.pick(("Medium", "High", "Low"))),
            _field("Assignee", c.pick(PEOPLE)),
        ],
        "fallback": text,
    }
    return _app_post(c, APPS["jira"], text=text, attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/geekbot", (CHATTER,))
def _bot_geekbot(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    attachments = [
        {
            "color": "#2D9EE0",
            "title": "What did you do yesterday?",
            "text": _esc(c.pick((f"Worked on {v['app']} dashboards", f"Tuned {v['alert']}", "Reviews and on-call"))),
        },
        {
            "color": "#5BAF6B",
            "title": "What will you do today?",
            "text": _esc(c.pick((f"Finish {v['app']} migration", "Postmortem write-up", "Terraform cleanup"))),
        },
        {
            "color": "#E0A82D",
            "title": "Anything blocking your progress?",
            "text": c.pick(("Nope", "Waiting on access to prod", "No")),
        },
    ]
    text = f"*{v['who']}* posted an update for *{c.pick(('Daily Standup', 'SRE Standup', 'Platform sync'))}*"
    return _app_post(c, APPS["geekbot"], text=text, attachments=attachments, channels=BOT_CHANNELS), CHATTER, None


@_template("bots/dependabot", (CHATTER,))
def _bot_dependabot(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    pkg = c.pick(
        ("lodash", "golang.org/x/net", "requests", "axios", "github.com/prometheus/client_golang", "urllib3", "express")
    )
    a, b = f"{c.num(0, 4)}.{c.num(0, 30)}.{c.num(0, 9)}", f"{c.num(5, 9)}.{c.num(0, 30)}.{c.num(0, 9)}"
    title = f"Bump {pkg} from {a} to {b} in /services/{v['app']}"
    attachment = _github_attachment(
        c,
        "Pull request opened by <https://github.com/apps/dependabot|dependabot[bot]>",
        title,
        "Bumps the dependency to the latest version.",
        v["repo"],
        v["n"],
    )
    return _app_post(c, APPS["github"], attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/calendar", (CHATTER,))
def _bot_calendar(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    event = _esc(
        c.pick(
            (
                f"Incident review: {v['app']} outage",
                "On-call handover",
                "Platform sync",
                f"Postmortem: {v['alert']} pages",
                "SRE weekly",
            )
        )
    )
    text = c.pick(
        (
            f"*{event}* starts in {c.pick(('10', '5', '15'))} minutes",
            f"Event reminder: *{event}* at {_when(c, '%H:%M')}",
        )
    )
    attachment = {
        "color": "#4285F4",
        "fields": [_field("When", _when(c, "%a %b %d, %H:%M")), _field("Where", "Google Meet")],
        "fallback": text,
    }
    return _app_post(c, APPS["calendar"], text=text, attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/pagerduty-oncall", (CHATTER,))
def _bot_pd_oncall(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    schedule = c.pick((f"{c.pick(TEAMS).title()} Primary", "Platform Secondary", "SRE Weekly", "Database on-call"))
    other = c.pick(PEOPLE)
    text = c.pick(
        (
            f"{v['who']} is now on call for *{schedule}* until {_when(c, '%b %d, %H:%M', 7 * 86400)}",
            f"On-call handoff for *{schedule}*: {v['who']} hands over to {other}",
            f"Your on-call shift for *{schedule}* starts in 1 hour",
            f"*Who's on call* \u2014 {schedule}: {v['who']} (primary), {other} (secondary)",
        )
    )
    return _app_post(c, APPS["pagerduty"], text=text, blocks=[_section(text)], channels=BOT_CHANNELS), CHATTER, None


@_template("bots/flux", (CHATTER,))
def _bot_flux(c: _Ctx, kind: str) -> _Rendered:
    v = _bot_values(c)
    kind_name = c.pick(("kustomization", "helmrelease"))
    text = c.pick(
        (
            f"Reconciliation finished in {c.rng.uniform(0.5, 9):.1f}s, next run in 10m0s",
            f"Helm upgrade succeeded for release {v['app']}-{v['env']}/{v['app']} with chart {v['app']}@{v['version']}",
            f"Health check passed in {c.rng.uniform(1, 60):.1f}s",
        )
    )
    attachment = {
        "color": "good",
        "author_name": f"{kind_name}/{v['app']}.flux-system",
        "text": text,
        "fields": [_field("revision", f"main@sha1:{c.hex(40)}", False)],
        "fallback": text,
    }
    return _webhook(c, "flux", attachments=[attachment], channels=BOT_CHANNELS), CHATTER, None


# ---------------------------------------------------------------------------------------------------------------
# the stream
# ---------------------------------------------------------------------------------------------------------------

_TEMPLATES.sort(key=lambda t: FAMILIES.index(t.family))  # stable: each family's templates in definition order
TEMPLATE_IDS: tuple[str, ...] = tuple(t.id for t in _TEMPLATES)


def generate(rules: list[dict[str, Any]], *, seed: int = 0, per_template: int = 40) -> list[Sample]:
    """`per_template` samples of every template, family by family (deterministic in seed and rules).

    Sample n of a template uses the rule `Random(seed|template|n)` picks, and renders everything else from
    `Random(seed|template|rule index|n)`; its kind cycles through the kinds the template's tool has.
    """
    usable = [rule for rule in rules if rule.get("dataset") != HELD_OUT_DATASET and rule.get("alert")]
    if not usable:
        raise ValueError("no usable alerting rules (all missing or from the held-out dataset)")
    samples: list[Sample] = []
    for template in _TEMPLATES:
        for n in range(per_template):
            index = random.Random(f"{seed}|{template.id}|{n}").randrange(len(usable))
            rng = random.Random(f"{seed}|{template.id}|{index}|{n}")
            ctx = _Ctx(rng=rng, rule=usable[index], index=index, n=n, seconds=rng.randrange(SPAN))
            message, kind, alert = template.render(ctx, template.kinds[n % len(template.kinds)])
            samples.append(Sample(template.family, template.id, message, kind, alert))
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rules", type=Path, required=True, help="alerts.jsonl with the alerting rules")
    parser.add_argument("--out", type=Path, required=True, help="where to write the stream (JSON lines)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-template", type=int, default=40)
    args = parser.parse_args(argv)
    samples = generate(load_rules(args.rules), seed=args.seed, per_template=args.per_template)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for sample in samples:
            out.write(json.dumps(asdict(sample), ensure_ascii=False, separators=(",", ":")) + "\n")
    families = Counter(s.family for s in samples)
    by_template: dict[str, Counter[str]] = {}
    for s in samples:
        by_template.setdefault(s.template, Counter())[s.kind] += 1
    print(f"{len(samples)} samples -> {args.out}")
    for family in FAMILIES:
        print(f"{family:<13} {families[family]:>5}")
        for template, kinds in by_template.items():
            if template.split("/")[0] == family:
                detail = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
                print(f"  {template:<40} {sum(kinds.values()):>4}  ({detail})")
    print("kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(Counter(s.kind for s in samples).items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
