"""tests/support/alertmanager_template: Alertmanager's Slack notifications and Prometheus' annotation templates.

The exact-match check: the inputs of the six rendered examples (tests/data/alert-formats/rendered_examples, made
with Go's text/template and Alertmanager's verbatim default.tmpl) give back their template data and both Slack
payloads byte for byte. The rest pins the template semantics and the annotation expander on the real rules, that
the classify benchmark's committed corpus (alertmanager-eval/notifications.jsonl) is still what the renderer
makes, and that the interpreter stays out of the ratchet package.
"""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import alert_corpus
from tests.support.alertmanager_template import (
    TEXT_VARIANTS,
    Alert,
    NotificationGroup,
    TemplateError,
    UnsupportedTemplate,
    alert_from_rule,
    execute_alertmanager_template,
    expand_annotations,
    expand_template,
    generator_url,
    group_alerts,
    label_fingerprint,
    render_slack_payload,
    slack_message,
)

DATA = Path(__file__).parent / "data"
EXAMPLES = sorted((DATA / "alert-formats" / "rendered_examples").glob("[0-9]*.json"))
RULES = [json.loads(line) for line in (DATA / "alerts" / "alerts.jsonl").read_text().splitlines()]
PROMETHEUS_URL = "http://prometheus-k8s.monitoring.svc:9090"  # the examples' (illustrative) Prometheus


def rule(alert: str, dataset: str = "kube-prometheus", severity: str | None = None) -> dict[str, Any]:
    return next(
        r for r in RULES if r["alert"] == alert and r["dataset"] == dataset and severity in (None, r["severity"])
    )


