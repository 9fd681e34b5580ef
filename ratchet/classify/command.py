"""The external classifier command, with the Go Ratchet's contract so existing classifiers keep working.

stdin: `{"username": <poster's name>, "text": <message text>}`; stdout: `{"action": "open_incident" |
"close_incident" | "none", "alert": str, "service": str, "priority": "HIGH" | "LOW", "duration": <nanoseconds or
a Go duration such as "1h30m">}`. A timeout, a non-zero exit or output that is not that JSON returns None, so
the next layer decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import shlex
import signal
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ValidationError

from ratchet.classify.models import AlertMessage, Classification, fingerprint

log = logging.getLogger(__name__)
GO_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class CommandVerdict(BaseModel):
    action: Literal["open_incident", "close_incident", "none"]
    alert: str = ""
    service: str = ""
    priority: str = ""
    duration: int | float | str | None = None


def parse_go_duration(value: int | float | str | None) -> float | None:
    """Seconds from nanoseconds (a number) or a Go duration string ("1h30m", "2.5s", "300ms")."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value / 1e9
    text = value.strip()
    if not text or GO_DURATION_PART.sub("", text) not in ("", "-"):
        return None
    seconds = sum(float(n) * GO_UNITS[unit] for n, unit in GO_DURATION_PART.findall(text))
    return -seconds if text.startswith("-") else seconds


class CommandFailed(Exception):
    """An external command that could not start, ran out of time or exited non-zero; the message says which."""


async def run_command(argv: Sequence[str], stdin: bytes, timeout: float) -> bytes:
    """Run `argv` with `stdin` and return its stdout; raise `CommandFailed` rather than wait past `timeout` s."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so ending it also ends what it started
        )
    except (OSError, ValueError) as error:
        raise CommandFailed(f"could not start: {error}") from None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(stdin), timeout)
    except TimeoutError:
        raise CommandFailed(f"timed out after {timeout:g}s") from None
    finally:
        if process.returncode is None:  # timed out or cancelled: end it and whatever it started
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
    if process.returncode != 0:
        raise CommandFailed(f"exited {process.returncode}: {stderr.decode(errors='replace')[:300]}")
    return stdout


async def run_classifier_command(command: str, message: AlertMessage, timeout: float = 10) -> Classification | None:
    """Ask the external command; None when it fails in any way (logged), so the next layer decides."""
    payload = json.dumps({"username": message.username, "text": message.flat}).encode()
    try:
        stdout = await run_command(shlex.split(command), payload, timeout)
    except (CommandFailed, ValueError) as error:  # ValueError: a command line shlex cannot split
        log.warning("classifier command failed: %s", error)
        return None
    try:
        verdict = CommandVerdict.model_validate_json(stdout)
    except ValidationError as error:
        log.warning("classifier command printed something other than its JSON verdict: %s", error.errors()[0]["msg"])
        return None
    return to_classification(verdict)


def to_classification(verdict: CommandVerdict) -> Classification | None:
    """An incident verdict as a Classification; None for "none" (not an alert: the heuristics take over)."""
    if verdict.action == "none" or not verdict.alert:
        return None
    return Classification(
        kind="alert_firing" if verdict.action == "open_incident" else "alert_resolved",
        alert=verdict.alert,
        service=verdict.service or None,
        severity=verdict.priority or None,
        source="command",
        fingerprint=fingerprint("command", verdict.alert, verdict.service),
        layer="command",
        reason=f"the classifier command said {verdict.action}",
    )
