"""Train the learned layer: `python -m ratchet.classify.learned.train [--rules FILE] [--out FILE]
[--exclude-family F ...]`.

The training stream is rendered by `streams.py` from real alert rules through many template variants per vendor
family, plus people's messages and non-alert bot posts. The model is scikit-learn's logistic regression over the
hashed features of `features.py` (scikit-learn is needed here, not at run time: the weights of the features seen
in training are saved as numpy arrays and read by `model.py`). `--exclude-family` leaves families out, so a
benchmark can measure templates the model has never seen.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ratchet.classify.learned.features import DIMENSIONS, features, hashed
from ratchet.classify.learned.model import MODEL, LinearModel
from ratchet.classify.learned.streams import Sample, generate, load_rules
from ratchet.classify.models import ALERT_KINDS, AlertMessage

CLASSES = (*ALERT_KINDS, "chatter")  # questions and chatter alike are "no alert" to this layer
DEFAULT_RULES = Path(__file__).resolve().parents[3] / "tests" / "data" / "alerts" / "alerts.jsonl"
REGULARISATION = 4.0  # scikit-learn's C: the inverse strength of the L2 penalty


def train(samples: Sequence[Sample], *, regularisation: float = REGULARISATION) -> LinearModel:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows: list[int] = []
    columns: list[int] = []
    for row, sample in enumerate(samples):
        indices = set(hashed(features(AlertMessage.from_slack(sample.message))))
        rows += [row] * len(indices)
        columns += indices
    matrix = csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(samples), DIMENSIONS))
    labels = [sample.kind if sample.kind in ALERT_KINDS else "chatter" for sample in samples]
    fitted = LogisticRegression(C=regularisation, max_iter=2000).fit(matrix, labels)
    classes = tuple(str(c) for c in fitted.classes_)
    weights = fitted.coef_ if len(classes) > 2 else np.vstack([-fitted.coef_[0], fitted.coef_[0]]) / 2
    bias = fitted.intercept_ if len(classes) > 2 else np.array([-fitted.intercept_[0], fitted.intercept_[0]]) / 2
    seen = np.array(sorted(set(columns)), dtype=np.int64)
    return LinearModel(classes, seen, weights[:, seen].T.astype(np.float64), bias.astype(np.float64))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="alert rules (JSON lines)")
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-template", type=int, default=40)
    parser.add_argument("--exclude-family", action="append", default=[])
    args = parser.parse_args(argv)
    started = time.perf_counter()
    samples = [
        s
        for s in generate(load_rules(args.rules), seed=args.seed, per_template=args.per_template)
        if s.family not in args.exclude_family
    ]
    model = train(samples)
    model.save(args.out)
    print(
        f"trained on {len(samples):,} messages in {time.perf_counter() - started:.1f} s: {len(model.features):,} "
        f"features, classes {', '.join(model.classes)} -> {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
