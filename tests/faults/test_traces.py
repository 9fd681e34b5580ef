"""Nothing leaked into traces: with LangSmith tracing on, what the process sends to the LangSmith endpoint (graph
state, prompts, tool results) carries none of the fifteen kinds of secret, while the traces themselves arrive.
A local stand-in for the LangSmith API records every request; the bot's real parts run on the simulator."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import langsmith
import pytest
from langchain_core.messages import AIMessage
from langchain_core.tracers.langchain import wait_for_all_tracers
from langsmith.utils import get_env_var

from ratchet.config import Settings
from ratchet.runtime import Runtime, open_runtime
from ratchet.slack_sim import SlackSimulator
from tests.faults.test_secrets import SECRETS
from tests.helpers import ScriptedModel
from tests.slack_thread import Thread
from tests.test_agent import call

BATCH_INGEST_CONFIG = {  # what LangSmith's /info says about batching (its client needs every key)
    "use_multipart_endpoint": True,
    "size_limit": 100,
    "size_limit_bytes": 20_971_520,
    "scale_up_qsize_trigger": 1000,
    "scale_up_nthreads_limit": 16,
    "scale_down_nempty_trigger": 4,
}


class LangSmithStandIn(ThreadingHTTPServer):
    """Answers the LangSmith API's calls and keeps every request body. It serves from a thread of its own: the
    LangSmith client sends from background threads and its flush blocks the caller."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.bodies: list[bytes] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def received(self) -> str:
        return "\n".join(body.decode("utf-8", "replace") for body in self.bodies)


class _Recorder(BaseHTTPRequestHandler):
    server: LangSmithStandIn

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(self.rfile.read(length))
        info = {"version": "0.0", "batch_ingest_config": BATCH_INGEST_CONFIG}
        body = json.dumps(info if self.path.endswith("/info") else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def langsmith_api() -> Iterator[LangSmithStandIn]:
    stand_in = LangSmithStandIn()
    serving = threading.Thread(target=stand_in.serve_forever, daemon=True)
    serving.start()
    yield stand_in
    stand_in.shutdown()
    stand_in.server_close()


@pytest.fixture
async def traced_runtime(
    database_url: str, langsmith_api: LangSmithStandIn, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Runtime]:
    """A runtime opened with tracing on and the stand-in as the endpoint; tracing is off again afterwards."""
    for name, value in {
        "LANGSMITH_TRACING": "true",
        "LANGSMITH_ENDPOINT": langsmith_api.url,
        "LANGSMITH_API_KEY": "lsv2_pt_0000000000000000000000000000000_standin",
        "LANGSMITH_PROJECT": "ratchet-tests",
        "LANGSMITH_USE_RUN_COMPRESSION": "false",
    }.items():
        monkeypatch.setenv(name, value)
    get_env_var.cache_clear()
    try:
        async with open_runtime(Settings(_env_file=None, database_url=database_url)) as runtime:
            yield runtime
    finally:
        await asyncio.to_thread(wait_for_all_tracers)
        langsmith.configure(client=None)
        monkeypatch.undo()
        get_env_var.cache_clear()


async def flushed(stand_in: LangSmithStandIn) -> str:
    await asyncio.to_thread(wait_for_all_tracers)
    await asyncio.to_thread(langsmith.run_trees.get_cached_client().flush)
    return stand_in.received


async def test_traces_arrive_without_the_secrets_people_wrote(
    traced_runtime: Runtime, sim: SlackSimulator, langsmith_api: LangSmithStandIn
) -> None:
    """Each secret in a question to the bot (answered by a scripted model that searches the messages) and in a
    reply in the thread: the state, the prompts and the tool results are all traced."""
    pasted = SECRETS
    model = ScriptedModel(
        responses=[
            *[r for s in pasted for r in (call("search_messages", query=s.topic), AIMessage(content="Noted."))],
        ]
    )
    for secret in pasted:
        thread = Thread(traced_runtime, sim, model)
        await thread.say("amara", secret.said)
        await thread.say("amara", f"<@{sim.bot_user_id}> what do you make of this? {secret.said}")

    sent = await flushed(langsmith_api)
    assert "triage" in sent and "search_messages" in sent, "the runs were traced"
    assert "[redacted " in sent, "what was redacted still says what it was"
    leaked = [secret.name for secret in SECRETS if secret.never in sent]
    assert leaked == []
