"""The family part of bench/classify_eval.py: how classification holds on alert templates it has never seen.

Streams come from `ratchet.classify.learned.streams` (real rules of tests/data/alerts/alerts.jsonl through many
template variants per vendor family, people's messages and non-alert bot posts): training draws use seed 0,
test draws seed 1. Per family it reports kind accuracy, alert-vs-not accuracy and exact alert names
(a) with the learned layer trained on every family (templates seen in training, other draws), (b) leave one
family out: trained without that family's templates, tested on them, (c) on bench/heldout/messages.jsonl, written
independently of the classifier, whose failures have since been looked at while tuning, and (d) on
bench/heldout_fresh/messages.jsonl, written later by another hand with other templates and never looked at: the
figure for templates nobody here has seen. The learned layer is trained on every family for (c) and (d). Then the
learned layer's size, load time and the classifier's messages per second on those messages. No LLM anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from ratchet.classify.classifier import classify_message
from ratchet.classify.learned.model import LinearModel
from ratchet.classify.learned.streams import FAMILIES, Sample, generate, load_rules
from ratchet.classify.learned.train import train
from ratchet.classify.models import ALERT_KINDS

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "tests" / "data" / "alerts" / "alerts.jsonl"
TUNING = ROOT / "bench" / "heldout" / "messages.jsonl"
HELDOUT = ROOT / "bench" / "heldout_fresh" / "messages.jsonl"
CLI_ROUNDS = 5  # the messages sent this many times, so start-up's jitter is small beside the work
Scores = dict[str, tuple[int, float, float, float | None]]  # family -> (n, kind, alert-vs-not, name exact)


def scores(samples: Iterable[Sample], model: LinearModel) -> Scores:
    by_family: dict[str, list[tuple[bool, bool, bool | None]]] = defaultdict(list)
    for sample in samples:
        found = classify_message(sample.message, model=model)
        is_alert = sample.kind in ALERT_KINDS
        name_ok = found.alert == sample.alert if is_alert else None
        by_family[sample.family].append((found.kind == sample.kind, found.is_alert == is_alert, name_ok))
    table: Scores = {}
    for family, rows in sorted(by_family.items()):
        named = [ok for _, _, ok in rows if ok is not None]
        table[family] = (
            len(rows),
            sum(ok for ok, _, _ in rows) / len(rows),
            sum(ok for _, ok, _ in rows) / len(rows),
            sum(named) / len(named) if named else None,
        )
    return table


def heldout_samples(path: Path) -> list[Sample]:
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [Sample(r["family"], r["template"], r["message"], r["kind"], r.get("alert")) for r in rows]


def show(title: str, table: Scores) -> None:
    print(f"\n{title}\n  {'family':<14} {'n':>6} {'kind':>8} {'alert?':>8} {'name':>8}")
    for family, (n, kind, alert, name) in table.items():
        shown = f"{name:8.2%}" if name is not None else "       —"
        print(f"  {family:<14} {n:>6} {kind:8.2%} {alert:8.2%} {shown}")
    low = [f for f, (_, kind, _, name) in table.items() if kind < 0.95 or (name is not None and name < 0.95)]
    print(f"  below 0.95: {', '.join(low) or 'none'}")


def throughput(messages: Sequence[dict], model: LinearModel) -> float:
    started = time.perf_counter()
    for message in messages:
        classify_message(message, model=model)
    return len(messages) / (time.perf_counter() - started)


def cli_throughput(messages: Sequence[dict]) -> tuple[float, float]:
    """`ratchet classify` messages/s (its start-up, timed on one message, taken off), and next to it the same
    lines through a bare JSON read-and-write loop in a subprocess: the floor any classifier pays for its I/O."""
    lines = "".join(json.dumps(message) + "\n" for message in messages) * CLI_ROUNDS
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}

    def timed(command: list[str], text: str) -> float:
        started = time.perf_counter()
        subprocess.run(command, input=text, capture_output=True, text=True, check=True, env=env)
        return time.perf_counter() - started

    classify = [sys.executable, "-m", "ratchet", "classify"]
    startup = timed(classify, lines.split("\n", 1)[0] + "\n")
    seconds = max(timed(classify, lines) - startup, 1e-9)
    echo = "import json, sys\nfor line in sys.stdin:\n    print(json.dumps(json.loads(line)), flush=True)"
    floor = max(timed([sys.executable, "-c", echo], lines), 1e-9)
    return len(messages) * CLI_ROUNDS / seconds, len(messages) * CLI_ROUNDS / floor


def report(per_template: int = 40, tuning: Path = TUNING, heldout: Path = HELDOUT) -> dict[str, Scores]:
    rules = load_rules(RULES)
    training = generate(rules, seed=0, per_template=per_template)
    testing = generate(rules, seed=1, per_template=max(per_template // 2, 5))
    started = time.perf_counter()
    model = train(training)
    trained = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        started = time.perf_counter()
        LinearModel.load(path)
        loaded = time.perf_counter() - started
        size = path.stat().st_size
    print(
        f"\nlearned layer: trained on {len(training):,} messages in {trained:.1f} s; {len(model.features):,} features, "
        f"{size / 1024:.0f} KiB, loads in {loaded * 1000:.0f} ms"
    )
    results = {"seen": scores(testing, model)}
    show("(a) templates seen in training (other draws)", results["seen"])
    unseen: Scores = {}
    for family in FAMILIES:
        without = train([s for s in training if s.family != family])
        unseen |= scores((s for s in testing if s.family == family), without)
    results["unseen"] = unseen
    show("(b) leave one family out: trained without the family, tested on it", unseen)
    looked_at, held = heldout_samples(tuning), heldout_samples(heldout)
    for key, path, samples, title in (
        ("heldout-tuning", tuning, looked_at, "(c) {}: written independently, failures looked at while tuning"),
        ("heldout", heldout, held, "(d) {}: other templates, never looked at"),
    ):
        if samples:
            results[key] = scores(samples, model)
            show(title.format(path.relative_to(ROOT)), results[key])
    messages = [s.message for s in [*testing, *looked_at, *held]]
    print(f"\nclassify_message: {throughput(messages, model):,.0f} messages/s over {len(messages):,} messages")
    cli, floor = cli_throughput(messages)
    print(
        f"ratchet classify: {cli:,.0f} messages/s (start-up excluded); a bare JSON echo: {floor:,.0f} messages/s "
        f"(ratio {cli / floor:.2f})"
    )
    return results
