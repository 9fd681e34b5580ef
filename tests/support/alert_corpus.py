"""The classify benchmark's Alertmanager corpus: every alerting rule rendered as Alertmanager Slack notifications.

bench/classify_eval.py reads the committed result (tests/data/alert-formats/alertmanager-eval/notifications.jsonl,
written by scripts/render_alert_corpus.py); tests/test_alertmanager_render.py checks it still equals what this
module renders. Per rule of tests/data/alerts/alerts.jsonl (index i): `per_rule` notifications (4: firing and
resolved, a single alert and a group of 2-4 instances; some firing groups carry a resolved alert too), with
plausible series labels derived from the rule's expr, annotations and labels, group_by cycled through GROUP_BYS and
the Slack `text` through the template's text variants, so every combination occurs. Each rule's notifications
depend only on (seed, i, rule), so any subset of rules can be re-rendered on its own. Then the six notifications
of tests/data/alert-formats/rendered_examples (rendered with Go itself) in the three forms their files hold.

A record: {"rule", "round", "kind", "alert", "slices", "message"} (the rendered examples: {"example", "kind",
"alert", "slices", "message"}); `kind` and `alert` are the labels the classifier must give, `slices` the
breakdowns the benchmark reports, `message` the Slack message object as it reaches the bot.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.alertmanager_template import (
    TEXT_VARIANTS,
    Alert,
    NotificationGroup,
    alert_from_rule,
    render_slack_payload,
    slack_message,
)

DATA = Path(__file__).resolve().parents[1] / "data"
RULES = DATA / "alerts" / "alerts.jsonl"
RENDERED = DATA / "alert-formats" / "rendered_examples"
CORPUS = DATA / "alert-formats" / "alertmanager-eval" / "notifications.jsonl"
SEED = 7  # label values, sample values, group sizes
PER_RULE = 4  # notifications per rule (4 = every status x size)

GROUP_BYS: list[list[str]] = [["namespace"], ["alertname"], ["alertname", "cluster", "service"], ["job"], []]
VARIANTS = list(TEXT_VARIANTS)  # default, docs_common_annotations, alerts_range, alert_details


# --- series labels a rule's alerts plausibly carry ------------------------------------------------------------------

SELECTOR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", re.IGNORECASE)
AGGREGATION = re.compile(r"\b(sum|count|avg|max|min|topk|bottomk|quantile|stddev|stdvar|group|count_values)\s*\(")
TEMPLATE_REFS = re.compile(r"(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)")
SIMPLE_FILTER = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*(==|!=|>=|<=|>|<)\s*[0-9.e+-]+\s*$")
IDENTITY = (
    "instance",
    "pod",
    "node",
    "device",
    "mountpoint",
    "fqdn",
    "hostname",
    "host",
    "name",
    "server",
    "container",
    "shard",
    "persistentvolumeclaim",
    "queue",
    "topic",
    "datname",
    "cpu",
)
EXTERNAL_LABELS = {  # what each source's Prometheus typically adds (kube-prometheus: its `prometheus` label)
    "kube-prometheus": {"prometheus": "monitoring/k8s"},
    "monitoring-mixins": {"prometheus": "monitoring/prometheus"},
    "awesome-prometheus-alerts": {},
    "gitlab-com-runbooks": {"monitor": "default"},
}
POOLS: dict[str, list[str]] = {
    "namespace": ["monitoring", "kube-system", "payments", "checkout", "default", "ingress-nginx", "logging", "data"],
    "cluster": ["prod-eu-west-1", "prod-us-east-1", "staging-eu-1", "gke-prod-01"],
    "job": ["node-exporter", "kube-state-metrics", "kubelet", "apiserver", "blackbox", "postgres-exporter", "api"],
    "service": ["api", "checkout", "payments", "kube-state-metrics", "node-exporter", "web", "frontend"],
    "container": ["api", "worker", "prometheus", "kube-rbac-proxy", "nginx", "sidecar", "app"],
    "deployment": ["api", "checkout", "payments-worker", "frontend", "coredns", "ingress-nginx-controller"],
    "statefulset": ["postgres", "redis", "kafka", "prometheus-k8s", "alertmanager-main", "elasticsearch-data"],
    "daemonset": ["node-exporter", "fluent-bit", "calico-node", "kube-proxy"],
    "device": ["/dev/nvme0n1p1", "/dev/sda1", "/dev/xvda1", "/dev/mapper/vg0-data"],
    "mountpoint": ["/", "/var/lib/docker", "/data", "/var/log", "/home"],
    "fstype": ["ext4", "xfs"],
    "env": ["gprd", "gstg", "production", "staging"],
    "environment": ["gprd", "gstg", "production", "staging"],
    "stage": ["main", "cny"],
    "tier": ["sv", "db", "inf", "lb", "stor"],
    "type": ["web", "api", "git", "sidekiq", "patroni", "redis", "registry", "gitaly"],
    "region": ["us-east1", "europe-west1", "eu-west-1", "us-west-2"],
    "zone": ["us-east1-b", "europe-west1-c", "eu-west-1a"],
    "shard": ["default", "catchall", "urgent-other", "0"],
    "component": ["puma", "workhorse", "rails_requests", "sidekiq_execution", "primary_server", "goserver"],
    "code": ["500", "503", "429", "404"],
    "status_code": ["500", "503", "429"],
    "method": ["GET", "POST", "PUT"],
    "verb": ["GET", "LIST", "WATCH", "POST"],
    "handler": ["/api/v1/query", "/metrics", "/api/v4/projects", "/-/healthy"],
    "route": ["/api/v1/orders", "/login", "/api/v4/jobs/request"],
    "reason": ["CrashLoopBackOff", "OOMKilled", "ImagePullBackOff", "Evicted"],
    "phase": ["Pending", "Failed", "Unknown"],
    "mode": ["idle", "iowait", "system", "user"],
    "severity": ["warning", "critical"],
    "le": ["0.5", "1", "+Inf"],
    "quantile": ["0.99", "0.9", "0.5"],
    "endpoint": ["https-main", "http-metrics", "metrics", "https"],
    "topic": ["orders", "payments.events", "audit-log"],
    "queue": ["default", "mailers", "critical", "orders"],
    "queue_name": ["default", "mailers", "critical"],
    "datname": ["gitlabhq_production", "orders", "postgres"],
    "relname": ["ci_builds", "merge_requests", "events"],
    "controller": ["ReplicaSet/api-7d9f5c", "StatefulSet/postgres", "Job/nightly-backup"],
    "resource": ["cpu", "memory", "pods", "disk_space", "connections"],
    "persistentvolumeclaim": ["data-postgres-0", "prometheus-k8s-db-prometheus-k8s-0", "storage-kafka-1"],
    "persistentvolume": ["pvc-3f0c2a8e-5d41-4c52-9a7e-1b2c3d4e5f60", "pvc-8b1d0e44-2c7a-4b1e-9f0d-6a5c4b3a2f10"],
    "horizontalpodautoscaler": ["api", "checkout", "frontend"],
    "cronjob": ["nightly-backup", "report-generator", "cleanup"],
    "job_name": ["nightly-backup-28472910", "migrate-db-1", "cleanup-28473000"],
    "operation": ["read", "write", "query", "compaction"],
    "state": ["down", "failed", "inactive"],
    "interface": ["eth0", "ens5", "bond0"],
    "network_name": ["private-net", "provider-net"],
    "remote_name": ["thanos-receive", "mimir"],
    "url": ["http://thanos-receive:19291/api/v1/receive", "https://mimir.example.com/api/v1/push"],
    "app": ["api", "checkout", "frontend"],
    "tenant": ["team-a", "anonymous", "acme"],
    "pool": ["rbd", "cephfs_data", "default"],
    "volume": ["C:", "D:", "data"],
    "name": ["nginx", "postgres", "redis", "api"],
}


def label_value(name: str, rng: random.Random, rule: dict[str, Any] | None = None) -> str:
    """A realistic value for a label of this name (of an alert of this rule)."""
    dataset = (rule or {}).get("dataset")
    if name == "job" and rule is not None:
        return rule_job(rule, rng)
    if name in ("fqdn", "hostname", "host", "server", "nodename"):
        if dataset == "gitlab-com-runbooks":
            role = rng.choice(["patroni-main-2004", "web", "redis-cache", "gitaly", "sidekiq-catchall"])
            return f"{role}-{rng.randint(1, 12):02d}-db-gprd.c.gitlab-production.internal"
        return f"{rng.choice(['node', 'db', 'app', 'cache', 'edge'])}-{rng.randint(1, 40):02d}.prod.internal"
    if name in POOLS:
        return rng.choice(POOLS[name])
    octets = f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    if name == "instance":
        return rng.choice(
            [f"{octets}:{rng.choice([9100, 9090, 8080, 9187, 9121])}", f"web-{rng.randint(1, 40):02d}:9100"]
        )
    if name == "pod":
        tail = "".join(rng.choices("bcdfghjklmnpqrstvwxz2456789", k=5))
        return f"{rng.choice(POOLS['deployment'])}-{rng.getrandbits(36):09x}-{tail}"
    if name in ("node", "kubernetes_node"):
        return rng.choice(
            [f"ip-10-0-{rng.randint(0, 255)}-{rng.randint(2, 254)}.ec2.internal", f"worker-{rng.randint(1, 9)}"]
        )
    if name in ("uid", "pod_uid"):
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if name in ("id", "cpu", "core", "partition"):
        return str(rng.randint(0, 15))
    if name.endswith("cluster"):
        return rng.choice(["prod-1", "analytics", "main", "eu-cluster"])
    if name.endswith(("_id", "_identifier")):
        return f"{name.split('_')[0]}-{rng.randint(100, 999)}"
    return rng.choice(["main", "primary", "default", "prod-1", "app-01", "shared", "blue"])


def rule_job(rule: dict[str, Any], rng: random.Random) -> str:
    """The scrape job a rule's series plausibly come from: its exporter, mixin or a pool of usual jobs."""
    path = str(rule.get("source", "")).split(":", 1)[-1].split(" ")[0]
    if rule["dataset"] == "awesome-prometheus-alerts" and path.endswith(".yml"):  # dist/rules/<service>/<exporter>.yml
        service, exporter = path.split("/")[-2], Path(path).stem
        return service if exporter.startswith("embedded-exporter") else exporter
    if rule["dataset"] == "monitoring-mixins" and rule.get("mixin"):
        return f"integrations/{rule['mixin']}"
    if rule["dataset"] == "gitlab-com-runbooks":
        return rng.choice(["gitlab-rails", "gitaly", "node", "postgres", "redis", "scrapeConfig/monitoring/prometheus"])
    return rng.choice(POOLS["job"])