def group_from_inputs(example: dict[str, Any]) -> NotificationGroup:
    """The example's alert instances as Prometheus would send them (annotations expanded, generator URL)."""
    inputs = example["inputs"]
    alerts = []
    for item in inputs["alerts"]:
        labels = item["labels"]
        source = rule(labels["alertname"], severity=labels["severity"])
        alerts.append(
            Alert(
                status=item["status"],
                labels=labels,
                annotations=expand_annotations(item["annotations"], labels=labels, value=item["value"]),
                startsAt=item["startsAt"],
                endsAt=item["endsAt"],
                generatorURL=generator_url(PROMETHEUS_URL, source["expr"]),
            )
        )
    return NotificationGroup(
        receiver=inputs["receiver"],
        group_by=inputs["group_by"],
        channel=inputs["channel"],
        external_url=example["alertmanager_template_data"]["externalURL"],
        alerts=alerts,
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_rendered_examples_are_reproduced_exactly(path: Path) -> None:
    example = json.loads(path.read_text())
    group = group_from_inputs(example)

    assert group.template_data() == example["alertmanager_template_data"]  # incl. fingerprints, generator URLs
    assert render_slack_payload(group) == example["slack_payload_default_config"]
    assert example["custom_text_template"] == TEXT_VARIANTS["docs_common_annotations"]
    docs = render_slack_payload(group, text_variant="docs_common_annotations")
    assert docs == example["slack_payload_with_docs_example_text"]
    assert render_slack_payload(group, text=example["custom_text_template"]) == docs
    event = example["as_slack_message_event_constructed"]["event"]
    message = slack_message(docs)
    assert message["attachments"] == event["attachments"]
    assert (message["type"], message["subtype"], message["username"]) == ("message", "bot_message", "Alertmanager")


def test_examples_cover_the_title_shapes() -> None:
    titles = {
        p.stem: json.loads(p.read_text())["slack_payload_default_config"]["attachments"][0]["title"] for p in EXAMPLES
    }
    assert titles["3-NodeFilesystemSpaceFillingUp-firing-2-alerts"].startswith("[FIRING:2] monitoring (")
    assert titles["6-KubeAPIDown-resolved"] == "[RESOLVED]  (KubeAPIDown monitoring/k8s critical)"


# --- template semantics -----------------------------------------------------------------------------------------


def crashloop(pod: str, *, status: str = "firing", **extra: str) -> Alert:
    labels = {
        "alertname": "KubePodCrashLooping",
        "namespace": "payments",
        "pod": pod,
        "container": "api",
        "job": "kube-state-metrics",
        "severity": "warning",
        **extra,
    }
    return Alert(
        status=status,  # type: ignore[arg-type]
        labels=labels,
        annotations={"summary": "Pod is crash looping.", "description": f"Pod payments/{pod} (api) is restarting."},
        startsAt=datetime(2025, 3, 14, 2, 17, 45, tzinfo=UTC),
        endsAt=datetime(2025, 3, 14, 3, 2, 45, tzinfo=UTC) if status == "resolved" else None,
    )


def title(group: NotificationGroup, **kwargs: Any) -> str:
    return render_slack_payload(group, **kwargs)["attachments"][0]["title"]


def test_group_labels_are_the_group_by_values_and_common_labels_exclude_them() -> None:
    group = NotificationGroup(group_by=["namespace"], alerts=[crashloop("api-1"), crashloop("api-2")])
    assert group.group_labels == {"namespace": "payments"}
    assert "pod" not in group.common_labels
    # values only, alertname first, then by label name: container job severity (namespace is a group label)
    assert title(group) == "[FIRING:2] payments (KubePodCrashLooping api kube-state-metrics warning)"


def test_grouping_by_alertname_cluster_service_puts_alertname_first() -> None:
    alerts = [crashloop(f"api-{i}", cluster="prod-eu-1", service="api") for i in range(3)]
    group = NotificationGroup(group_by=["alertname", "cluster", "service"], alerts=alerts)
    assert title(group) == "[FIRING:3] KubePodCrashLooping prod-eu-1 api (api kube-state-metrics payments warning)"


def test_sorted_pairs_sort_by_label_name_but_alertname_comes_first() -> None:
    alert = Alert(labels={"zone": "z", "alertname": "Foo", "aaa": "first", "Upper": "U", "job": "j"})
    group = NotificationGroup(group_by=[], alerts=[alert])
    assert title(group) == "[FIRING:1]  (Foo U first j z)"  # byte order: "Upper" < "aaa"
    assert (
        execute_alertmanager_template('{{ .CommonLabels.Names | join "," }}', group) == "alertname,Upper,aaa,job,zone"
    )


def test_firing_count_counts_only_firing_alerts_and_resolved_has_no_count() -> None:
    mixed = NotificationGroup(alerts=[crashloop("a"), crashloop("b", status="resolved"), crashloop("c")])
    assert title(mixed).startswith("[FIRING:2] payments (")
    assert render_slack_payload(mixed)["attachments"][0]["color"] == "danger"
    resolved = NotificationGroup(alerts=[crashloop("a", status="resolved"), crashloop("b", status="resolved")])
    assert title(resolved) == "[RESOLVED] payments (KubePodCrashLooping api kube-state-metrics warning)"
    assert render_slack_payload(resolved)["attachments"][0]["color"] == "good"


def test_no_group_labels_leaves_two_spaces_and_no_extra_labels_leaves_no_parentheses() -> None:
    alert = Alert(labels={"alertname": "Watchdog", "severity": "none"})
    assert title(NotificationGroup(group_by=["namespace"], alerts=[alert])) == "[FIRING:1]  (Watchdog none)"
    alerts = [Alert(labels={"alertname": "InstanceDown", "instance": f"host-{i}:9100"}) for i in (1, 2)]
    assert title(NotificationGroup(group_by=["alertname"], alerts=alerts)) == "[FIRING:2] InstanceDown "


def test_payload_has_alertmanagers_default_fields() -> None:
    group = NotificationGroup(receiver="team-x", alerts=[crashloop("api-1")], channel="#alerts")
    payload = render_slack_payload(group)
    attachment = payload["attachments"][0]
    assert payload["username"] == "Alertmanager" and payload["channel"] == "#alerts"
    assert attachment["text"] == "" and attachment["callback_id"] == "" and attachment["footer"] == ""
    assert attachment["mrkdwn_in"] == ["fallback", "pretext", "text"]
    assert "pretext" not in attachment  # omitempty
    assert attachment["title_link"] == "http://alertmanager-main.monitoring.svc:9093/#/alerts?receiver=team-x"
    assert attachment["fallback"] == f"{attachment['title']} | {attachment['title_link']}"
    assert "channel" not in render_slack_payload(NotificationGroup(alerts=[crashloop("a")]))


def test_receiver_is_regex_quoted_then_url_escaped() -> None:
    group = NotificationGroup(receiver="ops team.prod", alerts=[crashloop("a")])
    assert group.template_data()["receiver"] == "ops team\\.prod"
    link = render_slack_payload(group)["attachments"][0]["title_link"]
    assert link.endswith("/#/alerts?receiver=ops+team%5C.prod")


def test_common_annotations_and_missing_keys_render_empty_in_alertmanager() -> None:
    group = NotificationGroup(alerts=[crashloop("api-1"), crashloop("api-2")])  # descriptions differ
    text = render_slack_payload(group, text_variant="docs_common_annotations")["attachments"][0]["text"]
    assert text == "<!channel> \nsummary: Pod is crash looping.\ndescription: "
    assert execute_alertmanager_template("[{{ .CommonLabels.nothing }}]", group) == "[]"


def test_text_variants_list_every_alert() -> None:
    group = NotificationGroup(alerts=[crashloop("api-2"), crashloop("api-1")])
    ranged = render_slack_payload(group, text_variant="alerts_range")["attachments"][0]["text"]
    assert ranged == (
        "*Pod is crash looping.*\nPod payments/api-1 (api) is restarting.\n"
        "*Pod is crash looping.*\nPod payments/api-2 (api) is restarting.\n"
    )  # the dispatcher's order: job, instance, then the label set (api-1 < api-2)
    details = render_slack_payload(NotificationGroup(alerts=[crashloop("api-1")]), text_variant="alert_details")
    assert details["attachments"][0]["text"] == (
        "*Alert:* Pod is crash looping. - `warning`\n"
        "*Description:* Pod payments/api-1 (api) is restarting.\n"
        "*Details:*\n"
        " • *alertname:* `KubePodCrashLooping`\n • *container:* `api`\n • *job:* `kube-state-metrics`\n"
        " • *namespace:* `payments`\n • *pod:* `api-1`\n • *severity:* `warning`\n\n"
    )
    with pytest.raises(ValueError, match="unknown text_variant"):
        render_slack_payload(group, text_variant="nope")


def test_alerts_are_ordered_by_job_then_instance_then_labels() -> None:
    alerts = [
        Alert(labels={"alertname": "A", "instance": "b"}),
        Alert(labels={"alertname": "A", "job": "z"}),
        Alert(labels={"alertname": "A", "job": "a", "instance": "x"}),
        Alert(labels={"alertname": "A", "instance": "a"}),
    ]
    ordered = NotificationGroup(group_by=[], alerts=alerts).sorted_alerts()
    assert [(a.labels.get("job"), a.labels.get("instance")) for a in ordered] == [
        ("a", "x"),
        ("z", None),
        (None, "a"),
        (None, "b"),
    ]


def test_title_is_cut_at_1024_runes() -> None:
    alert = Alert(labels={"alertname": "Long", "detail": "é" * 2000})
    cut = title(NotificationGroup(alerts=[alert]))
    assert len(cut) == 1024 and cut.endswith("é…")


def test_group_alerts_splits_like_the_dispatcher_and_groups_must_agree() -> None:
    alerts = [crashloop("a"), crashloop("b", namespace="checkout"), crashloop("c")]
    groups = group_alerts(alerts, group_by=["namespace"], receiver="Default")
    assert [len(g.alerts) for g in groups] == [2, 1]
    assert [g.group_labels for g in groups] == [{"namespace": "payments"}, {"namespace": "checkout"}]
    with pytest.raises(ValueError, match="group_by"):
        _ = NotificationGroup(group_by=["namespace"], alerts=alerts).group_labels


def test_fingerprint_and_times_serialise_as_alertmanager_does() -> None:
    assert label_fingerprint({}) == "cbf29ce484222325"  # FNV-1a 64 offset basis: the empty label set
    data = NotificationGroup(alerts=[crashloop("a", status="resolved")]).template_data()["alerts"][0]
    assert (data["startsAt"], data["endsAt"]) == ("2025-03-14T02:17:45Z", "2025-03-14T03:02:45Z")
    assert NotificationGroup(alerts=[crashloop("a")]).template_data()["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z"


def test_alert_from_rule_builds_what_prometheus_sends() -> None:
    source = rule("KubePodCrashLooping")
    series = {"namespace": "payments", "pod": "api-7d9f", "container": "api", "prometheus": "other"}
    alert = alert_from_rule(
        source, series, value=1, external_labels={"prometheus": "monitoring/k8s", "cluster": "prod-eu-1"}
    )
    assert alert.labels["alertname"] == "KubePodCrashLooping" and alert.labels["severity"] == "warning"
    assert alert.labels["prometheus"] == "other" and alert.labels["cluster"] == "prod-eu-1"  # external: no override
    assert alert.annotations["description"].startswith("Pod payments/api-7d9f (api) is in waiting state")
    assert alert.generator_url.startswith(f"{PROMETHEUS_URL}/graph?g0.expr=max_over_time%28")
    resolved = alert_from_rule(source, series, status="resolved")
    assert resolved.ends_at is not None and resolved.ends_at > resolved.starts_at


# --- Go text/template details -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ if eq .Status "resolved" }}R{{ else if eq .Status "firing" }}F{{ else }}?{{ end }}', "F"),
        ("{{ range $k, $v := .CommonLabels }}{{ $k }}={{ $v }};{{ end }}", "alertname=X;b=2;"),
        ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"),
        ('{{ and .Receiver 0 }}|{{ or "" .Status }}|{{ not .Alerts }}', "0|firing|false"),
        ("a  {{- /* comment */ -}}  b", "ab"),
        ('{{ len .Alerts }} {{ index .CommonLabels "b" }} {{ .CommonLabels.b | printf "%q" }}', '1 2 "2"'),
        ("{{ range .Alerts.Resolved }}x{{ else }}none{{ end }}", "none"),
        ('{{ "ab.cd" | reReplaceAll "(\\\\w+)\\\\.(\\\\w+)" "$2-${1}" | toUpper }}', "CD-AB"),
        ('{{ title "hELLO wORLD" }}', "Hello World"),
    ],
)
def test_go_template_constructs(template: str, expected: str) -> None:
    group = NotificationGroup(group_by=[], alerts=[Alert(labels={"alertname": "X", "b": "2"})])
    assert execute_alertmanager_template(template, group) == expected


