"""What reaches `POST /slack/events` before anyone knows it is Slack: junk, forgeries and huge bodies are refused
with a 4xx before anything parses them, quietly and in constant memory; a signed body that is still unusable is a
400, and a signed message bigger than Slack's own text limit is dropped with one line saying so."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import psutil
import pytest

from ratchet.slack_sim import SlackSimulator
from tests.helpers import wait_until
from tests.test_serve import base_env, free_port, healthy, post_event, scalar, serve, signed_headers

MB = 1024 * 1024


@asynccontextmanager
async def http_bot(sim: SlackSimulator, database_url: str, log_file: Path) -> AsyncIterator[tuple[str, int]]:
    """`ratchet serve` in HTTP events mode; yields its events URL and process id once it is healthy."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    sim.events_url = url
    env = {**base_env(sim, database_url, port), "RATCHET_SLACK_SIGNING_SECRET": sim.signing_secret}
    with serve(env, log_file) as process:
        await wait_until(lambda: healthy(port), timeout=60)
        yield url, process.pid


def junk_requests(n: int) -> Iterator[tuple[bytes, dict[str, str]]]:
    """`n` unsigned requests of the kinds that used to cost a 500 and a traceback each, in turn."""
    now = str(int(time.time()))
    json_type = {"Content-Type": "application/json"}
    forged = json_type | {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64}
    kinds: list[tuple[bytes, dict[str, str]]] = [
        (b"{", json_type),  # one byte, no signature
        (b"\xff\xfe\x00\x81", forged),  # not UTF-8
        (b"[" * 20_000 + b"]" * 20_000, forged),  # deeper than any JSON parser recurses
        (b'{"type": "event_callback", "n": ' + b"9" * 10_000 + b"}", forged),  # an integer Python will not parse
        (b'{"type": "event_callback", "event": {"type": "message"}}', {}),  # no headers at all
        (b'{"type": "url_verification", "challenge": "x"}', forged | {"X-Slack-Request-Timestamp": "soon"}),
        (b"{}", forged | {"X-Slack-Request-Timestamp": "9" * 5000}),  # numeric, but too long for int()
    ]
    for sent in range(n):
        yield kinds[sent % len(kinds)]


async def send_all(url: str, requests: Iterator[tuple[bytes, dict[str, str]]], concurrency: int = 20) -> Counter[str]:
    """POST every request, `concurrency` at a time; count the answers by status (or `dropped`)."""
    statuses: Counter[str] = Counter()
    limit = asyncio.Semaphore(concurrency)

    async def send(session: aiohttp.ClientSession, body: bytes, headers: dict[str, str]) -> None:
        async with limit:
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    statuses[str(response.status)] += 1
            except aiohttp.ClientError:
                statuses["dropped"] += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(send(session, body, headers) for body, headers in requests))
    return statuses


