"""The layered classifier: recognisers for real formats, then the external command, then the LLM (only for
integration posts nobody recognised), then cheap heuristics that tell a question from chatter."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from ratchet.classify.command import run_classifier_command
from ratchet.classify.learned.model import LinearModel
from ratchet.classify.links import runbook_link
from ratchet.classify.models import AlertMessage, Classification, Layer, fingerprint
from ratchet.classify.recognisers import recognise
from ratchet.prompts import render_prompt

log = logging.getLogger(__name__)
QUESTION_START = re.compile(
    r"^(who|what|when|where|why|how|which|can|could|would|should|is|are|was|were|does|do|did|has|have|will|any"
    r"|anyone|anybody)\b",
    re.IGNORECASE,
)
MENTION = re.compile(r"<@[A-Z0-9]+>")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
ASKED = re.compile(r"\?(?:\s|$|[^\w\s/=&])")  # a question mark ending a sentence, not one in a URL
LLM_TEXT_LIMIT = 6000  # characters of a message shown to the model


class LLMVerdict(BaseModel):
    """The model's reading of an integration post nobody recognised."""

    kind: Literal["alert_firing", "alert_resolved", "alert_other", "chatter"]
    alert: str | None = Field(default=None, description="the alert or monitor name exactly as written, or null")
    service: str | None = Field(default=None, description="service, host, namespace or component, or null")
    severity: str | None = Field(default=None, description="severity or priority exactly as written, or null")


def classify_message(
    raw: Mapping[str, Any], *, bot_user_id: str | None = None, model: LinearModel | None = None
) -> Classification:
    """Recognisers, the learned layer (`model`, by default the shipped one) and heuristics: no external command,
    no LLM. Never raises."""
    message = AlertMessage.from_slack(raw)
    return with_runbook_link(raw, recognise(message, model) or conversational(message, bot_user_id))


def with_runbook_link(raw: Mapping[str, Any], found: Classification) -> Classification:
    """An alert keeps the runbook link its notification carries, whichever layer recognised it."""
    if not found.is_alert or found.runbook_url:
        return found
    return found.model_copy(update={"runbook_url": runbook_link(raw)})


def conversational(message: AlertMessage, bot_user_id: str | None, layer: Layer = "heuristic") -> Classification:
    """A question or chatter, told apart without a model: addressed to the bot, or shaped like a question."""
    text = message.flat.strip()
    addressed = bot_user_id is not None and f"<@{bot_user_id}>" in text
    without_mentions = MENTION.sub("", text).strip(" ,:")
    prose = CODE.sub(" ", text)
    asks = ASKED.search(prose) is not None or bool(QUESTION_START.match(without_mentions))
    requests = addressed and len(without_mentions.split()) >= 3  # "@ratchet summarize the incident", not "@ratchet hi"
    is_question = not message.from_integration and (asks or requests)
    if is_question:
        reason = "addressed to the bot" if requests and not asks else "shaped like a question"
    else:
        reason = "an integration's post without alert marks" if message.from_integration else "no question"
    return Classification(
        kind="question" if is_question else "chatter",
        confidence=0.9 if addressed else 0.7,
        layer=layer,
        reason=reason,
    )


class Classifier:
    """All layers, in order of cost. The command and the model are optional."""

    def __init__(
        self, *, command: str | None = None, chat_model: BaseChatModel | None = None, command_timeout: float = 10
    ) -> None:
        self.command = command
        self.chat_model = chat_model
        self.command_timeout = command_timeout

    async def classify(
        self, raw: Mapping[str, Any], *, bot_user_id: str | None = None, use_llm: bool = True
    ) -> Classification:
        return with_runbook_link(raw, await self._classify(raw, bot_user_id, use_llm))

    async def _classify(self, raw: Mapping[str, Any], bot_user_id: str | None, use_llm: bool) -> Classification:
        message = AlertMessage.from_slack(raw)
        if found := recognise(message):
            return found
        if self.command:
            decided = await run_classifier_command(self.command, message, self.command_timeout)
            if decided is not None:
                return decided
        if use_llm and self.chat_model is not None and message.from_integration and message.flat.strip():
            decided = await self._ask_model(message)
            if decided is not None:
                return decided
        return conversational(message, bot_user_id)

    async def _ask_model(self, message: AlertMessage) -> Classification | None:
        assert self.chat_model is not None
        prompt = render_prompt(
            "classify_alert", username=message.username or "unknown", text=message.flat[:LLM_TEXT_LIMIT]
        )
        try:
            verdict = await self.chat_model.with_structured_output(LLMVerdict).ainvoke(
                prompt, config={"metadata": {"module": "classifier"}, "run_name": "classify_alert"}
            )
        except Exception as error:  # a model that fails or answers garbage must not stop classification
            log.warning("the LLM could not classify a message: %s: %s", type(error).__name__, error)
            return None
        if not isinstance(verdict, LLMVerdict) or verdict.kind == "chatter":
            return None
        alert = verdict.alert if verdict.alert and verdict.alert in message.flat else None  # never invented
        return Classification(
            kind=verdict.kind,
            alert=alert,
            service=verdict.service,
            severity=verdict.severity,
            source=message.username or "llm",
            fingerprint=fingerprint("llm", alert, verdict.service or "") if alert else None,
            confidence=0.7,
            layer="llm",
            reason="the LLM read it as an alert",
        )
