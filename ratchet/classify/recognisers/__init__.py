"""Recognisers for real alert formats, tried in order; the generic one comes last."""

from __future__ import annotations

from collections.abc import Callable

from ratchet.classify.models import AlertMessage, Classification
from ratchet.classify.recognisers import (
    alertmanager,
    cloudwatch,
    datadog,
    generic,
    grafana,
    opsgenie,
    pagerduty,
    zabbix,
)
from ratchet.classify.settle import settled

Recogniser = Callable[[AlertMessage], Classification | None]

RECOGNISERS: list[Recogniser] = [
    alertmanager.recognise,
    grafana.recognise,
    datadog.recognise,
    pagerduty.recognise,
    opsgenie.recognise,
    zabbix.recognise,
    cloudwatch.recognise,
    generic.recognise,
]


def recognise(message: AlertMessage) -> Classification | None:
    """The first recogniser that knows the message's format decides; its name and state are then settled."""
    for recogniser in RECOGNISERS:
        found = recogniser(message)
        if found is not None:
            return settled(found, message)
    return None
