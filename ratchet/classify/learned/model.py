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


@dataclass(frozen=True, eq=False)
class LinearModel:
    classes: tuple[str, ...]
    features: np.ndarray  # the hashed features seen in training
    weights: np.ndarray  # one row per feature, one column per class: a message's score is one gather and sum
    bias: np.ndarray
    positions: dict[int, int] = field(init=False, repr=False)  # hashed feature -> its row

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", {int(feature): row for row, feature in enumerate(self.features)})

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
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            indices=self.features.astype(np.int32),
            weights=self.weights.astype(np.float32),
            bias=self.bias,
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            classes = tuple(str(c) for c in data["classes"])
            return cls(classes, data["indices"], data["weights"].astype(np.float64), data["bias"].astype(np.float64))


@cache
def shipped_model() -> LinearModel | None:
    """The model in the package, or None when it is missing (the layer is then skipped)."""
    return LinearModel.load(MODEL) if MODEL.exists() else None
