"""What the classifier reads (an `AlertMessage`) and what it says (a `Classification`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, PrivateAttr

from ratchet.slack.events import storable
from ratchet.slack.text import message_text

T = TypeVar("T")
Kind = Literal["alert_firing", "alert_resolved", "alert_other", "question", "chatter"]
Layer = Literal["recogniser", "learned", "command", "llm", "heuristic"]
ALERT_KINDS = ("alert_firing", "alert_resolved", "alert_other")


class AttachmentField(BaseModel):
    title: str = ""
    value: str = ""


class Attachment(BaseModel):
    """The parts of a Slack attachment that integrations put alerts in."""

    title: str = ""
    text: str = ""
    pretext: str = ""
    fallback: str = ""
    footer: str = ""
    color: str = ""
    title_link: str = ""
    author_name: str = ""
    fields: list[AttachmentField] = Field(default_factory=list)


class AlertMessage(BaseModel):
    """A Slack message as the recognisers see it: who posted it, its raw parts, and its flattened text."""

    username: str = ""  # the integration's display name, e.g. "Alertmanager" (bots) or ""
    user: str | None = None  # who posted it, when a person did (integrations' posts may carry one too)
    bot_id: str | None = None
    subtype: str | None = None
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)
    blocks: list[dict[str, Any]] = Field(default_factory=list)
    flat: str = ""  # message_text(): text + attachments + blocks, as stored in `messages.text`
    _remembered: dict[str, Any] = PrivateAttr(default_factory=dict)

    def remembered(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per message: several layers read the same header."""
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]  # type: ignore[no-any-return]

    @property
    def from_integration(self) -> bool:
        return self.bot_id is not None or self.subtype == "bot_message"

    @property
    def from_person(self) -> bool:
        """Posted by a person: whatever it quotes or says ("FIRING again"), it is no alert notification."""
        return self.user is not None and not self.from_integration and not self.username

    @classmethod
    def from_slack(cls, raw: Mapping[str, Any]) -> AlertMessage:
        """Build from a Slack message object (or a `message_changed` event: its new message), tolerating any
        malformed part (it is left out)."""
        if raw.get("subtype") == "message_changed" and isinstance(raw.get("message"), Mapping):
            raw = raw["message"]
        attachments = []
        for item in _list(raw.get("attachments")):
            if not isinstance(item, Mapping):
                continue
            fields = [
                AttachmentField(title=_text(f.get("title")), value=_text(f.get("value")))
                for f in _list(item.get("fields"))
                if isinstance(f, Mapping)
            ]
            attachments.append(
                Attachment(
                    **{key: _text(item.get(key)) for key in Attachment.model_fields if key != "fields"},
                    fields=fields,
                )
            )
        blocks = [block for block in _list(raw.get("blocks")) if isinstance(block, Mapping)]
        bot_profile = raw.get("bot_profile")
        username = _text(raw.get("username")) or (
            _text(bot_profile.get("name")) if isinstance(bot_profile, Mapping) else ""
        )
        return cls(
            username=username,
            user=raw.get("user") if isinstance(raw.get("user"), str) else None,
            bot_id=raw.get("bot_id") if isinstance(raw.get("bot_id"), str) else None,
            subtype=raw.get("subtype") if isinstance(raw.get("subtype"), str) else None,
            text=_text(raw.get("text")),
            attachments=attachments,
            blocks=[dict(block) for block in blocks],
            flat=message_text(raw),
        )


class Classification(BaseModel):
    kind: Kind
    alert: str | None = None
    service: str | None = None  # service or namespace the alert is about
    severity: str | None = None  # as the source says it: critical, warning, P1, HIGH, ...
    source: str | None = None  # alertmanager, grafana, datadog, pagerduty, opsgenie, zabbix, cloudwatch, generic, ...
    fingerprint: str | None = None  # same for the firing and the resolved notification of one alert
    confidence: float = 1.0
    layer: Layer | None = None
    count: int | None = None  # alerts in a grouped notification ([FIRING:3])
    runbook_url: str | None = None  # the runbook the notification links to, if it does
    incident: str | None = None  # what the message did to its channel's incidents, once recorded
    reason: str | None = None  # why the layer decided so (`ratchet classify --explain`)

    @property
    def is_alert(self) -> bool:
        return self.kind in ALERT_KINDS


def alert_name_words(name: str) -> str:
    """`KubePodCrashLooping` → `Kube Pod Crash Looping`, `node_disk_full` → `node disk full`: words that search and
    embeddings understand."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|[_-]+", " ", name)


def fingerprint(source: str, alert: str, identity: str = "") -> str:
    """A stable key for one alert: readable alert name plus a short hash of what identifies the instance."""
    digest = hashlib.sha256(f"{source}\x1f{alert}\x1f{identity}".encode()).hexdigest()[:12]
    return f"{alert}:{digest}"


def _text(value: Any) -> str:
    """A string field as Postgres can store what is read from it (alert names, services: no NUL, valid UTF-8)."""
    return storable(value) if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
