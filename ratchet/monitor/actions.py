"""The channel monitor: rules (RATCHET_MONITOR_CONFIG, `ratchet.config.MonitorRule`) that show each message of a
channel to the model, get back JSON matching the rule's schema, hand it to the rule's action, and post what the
action asks for. Three steps, each easy to call from its own graph node:

- `evaluate`: the model's result for one message, or None (no model answer, or one that breaks the schema);
- `run_action`: the rule's executable or webhook, with the Go Ratchet's contract: a `MonitorRequest` as JSON on
  stdin (or as the POST body), a `MonitorResult` as JSON on stdout (or as the response body);
- `deliver`: the result's direct and channel messages, each posted once per idempotency key.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field, ValidationError, field_serializer, field_validator
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.classify.classifier import LLM_TEXT_LIMIT
from ratchet.classify.command import CommandFailed, run_command
from ratchet.config import MonitorRule
from ratchet.prompts import render_prompt
from ratchet.redact import redact
from ratchet.slack.posting import Poster, Reply

MODULE = "channel_monitor"
RESULT_TOOL = "monitor_result"  # the name the model's structured result is requested under
log = logging.getLogger(__name__)


class MonitorActionError(Exception):
    """A rule's action failed: it could not start, timed out, failed, or answered something other than a result."""

    def __init__(self, slug: str, reason: str) -> None:
        self.slug = slug
        self.reason = redact(reason)  # it quotes the action's stderr or the webhook's URL
        super().__init__(f"monitor rule {slug!r}: {self.reason}")


class MonitorRequest(BaseModel):
    """What the action gets. On the wire `llm_output` is the result as a JSON string, as the Go Ratchet sends it
    (its executables read it with `jq 'fromjson'`); in Python it is the dict."""

    slug: str
    channel_id: str
    slack_ts: str
    llm_output: dict[str, Any]
    message: dict[str, Any]  # the Slack message as received: text, user, ts, ...

    @field_validator("llm_output", mode="before")
    @classmethod
    def _from_json_text(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @field_serializer("llm_output")
    def _as_json_text(self, value: dict[str, Any]) -> str:
        return json.dumps(value)


class DirectMessage(BaseModel):
    email: str
    text: str = Field(min_length=1)  # Markdown, like every bot reply


class ChannelMessage(BaseModel):
    channel_id: str
    text: str = Field(min_length=1)
    slack_ts: str | None = None  # reply in this message's thread; absent or "": a top-level message

    @field_validator("slack_ts", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None


class MonitorResult(BaseModel):
    """What the action asks the bot to post."""

    direct_messages: list[DirectMessage] = Field(default_factory=list)
    channel_messages: list[ChannelMessage] = Field(default_factory=list)

    @field_validator("direct_messages", "channel_messages", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value  # Go encodes an empty slice as null


def _result_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The rule's schema as a named structured-output schema (a tool for tool-calling models)."""
    description = schema.get("description") or "The result the rule asks for, read from the message."
    return {**schema, "title": RESULT_TOOL, "description": description}


async def evaluate(
    model: BaseChatModel, rule: MonitorRule, message_text: str, author: str, channel_name: str
) -> dict[str, Any] | None:
    """The model's result for one message under `rule`, checked against the rule's schema; None (logged) when the
    model fails or answers something else. The message reaches the model only as quoted data, secrets redacted."""
    prompt = render_prompt(
        "channel_monitor",
        instructions=rule.prompt,
        author=author,
        channel=channel_name.removeprefix("#"),
        text=message_text[:LLM_TEXT_LIMIT],  # inserted last, so nothing in it is taken for a placeholder
    )
    try:
        output = await model.with_structured_output(_result_schema(rule.result_schema)).ainvoke(
            prompt, config={"metadata": {"module": MODULE, "rule": rule.slug}, "run_name": f"{MODULE}:{rule.slug}"}
        )
    except Exception as error:  # a model that fails or answers garbage must not stop the message's other work
        log.warning("monitor rule %r: the LLM gave no result: %s: %s", rule.slug, type(error).__name__, error)
        return None
    if not isinstance(output, dict):
        log.warning("monitor rule %r: the LLM answered without a result", rule.slug)
        return None
    if problem := best_match(validator_for(rule.result_schema)(rule.result_schema).iter_errors(output)):
        where = "/".join(str(part) for part in problem.absolute_path) or "the result"
        log.warning("monitor rule %r: the LLM's result breaks the schema at %s: %s", rule.slug, where, problem.message)
        return None
    return output


async def run_action(rule: MonitorRule, request: MonitorRequest) -> MonitorResult:
    """Hand `request` to the rule's executable (stdin) or webhook (POST) and read the result it answers; raise
    `MonitorActionError` on a timeout, a failure or an answer that is not a result, never waiting past the rule's
    `timeout_seconds`."""
    payload = request.model_dump_json().encode()
    if rule.action.command is not None:
        try:
            output = await run_command(rule.action.command, payload, rule.timeout_seconds)
        except CommandFailed as error:
            raise MonitorActionError(rule.slug, f"the command {error}") from None
        source = "the command printed"
    else:
        output = await _call_webhook(rule, payload)
        source = "the webhook answered"
    try:
        return MonitorResult.model_validate_json(output)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        reason = f"{source} something other than its result JSON: {where + ': ' if where else ''}{problem['msg']}"
        raise MonitorActionError(rule.slug, reason) from None


async def _call_webhook(rule: MonitorRule, payload: bytes) -> bytes:
    assert rule.action.webhook is not None
    headers = {"Content-Type": "application/json", **rule.action.headers}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=rule.timeout_seconds)) as session,
            session.post(rule.action.webhook, data=payload, headers=headers) as response,
        ):
            body = await response.read()
    except TimeoutError:
        raise MonitorActionError(rule.slug, f"the webhook did not answer within {rule.timeout_seconds:g}s") from None
    except aiohttp.ClientError as error:
        raise MonitorActionError(rule.slug, f"the webhook could not be reached: {error}") from None
    if not 200 <= response.status < 300:
        detail = body[:300].decode(errors="replace")
        raise MonitorActionError(rule.slug, f"the webhook answered HTTP {response.status}: {detail}")
    return body


