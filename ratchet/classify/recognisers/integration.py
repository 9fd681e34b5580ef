"""The floor for integration posts whose template no recogniser knows: a post by a bot, an app or a webhook that
is built like an alert — a state word set apart in its header, or fields an alert carries (see
`classify.structure`) — is an alert of that state, else `alert_other`, never chatter because its template is new.
Its name is the title's, settled like every layer's."""

from __future__ import annotations

from ratchet.classify.models import AlertMessage, Classification
from ratchet.classify.states import header_kind
from ratchet.classify.structure import has_alert_fields, title_of

SOURCE = "integration"


def recognise(message: AlertMessage) -> Classification | None:
    if not message.from_integration:
        return None
    kind = header_kind(message)
    if kind is None and not has_alert_fields(message):
        return None
    name = title_of(message)
    source = message.username.strip().lower() or SOURCE
    return Classification(
        kind=kind or "alert_other",
        alert=name,
        source=source,
        confidence=0.5 if kind else 0.4,  # alert fields without a state word: the learned layer may overrule
        layer="recogniser",
    )
