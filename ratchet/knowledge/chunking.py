"""Markdown (and plain text) into retrievable chunks that keep their heading path.

A Markdown document is cut at its headings (ATX `#`..`######` and setext). A section longer than `max_chars` is cut
at paragraph boundaries, each piece after the first repeating up to `overlap` characters from the end of the one
before; a fenced code block is never cut, so a piece holding one longer than `max_chars` is the only kind allowed past
the limit. A section shorter than `MIN_SECTION_CHARS` is merged with the next one (or, when last, the one before)
under the heading path the two share, its own heading kept as a line of the text. `.txt` files are cut on blank
lines only. The result depends on the input alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

log = logging.getLogger(__name__)

MIN_SECTION_CHARS = 80
HEADING_SEPARATOR = " > "

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSING = re.compile(r"(?:^|[ \t]+)#+$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# Lines that cannot be the text of a setext heading: indented code, list items, quotes, tables, HTML, admonitions,
# thematic breaks.
_NOT_PARAGRAPH = re.compile(
    r"^(?: {4,}|\t| *(?:[-*+]|\d+[.)])(?:[ \t]|$)| *[>|<]| *(?:!!!|\?\?\?)| {0,3}([-*_=])(?: *\1){2,} *$)"
)
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One retrievable piece: its position in the document, heading path (`"A > B"`, `""` before any) and text."""

    index: int
    heading: str
    content: str


@dataclass(frozen=True, slots=True)
class ChunkedDocument:
    """A document's title (front matter `title`, first `#` heading, or file name), front matter, and chunks."""

    title: str
    metadata: dict[str, Any]
    chunks: list[Chunk]


@dataclass(frozen=True, slots=True)
class _Block:
    text: str
    code: bool = False


