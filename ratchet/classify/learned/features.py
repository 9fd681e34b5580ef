"""What the learned layer sees of a message: hashed, sparse features that need no model download and cost
microseconds — the words of its header lines (and their pairs), the state the header announces, who posted it,
the shape of its attachments and blocks (colour, title link, field names, block types), the domains it links to,
emoji, and whether a rule-shaped name stands in its title."""

from __future__ import annotations

import re
import zlib
from itertools import pairwise
from urllib.parse import urlsplit

from ratchet.classify.models import AlertMessage
from ratchet.classify.names import EMOJI, LINK
from ratchet.classify.states import header_kind, header_lines

DIMENSIONS = 1 << 18
TOKEN = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*|\d+|[\[\]#:|?!]")
DIGITS = re.compile(r"\d+")  # ids, counts and numbered hosts: their shape matters, not their value
URL = re.compile(r"https?://([^/\s|>]+)")
RULE_NAME = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\b|\b[a-z0-9]+(?:_[a-z0-9]+){2,}\b")
LINES = 6
WORDS_PER_LINE = 24
RED = ("danger", "#ff0000", "#d13212", "#a30200", "#e01e5a", "#e01e5b", "#d00000", "#cc0000", "#f00")
GREEN = ("good", "#2eb886", "#1d8102", "#36a64f", "#00ff00", "#008000", "#2eb67d")
YELLOW = ("warning", "#daa038", "#ffcc00", "#ecb22e", "#ff9900", "#ffa500")


def features(message: AlertMessage) -> list[str]:
    found = ["integration" if message.from_integration else "person", f"state:{header_kind(message)}"]
    for index, line in enumerate(header_lines(message)[:LINES]):
        text = DIGITS.sub("0", (LINK.sub(lambda m: m[1] or " link ", line) if "<" in line else line).lower())
        words = TOKEN.findall(text)[:WORDS_PER_LINE]
        found += [f"w:{word}" for word in words]
        found += [f"b:{first} {second}" for first, second in pairwise(words)]
        if index == 0:
            found += [f"head:{word}" for word in words[:3]]
        found += [f"emoji:{mark}" for mark in EMOJI.findall(line)[:4]]
        if RULE_NAME.search(line):
            found.append("rule-name")
    if message.text.rstrip().endswith("?"):
        found.append("asks")
    for attachment in message.attachments:
        found.append(f"colour:{_colour(attachment.color)}")
        found += ["title-link"] if attachment.title_link else []
        found += [f"field:{field.title.strip(' *_:').lower()}" for field in attachment.fields[:12]]
        found += [f"footer:{word}" for word in TOKEN.findall(attachment.footer.lower())[:4]]
    found += [f"block:{block.get('type')}" for block in message.blocks[:12]]
    found += [f"domain:{_domain(host)}" for host in URL.findall(message.flat)[:6]]
    found += [f"user:{word}" for word in TOKEN.findall(message.username.lower())[:3]]
    return found


def hashed(names: list[str]) -> list[int]:
    return [zlib.crc32(name.encode()) % DIMENSIONS for name in names]


def _colour(colour: str) -> str:
    colour = colour.strip().lower()
    if not colour:
        return "none"
    return "red" if colour in RED else "green" if colour in GREEN else "yellow" if colour in YELLOW else "other"


def _domain(host: str) -> str:
    """The registrable part of a link's host: `acme.app.opsgenie.com` -> `opsgenie.com`."""
    host = urlsplit(f"//{host}").hostname or host
    return ".".join(host.split(".")[-2:])
