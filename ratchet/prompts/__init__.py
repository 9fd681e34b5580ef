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
    """The template with each `{name}` replaced in one pass: a value that contains `{other}` stays as it is."""
    if not values:
        return load_prompt(name)
    placeholder = re.compile("|".join(re.escape(f"{{{key}}}") for key in values))
    redacted = {f"{{{key}}}": redact(value) for key, value in values.items()}
    return placeholder.sub(lambda match: redacted[match.group(0)], load_prompt(name))
