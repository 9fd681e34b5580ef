"""Prompt templates, one file per task, loaded by name. Placeholders are `{name}`; values are inserted with their
secrets redacted, and otherwise as they are (braces in a Slack message cannot break the template)."""

from __future__ import annotations

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
    text = load_prompt(name)
    for key, value in values.items():
        text = text.replace(f"{{{key}}}", redact(value))
    return text
