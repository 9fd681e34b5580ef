"""Benchmark: LLM calls and tokens per alert triage and per question, and triage latency with a zero-latency model.

The demo's morning in #alerts (ratchet/demo_data/scenario.yaml: real Alertmanager notifications, people's replies,
a question to the bot) is played twice through the real bot (simulator, Socket Mode, job ledger, triage graph,
Postgres), each time on a fresh database with the bundled runbooks indexed:

- without an LLM (RATCHET_LLM=none): the Slack-issue path, the baseline;
- with a scripted chat model that answers at once: a question gets one `search_docs` call, then an answer.

Printed: per kind of step (alert notification, reply in a thread, question to the bot) the p50 time from the post
to its job being done in both runs and their ratio; then, from the LLM-call log, calls and tokens per alert triage
and per question. The scripted model has no tokenizer: its token counts are the characters it was sent and wrote,
divided by four, the usual estimate for English. Runbook synthesis (an alert that fired before, with people's
replies in its thread) also asks the model, for structured output this scripted model does not give: those calls
are counted, and the bot falls back to listing the past threads, as it does when a real model fails.

Run: `.venv/bin/python bench/triage_llm.py [--rounds 3]` (each round plays the whole scenario).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import SecretStr
from rich.console import Console

from ratchet.bot import running_bot
from ratchet.config import Settings
from ratchet.demo import Scenario, ScenarioPlayer, index_runbooks, wait_for_onboarding
from ratchet.slack_sim import SlackSimulator
from ratchet.storage.embedded import start_embedded_postgres


class ZeroLatencyModel(FakeMessagesListChatModel):
    """Answers at once, like a tool-calling model: looks the question up in the docs, then answers."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ZeroLatencyModel:
        return self

    async def _agenerate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        if isinstance(messages[-1], ToolMessage):
            reply = AIMessage(content="Start with the runbook's first diagnosis step; the passages are linked above.")
        else:
            question = messages[-1].text.rsplit("QUESTION>>>", 1)[0][-300:]
            call = {"name": "search_docs", "args": {"query": question}, "id": f"call-{len(messages)}"}
            reply = AIMessage(content="", tool_calls=[call])
        sent = sum(len(message.text) for message in messages) // 4
        wrote = (len(reply.text) + len(str(reply.tool_calls))) // 4
        reply.usage_metadata = {"input_tokens": sent, "output_tokens": wrote, "total_tokens": sent + wrote}
        return ChatResult(generations=[ChatGeneration(message=reply)])


def kind_of(step: Any) -> str:
    if step.alert is not None:
        return "alert notification"
    return "question to the bot" if "@ratchet" in (step.message or step.reply).text else "reply in a thread"


async def play(home: Path, name: str, rounds: int, model: ZeroLatencyModel | None) -> dict[str, Any]:
    """Play the scenario `rounds` times on a fresh database; step latencies by kind, LLM calls by module."""
    scenario = Scenario.load()
    sim = SlackSimulator()
    await sim.start()
    try:
        settings = Settings(
            _env_file=None,
            database_url=start_embedded_postgres(home, name, fresh=True),
            slack_bot_token=SecretStr(sim.bot_token),
            slack_app_token=SecretStr(sim.app_token),
            slack_api_url=sim.api_url,
        )
        quiet = Console(file=io.StringIO())
        async with running_bot(settings, chat_model=model) as bot:
            channel_id = sim.workspace.channel(scenario.channel).id
            await index_runbooks(bot, quiet)
            await wait_for_onboarding(bot, channel_id)
            latencies: dict[str, list[float]] = defaultdict(list)
            for _ in range(rounds):
                player = ScenarioPlayer(sim, bot, quiet, channel_id)
                for step in scenario.steps:
                    await player.play(step)
                    latencies[kind_of(step)].append(player.latencies[-1] * 1000)
            async with bot.runtime.pool.connection() as conn:
                rows = await (
                    await conn.execute(
                        "SELECT module, count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) "
                        "FROM llm_calls GROUP BY module"
                    )
                ).fetchall()
        steps = {kind: len(values) for kind, values in latencies.items()}
        return {"latencies": latencies, "calls": {row[0]: row[1:] for row in rows}, "steps": steps}
    finally:
        await sim.stop()


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        baseline = await play(Path(home), "bench_no_llm", rounds, None)
        with_llm = await play(Path(home), "bench_llm", rounds, ZeroLatencyModel(responses=[]))
    print(f"demo scenario x {rounds}: post → job done, p50 ms (real bot, simulator, Socket Mode, Postgres)")
    print(f"  {'step':22} {'n':>4} {'no LLM':>9} {'zero-latency LLM':>17} {'ratio':>7}")
    for kind, values in with_llm["latencies"].items():
        base, llm = statistics.median(baseline["latencies"][kind]), statistics.median(values)
        print(f"  {kind:22} {len(values):4} {base:9.1f} {llm:17.1f} {llm / base:7.2f}")
    alerts, questions = with_llm["steps"]["alert notification"], with_llm["steps"]["question to the bot"]
    print("\nLLM calls and tokens (estimated: characters / 4) by module, with the zero-latency model")
    print(f"  {'module':12} {'calls':>6} {'in tokens':>10} {'out tokens':>11}")
    for module, (calls, tokens_in, tokens_out) in sorted(with_llm["calls"].items()):
        print(f"  {module:12} {calls:6} {tokens_in:10} {tokens_out:11}")
    calls = with_llm["calls"]
    triage = sum(calls[m][0] for m in calls if m != "commands")
    commands = calls.get("commands", (0, 0, 0))
    print(f"\nper alert triage: {triage / alerts:.2f} LLM calls ({alerts} alerts; routing needs none)")
    print(
        f"per question:     {commands[0] / questions:.2f} LLM calls, "
        f"{(commands[1] + commands[2]) / questions:,.0f} tokens ({questions} questions)"
    )
    print(f"no-LLM run: {sum(c[0] for c in baseline['calls'].values())} LLM calls")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="Times the scenario is played per run.")
    asyncio.run(main(parser.parse_args().rounds))
