"""What every layer's verdict goes through last: the alert's name without its template's decorations, and the
state the notification's own words announce when they say more than the layer read (an acknowledgement or a
closing of a relayed `[FIRING:1]` alert)."""

from __future__ import annotations

from ratchet.classify.models import AlertMessage, Classification, fingerprint
from ratchet.classify.names import settle_name
from ratchet.classify.states import header_kind, strongest


def settled(found: Classification, message: AlertMessage) -> Classification:
    if not found.is_alert:
        return found
    name = settle_name(found.alert, message) or found.alert
    kind = found.kind if found.kind == "alert_resolved" else strongest([found.kind, header_kind(message)]) or found.kind
    if name == found.alert and kind == found.kind:
        return found
    notes = [found.reason or found.layer or ""]
    notes += [f"name {found.alert!r} settled to {name!r}"] if name != found.alert else []
    notes += [f"its header's state words make it {kind}"] if kind != found.kind else []
    return found.model_copy(
        update={"alert": name, "kind": kind, "fingerprint": _renamed(found, name), "reason": "; ".join(notes)}
    )


def _renamed(found: Classification, name: str | None) -> str | None:
    """The same instance key under the settled name, so a relay's firing and resolution still pair up."""
    if name is None or name == found.alert:
        return found.fingerprint
    if found.fingerprint is None:
        return fingerprint(found.source or "unknown", name)
    return f"{name}:{found.fingerprint.rsplit(':', 1)[-1]}"