def series_labels(rule: dict[str, Any], rng: random.Random) -> dict[str, str]:
    """The labels one series matching the rule's expression plausibly has."""
    expr = str(rule.get("expr") or "")
    templates = " ".join([*(rule.get("annotations") or {}).values(), *(rule.get("labels") or {}).values()])
    names = set(TEMPLATE_REFS.findall(templates))
    groupings = GROUPING.findall(expr)
    selectors = SELECTOR.findall(expr)
    equal = {name: value for name, op, value in reversed(selectors) if op == "=" and value}
    if any(kind.lower() in ("by", "on", "group_left", "group_right") for kind, _ in groupings):
        for kind, listed in groupings:
            if kind.lower() != "without":
                names |= {n.strip() for n in listed.split(",") if n.strip()}
    elif not AGGREGATION.search(expr) or any(kind.lower() == "without" for kind, _ in groupings):
        names |= set(equal) | ({"job", "instance"} if "absent" not in expr else set())
        for kind, listed in groupings:
            if kind.lower() == "without":
                names -= {n.strip() for n in listed.split(",")}
    names -= {"__name__", "le", "quantile"} - set(TEMPLATE_REFS.findall(templates))
    labels: dict[str, str] = {}
    for name in sorted(names):
        if name in equal:
            labels[name] = equal[name]
        else:
            regex = next((v for n, op, v in selectors if n == name and op == "=~"), None)
            simple = regex.split("|")[0] if regex else ""
            labels[name] = simple if re.fullmatch(r"[\w.-]+", simple) else label_value(name, rng, rule)
    if "env" in labels and "environment" in labels:
        labels["env"] = labels["environment"]
    if match := SIMPLE_FILTER.match(expr):  # a filtering comparison keeps the metric name in $labels
        labels["__name__"] = match.group(1)
    return labels


