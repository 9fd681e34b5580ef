"""The bot's Slack Web API client: base URL from config, retries on rate limits, and on 5xx and network errors for
calls that cannot act twice.

A call that creates something (chat.postMessage...) may have acted when its answer is a 5xx, a dropped connection
or a timeout; sent again, it would act again. The client resends it only after a 429 or when it never left; its
caller decides the rest (the poster looks for its message in the thread first).
"""

from __future__ import annotations

import asyncio
import random
from urllib.parse import urlsplit

from aiohttp import ClientConnectorError, ConnectionTimeoutError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.config import ConfigError, Settings
from ratchet.slack.events import BotIdentity

# Web API methods whose every call acts (posts, uploads, edits): never resent once Slack may have seen them.
ACTS_ON_EACH_CALL = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.meMessage",
        "chat.scheduleMessage",
        "chat.update",
        "files.upload",
        "files.completeUploadExternal",
    }
)
# Failures before the request was sent: resending cannot act twice.
NEVER_SENT = (ClientConnectorError, ConnectionTimeoutError)


def api_method(request: HttpRequest) -> str:
    """The Web API method a request calls: the last part of its URL path, e.g. chat.postMessage."""
    return urlsplit(request.url).path.rsplit("/", 1)[-1]


def may_resend(request: HttpRequest, error: Exception | None) -> bool:
    return api_method(request) not in ACTS_ON_EACH_CALL or isinstance(error, NEVER_SENT)


class ResendsOnlyWhatCannotActTwice(AsyncRetryHandler):
    """Mixed into slack_sdk's handlers: their decision, refused for a call that may have acted already."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not may_resend(request, error):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class ConnectionErrorRetryHandler(ResendsOnlyWhatCannotActTwice, AsyncConnectionErrorRetryHandler):
    """Connection errors: reads are resent; a post only when its connection was never made."""


class ServerErrorRetryHandler(ResendsOnlyWhatCannotActTwice, AsyncServerErrorRetryHandler):
    """500 and 503: reads are resent; a post is not (Slack may have acted before failing)."""


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """Waits as long as a 429's Retry-After says, for every method: a 429 means Slack did not act. (slack_sdk's
    async handler reads only the header's first character with aiohttp, so "30" waits 3 s and is refused again.)"""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        await asyncio.sleep(retry_after_seconds(response) + random.random())
        state.increment_current_attempt()


def retry_after_seconds(response: HttpResponse) -> float:
    """Retry-After in seconds (1 when missing or unreadable); header values may be a string or a list."""
    value = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    try:
        return max(0.0, float(str(value)))
    except ValueError:
        return 1.0


def make_slack_client(settings: Settings) -> AsyncWebClient:
    if settings.slack_bot_token is None:
        raise ConfigError("RATCHET_SLACK_BOT_TOKEN: not set; the bot needs its xoxb- token to read and post")
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=3),
            RetryAfterHandler(max_retry_count=20),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


async def bot_identity(client: AsyncWebClient) -> BotIdentity:
    """Ask Slack who the bot is (auth.test); a bad token is a configuration error."""
    from slack_sdk.errors import SlackApiError

    try:
        auth = await client.auth_test()
    except SlackApiError as error:
        raise ConfigError(
            f"RATCHET_SLACK_BOT_TOKEN: Slack refused it ({error.response.get('error')}) at {client.base_url}"
        ) from None
    except OSError as error:
        raise ConfigError(f"RATCHET_SLACK_API_URL: cannot reach {client.base_url} ({error})") from None
    return BotIdentity(team_id=auth["team_id"], user_id=auth["user_id"], bot_id=auth.get("bot_id"))
