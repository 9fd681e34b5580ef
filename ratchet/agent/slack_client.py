"""The bot's Slack Web API client: base URL from config, retries on rate limits, 5xx and network errors."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.agent.events import BotIdentity
from ratchet.config import ConfigError, Settings


def make_slack_client(settings: Settings) -> AsyncWebClient:
    if settings.slack_bot_token is None:
        raise ConfigError("RATCHET_SLACK_BOT_TOKEN: not set; the bot needs its xoxb- token to read and post")
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=30,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
            AsyncRateLimitErrorRetryHandler(max_retry_count=20),  # sleeps for Slack's Retry-After each time
            AsyncServerErrorRetryHandler(max_retry_count=3),
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
