"""Alert names and states on templates the format recognisers were not written for, on real payload shapes: each
vendor's own fixture (tests/data/alert-formats/<vendor>/) with its title, action or subject as teams and relays
write them. The decorations come off the name, the relaying tool's own action decides the kind, an unknown
integration built like an alert is never chatter, and people's messages are never alerts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ratchet.classify.classifier import classify_message
from ratchet.classify.models import AlertMessage
from ratchet.classify.names import clean_name

FORMATS = Path(__file__).parent / "data" / "alert-formats"


def fixture(vendor: str, name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FORMATS / vendor / name).read_text())["message"])


def retitled(message: dict[str, Any], title: str, **changes: str) -> dict[str, Any]:
    attachment = message["attachments"][0]
    attachment["title"] = title
    attachment["fallback"] = changes.pop("fallback", title)
    attachment.update(changes)
    return message


def pagerduty(status: str, title: str) -> dict[str, Any]:
    message = retitled(fixture("pagerduty", "01-classic-triggered.json"), title, fallback=f"{status}: {title}")
    message["attachments"][0]["fields"][0]["value"] = status
    return message


def opsgenie(action: str, title: str) -> dict[str, Any]:
    message = fixture("opsgenie", "01-new-alert-p1.json")
    return retitled(message, title, pretext=action, fallback=f"{action}: {title}")


RELAYED = "[FIRING:1] CartQueueBacklogHigh (payments critical)"


@pytest.mark.parametrize(
    ("message", "kind", "alert"),
    [
        (pagerduty("Triggered", f"[#44285] {RELAYED}"), "alert_firing", "CartQueueBacklogHigh"),
        (pagerduty("Acknowledged", f"[#44285] {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (pagerduty("Resolved", f"[#44285] {RELAYED}"), "alert_resolved", "CartQueueBacklogHigh"),
        (pagerduty("Reassigned", f"[#44285] {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (pagerduty("Triggered", "[#1234] The server is on fire."), "alert_firing", "The server is on fire."),
        (opsgenie("New alert", f"#44285: {RELAYED}"), "alert_firing", "CartQueueBacklogHigh"),
        (opsgenie("Acknowledged by jane@example.com", f"#44285: {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (opsgenie("Snoozed by jane@example.com", f"#44285: {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (opsgenie("Escalated to SRE", f"#44285: {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (opsgenie("Note added by jane@example.com", f"#44285: {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (opsgenie("Priority changed to P2", f"#44285: {RELAYED}"), "alert_other", "CartQueueBacklogHigh"),
        (opsgenie("Closed by jane@example.com", f"#44285: {RELAYED}"), "alert_resolved", "CartQueueBacklogHigh"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_relaying_tool_s_own_action_decides_and_the_relayed_rule_names_the_alert(
    message: dict[str, Any], kind: str, alert: str
) -> None:
    found = classify_message(message)
    assert (found.kind, found.alert) == (kind, alert)


def test_a_relayed_alert_s_firing_and_resolution_share_a_fingerprint() -> None:
    firing = classify_message(pagerduty("Triggered", f"[#44285] {RELAYED}"))
    resolved = classify_message(pagerduty("Resolved", f"[#44285] {RELAYED}"))
    assert firing.fingerprint == resolved.fingerprint
    assert firing.fingerprint is not None and firing.fingerprint.startswith("CartQueueBacklogHigh:")


def cloudwatch(state: str, title: str) -> dict[str, Any]:
    message = fixture("cloudwatch", "01-alarm-dbmigrationrequired.json")
    message["attachments"][0]["text"] = ""
    return retitled(message, title, color="#d13212" if state == "ALARM" else "#1d8102")


@pytest.mark.parametrize(
    ("message", "kind", "alert"),
    [
        (cloudwatch("ALARM", 'ALARM: "checkout-latency-high" in Asia Pacific (Sydney)'), "alert_firing", None),
        (cloudwatch("OK", 'OK: "checkout-latency-high" in US East (N. Virginia)'), "alert_resolved", None),
        (
            cloudwatch("INSUFFICIENT_DATA", 'INSUFFICIENT_DATA: "checkout-latency-high" in EU (Ireland)'),
            "alert_other",
            None,
        ),
    ],
)
def test_cloudwatch_alarms_in_the_subject_layout(message: dict[str, Any], kind: str, alert: None) -> None:
    found = classify_message(message)
    assert (found.kind, found.alert) == (kind, "checkout-latency-high")


def zabbix(title: str) -> dict[str, Any]:
    message = fixture("zabbix", "01-problem-high-cpu.json")
    message["attachments"][0]["title_link"] = ""  # a team's own action: no event link
    return retitled(message, title)


@pytest.mark.parametrize(
    ("title", "kind", "alert"),
    [
        ("PROBLEM: HostHighCpuLoad on db-2", "alert_firing", "HostHighCpuLoad"),
        ("RESOLVED: HostHighCpuLoad on db-2", "alert_resolved", "HostHighCpuLoad"),
        ("[Average] mq-1: Problem: High CPU utilization (over 90% for 5m)", "alert_firing", None),
    ],
)
def test_zabbix_subjects_teams_write(title: str, kind: str, alert: str | None) -> None:
    found = classify_message(zabbix(title))
    assert found.kind == kind
    assert found.alert == (alert or "High CPU utilization (over 90% for 5m)")


def test_an_unknown_integration_built_like_an_alert_is_at_least_alert_other() -> None:
    """Block Kit fields of an alert (severity, metric) from a tool nobody wrote a recogniser for."""
    message = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B0NEWTOOL1",
        "username": "Checkly",
        "text": "",
        "ts": "1710382765.000200",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "checkout-api p95 latency"}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Severity:*\ncritical"},
                    {"type": "mrkdwn", "text": "*Metric:*\nhttp_request_duration_seconds"},
                ],
            },
        ],
    }
    found = classify_message(message)
    assert found.is_alert
    assert found.alert == "checkout-api p95 latency"


@pytest.mark.parametrize(
    "text",
    [
        "ack, looking at HostHighCpuLoad on db-2",
        "[FIRING:1] CartQueueBacklogHigh again?? anyone on it",
        "resolved it by restarting the consumer :white_check_mark:",
        "🔥 prod is down for me",
        'ALARM: "checkout-latency-high" fired 3 times today, should we raise the threshold?',
    ],
)
def test_people_s_messages_are_never_alerts(text: str) -> None:
    found = classify_message({"type": "message", "user": "U024BE7LH", "text": text, "ts": "1710382765.000300"})
    assert not found.is_alert


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#44285 [FIRING:1] CartQueueBacklogHigh", "CartQueueBacklogHigh"),
        ("CartQueueBacklogHigh firing", "CartQueueBacklogHigh"),
        ("CartQueueBacklogHigh firing in prod-eu", "CartQueueBacklogHigh"),
        ('"checkout-latency-high" in Asia Pacific (Sydney)', "checkout-latency-high"),
        (":rotating_light: *KubePodCrashLooping* | critical | payments", "KubePodCrashLooping"),
        ("[P1] [Triggered on {host:web-01}] High error rate on checkout-api", "High error rate on checkout-api"),
        ("Zabbix agent is not available (for 3m)", "Zabbix agent is not available (for 3m)"),
        ("CassandraStorageExceptions(criteo)", "CassandraStorageExceptions(criteo)"),
        ("node_filesystem_almost_full - 91% used on /var", "node_filesystem_almost_full"),
    ],
)
def test_names_lose_their_decorations_and_keep_their_own_punctuation(raw: str, expected: str) -> None:
    assert clean_name(raw, AlertMessage()) == expected


def test_an_explicit_alertname_label_wins_over_the_title() -> None:
    message = pagerduty("Triggered", "[#44285] Checkout queue is backing up")
    message["attachments"][0]["text"] = "Labels:\n - alertname = CartQueueBacklogHigh\n - severity = critical"
    assert classify_message(message).alert == "CartQueueBacklogHigh"


def integration_post(text: str, **extra: Any) -> dict[str, Any]:
    """A webhook's post as Slack delivers it (a bot_message with the integration's username)."""
    return (
        {"type": "message", "subtype": "bot_message", "bot_id": "B0HOOK0001", "ts": "1710382765.000400"}
        | {
            "text": text,
            "username": "alerts",
        }
        | extra
    )


@pytest.mark.parametrize(
    ("text", "kind", "alert"),
    [
        ("*KubePodCrashLooping* is firing in *prod* (critical)", "alert_firing", "KubePodCrashLooping"),
        ("*KubePodCrashLooping* has resolved in *prod*", "alert_resolved", "KubePodCrashLooping"),
        ("[S2][PROD] node_filesystem_almost_full", "alert_firing", "node_filesystem_almost_full"),
        ("firing | Elasticsearch cluster unhealthy | gprd | s3", "alert_firing", "Elasticsearch cluster unhealthy"),
        (":large_green_circle: *RESOLVED* `KubeAPIErrorBudgetBurn` (prod)", "alert_resolved", "KubeAPIErrorBudgetBurn"),
        ("*PROBLEM* :: db-22.dc1/mysql-replication is CRITICAL", "alert_firing", "mysql-replication"),
        (
            "cloudfront-5xx-rate state is now OK: Threshold Crossed: 1 datapoint",
            "alert_resolved",
            "cloudfront-5xx-rate",
        ),
        (
            ":eyes: <@U024BE7LH> acknowledged <https://acme.pagerduty.com/incidents/Q1|#82023: Vault sealed>",
            "alert_other",
            "Vault sealed",
        ),
        (
            "Monitor is DOWN: Checkout API ( https://api.example.com/health ) - Reason: Timeout",
            "alert_firing",
            "Checkout API",
        ),
        (
            "Monitor is UP: Checkout API ( https://api.example.com/health ) - It was down for 5m",
            "alert_resolved",
            "Checkout API",
        ),
        (':white_check_mark: Check "Login flow" has recovered', "alert_resolved", "Login flow"),
    ],
)
def test_status_lines_teams_write_for_any_tool(text: str, kind: str, alert: str) -> None:
    found = classify_message(integration_post(text))
    assert (found.kind, found.alert) == (kind, alert)


def test_an_edit_is_read_by_its_new_message() -> None:
    """A `message_changed` event handed over whole: its new message is the one classified."""
    edited = opsgenie("Closed by jane@example.com", f"#44285: {RELAYED}")
    event = {"type": "message", "subtype": "message_changed", "message": edited, "ts": "1710382766.000100"}
    found = classify_message(event)
    assert (found.kind, found.alert) == ("alert_resolved", "CartQueueBacklogHigh")


@pytest.mark.parametrize(
    "text",
    [
        "Pull request closed by <https://github.com/jane|jane>\n#2696 Add runbook link to KubePodCrashLooping",
        ":white_check_mark: Application checkout has been successfully synced at 2025-03-25T19:35:18Z.",
        "Issue closed by jane\n#3587 checkout-api crashes on startup with empty config",
    ],
)
def test_delivery_and_tracker_bots_are_not_alerts(text: str) -> None:
    assert not classify_message(integration_post(text, username="github")).is_alert


def test_a_summary_titled_alertmanager_post_is_named_by_its_alertname_label() -> None:
    """The widely copied template: the summary as title, every label listed as `• *name:* `value``."""
    post = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B0ALERTMGR",
        "username": "Alertmanager",
        "attachments": [
            {
                "color": "danger",
                "title": "[FIRING] Pod is crash looping",
                "text": "*Alert:* Pod is crash looping - `critical`\n*Details:*\n • *alertname:* `KubePodCrashLooping`"
                "\n • *namespace:* `payments`",
            }
        ],
    }
    found = classify_message(post)
    assert (found.kind, found.alert) == ("alert_firing", "KubePodCrashLooping")


@pytest.mark.parametrize(("state", "kind"), [("ALARM", "alert_firing"), ("OK", "alert_resolved")])
def test_an_eventbridge_alarm_state_change_is_read_by_its_new_state(state: str, kind: str) -> None:
    """AWS's documented `CloudWatch Alarm State Change` event posted as JSON: the old state is in it too."""
    previous = "OK" if state == "ALARM" else "ALARM"
    event = {
        "version": "0",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "region": "us-east-1",
        "detail": {
            "alarmName": "ServerCpuTooHigh",
            "state": {"value": state, "reason": "Threshold Crossed: 1 datapoint"},
            "previousState": {"value": previous},
        },
    }
    found = classify_message(integration_post(f"*CloudWatch Alarm State Change*\n```{json.dumps(event, indent=2)}```"))
    assert (found.kind, found.alert) == (kind, "ServerCpuTooHigh")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("2 firing alert(s), 1 resolved alert(s)", "alert_firing"),
        ("0 firing alert(s), 2 resolved alert(s)", "alert_resolved"),
    ],
)
def test_grafana_s_documented_count_title_fires_while_any_alert_fires(title: str, kind: str) -> None:
    """Grafana's docs' custom title counts firing and resolved alerts; the name is in the labels below it."""
    text = "**Firing**\n\nLabels:\n - alertname = High CPU usage\n - severity = critical"
    found = classify_message(integration_post("", attachments=[{"title": title, "text": text, "color": "danger"}]))
    assert (found.kind, found.alert) == (kind, "High CPU usage")


