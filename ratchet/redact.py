"""Secrets in text (tokens, keys, passwords) replaced before the text reaches a model or a log."""

from __future__ import annotations

import re

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)),
    ("slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("slack app token", re.compile(r"\bxapp-\d-[A-Za-z0-9-]{10,}")),
    ("github token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("openai key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}")),
    ("aws access key", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("bearer token", re.compile(r"(?i)(?P<keep>\bbearer )[A-Za-z0-9._~+/-]{16,}=*")),
    (
        "secret",
        re.compile(
            r"(?i)(?P<keep>\b[A-Za-z_]*(?:password|passwd|secret|api[_-]?key|access[_-]?key|token)[\"']?\s*[:=]\s*[\"']?)"
            r"[^\s\"',;]{6,}"
        ),
    ),
    ("url credentials", re.compile(r"(?P<keep>://)[^/\s:@]+:[^/\s@]+(?=@)")),
]


def redact(text: str) -> str:
    """`text` with every secret-looking value replaced by `[redacted <kind>]` (what names it is kept)."""
    for kind, pattern in PATTERNS:
        text = pattern.sub(lambda match, kind=kind: (match.groupdict().get("keep") or "") + f"[redacted {kind}]", text)
    return text
