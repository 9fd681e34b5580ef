"""The text of a Slack message, flattened for storage, search and alert classification.

A Slack message says things in three places: `text`, legacy `attachments` (where Alertmanager and most monitoring
integrations put everything) and Block Kit `blocks`. `message_text` reads all three into one plain text that keeps
Slack's own markup for links and mentions (`<https://x|label>`, `<@U123>`); `plain_text` renders that markup for
people. None of them raises: Slack payloads are data from outside, so every shape is checked as it is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, TypedDict

MAX_DEPTH = 12  # rich_text nests a few levels; anything deeper is junk (or a cycle) and is not followed
_ENTITIES = re.compile(r"&(amp|lt|gt);")
_MARKUP = re.compile(r"<([^<>\n]*)>")
_NOT_WORD = re.compile(r"[\W_]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class SlackFile(TypedDict):
    """A file shared in a message, as far as search and the agent care."""

    name: str
    title: str
    mimetype: str
    permalink: str


def message_text(message: Mapping[str, Any]) -> str:
    """All the text of a Slack message: `text`, blocks and attachments (`text` and blocks once if they repeat)."""
    if not isinstance(message, Mapping):
        return ""
    text = _unescape(_str(message.get("text")))
    blocks = _blocks_text(message.get("blocks"))
    parts = [*_deduplicated(text, blocks), *(_attachment_text(a) for a in _mappings(message.get("attachments")))]
    return _clean("\n".join(part for part in parts if part))


def message_files(message: Mapping[str, Any]) -> list[SlackFile]:
    """Name, title, mimetype and permalink of each file shared in the message (deleted files are skipped)."""
    if not isinstance(message, Mapping):
        return []
    found = []
    for item in _mappings(message.get("files")):
        file = SlackFile(
            name=_clean(_str(item.get("name"))),
            title=_clean(_str(item.get("title"))),
            mimetype=_clean(_str(item.get("mimetype"))),
            permalink=_clean(_str(item.get("permalink"))),
        )
        if any(file.values()):
            found.append(file)
    return found


def plain_text(mrkdwn: str) -> str:
    """Slack markup for people: `<https://x|label>` -> `label (https://x)`, `<!here>` -> `@here`; `<@U1>` stays."""
    if not isinstance(mrkdwn, str):
        return ""
    return _unescape(_MARKUP.sub(_render_markup, mrkdwn))


def _render_markup(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith(("@", "#")):
        return match.group(0)
    if target.startswith("!"):
        if label:
            return label
        name = target[1:].split("^", 1)[0]
        return f"@{name}" if name in ("here", "channel", "everyone") else match.group(0)
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
        return f"{label} ({target})" if label and label != target else target
    return match.group(0)


def _deduplicated(text: str, blocks: str) -> tuple[str, ...]:
    """`text` and the blocks' text, or just one when one says everything the other does (Slack sends both)."""
    text_key, blocks_key = _key(text), _key(blocks)
    if text_key == blocks_key or (blocks_key and blocks_key in text_key):
        return (text,)
    if text_key and text_key in blocks_key:
        return (blocks,)
    return (text, blocks)


def _key(text: str) -> str:
    """What is said, for comparing `text` with the blocks: markup as its target only (`<@U1|ann>` and `<@U1>` say
    the same), no formatting, spacing, bullets or case."""
    return _NOT_WORD.sub("", _MARKUP.sub(lambda m: m.group(1).partition("|")[0], text)).casefold()


def _attachment_text(attachment: Mapping[str, Any]) -> str:
    parts = [
        _unescape(_str(attachment.get("pretext"))),
        _unescape(_str(attachment.get("title"))),
        _unescape(_str(attachment.get("text"))),
        *(_field_line(field) for field in _mappings(attachment.get("fields"))),
        _blocks_text(attachment.get("blocks")),
        _unescape(_str(attachment.get("footer"))),
    ]
    said = [part.strip() for part in parts if part.strip()]
    return "\n".join(said) if said else _unescape(_str(attachment.get("fallback"))).strip()


def _field_line(field: Mapping[str, Any]) -> str:
    title, value = _unescape(_str(field.get("title"))).strip(), _unescape(_str(field.get("value"))).strip()
    return f"{title}: {value}" if title and value else title or value


def _blocks_text(blocks: Any) -> str:
    lines = [_block_text(block).strip() for block in _mappings(blocks)]
    return "\n".join(line for line in lines if line)


