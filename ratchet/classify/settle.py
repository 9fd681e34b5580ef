"""What every layer's verdict goes through last: the alert's name without its template's decorations, and the
state the notification's own words announce when they say more than the layer read (an acknowledgement or a
closing of a relayed `[FIRING:1]` alert)."""

from __future__ import annotations

from ratchet.classify.models import AlertMessage, Classification, fingerprint
from ratchet.classify.names import clean_name, listed_name, settle_name
from ratchet.classify.states import header_kind, strongest
from ratchet.classify.structure import title_of

FORMAT_CONFIDENCE = 0.9  # a format recogniser's: its name stands even when no decoration came off


def settled(found: Classification, message: AlertMessage) -> Classification:
    if not found.is_alert:
        return found
    name = (
        settle_name(found.alert, message, found.source)
        or clean_name(title_of(message) or "", message)
        or listed_name(message)
    )
    if name is None and found.confidence >= FORMAT_CONFIDENCE:
        name = found.alert  # a format's own reading stands; a guess's raw line is no name
    kind = found.kind if found.kind == "alert_resolved" else strongest([found.kind, header_kind(message)]) or found.kind
    key = found.fingerprint
    if key is not None and name != found.alert:
        key = f"{name}:{key.rsplit(':', 1)[-1]}"  # the same instance under the settled name: a relay still pairs
    if key is None and name:
        key = fingerprint(found.source or "unknown", name, message.username)
    if (name, kind, key) == (found.alert, found.kind, found.fingerprint):
        return found
    notes = [found.reason or found.layer or ""]
    notes += [f"name {found.alert!r} settled to {name!r}"] if name != found.alert else []
    notes += [f"its header's state words make it {kind}"] if kind != found.kind else []
    return found.model_copy(update={"alert": name, "kind": kind, "fingerprint": key, "reason": "; ".join(notes)})