def test_a_legacy_grafana_state_without_grafana_s_footer() -> None:
    found = classify_message(integration_post("", attachments=[{"title": "[Alerting] Disk usage high"}]))
    assert (found.kind, found.alert) == ("alert_firing", "Disk usage high")


@pytest.mark.parametrize(
    ("title", "kind"),
    [("Watchdog: 1 firing, 0 resolved", "alert_firing"), ("TargetDown (2 firing)", "alert_firing")],
)
def test_counts_of_firing_alerts_after_a_name(title: str, kind: str) -> None:
    found = classify_message(integration_post("", attachments=[{"title": title, "color": "danger"}]))
    assert (found.kind, found.alert) == (kind, title.split(":")[0].split(" (")[0])


def test_a_count_title_with_alerts_listed_below_is_named_by_the_first_listed() -> None:
    """A title that only counts (`1 firing alert(s), 0 resolved alert(s)`) names no alert; the body's list does."""
    text = "1 firing alert(s)\n- [KubeJobFailed] Job monitoring/backup-nightly failed to complete (kube-01)"
    attachment = {"title": "1 firing alert(s), 0 resolved alert(s)", "text": text, "footer": "Grafana v11.1.0"}
    found = classify_message(integration_post("", attachments=[attachment]))
    assert (found.kind, found.alert) == ("alert_firing", "KubeJobFailed")


