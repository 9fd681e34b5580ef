"""Secrets in text (tokens, keys, private keys, signed URLs, passwords) replaced before the text reaches a model,
Slack or a log.

Each kind is recognised by its shape (a vendor's prefix, a PEM block) or by what names it (`password: …`,
`Authorization: …`, an access key id next to it); placeholders (`$TOKEN`, `<password>`) and ordinary words are
left alone. Replies quote messages cut short by `shorten()`, which ends them with "…": what is left of a token, an
AWS secret, a private key block or a URL's password before the cut is redacted too.
"""

from __future__ import annotations

import logging
import re
from typing import NamedTuple

_CUT = "…"  # what `shorten()` ends a cut text with
_ASSIGNED = r"[*_]*[\"']?[ \t]*[:=][ \t]*[*_]*[ \t]*[\"']?"  # `: `, `=`, `": "`, `:** ` (bold in Markdown)
_AWS_SECRET = rf"(?<![A-Za-z0-9/+])(?:[A-Za-z0-9/+]{{40}}(?![A-Za-z0-9/+=])|[A-Za-z0-9/+]{{8,39}}(?={_CUT}))"
_SECRET_WORDS = (
    r"password|passwd|passphrase|secret|token|(?:api|access|account|secret|signing|encryption|master)[_-]?key"
    r"|(?<![A-Za-z0-9])(?:pw|pwd|pass)\b"  # DB_PASS=, pw: (but not "bypass:")
)
_PASSWORD_WORD = r"\b(?:password|passwd|passphrase|pwd|pw)\b"
_VALUE_CHAR = r"[^\s\"'`,;<>|]"
_PLACEHOLDER = rf"(?i:changeme|redacted|placeholder|x{{4,}}|\*{{3,}})(?!{_VALUE_CHAR})"
# dotted segments (never a sentence's full stop), or what is left of it before a cut
_TOKEN_BODY = rf"(?:[A-Za-z0-9_%-]{{16,}}(?:\.[A-Za-z0-9_%-]+)*|[A-Za-z0-9_%.-]+(?={_CUT}))"

# tokens whose prefix says what they are
_PREFIXES = {
    "slack token": "xoxa- xoxb- xoxc- xoxd- xoxe- xoxo- xoxp- xoxr- xoxs- xoxe.xoxp- xoxe.xoxb-",
    "slack app token": "xapp-",
    "github token": "ghp_ gho_ ghu_ ghs_ ghr_ github_pat_",
    "gitlab token": "glpat- gldt- glrt- glptt- glcbt- glsoat- glffct- glimt- gloas- glagent- GR1348941",
    "anthropic key": "sk-ant-",
    "openai key": "sk-",
    "stripe key": "sk_live_ sk_test_ rk_live_ rk_test_ whsec_",
    "google api key": "AIza",
    "google oauth secret": "GOCSPX- ya29.",
    "npm token": "npm_",
    "pypi token": "pypi-AgE",
    "docker hub token": "dckr_pat_",
    "vault token": "hvs. hvb. hvr.",
    "sendgrid key": "SG.",
}


class Kind(NamedTuple):
    name: str
    hints: tuple[str, ...]  # a text it matches contains one of these, lowercased: a cheap test before the pattern
    pattern: re.Pattern[str]  # what it redacts; a `keep` group is kept


def _kind(name: str, hints: str, pattern: str, flags: int = 0) -> Kind:
    return Kind(name, tuple(hints.lower().split()), re.compile(pattern, flags))


def _prefixed(name: str, prefixes: str) -> Kind:
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes.split())
    return _kind(name, prefixes, rf"\b(?:{alternatives}){_TOKEN_BODY}")


def _value(min_length: int, *, secret_looking: bool = False) -> str:
    """A value after its name, not ending in punctuation, and not a placeholder (`$TOKEN`, `<token>`,
    `{{ .Token }}`, `CHANGEME`), a flag (`--port=5432`) or a path; `secret_looking` asks for a digit, a symbol or an
    inner capital, which ordinary words in prose lack."""
    looks = rf"(?={_VALUE_CHAR}*(?:[0-9!@#$%^&*+=~?]|[a-z][A-Z]))" if secret_looking else ""
    return (
        rf"(?-i:(?![-/~$<{{\[(*%]|{_PLACEHOLDER}){looks}(?={_VALUE_CHAR}{{{min_length}}})"
        rf"{_VALUE_CHAR}+(?<![.):!?*]))"
    )