def sample_value(rule: dict[str, Any], rng: random.Random) -> float:
    text = " ".join((rule.get("annotations") or {}).values())
    if "humanizePercentage" in text:
        return rng.uniform(0.005, 0.995)
    if "humanizeDuration" in text:
        return rng.uniform(30, 200_000)
    if "humanize1024" in text or "humanize " in text or "| humanize" in text:
        return rng.choice([rng.uniform(1, 999), rng.uniform(1e3, 1e9)])
    if "printf" in text:
        return rng.uniform(0.5, 99.5)
    return rng.choice([1.0, 0.0, 2.0, 3.0, float(rng.randint(4, 500)), rng.uniform(0, 1), rng.uniform(1, 100)])


# --- the corpus ---------------------------------------------------------------------------------------------------


def load_rules(path: Path = RULES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def rule_notifications(
    index: int, rule: dict[str, Any], *, seed: int = SEED, per_rule: int = PER_RULE
) -> Iterator[dict[str, Any]]:
    """The notifications of the rule at this index of alerts.jsonl (deterministic in seed, index and rule)."""
    base = datetime(2025, 3, 14, tzinfo=UTC)
    plans = [("firing", 1), ("resolved", 1), ("firing", 0), ("resolved", 0)]  # 0: a group of 2-4
    rng = random.Random(f"{seed}:{index}:{rule['alert']}")
    series = series_labels(rule, rng)
    for round_ in range(per_rule):
        status, size = plans[round_ % len(plans)]
        group_by = GROUP_BYS[(index + round_) % len(GROUP_BYS)]
        variant = VARIANTS[(index // len(GROUP_BYS) + round_) % len(VARIANTS)]
        size = size or rng.randint(2, 4)
        vary = next((n for n in IDENTITY if n in series and n not in group_by), "instance")
        starts = base + timedelta(minutes=index * 3 + round_, seconds=rng.randint(0, 59))
        alerts: list[Alert] = []
        used = {series.get(vary)}
        for member in range(size):
            labels = dict(series)
            if member:
                value = label_value(vary, rng, rule)
                while value in used:  # each alert of a group is a different series
                    value = f"{value}-{member}"
                used.add(value)
                labels[vary] = value
            member_status = status
            if status == "firing" and size >= 3 and member == size - 1 and rng.random() < 0.4:
                member_status = "resolved"  # a group notification carrying a resolved alert too
            alerts.append(
                alert_from_rule(
                    rule,
                    labels,
                    value=sample_value(rule, rng),
                    status=member_status,  # type: ignore[arg-type]
                    starts_at=starts + timedelta(seconds=member * 30),
                    ends_at=starts + timedelta(minutes=rng.randint(5, 180)),
                    external_labels=EXTERNAL_LABELS.get(rule["dataset"], {}),
                )
            )
        critical = alerts[0].labels.get("severity") in ("critical", "s1", "s2")
        group = NotificationGroup(
            receiver="Critical" if critical else "Default",
            group_by=group_by,
            channel="#alerts",
            alerts=alerts,
        )
        payload = render_slack_payload(group, text_variant=variant)
        mixed = any(a.status != group.status for a in alerts)
        yield {
            "rule": index,
            "round": round_,
            "kind": f"alert_{group.status}",
            "alert": str(rule["alert"]),
            "slices": {
                "source": "rules",
                "dataset": rule["dataset"],
                "group_by": "[" + ", ".join(group_by) + "]",
                "text": variant,
                "status": group.status,
                "size": "single" if size == 1 else ("grouped, one resolved" if mixed else "grouped"),
            },
            "message": slack_message(payload, ts=f"{1741910400 + index * 10 + round_}.000100"),
        }


def rendered_example_notifications(folder: Path = RENDERED) -> Iterator[dict[str, Any]]:
    """The six notifications rendered with Go itself, in the three forms the files hold."""
    for path in sorted(folder.glob("[0-9]*.json")):
        data = json.loads(path.read_text())
        expected = data["alertmanager_template_data"]
        forms = {
            "default_config": slack_message(data["slack_payload_default_config"]),
            "docs_example_text": slack_message(data["slack_payload_with_docs_example_text"]),
            "message_event": data["as_slack_message_event_constructed"]["event"],
        }
        for form, message in forms.items():
            yield {
                "example": path.stem,
                "kind": f"alert_{expected['status']}",
                "alert": expected["commonLabels"]["alertname"],
                "slices": {"source": "rendered_examples", "form": form, "status": expected["status"]},
                "message": message,
            }


def corpus(rules: Sequence[dict[str, Any]], *, seed: int = SEED, per_rule: int = PER_RULE) -> Iterator[dict[str, Any]]:
    """The whole corpus, in the order the benchmark classifies it: the rules' notifications, then the examples."""
    for index, rule in enumerate(rules):
        yield from rule_notifications(index, rule, seed=seed, per_rule=per_rule)
    yield from rendered_example_notifications()


def dumps(record: dict[str, Any]) -> str:
    """One line of notifications.jsonl (keys in the order written, compact, UTF-8 as is)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
