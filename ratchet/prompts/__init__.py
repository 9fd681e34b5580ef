"""Prompt templates, one file per task, loaded by name. Placeholders are `{name}`; values are inserted with their
secrets redacted, and otherwise as they are (braces in a Slack message cannot break the template)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from ratchet.redact import redact

PROMPTS_DIR = Path(__file__).parent


@cache
def load_prompt(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise LookupError(f"no prompt named {name!r} in {PROMPTS_DIR}")
    return path.read_text()


def render_prompt(name: str, **values: str) -> str:
    """The template with each `{name}` replaced in one pass (a value that contains `{other}` stays as it is), each
    value with its secrets redacted and the template's block-closing markers (`MESSAGE>>>`) made harmless in it,
    so quoted text cannot end its block early and pass for instructions."""
    template = load_prompt(name)
    if not values:
        return template
    inserted = {f"{{{key}}}": quoted(name, value) for key, value in values.items()}
    placeholder = re.compile("|".join(re.escape(key) for key in inserted))
    return placeholder.sub(lambda match: inserted[match.group(0)], template)


def quoted(name: str, value: str) -> str:
    """`value` as `render_prompt(name, ...)` inserts it: secrets redacted, the template's closing markers defused."""
    text = redact(value)
    for closer in set(re.findall(r"\b[A-Z]+>>>", load_prompt(name))):
        text = text.replace(closer, closer.replace(">>>", "> > >"))
    return text
