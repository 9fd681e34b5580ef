"""Benchmark: accuracy of alert classification (kind and alert name) on realistic Slack messages, no LLM.

The evaluation set is built in memory, with the labels written down here, never asked of the classifier:

- alertmanager: EVERY rule of tests/data/alerts/alerts.jsonl (2,859 real rules) rendered as Alertmanager Slack
  notifications by ratchet.slack_sim.alertmanager, with plausible series labels derived from the rule's expr,
  annotations and labels (seeded, deterministic). Per rule: firing and resolved, a single alert and a group of
  2-4 instances (some groups carry a resolved alert next to the firing ones: `[FIRING:n]` counts only the firing),
  group_by [namespace] / [alertname] / [alertname, cluster, service] / [job] / [], and the default text or one of
  the customised text variants, cycled so every combination occurs. Expected: alert_firing / alert_resolved and
  the rule's `alert`. Plus the six rendered examples of tests/data/alert-formats/rendered_examples (3 forms each).
- other formats: each JSON file under tests/data/alert-formats/<format>/ holding `message` (a Slack message
  object) and `expected` {kind, alert}; skipped when there are none yet.
- slack-chatter: the human (and bot chit-chat) messages of tests/data/slack_events (bolt-python envelopes and the
  Web API examples), each labelled question or chatter by hand in NEGATIVES below: a question contains "?" or
  starts with who/what/when/where/why/how/can/could/is/are/does/do...; only the kind is compared.

Prints accuracy of kind and alert name (compared exactly) overall, per format and per Alertmanager slice, the kind
confusion matrix, the time per message and the most common failures. Exit code 0 (a report) unless
--min-accuracy is given and the overall kind or alert-name accuracy of the selected formats is below it.

Run: `python bench/classify_eval.py [--format alertmanager] [--min-accuracy 0.99] [--seed 7] [--failures 10]`
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ratchet.classify.classifier import classify_message
from ratchet.slack_sim.alertmanager import (
    TEXT_VARIANTS,
    Alert,
    NotificationGroup,
    alert_from_rule,
    render_slack_payload,
    slack_message,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
RULES = DATA / "alerts" / "alerts.jsonl"
FORMATS = DATA / "alert-formats"
KINDS = ("alert_firing", "alert_resolved", "alert_other", "question", "chatter")

GROUP_BYS: list[list[str]] = [["namespace"], ["alertname"], ["alertname", "cluster", "service"], ["job"], []]
VARIANTS = list(TEXT_VARIANTS)  # default, docs_common_annotations, alerts_range, alert_details

# The hand-assigned kinds of the human messages (question: contains "?" or starts with an interrogative word).
NEGATIVES: dict[str, str] = {
    # tests/data/slack_events/bolt-python/<file>: the event's text (a message_changed event: the new message's)
    "app_mention__test_app_L334.json": "chatter",  # "<@W111> Hi there!"
    "app_mention__test_app_bot_only_L119.json": "chatter",  # "<@W111> Hi there!"
    "app_mention__test_block_actions_respond_L69.json": "chatter",  # "<@U111> hey"
    "app_mention__test_events_say_stream_L196.json": "chatter",  # "<@W111> Hi there!"
    "app_mention__test_events_shared_channels_L60.json": "chatter",  # "<@W111> Hi there!"
    "message.bot__test_message_bot_L128.json": "chatter",  # "Hi there! Thanks for sharing the info!"
    "message.bot_message.bot__test_events_ignore_self_L115.json": "chatter",  # "Hi there! This is a reply ..."
    "message.bot_message.bot__test_events_ignore_self_L136.json": "chatter",  # "Hi there! This is a reply ..."
    "message.bot_message.bot__test_message_bot_L173.json": "chatter",  # "Hi there! Thanks for sharing the info!"
    "message.file_share__test_events_L337.json": "chatter",  # "Here is your file!"
    "message.file_share__test_message_file_share_L74.json": "chatter",  # "Hi there!"
    "message.message_changed__test_authorize_L85.json": "chatter",  # "Hello, world!"
    "message.message_changed__test_message_changed_L68.json": "chatter",  # "updated message"
    "message.thread_broadcast.thread__test_message_thread_broadcast_L74.json": "chatter",  # "Hi there!"
    "message__test_events_org_apps_L203.json": "chatter",  # "<@W222>"
    "message__test_message_L208.json": "chatter",  # "This message should match the second listener only"
    "message__test_message_L253.json": "chatter",  # "Hello World!"
    "message__test_message_L294.json": "chatter",  # "We've received 103 messages from you!"
    "message__test_message_L317.json": "chatter",  # "Please fix JIRA-1234, SCM-567 and BUG-169 as soon as you can!"
    "message__test_message_bot_L79.json": "chatter",  # "Hi there! Thanks for sharing the info!"
    # tests/data/slack_events/web-api-examples/message_objects.jsonl: the message's text
    "Here's a message for you": "chatter",  # a bot_message with an attachment (chat.postMessage example)
    "I find you punny and would like to smell your nose letter": "chatter",
    "What, you want to smell my shoes better?": "question",
    "island": "chatter",
    "one island": "chatter",
    "two island": "chatter",
    "three for the land": "chatter",
    "What is the meaning of life?": "question",
    "The meaning of life, the universe, and everything is 42.": "chatter",
    "The meaning of life the universe and everything is 42.": "chatter",
    "The meaning of life the universe and everything is 101010": "chatter",
}


@dataclass
class Example:
    format: str  # alertmanager, grafana, ..., slack-chatter
    slices: dict[str, str]  # where it comes from / how it was rendered, for the breakdowns
    message: dict[str, Any]
    kind: str
    alert: str | None
    check_alert: bool = True
    bot_user_id: str | None = None


@dataclass
class Outcome:
    example: Example
    kind: str
    alert: str | None
    seconds: float
    error: str | None = None

    @property
    def kind_ok(self) -> bool:
        return self.kind == self.example.kind

    @property
    def alert_ok(self) -> bool:
        return self.alert == self.example.alert


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


# --- the evaluation set -------------------------------------------------------------------------------------------


def alertmanager_examples(rules: list[dict[str, Any]], *, seed: int, per_rule: int) -> Iterator[Example]:
    base = datetime(2025, 3, 14, tzinfo=UTC)
    plans = [("firing", 1), ("resolved", 1), ("firing", 0), ("resolved", 0)]  # 0: a group of 2-4
    for index, rule in enumerate(rules):
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
            yield Example(
                format="alertmanager",
                slices={
                    "source": "rules",
                    "dataset": rule["dataset"],
                    "group_by": "[" + ", ".join(group_by) + "]",
                    "text": variant,
                    "status": group.status,
                    "size": "single" if size == 1 else ("grouped, one resolved" if mixed else "grouped"),
                },
                message=slack_message(payload, ts=f"{1741910400 + index * 10 + round_}.000100"),
                kind=f"alert_{group.status}",
                alert=str(rule["alert"]),
            )


def rendered_examples() -> Iterator[Example]:
    """The six notifications rendered with Go itself, in the three forms the files hold."""
    for path in sorted((FORMATS / "rendered_examples").glob("[0-9]*.json")):
        data = json.loads(path.read_text())
        expected = data["alertmanager_template_data"]
        forms = {
            "default_config": slack_message(data["slack_payload_default_config"]),
            "docs_example_text": slack_message(data["slack_payload_with_docs_example_text"]),
            "message_event": data["as_slack_message_event_constructed"]["event"],
        }
        for form, message in forms.items():
            yield Example(
                format="alertmanager",
                slices={"source": "rendered_examples", "form": form, "status": expected["status"]},
                message=message,
                kind=f"alert_{expected['status']}",
                alert=expected["commonLabels"]["alertname"],
            )


def other_format_examples(skipped: Counter[str]) -> Iterator[Example]:
    """tests/data/alert-formats/<format>/**/*.json: {"message": {...}, "expected": {"kind": ..., "alert": ...}}."""
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir() and p.name != "rendered_examples"):
        for path in sorted(folder.rglob("*.json")):
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                skipped[f"{folder.name}: unreadable"] += 1
                continue
            for item in data if isinstance(data, list) else [data]:
                expected = item.get("expected") if isinstance(item, dict) else None
                if (
                    not isinstance(expected, dict)
                    or not isinstance(item.get("message"), dict)
                    or "kind" not in expected
                ):
                    skipped[f"{folder.name}: no message/expected"] += 1
                    continue
                yield Example(
                    format=folder.name,
                    slices={
                        "source": path.relative_to(folder).parts[0] if len(path.relative_to(folder).parts) > 1 else "."
                    },
                    message=item["message"],
                    kind=expected["kind"],
                    alert=expected.get("alert"),
                )


def negative_examples(skipped: Counter[str]) -> Iterator[Example]:
    events = DATA / "slack_events"
    for path in sorted((events / "bolt-python").glob("*.json")):
        if path.name not in NEGATIVES:
            continue
        envelope = json.loads(path.read_text())
        event = envelope["event"]
        message = event["message"] if event.get("subtype") == "message_changed" else event
        user = next((a.get("user_id") for a in envelope.get("authorizations") or [] if a.get("is_bot")), None)
        yield Example(
            format="slack-chatter",
            slices={"source": "bolt-python"},
            message=message,
            kind=NEGATIVES[path.name],
            alert=None,
            check_alert=False,
            bot_user_id=user,
        )
    for line in (events / "web-api-examples" / "message_objects.jsonl").read_text().splitlines():
        message = json.loads(line)["message"]
        if message.get("text") not in NEGATIVES:
            skipped["slack-chatter: unlabelled"] += 1
            continue
        yield Example(
            format="slack-chatter",
            slices={"source": "web-api-examples"},
            message=message,
            kind=NEGATIVES[message["text"]],
            alert=None,
            check_alert=False,
        )


def build(args: argparse.Namespace, skipped: Counter[str]) -> list[Example]:
    wanted = {f.strip() for value in args.format or [] for f in value.split(",") if f.strip()}
    examples: list[Example] = []
    if not wanted or "alertmanager" in wanted:
        rules = [json.loads(line) for line in RULES.read_text().splitlines() if line.strip()]
        examples += alertmanager_examples(rules[: args.limit or None], seed=args.seed, per_rule=args.per_rule)
        examples += rendered_examples()
    examples += (e for e in other_format_examples(skipped) if not wanted or e.format in wanted)
    if not wanted or "slack-chatter" in wanted:
        examples += negative_examples(skipped)
    return examples


# --- running and reporting ----------------------------------------------------------------------------------------


def classify(examples: list[Example]) -> list[Outcome]:
    outcomes = []
    for example in examples:
        started = time.perf_counter()
        try:
            result = classify_message(example.message, bot_user_id=example.bot_user_id)
            kind, alert, error = result.kind, result.alert, None
        except Exception as exc:  # a crash is a failure of that example, not of the report
            kind, alert, error = f"error:{type(exc).__name__}", None, f"{type(exc).__name__}: {exc}"
        outcomes.append(Outcome(example, kind, alert, time.perf_counter() - started, error))
    return outcomes


def rate(ok: int, total: int) -> str:
    return f"{ok / total:8.2%}" if total else "       —"


def accuracy(outcomes: list[Outcome]) -> tuple[int, int, int, int]:
    kind_ok = sum(o.kind_ok for o in outcomes)
    checked = [o for o in outcomes if o.example.check_alert]
    return kind_ok, len(outcomes), sum(o.alert_ok for o in checked), len(checked)


def table(title: str, groups: dict[str, list[Outcome]]) -> None:
    print(f"\n{title:<40} {'n':>7}  {'kind':>8}  {'alert':>8}")
    for name, members in groups.items():
        kind_ok, n, alert_ok, checked = accuracy(members)
        print(f"  {name:<38} {n:>7,}  {rate(kind_ok, n)}  {rate(alert_ok, checked)}")


def grouped(outcomes: list[Outcome], key: str) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.example.slices.get(key, "—")].append(outcome)
    return dict(sorted(groups.items()))


def failure_signature(outcome: Outcome) -> str:
    """What went wrong, coarsely enough that one cause shows up as one line."""
    if outcome.error:
        return f"crashed ({outcome.error.split(':')[0]})"
    expected = outcome.example
    if not outcome.kind_ok:
        return f"kind {expected.kind} -> {outcome.kind}"
    name = expected.alert or ""
    shape = "with spaces" if " " in name else ("with punctuation" if re.search(r"[^A-Za-z0-9_:]", name) else "plain")
    if outcome.alert is None:
        return f"no alert name (expected names {shape})"
    if name.startswith(outcome.alert):
        return f"alert name cut short (expected names {shape})"
    return f"another alert name (expected names {shape})"


def shorten(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def message_gist(message: dict[str, Any]) -> str:
    attachments = message.get("attachments") or []
    first = attachments[0] if attachments and isinstance(attachments[0], dict) else {}
    return str(first.get("title") or first.get("fallback") or message.get("text") or "")


def report(examples: list[Example], outcomes: list[Outcome], build_seconds: float, args: argparse.Namespace) -> bool:
    seconds = [o.seconds for o in outcomes]
    total = sum(seconds)
    counts = Counter(e.format for e in examples)
    print(
        f"Alert classification eval: {len(examples):,} examples (seed {args.seed}) — "
        + ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items()))
    )
    print(
        f"built in {build_seconds:.1f} s; classified in {total:.2f} s: {statistics.fmean(seconds) * 1e6:.0f} µs per "
        f"message (median {statistics.median(seconds) * 1e6:.0f} µs, max {max(seconds) * 1e3:.1f} ms)"
    )
    kind_ok, n, alert_ok, checked = accuracy(outcomes)
    print(
        f"\nOVERALL  kind {rate(kind_ok, n).strip()} ({kind_ok:,}/{n:,})   alert {rate(alert_ok, checked).strip()} "
        f"({alert_ok:,}/{checked:,})"
    )

    by_format: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_format[outcome.example.format].append(outcome)
    table("per format", dict(sorted(by_format.items())))
    manager = by_format.get("alertmanager", [])
    if manager:
        rules = [o for o in manager if o.example.slices["source"] == "rules"]
        table("alertmanager by source", grouped(manager, "source"))
        table("alertmanager rules by group_by", grouped(rules, "group_by"))
        table("alertmanager rules by text variant", grouped(rules, "text"))
        table("alertmanager rules by status", grouped(rules, "status"))
        table("alertmanager rules by group size", grouped(rules, "size"))
        table("alertmanager rules by rule set", grouped(rules, "dataset"))
    for name, members in sorted(by_format.items()):
        if name not in ("alertmanager",) and len({o.example.slices.get("source") for o in members}) > 1:
            table(f"{name} by source", grouped(members, "source"))

    got_kinds = sorted({o.kind for o in outcomes} - set(KINDS))
    columns = [*KINDS, *got_kinds]
    matrix = Counter((o.example.kind, o.kind) for o in outcomes)
    print("\nkind confusion (rows: expected, columns: got)")
    print(" " * 16 + "".join(f"{c[:14]:>15}" for c in columns))
    for expected in KINDS:
        if any(matrix[(expected, c)] for c in columns):
            print(f"  {expected:<14}" + "".join(f"{matrix[(expected, c)]:>15,}" for c in columns))

    failures: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.kind_ok and (outcome.alert_ok or not outcome.example.check_alert):
            continue
        key = (outcome.example.format, failure_signature(outcome))
        failures[key] += 1
        if len(samples[key]) < 3 and all(s.example.alert != outcome.example.alert for s in samples[key]):
            samples[key].append(outcome)
    print(f"\n{min(args.failures, len(failures))} most common failures of {sum(failures.values()):,} (expected -> got)")
    for (fmt, what), count in failures.most_common(args.failures):
        print(f"  {count:>5} x {fmt}: {what}")
        for outcome in samples[(fmt, what)]:
            expected = f"{outcome.example.kind} {outcome.example.alert!r}" if outcome.example.check_alert else ""
            got = f"{outcome.kind} {outcome.alert!r}" if outcome.example.check_alert else outcome.kind
            print(f"          {shorten(expected or outcome.example.kind, 50)} -> {shorten(got, 40)}")
            print(f"            {shorten(outcome.error or message_gist(outcome.example.message), 100)}")

    if args.min_accuracy is None:
        return True
    ok = kind_ok >= args.min_accuracy * n and alert_ok >= args.min_accuracy * checked
    print(
        f"\n{'PASS' if ok else 'FAIL'}: overall kind and alert accuracy "
        f"{'at least' if ok else 'below'} {args.min_accuracy:.2%}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", action="append", help="only these formats (alertmanager, slack-chatter, ...)")
    parser.add_argument("--min-accuracy", type=float, help="exit 1 if overall kind or alert accuracy is below")
    parser.add_argument("--seed", type=int, default=7, help="label values, sample values, group sizes")
    parser.add_argument("--per-rule", type=int, default=4, help="notifications per rule (4 = every status x size)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rules (quick runs)")
    parser.add_argument("--failures", type=int, default=10, help="how many failure kinds to show")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    skipped: Counter[str] = Counter()
    examples = build(args, skipped)
    build_seconds = time.perf_counter() - started
    if skipped:
        print("skipped: " + ", ".join(f"{reason} ({n})" for reason, n in sorted(skipped.items())))
    if not examples:
        print("no examples (check --format)")
        return 1 if args.min_accuracy is not None else 0
    outcomes = classify(examples)
    ok = report(examples, outcomes, build_seconds, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
