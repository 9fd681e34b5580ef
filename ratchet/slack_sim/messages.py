"""Message objects shaped the way Slack stores and returns them."""

from __future__ import annotations

import copy
import random
import re
import string
from typing import Any

# <@U123>, <@U123|name>, <#C123>, <#C123|name>, <!here>, <!channel>, <!everyone>, <!subteam^S1|@ops>, <url|label>
_ANGLE = re.compile(r"<([^<>]+)>")
_BLOCK_ID_CHARS = string.ascii_letters + string.digits + "+/="


def new_block_id(rng: random.Random | None = None) -> str:
    r = rng or random
    return "".join(r.choice(_BLOCK_ID_CHARS) for _ in range(r.randint(3, 5)))


def rich_text_blocks(text: str, rng: random.Random | None = None) -> list[dict[str, Any]]:
    """The `rich_text` block Slack's clients attach to a message typed by a person."""
    elements: list[dict[str, Any]] = []
    pos = 0
    for match in _ANGLE.finditer(text):
        if match.start() > pos:
            elements.append({"type": "text", "text": _unescape(text[pos : match.start()])})
        elements.append(_rich_element(match.group(1)))
        pos = match.end()
    if pos < len(text):
        elements.append({"type": "text", "text": _unescape(text[pos:])})
    return [
        {
            "type": "rich_text",
            "block_id": new_block_id(rng),
            "elements": [{"type": "rich_text_section", "elements": elements}],
        }
    ]


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _rich_element(inner: str) -> dict[str, Any]:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return {"type": "user", "user_id": target[1:]}
    if target.startswith("#"):
        return {"type": "channel", "channel_id": target[1:]}
    if target.startswith("!subteam^"):
        return {"type": "usergroup", "usergroup_id": target[len("!subteam^") :]}
    if target.startswith("!"):
        return {"type": "broadcast", "range": target[1:]}
    link: dict[str, Any] = {"type": "link", "url": target}
    if label:
        link["text"] = label
    return link


def mentions(text: str) -> list[str]:
    """User IDs mentioned as <@U...> in message text, in order."""
    return [m.group(1).partition("|")[0][1:] for m in _ANGLE.finditer(text or "") if m.group(1).startswith("@")]


def normalize_blocks(blocks: list[dict[str, Any]], rng: random.Random | None = None) -> list[dict[str, Any]]:
    """Blocks kept as given, except that Slack assigns a block_id to every block that has none."""
    out = []
    for block in copy.deepcopy(blocks):
        if isinstance(block, dict) and "block_id" not in block:
            block["block_id"] = new_block_id(rng)
        out.append(block)
    return out


def normalize_attachments(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attachments kept as given, except that Slack numbers them (`id`: 1, 2, ...)."""
    out = []
    for index, attachment in enumerate(copy.deepcopy(attachments), start=1):
        if isinstance(attachment, dict):
            attachment.setdefault("id", index)
        out.append(attachment)
    return out


def public_view(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the Web API returns it (internal bookkeeping keys removed)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if not k.startswith("_")}
