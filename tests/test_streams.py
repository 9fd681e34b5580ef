"""The learned classifier's labelled message streams (ratchet/classify/learned/streams.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from ratchet.classify.learned.streams import (
    FAMILIES,
    HELD_OUT_DATASET,
    INTERROGATIVES,
    KINDS,
    TEMPLATE_IDS,
    Sample,
    generate,
    load_rules,
    main,
)
from ratchet.slack.text import message_text

RULES_PATH = Path(__file__).parent / "data" / "alerts" / "alerts.jsonl"
ALERT_KINDS = {"alert_firing", "alert_resolved", "alert_other"}
# the kinds each tool has (Alertmanager and Grafana's default notifications know only firing and resolved, but
# Grafana's legacy alerting and OnCall have No Data / Acknowledged)
EXPECTED_KINDS = {
    "alertmanager": {"alert_firing", "alert_resolved"},
    "grafana": ALERT_KINDS,
    "datadog": ALERT_KINDS,
    "pagerduty": ALERT_KINDS,
    "opsgenie": ALERT_KINDS,
    "zabbix": ALERT_KINDS,
    "cloudwatch": ALERT_KINDS,
    "generic": ALERT_KINDS,
    "people": {"question", "chatter"},
    "bots": {"chatter"},
}


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    return load_rules(RULES_PATH)


@pytest.fixture(scope="module")
def stream(rules: list[dict[str, Any]]) -> list[Sample]:
    return generate(rules, seed=11, per_template=40)


def _all_rules() -> list[dict[str, Any]]:
    return [json.loads(line) for line in RULES_PATH.read_text().splitlines() if line.strip()]


def test_generation_is_deterministic(rules: list[dict[str, Any]]) -> None:
    first = [asdict(s) for s in generate(rules, seed=3, per_template=4)]
    again = [asdict(s) for s in generate(rules, seed=3, per_template=4)]
    other = [asdict(s) for s in generate(rules, seed=4, per_template=4)]
    assert first == again
    assert json.dumps(first) == json.dumps(again)
    assert first != other


def test_a_sample_does_not_depend_on_how_many_are_generated(rules: list[dict[str, Any]]) -> None:
    def by_template(samples: list[Sample]) -> dict[str, list[Sample]]:
        grouped: dict[str, list[Sample]] = {}
        for s in samples:
            grouped.setdefault(s.template, []).append(s)
        return grouped

    few, more = (
        by_template(generate(rules, seed=5, per_template=2)),
        by_template(generate(rules, seed=5, per_template=5)),
    )
    assert all(more[template][:2] == samples for template, samples in few.items())


def test_every_family_template_and_kind_appears(stream: list[Sample]) -> None:
    assert {s.family for s in stream} == set(FAMILIES)
    assert {s.template for s in stream} == set(TEMPLATE_IDS)
    for family, kinds in EXPECTED_KINDS.items():
        assert {s.kind for s in stream if s.family == family} == kinds, family
    per_template = Counter(s.template for s in stream)
    assert set(per_template.values()) == {40}
    per_family = Counter(s.family for s in stream)
    assert max(per_family.values()) <= 1.5 * min(per_family.values())  # balanced
    templates = Counter(t.split("/")[0] for t in TEMPLATE_IDS)
    assert all(templates[f] >= 8 for f in FAMILIES), templates


def test_labels_are_well_formed(stream: list[Sample]) -> None:
    for s in stream:
        assert s.family in FAMILIES and s.kind in KINDS
        assert s.template.startswith(f"{s.family}/")
        if s.family in ("people", "bots"):
            assert s.alert is None, s
        else:
            assert s.kind in ALERT_KINDS and isinstance(s.alert, str) and s.alert.strip() == s.alert and s.alert


def test_messages_are_slack_message_events(stream: list[Sample]) -> None:
    for s in stream:
        m = s.message
        assert isinstance(m, dict) and m["type"] == "message", s.template
        assert re.fullmatch(r"\d{10}\.\d{6}", m["ts"]), m["ts"]
        json.dumps(m)  # plain JSON data
        if s.family == "people":
            assert m.get("user", "").startswith("U") and "bot_id" not in m and "subtype" not in m, s.template
        else:
            assert m.get("bot_id", "").startswith("B"), s.template
            assert m.get("subtype") == "bot_message" or "bot_profile" in m, s.template
        edited = "edited" in m
        assert edited == ("channel" not in m), s.template  # an edit is a message_changed event's `message`
    assert any("edited" in s.message for s in stream if s.family != "people")
    assert any("thread_ts" in s.message for s in stream if s.family == "people")


def test_the_gold_alert_name_is_in_the_visible_text(stream: list[Sample]) -> None:
    for s in stream:
        if s.alert is not None:
            assert s.alert in message_text(s.message), (s.template, s.alert, message_text(s.message)[:300])


def test_relayed_alerts_are_labelled_by_the_relays_own_status(stream: list[Sample]) -> None:
    relayed = [s for s in stream if s.family in ("pagerduty", "opsgenie") and "[FIRING:" in message_text(s.message)]
    assert {s.kind for s in relayed} == ALERT_KINDS  # an acknowledged or closed [FIRING:1] X is not firing


def test_people_questions_ask_and_chatter_does_not(stream: list[Sample]) -> None:
    people = [s for s in stream if s.family == "people"]
    for s in people:
        text = s.message["text"]
        first = re.split(r"[\s,':]+", re.sub(r"^(<@\w+>\s*)+", "", text).lower(), maxsplit=1)[0]
        if s.kind == "question":
            assert "?" in text or first in INTERROGATIVES, text
        else:
            assert "?" not in text and first not in INTERROGATIVES, text
    assert len({s.message["text"] for s in people}) >= 150


def test_no_held_out_rule_is_used(rules: list[dict[str, Any]], stream: list[Sample]) -> None:
    everything = _all_rules()
    assert any(r["dataset"] == HELD_OUT_DATASET for r in everything)
    assert all(r["dataset"] != HELD_OUT_DATASET for r in rules)
    # held-out rules are skipped, never drawn: the stream is the same with or without them
    assert generate(everything, seed=11, per_template=5) == generate(rules, seed=11, per_template=5)
    with pytest.raises(ValueError):
        generate([r for r in everything if r["dataset"] == HELD_OUT_DATASET])
    used = {r["alert"] for r in rules}
    held_out_only = {r["alert"] for r in everything if r["dataset"] == HELD_OUT_DATASET} - used
    assert held_out_only
    for s in stream:
        assert s.alert not in held_out_only


def test_cli_writes_the_stream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "stream.jsonl"
    assert main(["--rules", str(RULES_PATH), "--out", str(out), "--seed", "2", "--per-template", "2"]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2 * len(TEMPLATE_IDS)
    assert set(lines[0]) == {"family", "template", "message", "kind", "alert"}
    printed = capsys.readouterr().out
    assert "pagerduty/blocks-relay-am" in printed and "people" in printed