KINDS: list[Kind] = [
    _kind(
        "private key",
        "PRIVATE PuTTY-User-Key-File AGE-SECRET-KEY",
        r"-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----"
        rf"(?:(?:[^{_CUT}-]|-(?!----))*-----END[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----"  # no `-----` inside
        r"|\s*[A-Za-z0-9+/=\\][A-Za-z0-9+/=:,\s\\-]*)"  # no end: as far as the key's characters go (a cut)
        r"|PuTTY-User-Key-File-\d+:.*?Private-MAC:[ \t]*\S+|\bAGE-SECRET-KEY-1[0-9A-Z]{20,}",
        re.DOTALL,
    ),
    _kind("slack webhook", "hooks.slack.com", r"(?P<keep>\bhooks\.slack\.com/(?:services|workflows|triggers)/)[\w/-]+"),
    _kind("discord webhook", "/api/webhooks/", r"(?P<keep>\bdiscord(?:app)?\.com/api/webhooks/)[0-9]+/[\w-]+"),
    _kind(
        "url signature",  # Azure SAS, S3 and GCS signed URLs
        "sig= signature= security-token=",
        r"(?P<keep>[?&](?:sig|signature|x-amz-signature|x-amz-security-token|x-goog-signature)=)(?!\[)[^&\s\"'<>|#]{8,}",
        re.IGNORECASE,
    ),
    _kind("url credentials", "://", rf"(?P<keep>://)[^/\s:@<>|?#]*:[^/\s@<>|?#]+(?=@|{_CUT})"),
    _kind(
        "aws secret key",  # named as one, or next to its access key id (which a later kind redacts)
        "secret AKIA ASIA",
        rf"(?P<keep>(?i:\b(?:aws[_ -]?)?secret[_ -]?(?:access[_ -]?)?key\b(?:\s+is)?(?:{_ASSIGNED}|\s+))"
        rf"|\b(?:AKIA|ASIA)[A-Z0-9]{{16}}\b[^\n]{{0,40}}?){_AWS_SECRET}",
    ),
    *[_prefixed(name, prefixes) for name, prefixes in _PREFIXES.items()],
    _kind("aws access key", "AKIA ASIA", r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
    _kind("jwt", "eyJ", r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}"),
    _kind(
        "authorization header",
        "authorization",
        r"(?P<keep>\b(?:proxy-)?authorization[ \t]*[:=][ \t]*[\"']?(?:(?:bearer|basic|token|apikey)[ \t]+)?)"
        + _value(8, secret_looking=True),
        re.IGNORECASE,
    ),
    _kind(
        "cookie",
        "cookie",
        r"(?P<keep>\b(?:set-)?cookie[ \t]*:[ \t]*)(?!\[)(?=[^\n\"'<>|]*=)[^\n\"'<>|]+",
        re.IGNORECASE,
    ),
    _kind("bearer token", "bearer", r"(?P<keep>\bbearer )[\w.~+/-]{16,}=*", re.IGNORECASE),
    _kind(
        "secret", "pass pw secret token key", rf"(?P<keep>(?:{_SECRET_WORDS}){_ASSIGNED})" + _value(6), re.IGNORECASE
    ),
    _kind(
        "password",  # in prose: "the password for the admin is hunter2-prod", "pw hunter2-prod"
        "pass pw",
        rf"(?P<keep>{_PASSWORD_WORD}(?:(?:\s+(?:for|of|on|to)(?:\s+[^\s:=]+){{1,3}}?)?"
        rf"(?:\s+(?:is|was)\s+|{_ASSIGNED})|\s+(?={_VALUE_CHAR}*[0-9]))[*_`\"']*)" + _value(4, secret_looking=True),
        re.IGNORECASE,
    ),
]


def redact(text: str) -> str:
    """`text` with every secret-looking value replaced by `[redacted <kind>]` (what names it is kept)."""
    lowered = text.lower()
    for kind in KINDS:
        if any(hint in lowered for hint in kind.hints):
            text = kind.pattern.sub(lambda match, name=kind.name: _replacement(match, name), text)
    return text


def _replacement(match: re.Match[str], name: str) -> str:
    return (match.groupdict().get("keep") or "") + f"[redacted {name}]"


class RedactSecrets(logging.Filter):
    """A handler's filter that redacts each record it emits: the message with its arguments filled in, and the
    traceback and stack it carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(_message(record)), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # a call whose arguments do not fit its format is still logged, redacted
        return f"{record.msg} {record.args!r}"
