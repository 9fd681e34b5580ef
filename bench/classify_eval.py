"""Benchmark: accuracy of alert classification (kind and alert name) on realistic Slack messages, no LLM.

The evaluation set is read from committed data, with the labels written down there or here, never asked of the
classifier:

- alertmanager: tests/data/alert-formats/alertmanager-eval/notifications.jsonl, EVERY rule of
  tests/data/alerts/alerts.jsonl (2,859 real rules) rendered as Alertmanager Slack notifications (seed 7) by
  scripts/render_alert_corpus.py, with plausible series labels derived from the rule's expr, annotations and
  labels. Per rule: firing and resolved, a single alert and a group of 2-4 instances (some groups carry a resolved
  alert next to the firing ones: `[FIRING:n]` counts only the firing), group_by [namespace] / [alertname] /
  [alertname, cluster, service] / [job] / [], and the default text or one of the customised text variants, cycled
  so every combination occurs. Expected: alert_firing / alert_resolved and the rule's `alert`. Plus the six
  rendered examples of tests/data/alert-formats/rendered_examples (3 forms each). Another draw (--seed) or more
  notifications per rule: render them with that script's --out and pass the file as --corpus.
- other formats: each JSON file under tests/data/alert-formats/<format>/ holding `message` (a Slack message
  object) and `expected` {kind, alert}; skipped when there are none yet.
- slack-chatter: the human (and bot chit-chat) messages of tests/data/slack_events (bolt-python envelopes and the
  Web API examples), each labelled question or chatter by hand in NEGATIVES below: a question contains "?" or
  starts with who/what/when/where/why/how/can/could/is/are/does/do...; only the kind is compared.

Prints accuracy of kind and alert name (compared exactly) overall, per format and per Alertmanager slice, the kind
confusion matrix, the time per message and the most common failures. Exit code 0 (a report) unless
--min-accuracy is given and the overall kind or alert-name accuracy of the selected formats is below it.

Run: `python bench/classify_eval.py [--format alertmanager] [--min-accuracy 0.99] [--limit 100] [--failures 10]`
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ratchet.classify.classifier import classify_message

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
FORMATS = DATA / "alert-formats"
CORPUS = FORMATS / "alertmanager-eval" / "notifications.jsonl"  # scripts/render_alert_corpus.py writes it
AM_FOLDERS = ("rendered_examples", "alertmanager-eval")  # Alertmanager's: in the corpus, not `<format>/*.json`
KINDS = ("alert_firing", "alert_resolved", "alert_other", "question", "chatter")

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


# --- the evaluation set -------------------------------------------------------------------------------------------


def alertmanager_examples(path: Path, limit: int = 0) -> Iterator[Example]:
    """The rendered Alertmanager corpus (scripts/render_alert_corpus.py); `limit`: only the first N rules'."""
    with path.open() as lines:
        for line in lines:
            record = json.loads(line)
            if limit and record.get("rule") is not None and record["rule"] >= limit:
                continue
            yield Example(
                format="alertmanager",
                slices=record["slices"],
                message=record["message"],
                kind=record["kind"],
                alert=record["alert"],
            )


def other_format_examples(skipped: Counter[str]) -> Iterator[Example]:
    """tests/data/alert-formats/<format>/**/*.json: {"message": {...}, "expected": {"kind": ..., "alert": ...}}."""
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir() and p.name not in AM_FOLDERS):
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
        examples += alertmanager_examples(args.corpus, limit=args.limit)
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


def display(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


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
        f"Alert classification eval: {len(examples):,} examples ({display(args.corpus)}) — "
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
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the rendered Alertmanager notifications")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rules' notifications (quick runs)")
    parser.add_argument("--failures", type=int, default=10, help="how many failure kinds to show")
    parser.add_argument(
        "--no-families", action="store_true", help="skip the per-family, leave-one-family-out and held-out report"
    )
    parser.add_argument("--per-template", type=int, default=40, help="training messages per template variant")
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
    if not args.no_families:
        from classify_families import report as family_report  # beside this script

        family_report(per_template=args.per_template)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