async def deliver(result: MonitorResult, slack: AsyncWebClient, poster: Poster, key: str) -> list[str]:
    """Post the result's direct messages, then its channel messages (in the thread of `slack_ts` when given), the
    n-th under the key `<key>:<n>`, so delivering the same result again posts nothing twice. Returns the ts of what
    was posted. A direct message to an email no Slack user has is logged and skipped; the others still go out."""
    posted: list[str] = []
    for n, dm in enumerate(result.direct_messages):
        channel_id = await _direct_channel(slack, dm.email)
        if channel_id is not None:
            reply = Reply(channel_id=channel_id, thread_ts=None, module=MODULE, markdown=dm.text, key=f"{key}:{n}")
            posted += await poster.post(reply)
    for n, message in enumerate(result.channel_messages, start=len(result.direct_messages)):
        reply = Reply(
            channel_id=message.channel_id,
            thread_ts=message.slack_ts,
            module=MODULE,
            markdown=message.text,
            key=f"{key}:{n}",
        )
        posted += await poster.post(reply)
    return posted


async def _direct_channel(slack: AsyncWebClient, email: str) -> str | None:
    """The bot's direct-message channel with the person who has `email`, or None when nobody has it."""
    try:
        found = await slack.users_lookupByEmail(email=email)
    except SlackApiError as error:
        if error.response.get("error") != "users_not_found":
            raise
        log.warning("channel monitor: no Slack user has the email %s; its direct message is skipped", email)
        return None
    opened = await slack.conversations_open(users=found["user"]["id"])
    return opened["channel"]["id"]
