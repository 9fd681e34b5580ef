"""`ratchet serve` as a real process against the Slack simulator: HTTP events mode, SIGTERM, and a worker
killed with SIGKILL in the middle of posting."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import psycopg

from ratchet.slack_sim import SlackSimulator
from ratchet.slack_sim.delivery import sign
from tests.helpers import ratchet_cli, wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(env: dict[str, str], log_file: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`ratchet serve` in a process of its own; killed at the end if the test has not stopped it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RATCHET_", "OPENAI_", "LANGSMITH_"))}
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ratchet", "serve"],
            env={**clean, **env},
            stdout=log,
            stderr=log,
            cwd=log_file.parent,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def healthy(port: int) -> bool:
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


def base_env(sim: SlackSimulator, database_url: str, port: int) -> dict[str, str]:
    return {
        "RATCHET_DATABASE_URL": database_url,
        "RATCHET_SLACK_BOT_TOKEN": sim.bot_token,
        "RATCHET_SLACK_API_URL": sim.api_url,
        "RATCHET_HTTP_ADDR": f"127.0.0.1:{port}",
        "RATCHET_WORKERS": "1",
        "HF_HUB_OFFLINE": "1",
    }


async def up_and_onboarded(port: int, database_url: str) -> None:
    """The process answers and has stored its channels' history: a message posted now is live, not backfilled (a
    channel's history fetched after a message would store it without starting its work)."""
    await wait_until(lambda: healthy(port), timeout=60)
    await wait_until(lambda: scalar(database_url, "SELECT count(*) FROM jobs WHERE status <> 'done'") == 0, timeout=30)


def scalar(database_url: str, query: str, *params: object) -> object:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(query, params or None).fetchone()
    return row[0] if row else None


async def post_event(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


def signed_headers(secret: str, body: bytes, *, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(secret, timestamp, body),
    }


async def test_http_events_mode(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    sim.events_url = url
    env = {**base_env(sim, database_url, port), "RATCHET_SLACK_SIGNING_SECRET": sim.signing_secret}
    log_file = tmp_path / "serve.log"
    with serve(env, log_file) as process:
        await up_and_onboarded(port, database_url)

        ops = sim.workspace.channel("ops").id
        ts = await sim.post_message(ops, f"<@{sim.bot_user_id}> who is on call?", user="priya")
        [reply] = await sim.wait_for_bot_messages(1, channel=ops, thread_ts=ts, timeout=20)
        delivered = next(d for d in sim.deliveries if d.event_type == "message" and d.payload["event"]["ts"] == ts)
        assert delivered.mode == "http" and delivered.succeeded

        # Slack retries the same event three times, as it does when an answer is slow
        body = json.dumps(delivered.payload).encode()
        for attempt in (1, 2, 3):
            retry = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
            assert await post_event(url, body, signed_headers(sim.signing_secret, body) | retry) == 200
        await sim.idle()
        await wait_until(lambda: scalar(database_url, "SELECT count(*) FROM jobs WHERE status <> 'done'") == 0)
        assert scalar(database_url, "SELECT count(*) FROM jobs WHERE key = %s", f"{ops}:{ts}") == 1
        assert [m["ts"] for m in sim.bot_messages(ops, thread_ts=ts)] == [reply["ts"]]

        # a forged or stale request is refused and leaves nothing behind
        forged = json.loads(body)
        forged["event"].update(ts="1700000000.000100", text="transfer the on-call pager to mallory")
        forged_body = json.dumps(forged).encode()
        bad_signature = signed_headers("not-the-secret", forged_body)
        assert await post_event(url, forged_body, bad_signature) == 401
        stale = signed_headers(sim.signing_secret, forged_body, age=600)
        assert await post_event(url, forged_body, stale) == 401
        assert scalar(database_url, "SELECT count(*) FROM messages WHERE ts = '1700000000.000100'") == 0

        process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(process.wait, 30) == 0  # the simulator must keep running meanwhile
    log = log_file.read_text()
    assert "ratchet ready" in log and "HTTP at" in log and "ratchet stopped" in log
    assert "Traceback" not in log


async def test_a_worker_killed_mid_post_is_replaced_and_the_reply_is_posted_once(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {**base_env(sim, database_url, port), "RATCHET_SLACK_APP_TOKEN": sim.app_token}
    env["RATCHET_JOB_LEASE_SECONDS"] = "2"
    ops = sim.workspace.channel("ops").id
    sim.delay_responses("chat.postMessage", 120)  # the post happens; its answer never reaches the first process
    with serve(env, tmp_path / "first.log") as first:
        await up_and_onboarded(port, database_url)
        ts = await sim.post_message(ops, f"<@{sim.bot_user_id}> is checkout degraded?", user="amara")
        await sim.wait_for_bot_messages(1, channel=ops, thread_ts=ts, timeout=20)
        first.kill()  # SIGKILL: no cleanup, the job stays 'running' and the post 'pending'
        await asyncio.to_thread(first.wait, 10)
    assert scalar(database_url, "SELECT status FROM bot_posts") == "pending"
    sim.delay_responses("chat.postMessage", 0)

    with serve(env, tmp_path / "second.log") as second:
        await wait_until(lambda: healthy(port), timeout=60)
        key = f"{ops}:{ts}"
        await wait_until(
            lambda: scalar(database_url, "SELECT status FROM jobs WHERE kind = 'message' AND key = %s", key) == "done",
            timeout=30,
        )
        second.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(second.wait, 30) == 0
    [reply] = sim.bot_messages(ops, thread_ts=ts)
    assert scalar(database_url, "SELECT attempts FROM jobs WHERE key = %s", f"{ops}:{ts}") == 2
    assert scalar(database_url, "SELECT status || ' ' || ts FROM bot_posts") == f"posted {reply['ts']}"
    assert "not posting it again" in (tmp_path / "second.log").read_text()
    assert "ratchet stopped" in (tmp_path / "second.log").read_text()


async def test_doctor_checks_slack_tokens_against_the_api(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    env = {
        "RATCHET_DATABASE_URL": database_url,
        "RATCHET_SLACK_BOT_TOKEN": sim.bot_token,
        "RATCHET_SLACK_APP_TOKEN": sim.app_token,
        "RATCHET_SLACK_API_URL": sim.api_url,
    }
    result = await asyncio.to_thread(ratchet_cli, "doctor", env=env, cwd=tmp_path)
    assert "✓ slack: bot token works: @ratchet in Ratchet Demo" in result.stdout
    assert "✓ slack events: Socket Mode: the app token can open a connection" in result.stdout
    assert result.returncode == 0, result.stdout

    env["RATCHET_SLACK_BOT_TOKEN"] = "xoxb-0-0-revoked"
    result = await asyncio.to_thread(ratchet_cli, "doctor", env=env, cwd=tmp_path)
    assert "✗ slack: auth.test failed: invalid_auth" in result.stdout and result.returncode == 1