def _block_text(block: Mapping[str, Any]) -> str:
    kind = block.get("type")
    if kind == "section":
        return "\n".join([_text_object(block.get("text")), *(_text_object(f) for f in _list(block.get("fields")))])
    if kind in ("header", "markdown"):
        return _text_object(block.get("text"))
    if kind == "context":
        return " ".join(filter(None, (_text_object(element) for element in _list(block.get("elements")))))
    if kind == "rich_text":
        return _rich_elements(block.get("elements"), 0)
    return ""


def _text_object(value: Any) -> str:
    """A composition text object (`{"type": "mrkdwn", "text": ...}`); a bare string is taken as mrkdwn."""
    if isinstance(value, str):
        return _unescape(value)
    if not isinstance(value, Mapping):
        return ""
    text = _str(value.get("text"))
    return text if value.get("type") == "plain_text" else _unescape(text)


def _rich_elements(elements: Any, depth: int) -> str:
    """The block-level elements of a rich_text block (sections, lists, code, quotes), one per line."""
    lines = [_rich_element(element, depth).strip("\n") for element in _mappings(elements)]
    return "\n".join(line for line in lines if line.strip())


def _rich_element(element: Mapping[str, Any], depth: int) -> str:
    if depth > MAX_DEPTH:
        return ""
    kind = element.get("type")
    if kind == "rich_text_list":
        return _rich_list(element, depth)
    if kind == "rich_text_quote":
        return "\n".join(f"> {line}" for line in _inline(element.get("elements")).splitlines())
    if kind in ("rich_text_section", "rich_text_preformatted"):
        return _inline(element.get("elements"))
    if isinstance(element.get("elements"), list):  # an unknown container: read what it holds
        return _rich_elements(element.get("elements"), depth + 1)
    return _inline([element])


def _rich_list(element: Mapping[str, Any], depth: int) -> str:
    indent = "    " * min(_int(element.get("indent")), MAX_DEPTH)
    ordered = element.get("style") == "ordered"
    start = _int(element.get("offset"))
    lines = []
    for number, item in enumerate(_mappings(element.get("elements")), start=start + 1):
        said = _rich_element(item, depth + 1).strip()
        if said:
            lines.append(f"{indent}{f'{number}.' if ordered else '•'} {said}")
    return "\n".join(lines)


def _inline(elements: Any) -> str:
    """Inline rich_text elements (text, link, mentions, emoji, ...) as one string."""
    return "".join(_inline_element(element) for element in _mappings(elements))


def _inline_element(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    text = _str(element.get("text"))
    if kind == "link":
        url = _str(element.get("url"))
        return f"<{url}|{text}>" if url and text and text != url else f"<{url}>" if url else text
    if kind == "user":
        return _mention("@", element.get("user_id"))
    if kind == "channel":
        return _mention("#", element.get("channel_id"))
    if kind == "usergroup":
        return _mention("!subteam^", element.get("usergroup_id"))
    if kind == "broadcast":
        return _mention("!", element.get("range"))
    if kind == "emoji":
        name, tone = _str(element.get("name")), _int(element.get("skin_tone"))
        return "" if not name else f":{name}::skin-tone-{tone}:" if tone else f":{name}:"
    if kind == "date":  # as Slack writes it in `text`: <!date^1392734382^{date}|fallback>
        stamp, style, fallback = (
            _int(element.get("timestamp")),
            _str(element.get("format")),
            _str(element.get("fallback")),
        )
        return f"<!date^{stamp}^{style}|{fallback}>" if stamp and style else fallback
    if kind == "color":
        return _str(element.get("value"))
    return text


def _mention(sigil: str, ident: Any) -> str:
    ident = _str(ident)
    return f"<{sigil}{ident}>" if ident else ""


def _mappings(value: Any) -> Iterator[Mapping[str, Any]]:
    """The mappings in a list; anything else (None, a string, a number) holds none."""
    return (item for item in _list(value) if isinstance(item, Mapping))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list | tuple) else []


def _str(value: Any) -> str:
    """A string field; numbers (some integrations send field values as numbers) become text, anything else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _unescape(text: str) -> str:
    """Slack escapes exactly `&`, `<` and `>` in mrkdwn; one pass so `&amp;lt;` becomes `&lt;`, not `<`."""
    return _ENTITIES.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


def _clean(text: str) -> str:
    """Storable text: no NUL (Postgres text cannot hold it), no lone surrogates (not UTF-8), no blank runs."""
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return _BLANK_LINES.sub("\n\n", text).strip()
