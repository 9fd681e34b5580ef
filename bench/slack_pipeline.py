"""Benchmark: Slack event in → bot reply out, and messages ingested per second.

Each figure is printed next to a baseline measured in the same run on the same machine, as a ratio, because
absolute numbers on shared machines are noise:

- latency: a mention posted into the simulator until the bot's reply lands in its thread (Socket Mode, ingest,
  job ledger, worker, embedding, idempotent post), against one bare Web API round trip to the same simulator;
- ingest: `ingest()` of real-shaped message events (parse, validate, one transaction with the insert-if-new and
  the job enqueue), against a bare `INSERT` of the same rows, one transaction each.

Run: `.venv/bin/python bench/slack_pipeline.py [--mentions 200] [--messages 2000]` (starts its own embedded
Postgres in a temp dir and removes it afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.bot import running_bot
from ratchet.config import Settings
from ratchet.jobs.ingest import ingest
from ratchet.runtime import open_runtime
from ratchet.slack.events import BotIdentity
from ratchet.slack_sim import SlackSimulator
from ratchet.storage.embedded import start_embedded_postgres


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure_latency(settings: Settings, mentions: int) -> tuple[list[float], list[float]]:
    async with SlackSimulator(rate_limits=False) as sim:
        settings = settings.model_copy(
            update={
                "slack_bot_token": SecretStr(sim.bot_token),
                "slack_app_token": SecretStr(sim.app_token),
                "slack_api_url": sim.api_url,
            }
        )
        channel = sim.workspace.channel("ops").id
        async with running_bot(settings) as bot:
            client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
            baseline = []
            for _ in range(mentions):
                started = time.perf_counter()
                await client.auth_test()
                baseline.append(time.perf_counter() - started)
            latencies = []
            for n in range(mentions):
                started = time.perf_counter()
                ts = await sim.post_message(channel, f"<@{bot.identity.user_id}> ping {n}", user="priya")
                await sim.wait_for(
                    lambda ts=ts: bool(sim.bot_messages(channel, thread_ts=ts)), timeout=30, interval=0.001
                )
                latencies.append(time.perf_counter() - started)
            await sim.idle()  # the bot's own replies come back as events; let them land before it stops
    return latencies, baseline


def message_events(count: int) -> list[dict[str, Any]]:
    template = {
        "token": "verification_token",
        "team_id": "T111",
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": "Ev111",
        "event_time": 1596183880,
        "event": {
            "type": "message",
            "text": "Pod monitoring/prometheus-adapter is in waiting state (reason: CrashLoopBackOff)",
            "user": "W111",
            "team": "T111",
            "channel": "C111",
            "channel_type": "channel",
        },
    }
    events = []
    for n in range(count):
        event = copy.deepcopy(template)
        event["event"]["ts"] = event["event"]["event_ts"] = f"1596183880.{n:06d}"
        event["event_id"] = f"Ev{n:09d}"
        events.append(event)
    return events


async def measure_ingest(settings: Settings, count: int) -> tuple[float, float]:
    bot = BotIdentity(team_id="T111", user_id="U0BOT", bot_id="B0BOT")
    events = message_events(count)
    async with open_runtime(settings) as runtime:
        pool = runtime.pool
        async with pool.connection() as conn:
            await conn.execute("INSERT INTO channels (channel_id) VALUES ('C111'), ('C222') ON CONFLICT DO NOTHING")
        started = time.perf_counter()
        for event in events:
            await ingest(pool, event, bot)
        ours = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for event in events:
            async with pool.connection() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO messages (channel_id, ts, user_id, text) VALUES ('C222', %s, %s, %s)",
                    (event["event"]["ts"], event["event"]["user"], event["event"]["text"]),
                )
        bare = count / (time.perf_counter() - started)
    return ours, bare


async def main(mentions: int, messages: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        url = start_embedded_postgres(Path(home), "bench", fresh=True)
        settings = Settings(_env_file=None, database_url=url, home=Path(home), workers=4)
        latencies, baseline = await measure_latency(settings, mentions)
        ours, bare = await measure_ingest(settings, messages)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    b50, b99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
    print(f"event→reply latency over {mentions} mentions (Socket Mode, simulator):")
    print(
        f"  p50 {p50 * 1000:7.1f} ms   baseline Web API round trip p50 {b50 * 1000:6.2f} ms   ratio {p50 / b50:6.1f}x"
    )
    print(
        f"  p99 {p99 * 1000:7.1f} ms   baseline Web API round trip p99 {b99 * 1000:6.2f} ms   ratio {p99 / b99:6.1f}x"
    )
    print(f"  mean {statistics.mean(latencies) * 1000:6.1f} ms")
    print(f"ingest over {messages} message events:")
    print(f"  {ours:8.0f} msg/s   baseline bare INSERT {bare:8.0f} rows/s   ratio {ours / bare:5.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.mentions, args.messages))
