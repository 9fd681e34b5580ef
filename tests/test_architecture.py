"""The layers are a contract: `lint-imports` (import-linter, run by `make test`) keeps each package importing only
the ones below it, with no cycles. Here it runs on a copy of the package, as it is and with one upward import
added, to show the contract holds today and would catch a break."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy, ahead of the installed package
    return subprocess.run(
        [str(lint), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "ratchet", tmp_path / "ratchet", ignore=shutil.ignore_patterns("__pycache__", "model"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold_and_an_upward_import_breaks_them(tmp_path: Path) -> None:
    tree = copy_of_the_package(tmp_path)
    kept = lint_imports(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "Contracts: 4 kept, 0 broken." in kept.stdout

    storage = tree / "ratchet" / "storage" / "channels.py"
    storage.write_text(storage.read_text() + "\nfrom ratchet.graphs import triage  # noqa: E402\n")
    broken = lint_imports(tree)
    assert broken.returncode == 1
    assert "ratchet.storage is not allowed to import ratchet.graphs" in broken.stdout
    assert "- ratchet.storage.channels -> ratchet.graphs.triage" in broken.stdout
    assert "No cycles are allowed in ratchet." in broken.stdout  # graphs imports storage: now a cycle too