async def test_a_thousand_unsigned_junk_requests_get_4xx_and_leave_the_log_quiet(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    log_file = tmp_path / "serve.log"
    async with http_bot(sim, database_url, log_file) as (url, _):
        logged_before = log_file.stat().st_size
        statuses = await send_all(url, junk_requests(1000))
        logged = log_file.stat().st_size - logged_before
        # the bot still works: a real event after the flood is answered
        ops = sim.workspace.channel("ops").id
        ts = await sim.post_message(ops, f"<@{sim.bot_user_id}> who is on call?", user="priya")
        await sim.wait_for_bot_messages(1, channel=ops, thread_ts=ts, timeout=30)
    print(f"statuses {dict(statuses)}, {logged} bytes of log")
    assert sum(n for status, n in statuses.items() if status.startswith("4")) == 1000, statuses
    assert statuses["401"] == 1000, "none of them is signed"
    log = log_file.read_text()
    assert "Traceback" not in log
    assert logged < 50_000, f"{logged} bytes of log for 1,000 junk requests"


async def test_a_signed_body_that_cannot_be_read_is_a_400(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    log_file = tmp_path / "serve.log"
    bodies = {
        "not UTF-8": b'{"type": "event_callback", "text": "\xff\xfe"}',
        "broken JSON": b'{"type": "event_callback", ',
        "nested too deep": b'{"a": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        "huge integer": b'{"type": "event_callback", "n": ' + b"9" * 10_000 + b"}",
        "not an object": b"[1, 2, 3]",
    }
    async with http_bot(sim, database_url, log_file) as (url, _):
        statuses = {
            name: await post_event(url, body, signed_headers(sim.signing_secret, body)) for name, body in bodies.items()
        }
        numeric_junk = signed_headers(sim.signing_secret, b"{}") | {"X-Slack-Request-Timestamp": "12abc"}
        statuses["non-numeric timestamp"] = await post_event(url, b"{}", numeric_junk)
    assert statuses == dict.fromkeys(bodies, 400) | {"non-numeric timestamp": 401}
    assert "Traceback" not in log_file.read_text()


async def test_a_signed_message_longer_than_slack_allows_is_dropped_with_a_reason(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    log_file = tmp_path / "serve.log"
    async with http_bot(sim, database_url, log_file) as (url, _):
        ops = sim.workspace.channel("ops").id
        ts = await sim.post_message(ops, "deploy of payments-api 2.14 is rolling out", user="diego")
        await sim.idle()
        delivered = next(d for d in sim.deliveries if d.event_type == "message" and d.payload["event"]["ts"] == ts)
        huge = json.loads(json.dumps(delivered.payload))
        huge["event_id"] = "Ev0HUGE00001"
        huge["event"].update(ts="1700000000.000200", text=f"<@{sim.bot_user_id}> " + "why is it slow? " * 50_000)
        body = json.dumps(huge).encode()
        assert 0.5 * MB < len(body) < MB
        assert await post_event(url, body, signed_headers(sim.signing_secret, body)) == 200  # Slack must not retry
        await asyncio.sleep(1)
    assert scalar(database_url, "SELECT count(*) FROM messages WHERE ts = '1700000000.000200'") == 0
    assert scalar(database_url, "SELECT max(length(text)) FROM messages") < 100
    assert "characters, over the 100,000 a message may have" in log_file.read_text()
    assert sim.bot_messages(ops) == []


async def chunks_of(total: int, chunk: bytes) -> AsyncIterator[bytes]:
    for _ in range(total // len(chunk)):
        yield chunk


async def post_streamed(url: str, total: int, headers: dict[str, str]) -> int:
    """POST `total` bytes generated on the fly (chunked unless `headers` give a Content-Length)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=chunks_of(total, b"x" * MB), headers=headers) as response,
    ):
        return response.status


@pytest.mark.timeout(180)
async def test_a_100_mb_body_is_refused_with_413_without_reaching_memory(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    log_file = tmp_path / "serve.log"
    async with http_bot(sim, database_url, log_file) as (url, pid):
        serving = psutil.Process(pid)
        assert await post_event(url, b"{}", {"Content-Type": "application/json"}) == 401  # warmed up
        rss_before = serving.memory_info().rss
        with_length = await post_streamed(url, 100 * MB, {"Content-Length": str(100 * MB)})
        chunked = await post_streamed(url, 100 * MB, {})
        rss_after = serving.memory_info().rss

        body = json.dumps({"type": "event_callback", "event": {"type": "message", "text": "x" * 10 * MB}}).encode()
        signed_10_mb = await post_event(url, body, signed_headers(sim.signing_secret, body))
    growth = (rss_after - rss_before) / MB
    print(f"RSS {rss_before / MB:.0f} MB -> {rss_after / MB:.0f} MB after two 100 MB bodies")
    assert (with_length, chunked, signed_10_mb) == (413, 413, 413)
    assert growth < 20, f"the serve process grew by {growth:.0f} MB"
    assert scalar(database_url, "SELECT count(*) FROM messages") == 0
    assert "Traceback" not in log_file.read_text()