@pytest.mark.parametrize("template", ["{{ .Nope.Deeper }}", "{{ if }}", "{{ nofunc 1 }}", "{{ end }}", "{{ 1 2 }}"])
def test_broken_templates_raise(template: str) -> None:
    with pytest.raises(TemplateError):
        execute_alertmanager_template(template, NotificationGroup(alerts=[Alert(labels={"alertname": "X"})]))


# --- the annotation expander --------------------------------------------------------------------------------------


def test_missing_labels_render_no_value_as_in_the_examples_or_empty_like_prometheus() -> None:
    text = "Pod {{ $labels.namespace }}/{{ $labels.pod }} on cluster {{ $labels.cluster }}."
    labels = {"namespace": "monitoring", "pod": "p"}
    assert expand_template(text, labels=labels) == "Pod monitoring/p on cluster <no value>."
    assert expand_template(text, labels=labels, missing_key="zero") == "Pod monitoring/p on cluster ."


@pytest.mark.parametrize(
    ("alert", "dataset", "value", "labels", "expected"),
    [
        (
            "KubePersistentVolumeFillingUp",
            "kube-prometheus",
            0.0312,
            {"persistentvolumeclaim": "data-pg-0", "namespace": "db", "cluster": "prod"},
            "The PersistentVolume claimed by data-pg-0 in Namespace db on Cluster prod is only 3.12% free.",
        ),
        (
            "KubePersistentVolumeFillingUp",
            "kube-prometheus",
            0.0312,
            {"persistentvolumeclaim": "data-pg-0", "namespace": "db"},  # `with` skips: both spaces stay
            "The PersistentVolume claimed by data-pg-0 in Namespace db  is only 3.12% free.",
        ),
        (
            "HostOutOfMemory",
            "awesome-prometheus-alerts",
            7.25,
            {"instance": "web-1:9100", "job": "node"},
            "Node memory is filling up (< 10% left)\n  VALUE = 7.25\n  LABELS = map[instance:web-1:9100 job:node]",
        ),
    ],
)
def test_real_rule_annotations_expand(
    alert: str, dataset: str, value: float, labels: dict[str, str], expected: str
) -> None:
    description = rule(alert, dataset)["annotations"]["description"]
    assert expand_template(description, labels=labels, value=value) == expected


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("{{ $value }}", 1.0, "1"),
        ("{{ $value }}", 33.33333333333333, "33.33333333333333"),
        ("{{ $value }}", 1234567.0, "1.234567e+06"),
        ("{{ $value }}", 0.00001, "1e-05"),
        ('{{ printf "%.2f" $value }}|{{ $value | printf "%.0f" }}|{{ printf "%.4g" $value }}', 2.5, "2.50|2|2.5"),
        ('{{ printf "%d" $value }}', 2.0, "%!d(float64=2)"),
        ("{{ $value | humanize }}", 1234567.0, "1.235M"),
        ("{{ $value | humanize }}", 0.0012, "1.2m"),
        ("{{ $value | humanize1024 }}", 1048576.0, "1Mi"),
        ("{{ $value | humanizeDuration }}", 3725.0, "1h 2m 5s"),
        ("{{ $value | humanizeDuration }}", 0.25, "250ms"),
        ('{{ "90061" | humanizeDuration }}', 0.0, "1d 1h 1m 1s"),
        ("{{ $value | humanizePercentage }}", 0.5, "50%"),
        ("{{ if eq $value 1.0 }}one{{ else }}other{{ end }}", 1.0, "one"),
        ("{{ $externalLabels.env }}", 0.0, "prod"),
    ],
)
def test_prometheus_template_functions(template: str, value: float, expected: str) -> None:
    assert expand_template(template, labels={}, value=value, external_labels={"env": "prod"}) == expected


