"""A question as Slack delivers it, made into a search query: mentions, link targets, emoji and the chatter around
the question ("hey folks, sorry to bug you —", "thanks!") come off; pasted errors and identifiers stay, since
their rare words are what finds the document."""

from __future__ import annotations

import re

MENTION = re.compile(r"<[@#!][^>\s]*>")
LINK = re.compile(r"<(?:https?|mailto):[^>|\s]*\|([^>]*)>|<(?:https?|mailto):[^>\s]*>")
EMOJI = re.compile(r":[a-z0-9_+'-]{1,40}:")
CHATTER = re.compile(
    r"\b(?:hey|hi|hello|yo|folks|all|everyone|guys|y'?all|sorry(?: to bug you)?|quick q(?:uestion)?|qq|pls|"
    r"please|plz|thanks?(?: (?:a lot|in advance))?|thx|ty|tia|cheers|anyone|somebody|someone|know|knows|"
    r"idk|fyi|btw|lol|ugh|hmm+|ok(?:ay)?|so|just|any ?idea)\b",
    re.IGNORECASE,
)
LONE_PUNCTUATION = re.compile(r"(?<!\S)[^\w\s`]+(?!\S)")


def searchable(question: str) -> str:
    """The words of `question` worth searching for (the question itself when nothing else would be left)."""
    text = LINK.sub(lambda match: match[1] or " ", question)
    text = EMOJI.sub(" ", MENTION.sub(" ", text))
    stripped = LONE_PUNCTUATION.sub(" ", CHATTER.sub(" ", text))  # `hey folks, how ...` leaves a lone comma
    words = " ".join(stripped.split())
    return words if re.search(r"\w", words) else " ".join(text.split())