@dataclass(frozen=True, slots=True)
class _Piece:
    path: tuple[str, ...]
    text: str
    whole_sections: bool  # the text is one or more complete sections, not part of a longer one


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter between leading `---` lines, and the text after it; `({}, text)` when absent or broken.

    Values are made JSON-compatible (YAML dates become ISO strings) so they can be stored as they are.
    """
    match = _FRONT_MATTER.match(text.removeprefix("\ufeff"))
    if match is None:
        return {}, text
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError as exc:
        log.warning("ignoring malformed YAML front matter: %s", " ".join(str(exc).split()))
        return {}, text
    if data is None:
        data = {}
    if not isinstance(data, dict):
        log.warning("ignoring front matter that is a %s, not a mapping", type(data).__name__)
        return {}, text
    return _json_safe(data), text.removeprefix("\ufeff")[match.end() :]


def chunk_document(text: str, *, path: str, max_chars: int = 1800, overlap: int = 200) -> ChunkedDocument:
    """Split one document (`path` decides Markdown or `.txt`, and gives the fallback title) into chunks."""
    if max_chars < 1 or not 0 <= overlap <= max_chars // 2:
        raise ValueError(f"expected max_chars >= 1 and 0 <= overlap <= max_chars / 2, got {max_chars}, {overlap}")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    name = PurePosixPath(path)
    if name.suffix.lower() == ".txt":
        texts = _pack(_blocks(text, fences=False), max_chars, overlap)
        return ChunkedDocument(name.stem, {}, [Chunk(i, "", t) for i, t in enumerate(texts)])

    metadata, body = split_front_matter(text)
    sections, first_h1 = _sections(body)
    pieces: list[_Piece] = []
    for section_path, content in sections:
        texts = _pack(_blocks(content), max_chars, overlap)
        pieces += [_Piece(section_path, t, len(texts) == 1) for t in texts]
    pieces = _merge_small(pieces, max_chars)
    title = str(metadata.get("title") or "").strip() or first_h1 or name.stem
    chunks = [Chunk(i, _heading(p.path), p.text) for i, p in enumerate(pieces)]
    return ChunkedDocument(title, metadata, chunks)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _heading(path: tuple[str, ...]) -> str:
    return HEADING_SEPARATOR.join(t for t in path if t)


def _fence_opening(line: str) -> tuple[str, int] | None:
    """`(character, length)` when `line` opens a fenced code block (any indentation, so fences in lists count)."""
    match = _FENCE_OPEN.match(line)
    if match is None or (match[1][0] == "`" and "`" in match[2]):
        return None
    return match[1][0], len(match[1])


def _closes(line: str, fence: tuple[str, int]) -> bool:
    match = _FENCE_CLOSE.match(line)
    return match is not None and match[1][0] == fence[0] and len(match[1]) >= fence[1]


def _atx_heading(line: str) -> tuple[int, str] | None:
    match = _ATX.match(line)
    if match is None:
        return None
    return len(match[1]), _ATX_CLOSING.sub("", match[2] or "").strip()


def _sections(body: str) -> tuple[list[tuple[tuple[str, ...], str]], str | None]:
    """The non-empty sections as (heading path, text without the heading line), and the first level-1 heading."""
    sections: list[tuple[tuple[str, ...], list[str]]] = [((), [])]
    stack: list[tuple[int, str]] = []
    first_h1: str | None = None
    fence: tuple[str, int] | None = None
    paragraph = 0  # trailing lines of the current section that a setext underline would turn into a heading
    for line in body.split("\n"):
        lines = sections[-1][1]
        if fence is not None:
            lines.append(line)
            if _closes(line, fence):
                fence = None
            continue
        if (opened := _fence_opening(line)) is not None:
            fence, paragraph = opened, 0
            lines.append(line)
            continue
        heading = _atx_heading(line)
        if heading is None and paragraph and _SETEXT.match(line):
            heading = (1 if "=" in line else 2, " ".join(text.strip() for text in lines[-paragraph:]))
            del lines[-paragraph:]
        if heading is None:
            lines.append(line)
            paragraph = paragraph + 1 if line.strip() and not _NOT_PARAGRAPH.match(line) else 0
            continue
        level, title = heading
        if level == 1 and first_h1 is None and title:
            first_h1 = title
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        sections.append((tuple(t for _, t in stack), []))
        paragraph = 0
    found = [(path, "\n".join(lines)) for path, lines in sections]
    return [(path, text) for path, text in found if text.strip()], first_h1


def _blocks(text: str, *, fences: bool = True) -> list[_Block]:
    """Paragraphs (split on blank lines) and, with `fences`, whole fenced code blocks, in order."""
    blocks: list[_Block] = []
    current: list[str] = []
    fence: tuple[str, int] | None = None
    for line in text.split("\n"):
        if fence is not None:
            current.append(line)
            if _closes(line, fence):
                blocks.append(_Block("\n".join(current), code=True))
                current, fence = [], None
            continue
        opened = _fence_opening(line) if fences else None
        if opened is None and line.strip():
            current.append(line)
            continue
        if current:
            blocks.append(_Block("\n".join(current)))
        current, fence = ([line], opened) if opened else ([], None)
    if current:
        blocks.append(_Block("\n".join(current), code=fence is not None))
    return blocks


def _split_long(text: str, max_chars: int) -> Iterator[_Block]:
    """A paragraph longer than `max_chars` cut at line ends, then at spaces, then anywhere; lines regrouped."""
    parts: list[str] = []
    for line in text.split("\n"):
        while len(line) > max_chars:
            cut = line.rfind(" ", 0, max_chars + 1)
            cut = cut if cut > 0 else max_chars
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        parts.append(line)
    group = ""
    for part in filter(str.strip, parts):
        if group and len(group) + 1 + len(part) > max_chars:
            yield _Block(group)
            group = ""
        group = f"{group}\n{part}" if group else part
    if group:
        yield _Block(group)


def _tail(blocks: list[_Block], overlap: int) -> list[_Block]:
    """The end of a piece to repeat at the start of the next: at most `overlap` characters, no code."""
    tail: list[_Block] = []
    budget = overlap
    for block in reversed(blocks):
        if block.code or budget <= 0:
            break
        if len(block.text) <= budget:
            tail.insert(0, block)
            budget -= len(block.text) + 2
            continue
        boundary = _WHITESPACE.search(block.text, len(block.text) - budget)
        if boundary is not None and block.text[boundary.end() :].strip():
            tail.insert(0, _Block(block.text[boundary.end() :].lstrip()))
        break
    return tail


def _size(blocks: list[_Block]) -> int:
    return sum(len(b.text) for b in blocks) + 2 * max(len(blocks) - 1, 0)


def _pack(blocks: list[_Block], max_chars: int, overlap: int) -> list[str]:
    """Blocks joined into pieces of at most `max_chars` characters (a longer code block stays whole and alone)."""
    pieces: list[list[_Block]] = []
    current: list[_Block] = []
    carried = 0  # leading blocks of `current` that repeat the end of the previous piece
    for block in blocks:
        for part in [block] if block.code or len(block.text) <= max_chars else _split_long(block.text, max_chars):
            if len(current) > carried and _size([*current, part]) > max_chars:
                pieces.append(current)
                current = _tail(current, overlap)
                carried = len(current)
                if _size([*current, part]) > max_chars:
                    current, carried = [], 0
            current.append(part)
    if len(current) > carried:
        pieces.append(current)
    return ["\n\n".join(b.text for b in piece) for piece in pieces]


def _combine(first: _Piece, second: _Piece, max_chars: int) -> _Piece | None:
    """Both pieces under their common heading path, each keeping the rest of its own path as a heading line."""
    common: list[str] = []
    for a, b in zip(first.path, second.path, strict=False):
        if a != b:
            break
        common.append(a)

    def labelled(piece: _Piece) -> str:
        rest = _heading(piece.path[len(common) :])
        return f"{'#' * min(len(piece.path), 6)} {rest}\n\n{piece.text}" if rest else piece.text

    text = f"{labelled(first)}\n\n{labelled(second)}"
    if len(text) > max_chars:
        return None
    return _Piece(tuple(common), text, first.whole_sections and second.whole_sections)


def _merge_small(pieces: list[_Piece], max_chars: int) -> list[_Piece]:
    """Sections shorter than `MIN_SECTION_CHARS` merged into the next piece, else the previous, when it fits."""

    def small(piece: _Piece) -> bool:
        return piece.whole_sections and len(piece.text.strip()) < MIN_SECTION_CHARS

    forward: list[_Piece] = []
    for piece in pieces:
        combined = _combine(forward[-1], piece, max_chars) if forward and small(forward[-1]) else None
        if combined is None:
            forward.append(piece)
        else:
            forward[-1] = combined
    merged: list[_Piece] = []
    for piece in forward:
        combined = _combine(merged[-1], piece, max_chars) if merged and small(piece) else None
        if combined is None:
            merged.append(piece)
        else:
            merged[-1] = combined
    return merged