def test_query_templates_are_unsupported_and_left_verbatim() -> None:
    description = rule("PrometheusRemoteWriteDesiredShards")["annotations"]["description"]
    with pytest.raises(UnsupportedTemplate):
        expand_template(description, labels={"namespace": "monitoring", "pod": "prometheus-k8s-0"}, value=3.0)
    assert expand_annotations({"description": description}, labels={}) == {"description": description}


def test_expander_covers_the_real_rules() -> None:
    """Share of the templated annotations in alerts.jsonl that expand without a `{{` left (the target: 98%)."""
    templated = expanded = 0
    for record in RULES:
        for text in (record.get("annotations") or {}).values():
            if "{{" not in text:
                continue
            templated += 1
            names = set(re.findall(r"(?:\$labels|\.Labels)\.(\w+)", text))
            try:
                out = expand_template(text, labels={n: f"{n}-1" for n in names}, value=0.42)
            except TemplateError:
                continue
            expanded += "{{" not in out
    assert templated > 5000
    assert expanded / templated >= 0.98, f"{expanded}/{templated}"


# --- the committed corpus and the wheel ---------------------------------------------------------------------------

CORPUS_LINES = alert_corpus.CORPUS.read_text().splitlines()
SAMPLE_STRIDE = 7  # every 7th rule: ~410 rules, every dataset, group_by, text variant, status and size (~1.5 s)


