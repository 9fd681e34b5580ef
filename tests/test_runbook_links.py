"""The runbook link a notification carries, in the shapes real templates give it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ratchet.classify.classifier import classify_message
from ratchet.classify.links import runbook_link
from tests.conftest import DATA

CRASHLOOP = "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping"


def crashloop_notification() -> dict[str, Any]:
    """Alertmanager's default Slack notification of KubePodCrashLooping (no runbook in it)."""
    path = DATA / "alert-formats" / "rendered_examples" / "1-KubePodCrashLooping-firing.json"
    return {**json.loads(path.read_text())["slack_payload_default_config"], "subtype": "bot_message", "bot_id": "B0AM"}


def with_text(text: str) -> dict[str, Any]:
    message = crashloop_notification()
    [attachment] = message["attachments"]
    return {**message, "attachments": [{**attachment, "text": text}]}


@pytest.mark.parametrize(
    "message",
    [
        with_text(f"*Summary:* Pod is crash looping.\n*Runbook:* <{CRASHLOOP}|:spiral_note_pad:>"),
        with_text(f"summary: Pod is crash looping.\nrunbook_url: {CRASHLOOP}"),
        with_text(f"Runbook URL = <{CRASHLOOP}>"),
        {
            **crashloop_notification(),
            "attachments": [
                {
                    **crashloop_notification()["attachments"][0],
                    "actions": [
                        {"type": "button", "text": "Query :mag:", "url": "http://prometheus:9090/graph?g0.expr=up"},
                        {"type": "button", "text": "Runbook :green_book:", "url": CRASHLOOP},
                    ],
                }
            ],
        },
        {
            **crashloop_notification(),
            "attachments": [
                {**crashloop_notification()["attachments"][0], "fields": [{"title": "Runbook", "value": CRASHLOOP}]}
            ],
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0AM",
            "text": "[FIRING:1] KubePodCrashLooping",
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": "*[FIRING:1] KubePodCrashLooping*"}},
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "Runbook"}, "url": CRASHLOOP}
                    ],
                },
            ],
        },
        with_text(f"Pod monitoring/prometheus-adapter is crash looping. See {CRASHLOOP} for what to do."),
    ],
    ids=["labelled link", "annotation line", "url label", "action button", "field", "block button", "url path"],
)
def test_a_runbook_link_is_found_in_every_shape(message: dict[str, Any]) -> None:
    assert runbook_link(message) == CRASHLOOP
    found = classify_message(message)
    assert (found.kind, found.alert, found.runbook_url) == ("alert_firing", "KubePodCrashLooping", CRASHLOOP)


def test_a_labelled_link_wins_over_a_link_whose_path_merely_names_runbooks() -> None:
    index = "https://runbooks.example.com/"
    message = with_text(f"All runbooks: {index}\n*Runbook:* <{CRASHLOOP}|open>")
    assert runbook_link(message) == CRASHLOOP


def test_other_links_are_not_runbooks() -> None:
    """The default notification links to Alertmanager's UI only."""
    assert runbook_link(crashloop_notification()) is None
    assert classify_message(crashloop_notification()).runbook_url is None


def test_a_persons_message_with_a_runbook_link_is_not_an_alert_with_a_runbook() -> None:
    said = {"type": "message", "user": "U0PRIYA", "text": f"did anyone follow <{CRASHLOOP}|the runbook>?"}
    found = classify_message(said)
    assert found.kind == "question" and found.runbook_url is None
