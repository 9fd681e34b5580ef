"""The error a Web API method answers with (`{"ok": false, "error": code}`)."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """A Slack error code, plus any extra fields Slack puts beside it (e.g. `needed`/`provided` for missing_scope)."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}
