"""Slack-style identifiers and message timestamps."""

from __future__ import annotations

import random
import re
import string
import threading
import time

_ALPHABET = string.ascii_uppercase + string.digits
_MESSAGE_TS = re.compile(r"^\d{9,10}\.\d{6}$")


class IdFactory:
    """Makes IDs that look like Slack's (`C0ABCDEF123`, `U07XYZ...`), unique within one factory.

    With a seed the sequence is reproducible, so a demo workspace gets the same IDs every run.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._seen: set[str] = set()

    @property
    def rng(self) -> random.Random:
        return self._rng

    def new(self, prefix: str, length: int = 10) -> str:
        while True:
            # Slack's newer IDs start with a digit after the prefix ("C0...", "U0...").
            candidate = prefix + "0" + "".join(self._rng.choice(_ALPHABET) for _ in range(length - 1))
            if candidate not in self._seen:
                self._seen.add(candidate)
                return candidate

    def reserve(self, existing: str) -> None:
        """Mark an ID taken elsewhere (e.g. loaded from an export) so it is never generated."""
        self._seen.add(existing)

    def secret(self, length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self._rng.choice(alphabet) for _ in range(length))


class TsClock:
    """Message timestamps from the wall clock: "1732500000.000100", strictly increasing and unique."""

    def __init__(self) -> None:
        self._last_us = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            now_us = time.time_ns() // 1000
            self._last_us = max(now_us, self._last_us + 1)
            return format_ts(self._last_us)

    def observe(self, ts: str) -> None:
        """Never hand out a ts at or below one that already exists (messages loaded from an export)."""
        with self._lock:
            self._last_us = max(self._last_us, ts_to_us(ts))


def format_ts(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def ts_to_us(ts: str) -> int:
    """ "1732500000.000100" -> 1732500000000100. Raises ValueError for anything that is not a Slack ts."""
    seconds, dot, frac = ts.strip().partition(".")
    if not seconds.isdigit() or (dot and not frac.isdigit()) or len(frac) > 6:
        raise ValueError(f"not a Slack timestamp: {ts!r}")
    return int(seconds) * 1_000_000 + int((frac or "0").ljust(6, "0"))


def is_ts(value: object) -> bool:
    """A message timestamp as Slack writes it ("1732500000.000100"); `oldest`/`latest` are laxer (ts_to_us)."""
    return isinstance(value, str) and _MESSAGE_TS.match(value) is not None and ts_to_us(value) > 0
