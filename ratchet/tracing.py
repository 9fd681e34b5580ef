"""LangSmith traces without secrets: with tracing on (the standard LANGSMITH_* variables), every run's inputs and
outputs pass through the redactor before they leave the process — a graph's state, a tool's result and a
prompt carry what people wrote."""

from __future__ import annotations

import langsmith
from langsmith.anonymizer import create_anonymizer
from langsmith.utils import tracing_is_enabled

from ratchet.redact import redact

MAX_DEPTH = 64  # nesting of a traced payload the redactor walks (LangSmith's default, 10, stops short of a state)


def redact_traces() -> bool:
    """Make the process's LangSmith client redact what it sends; True when tracing is on."""
    if not tracing_is_enabled():
        return False
    anonymizer = create_anonymizer(lambda text, _path: redact(text), max_depth=MAX_DEPTH)
    langsmith.configure(client=langsmith.Client(anonymizer=anonymizer))
    return True
