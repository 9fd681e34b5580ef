"""Helpers for tests that run the real `ratchet` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def ratchet_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `ratchet` command in a clean environment (no RATCHET_* leaks in from the developer's shell)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RATCHET_", "OPENAI_", "LANGSMITH_"))}
    clean.update({"COLUMNS": "200", "NO_COLOR": "1", **env})
    return subprocess.run(
        [sys.executable, "-m", "ratchet", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
