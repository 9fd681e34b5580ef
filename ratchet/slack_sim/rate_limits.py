"""Slack's Web API rate limits: per-method tiers, and chat.postMessage's ~1 message per second per channel.

Token buckets: each (method, key) may burst up to `burst` calls, refilled at the tier's documented rate. A call over
the limit is answered with HTTP 429, a `Retry-After` header (seconds) and `{"ok": false, "error": "ratelimited"}`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    name: str
    per_minute: float
    burst: int


# https://api.slack.com/apis/rate-limits: "Tier 1: 1+ per minute ... Tier 4: 100+ per minute", with bursts tolerated.
TIER_1 = Tier("Tier 1", 1, 10)
TIER_2 = Tier("Tier 2", 20, 20)
TIER_3 = Tier("Tier 3", 50, 50)
TIER_4 = Tier("Tier 4", 100, 100)
# chat.postMessage: "1 message per second per channel", short bursts allowed.
POST_MESSAGE = Tier("Special (1/s per channel)", 60, 20)
# auth.test: "Special: several hundred per minute".
AUTH_TEST = Tier("Special", 600, 600)

METHOD_TIERS: dict[str, Tier] = {
    "apps.connections.open": TIER_1,
    "auth.test": AUTH_TEST,
    "bots.info": TIER_3,
    "chat.delete": TIER_3,
    "chat.getPermalink": TIER_4,
    "chat.postEphemeral": TIER_4,
    "chat.postMessage": POST_MESSAGE,
    "chat.update": TIER_3,
    "conversations.history": TIER_3,
    "conversations.info": TIER_3,
    "conversations.join": TIER_3,
    "conversations.list": TIER_2,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "conversations.replies": TIER_3,
    "reactions.add": TIER_3,
    "reactions.get": TIER_3,
    "reactions.remove": TIER_2,
    "team.info": TIER_3,
    "users.info": TIER_4,
    "users.list": TIER_2,
    "users.lookupByEmail": TIER_3,
}


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, *, enabled: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = enabled
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._forced: dict[str, tuple[int, int]] = {}

    def force(self, method: str, count: int, retry_after: int = 1) -> None:
        """The next `count` calls of `method` get 429 with this Retry-After, whatever the real limits say."""
        self._forced[method] = (count, retry_after)

    def check(self, method: str, key: str = "") -> int | None:
        """Count one call; None when allowed, else the Retry-After in whole seconds."""
        forced = self._forced.get(method)
        if forced is not None:
            count, retry_after = forced
            if count <= 1:
                del self._forced[method]
            else:
                self._forced[method] = (count - 1, retry_after)
            if count >= 1:
                return retry_after
        tier = METHOD_TIERS.get(method)
        if not self.enabled or tier is None:
            return None
        now = self._clock()
        rate = tier.per_minute / 60.0
        bucket = self._buckets.setdefault((method, key), _Bucket(float(tier.burst), now))
        bucket.tokens = min(float(tier.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))
