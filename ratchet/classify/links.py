"""The runbook link a notification carries, whatever its template: a button or link labelled "Runbook", a URL
after a `runbook:` / `runbook_url =` label, a field titled "Runbook", or a URL whose path names runbooks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

LINK = re.compile(r"<(?P<url>https?://[^|>\s]+)(?:\|(?P<label>[^>]*))?>|(?P<bare>https?://[^\s<>|\"')\]]+)")
LABELLED = re.compile(r"runbook(?:[ _-]?(?:url|link))?\W*$", re.IGNORECASE)  # "*Runbook:* ", "runbook_url = "
MAX_DEPTH = 64  # levels of lists and objects followed: Slack's payloads nest about ten, stored ones at most 64
NO_LINKS = {"url", "bot_profile", "icons", "user_profile", "edited", "reactions", "files"}  # or none of interest
LABEL_REACH = 200  # characters before a URL that may hold its label: reading the whole line again per URL is quadratic


def runbook_link(raw: Mapping[str, Any]) -> str | None:
    """The first runbook URL in a Slack message's text, attachments and blocks; None when it carries none."""
    by_path = None
    for label, url in _links(raw):
        if "runbook" in label.lower():
            return url
        if by_path is None and "runbook" in url.lower():
            by_path = url
    return by_path


def _links(value: Any, label: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(what labels it, URL) for every link in a Slack message, in reading order, down to MAX_DEPTH levels."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        if "http" not in value:
            return
        for line in value.splitlines():
            for match in LINK.finditer(line):
                before = line[max(0, match.start() - LABEL_REACH) : match.start()]
                said = match["label"] or ""
                yield (
                    (f"{label} {said}" if LABELLED.search(before) is None else f"runbook {said}"),
                    (match["url"] or match["bare"]),
                )
    elif isinstance(value, Mapping):
        own = _text(value.get("text")) or _text(value.get("title"))
        if isinstance(value.get("url"), str) and value["url"].startswith(("http://", "https://")):
            yield own, value["url"]  # a button, an action or a rich-text link
        title = _text(value.get("title"))
        for key, item in value.items():
            if key not in NO_LINKS:  # a field: its title labels its value
                yield from _links(item, title if key == "value" else label, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item, label, depth + 1)


def _text(value: Any) -> str:
    if isinstance(value, Mapping):  # a Block Kit text object
        value = value.get("text")
    return value if isinstance(value, str) else ""
