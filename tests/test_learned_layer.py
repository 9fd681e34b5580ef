"""The learned layer: trained from the streams rendered from real rules, shipped as numpy arrays, and deciding
the integration posts the rules have no guess for, or no state for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ratchet.classify.classifier import classify_message
from ratchet.classify.learned.model import MODEL, LinearModel, shipped_model
from ratchet.classify.learned.streams import generate, load_rules
from ratchet.classify.learned.train import CLASSES, train
from ratchet.classify.models import AlertMessage

RULES = Path(__file__).parent / "data" / "alerts" / "alerts.jsonl"


def webhook(text: str) -> dict[str, object]:
    return {"type": "message", "subtype": "bot_message", "bot_id": "B0HOOK0002", "username": "alerts", "text": text}


def test_the_shipped_model_is_in_the_package_and_knows_every_class() -> None:
    model = shipped_model()
    assert model is not None and MODEL.exists()
    assert sorted(model.classes) == sorted(CLASSES)
    assert len(model.features) == len(model.weights) > 1000


def test_it_decides_an_alert_the_rules_have_no_guess_for() -> None:
    """`<rule> firing in <cluster>` carries no state word set apart and no alert field: only the model says."""
    message = webhook(
        "CiliumAgentHighDeniedRate firing in aks-live-02\n"
        "*Summary:* Cilium Agent is experiencing a high drop rate due to policy rule denies."
    )
    found = classify_message(message)
    assert (found.kind, found.alert, found.layer) == ("alert_firing", "CiliumAgentHighDeniedRate", "learned")
    assert found.reason is not None and found.reason.startswith("the learned model: alert_firing")


def test_people_are_never_asked() -> None:
    message = {"type": "message", "user": "U024BE7LH", "text": "CiliumAgentHighDeniedRate firing in aks-live-02"}
    assert classify_message(message).kind == "chatter"


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[LinearModel, LinearModel]:
    samples = generate(load_rules(RULES), seed=5, per_template=3)
    model = train(samples)
    path = tmp_path_factory.mktemp("model") / "model.npz"
    model.save(path)
    return model, LinearModel.load(path)


def test_training_saves_what_loading_reads(small_model: tuple[LinearModel, LinearModel]) -> None:
    trained, loaded = small_model
    assert loaded.classes == trained.classes and np.array_equal(loaded.features, trained.features)
    for sample in generate(load_rules(RULES), seed=6, per_template=1)[:40]:
        message = AlertMessage.from_slack(sample.message)
        assert loaded.predict(message).probabilities == pytest.approx(trained.predict(message).probabilities)


def test_a_model_trained_on_the_streams_tells_alerts_from_other_posts(
    small_model: tuple[LinearModel, LinearModel],
) -> None:
    trained, _ = small_model
    held = [s for s in generate(load_rules(RULES), seed=7, per_template=2) if s.family != "people"]
    right = sum(
        (trained.predict(AlertMessage.from_slack(s.message)).kind == "chatter") == (s.kind in ("chatter", "question"))
        for s in held
    )
    assert right / len(held) >= 0.9
