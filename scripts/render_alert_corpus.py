"""Render the classify benchmark's Alertmanager corpus (tests/data/alert-formats/alertmanager-eval/notifications.jsonl).

Every rule of tests/data/alerts/alerts.jsonl as Alertmanager Slack notifications (tests/support/alert_corpus.py says
how), rendered by the Go text/template interpreter in tests/support/alertmanager_template.py; bench/classify_eval.py
reads the file. Run after changing either (or the rules), then commit the file with them:

    python scripts/render_alert_corpus.py            # rewrite the committed corpus
    python scripts/render_alert_corpus.py --check    # exit 1 if the committed corpus differs from a fresh render
    python scripts/render_alert_corpus.py --seed 8 --out /tmp/other.jsonl   # another draw, not for committing
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from tests.support.alert_corpus import CORPUS, PER_RULE, SEED, corpus, dumps, load_rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=CORPUS, help=f"where to write (default {CORPUS})")
    parser.add_argument("--seed", type=int, default=SEED, help="label values, sample values, group sizes")
    parser.add_argument("--per-rule", type=int, default=PER_RULE, help="notifications per rule (4 = status x size)")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args(argv)

    text = "".join(dumps(record) + "\n" for record in corpus(load_rules(), seed=args.seed, per_rule=args.per_rule))
    lines = text.count("\n")
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current == text:
            print(f"{args.out}: up to date ({lines:,} notifications)")
            return 0
        old, new = current.splitlines(), text.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        print(f"{args.out}: differs from a fresh render ({len(old):,} vs {len(new):,} lines; first: line {first + 1})")
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {lines:,} notifications to {args.out} ({len(text.encode()) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
