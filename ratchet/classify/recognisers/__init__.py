"""Recognisers for real alert formats, tried in order; then, for posts none of them knows, the low-confidence
ones (status marks, alert structure) with the learned layer as their judge."""

from __future__ import annotations

from collections.abc import Callable

from ratchet.classify.learned.layer import decide
from ratchet.classify.learned.model import LinearModel
from ratchet.classify.models import AlertMessage, Classification
from ratchet.classify.recognisers import (
    alertmanager,
    cloudwatch,
    datadog,
    generic,
    grafana,
    integration,
    opsgenie,
    pagerduty,
    zabbix,
)
from ratchet.classify.settle import settled

Recogniser = Callable[[AlertMessage], Classification | None]

FORMATS: list[Recogniser] = [
    alertmanager.recognise,
    grafana.recognise,
    datadog.recognise,
    pagerduty.recognise,
    opsgenie.recognise,
    zabbix.recognise,
    cloudwatch.recognise,
]
GUESSES: list[Recogniser] = [generic.recognise, integration.recognise]
RECOGNISERS: list[Recogniser] = [*FORMATS, *GUESSES]


def recognise(message: AlertMessage, model: LinearModel | None = None) -> Classification | None:
    """The first format that knows the message decides; else the best guess, judged by the learned layer (`model`,
    by default the shipped one). Either way the name and state are then settled. People post no alerts."""
    if message.from_person:
        return None
    for recogniser in FORMATS:
        if (found := recogniser(message)) is not None:
            return settled(found.model_copy(update={"reason": f"the {found.source} format"}), message)
    guess = next((found for recogniser in GUESSES if (found := recogniser(message)) is not None), None)
    if guess is not None:
        marks = "status marks" if guess.source == "generic" else "an alert's structure"
        guess = guess.model_copy(update={"reason": f"{marks} in an integration's post"})
    decided = decide(message, guess, model)
    return settled(decided, message) if decided is not None else None