def test_a_status_in_the_pretext_leaves_the_name_to_the_attachment_title() -> None:
    """`*RESOLVED* — 1 alert in *prod*` says the state and where; the title under it is the rule."""
    attachment = {"pretext": "*RESOLVED* \u2014 1 alert in *prod*", "title": "NodeFilesystemAlmostOutOfSpace"}
    found = classify_message(integration_post("", attachments=[attachment | {"color": "2eb886"}]))
    assert (found.kind, found.alert) == ("alert_resolved", "NodeFilesystemAlmostOutOfSpace")


@pytest.mark.parametrize(
    ("text", "kind", "alert"),
    [
        (  # a relay quoting a decorated title
            '*[Opsgenie]* New alert: <https://x.app.opsgenie.com/alert/1|#812> "[S1] KubeAPIErrorBudgetBurn: The API '
            'server is burning too much error budget" created by Alertmanager',
            "alert_firing",
            "KubeAPIErrorBudgetBurn",
        ),
        (  # several emphasised parts, one of them a rule's name
            ":warning: *Alarm State Change* \u2014 `orders-db-replica-lag` changed from *OK* to *ALARM* in "
            "us-east-2 (123456789012)",
            "alert_firing",
            "orders-db-replica-lag",
        ),
        (  # where it is and for how long, after the monitor's name
            ":large_green_circle: Monitor is UP: Payments API ( smtp.example.com ). It was down for 0 hours, "
            "4 minutes and 2 seconds.",
            "alert_resolved",
            "Payments API",
        ),
    ],
)
def test_names_inside_quotes_emphasis_and_trailing_detail(text: str, kind: str, alert: str) -> None:
    found = classify_message(integration_post(text))
    assert (found.kind, found.alert) == (kind, alert)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("CRIT - db-7 - Filesystem /var", "alert_firing"),
        ("WARN - db-7 - Filesystem /var", "alert_other"),
        ("UNKN - db-7 - Filesystem /var", "alert_other"),
        ("OK - db-7 - Filesystem /var", "alert_resolved"),
    ],
)
def test_nagios_style_short_states_and_the_host_before_the_service(text: str, kind: str) -> None:
    found = classify_message(integration_post(text))
    assert (found.kind, found.alert) == (kind, "Filesystem /var")
