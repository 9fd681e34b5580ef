"""The learned layer: for integration posts no format recogniser claimed, the shipped linear model decides whether
the post is an alert and of which state; the rule layers' best guess (status marks, alert structure) keeps its
state and name when the model agrees it is an alert. With no guess, the model makes an alert only of a post that
carries some mark of one (`structure.has_alert_marks`): trained on few kinds of bot posts, it would otherwise take
any new bot's deploys, builds and reminders for alerts."""

from __future__ import annotations

from ratchet.classify.learned.model import LinearModel, shipped_model
from ratchet.classify.models import AlertMessage, Classification
from ratchet.classify.structure import has_alert_fields, has_alert_marks, title_of

NOT_ALERT = "chatter"
SURE_NOT_ALERT = 0.8  # the model's probability that vetoes a rule's low-confidence guess
SURE_ALERT = 0.5
STATED = 0.5  # a guess this confident read a state word: the model does not overrule it


def decide(
    message: AlertMessage, guess: Classification | None, model: LinearModel | None = None
) -> Classification | None:
    """An alert's classification, or None when the post is no alert (as far as these layers can tell)."""
    model = model or shipped_model()
    if model is None or not message.from_integration:
        return guess
    verdict = model.predict(message)
    said = f"the learned model: {verdict.kind} p={verdict.probability:.2f}"
    if verdict.kind == NOT_ALERT:
        weak = guess is None or guess.confidence < STATED  # an emoji or fields alone, no state word
        vetoed = weak and verdict.probability >= SURE_NOT_ALERT and not has_alert_fields(message)
        return None if vetoed else _noted(guess, said)
    if guess is not None and guess.kind == "alert_other" and verdict.probability >= SURE_ALERT:
        guess = guess.model_copy(update={"kind": verdict.kind})  # the rules saw an alert, the model its state
    if guess is not None:
        return _noted(guess, said)
    if verdict.probability < SURE_ALERT or not has_alert_marks(message):
        return None
    name = title_of(message)
    source = message.username.strip().lower() or "learned"
    return Classification(
        kind=verdict.kind,  # type: ignore[arg-type]
        alert=name,
        source=source,
        confidence=round(verdict.probability, 3),
        layer="learned",
        reason=said,
    )


def _noted(guess: Classification | None, said: str) -> Classification | None:
    return guess.model_copy(update={"reason": f"{guess.reason}; {said}"}) if guess is not None else None