def test_corpus_has_every_rule_in_order_then_the_rendered_examples() -> None:
    records = [json.loads(line) for line in CORPUS_LINES]
    per_rule = alert_corpus.PER_RULE
    rules = [r for r in records if "rule" in r]
    assert [(r["rule"], r["round"]) for r in rules] == [(i, n) for i in range(len(RULES)) for n in range(per_rule)]
    assert all(r["alert"] == RULES[r["rule"]]["alert"] for r in rules)
    assert all(r["slices"]["dataset"] == RULES[r["rule"]]["dataset"] for r in rules)
    assert records[len(rules) :] == list(alert_corpus.rendered_example_notifications())
    assert len(records) == len(RULES) * per_rule + 3 * len(EXAMPLES)


def test_committed_corpus_is_what_the_renderer_makes_now() -> None:
    """A sample of the rules re-rendered, line for line (all of them: `scripts/render_alert_corpus.py --check`)."""
    per_rule = alert_corpus.PER_RULE
    sample = sorted({*range(0, len(RULES), SAMPLE_STRIDE), len(RULES) - 1})
    for index in sample:
        fresh = [alert_corpus.dumps(r) for r in alert_corpus.rule_notifications(index, RULES[index])]
        assert fresh == CORPUS_LINES[index * per_rule : (index + 1) * per_rule], (
            f"rule {index} ({RULES[index]['alert']})"
        )
    records = [json.loads(CORPUS_LINES[i * per_rule + n]) for i in sample for n in range(per_rule)]
    assert {r["slices"]["dataset"] for r in records} == {r["dataset"] for r in RULES}
    for key in ("group_by", "text", "status", "size"):
        assert {r["slices"][key] for r in records} == {
            json.loads(line)["slices"][key] for line in CORPUS_LINES if line.startswith('{"rule"')
        }


def test_the_go_template_interpreter_is_not_in_the_ratchet_package() -> None:
    """It renders test data only; ratchet.classify.recognisers.alertmanager (a recogniser) is another module."""
    assert importlib.util.find_spec("ratchet.slack_sim.alertmanager") is None
    assert importlib.util.find_spec("tests.support.alertmanager_template") is not None
    ratchet = importlib.util.find_spec("ratchet")
    assert ratchet is not None and ratchet.origin is not None
    package = Path(ratchet.origin).parent
    interpreters = [p for p in package.rglob("*.py") if "def execute_alertmanager_template" in p.read_text()]
    assert interpreters == []
