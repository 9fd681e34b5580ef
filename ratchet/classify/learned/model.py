"""The learned layer's model at run time: a linear classifier over hashed features, as numpy arrays shipped in the
package (`model.npz`, written by `python -m ratchet.classify.learned.train`). Only the weights of features seen in
training are stored; a feature never seen weighs nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from ratchet.classify.learned.features import features, hashed
from ratchet.classify.models import AlertMessage

MODEL = Path(__file__).with_name("model.npz")


@dataclass(frozen=True)
class Verdict:
    kind: str
    probability: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    rows: dict[int, np.ndarray]  # hashed feature -> weight per class
    bias: np.ndarray
    positions: dict[int, int] = field(init=False, repr=False, compare=False)
    weights: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one matrix, so a message's score is a single gather and sum
        object.__setattr__(self, "positions", {index: row for row, index in enumerate(self.rows)})
        matrix = np.stack(list(self.rows.values())) if self.rows else np.zeros((0, len(self.classes)))
        object.__setattr__(self, "weights", matrix)

    def predict(self, message: AlertMessage) -> Verdict:
        seen = [self.positions[i] for i in set(hashed(features(message))) if i in self.positions]
        scores = self.bias + self.weights[seen].sum(axis=0) if seen else self.bias.copy()
        exp = np.exp(scores - scores.max())
        probabilities = exp / exp.sum()
        best = int(probabilities.argmax())
        return Verdict(
            self.classes[best],
            float(probabilities[best]),
            {kind: float(p) for kind, p in zip(self.classes, probabilities, strict=True)},
        )

    def save(self, path: Path) -> None:
        indices = np.array(sorted(self.rows), dtype=np.int32)
        weights = np.stack([self.rows[i] for i in indices]).astype(np.float32) if len(indices) else np.zeros((0, 0))
        np.savez_compressed(path, classes=np.array(self.classes), indices=indices, weights=weights, bias=self.bias)

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            rows = {int(i): row.astype(np.float64) for i, row in zip(data["indices"], data["weights"], strict=True)}
            return cls(tuple(str(c) for c in data["classes"]), rows, data["bias"].astype(np.float64))


@cache
def shipped_model() -> LinearModel | None:
    """The model in the package, or None when it is missing (the layer is then skipped)."""
    return LinearModel.load(MODEL) if MODEL.exists() else None
