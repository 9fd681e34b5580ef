"""The classifier as a tool: what the bot makes of a message someone shows it."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool


@tool
async def classify_message(text: str, runtime: ToolRuntime, username: str | None = None) -> dict[str, Any]:
    """What the bot's classifier makes of a Slack message: kind (alert_firing, alert_resolved, alert_other,
    question, chatter), alert name, service, severity, source (alertmanager, grafana, datadog, ...), fingerprint
    (what ties a firing to its resolved notification), confidence and the layer that decided. Give `username`, the
    integration's name (e.g. Alertmanager, Datadog), to read the text as that integration's post; leave it out for
    a person's message."""
    ctx = runtime.context
    raw: dict[str, Any] = {"type": "message", "text": text}
    if username:
        raw |= {"subtype": "bot_message", "username": username}
    found = await ctx.classifier.classify(raw, bot_user_id=ctx.bot.user_id)
    return found.model_dump(mode="json")
