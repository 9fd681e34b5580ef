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
from ratchet.classify.structure import has_alert_marks

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


@pytest.fixture(scope="module")
def model_without_bot_posts() -> LinearModel:
    """Trained as if nobody had written a non-alert bot template: every bot post it saw was an alert."""
    return train([s for s in generate(load_rules(RULES), seed=5, per_template=3) if s.family != "bots"])


@pytest.mark.parametrize(
    "text",
    [
        ":rocket: Application payments is now running new version of deployments manifests.",
        "Spinnaker pipeline *bake-and-deploy* for application *frontend* has started",
        "#6987 Silence OpenSearchModerateIndexLatency during nightly backups",
        "Event reminder: *Incident review: gateway outage* at 19:07",
    ],
)
def test_a_bot_post_with_no_mark_of_an_alert_stays_chatter(model_without_bot_posts: LinearModel, text: str) -> None:
    """Deploys, pull requests and reminders carry no state word, severity, alert field or rule-headed title: the
    model, never taught such posts, may not make alerts of them."""
    assert classify_message(webhook(text), model=model_without_bot_posts).kind == "chatter"


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("[LIVE] KubePersistentVolumeErrors (2 alerts)\n• `web-23:9100` PersistentVolume has issues", True),
        (":bangbang: RabbitmqDeadLetterQueueFillingUp | warning | checkout", True),
        ("*High: lb-02: Interface eth0: High bandwidth usage (>90%)*\nStarted: 10:47:14 2024.05.06", True),
        ("Memory usage on SNMP node 10.2.209.92:9090 | P2", True),
        ("Checkout queue time over 500ms - storefront", True),
        ("#4752 Bump requests from 1.7.6 to 7.2.6 in /services/orders-service", False),
        ("#6987 Silence OpenSearchModerateIndexLatency during nightly backups", False),
        ("OPS-782: Tune etcdDatabaseHighFragmentationRatio threshold", False),
        ("Spinnaker pipeline *bake-and-deploy* for application *frontend* completed successfully", False),
    ],
)
def test_alert_marks_are_a_rule_headed_title_or_a_severity_set_apart(text: str, marked: bool) -> None:
    assert has_alert_marks(AlertMessage.from_slack(webhook(text))) is marked
