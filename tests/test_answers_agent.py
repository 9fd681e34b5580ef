"""The agent's answers through the real triage graph, with a scripted model, real tools and storage: every answer
posted cites a passage the tools returned (a Slack link to it) or is the explicit "I don't know"."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from ratchet.config import Settings
from ratchet.knowledge.refresh import refresh_source
from ratchet.knowledge.sources import DocSource
from ratchet.llm import LocalEmbeddings
from ratchet.runtime import Runtime, open_runtime
from ratchet.slack.formatting import markdown_to_mrkdwn
from ratchet.slack.posting import DryRunPoster
from tests.conftest import DATA
from tests.helpers import ScriptedModel
from tests.test_agent import ask, call

URL_BASE = "https://github.com/prometheus-operator/runbooks/blob/main/{path}"
CRASHLOOP = "content/runbooks/kubernetes/KubePodCrashLooping.md"
CRASHLOOP_URL = URL_BASE.format(path=CRASHLOOP)
QUESTION = "how do I debug a crash looping pod?"
ABSTENTION = "I don't know: nothing in the docs answers this."
DOCUMENTATION_TOOLS = ("search_docs", "read_doc", "fetch_runbook")
SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|[^>]*)?>")


@pytest.fixture
async def runtime(database_url: str, local_embeddings: LocalEmbeddings, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with open_runtime(Settings(_env_file=None, database_url=database_url)) as runtime:
        location = str(DATA / "docs" / "runbooks-prometheus-operator")
        source = DocSource(name="runbooks", kind="local", location=location, url_template=URL_BASE)
        await refresh_source(runtime.pool, local_embeddings, source, tmp_path)
        yield runtime


def retrieved(model: ScriptedModel) -> set[str]:
    """The documents' URLs the documentation tools showed the model, read from what it was shown."""
    urls: set[str] = set()
    for message in {id(m): m for seen in model.seen for m in seen}.values():
        if isinstance(message, ToolMessage) and message.name in DOCUMENTATION_TOOLS and message.status != "error":
            found = json.loads(message.text)
            items = found if isinstance(found, list) else [found.get("runbook") or found]
            urls |= {item["url"] for item in items if item and item.get("url")}
    return urls


def assert_cites_or_abstains(poster: DryRunPoster, model: ScriptedModel) -> list[str]:
    """Each posted answer (as Slack gets it) links a document the tools returned, or says it does not know."""
    replies = []
    for reply, post in poster.posted:
        text = post.text
        cited = {url.split("#")[0] for url in SLACK_LINK.findall(text)} & retrieved(model)
        assert cited or markdown_to_mrkdwn(ABSTENTION) in text, f"neither cited nor an abstention: {text!r}"
        replies.append(reply.markdown)
    return replies


def searches(query: str = "crash looping pod") -> AIMessage:
    return call("search_docs", query=query)


SCRIPTS = {
    "cites the runbook": (
        [
            searches(),
            AIMessage(f"Check the pod's events with `kubectl describe pod` <{CRASHLOOP_URL}#diagnosis|runbook>."),
        ],
        "answered",
    ),
    "cites one statement, invents another": (
        [searches(), AIMessage(f"Read the logs <{CRASHLOOP_URL}|runbook>. Then reboot every node in the cluster.")],
        "answered",
    ),
    "links a page it was never shown": (
        [searches(), AIMessage("Follow <https://wiki.example/crashloops|the wiki>: restart the kubelet.")],
        "abstained",
    ),
    "answers from memory, with no tool": ([AIMessage("Restart the kubelet, that always fixes it.")], "abstained"),
    "found nothing it could use": ([searches(), AIMessage("I don't know; the docs don't cover this.")], "abstained"),
    "reads the document, cites its path": (
        [call("read_doc", path=CRASHLOOP), AIMessage(f"Check the template with `kubectl get pod` ({CRASHLOOP}).")],
        "answered",
    ),
    "fetches the runbook, cites it": (
        [
            call("fetch_runbook", alert="KubePodCrashLooping"),
            AIMessage(f"Start with <{CRASHLOOP_URL}|the KubePodCrashLooping runbook>."),
        ],
        "answered",
    ),
}


@pytest.mark.parametrize(("script", "outcome"), SCRIPTS.values(), ids=SCRIPTS.keys())
async def test_every_posted_answer_cites_a_retrieved_passage_or_says_it_does_not_know(
    runtime: Runtime, script: list[AIMessage], outcome: str
) -> None:
    model = ScriptedModel(responses=script)
    poster = await ask(runtime, model, QUESTION)
    [markdown] = assert_cites_or_abstains(poster, model)
    assert markdown.startswith(ABSTENTION) is (outcome == "abstained")
    if outcome == "answered":
        assert f"**Sources**\n[1] <{CRASHLOOP_URL}|" in markdown
    for invented in ("reboot every node", "wiki.example", "restart the kubelet", "Restart the kubelet"):
        assert invented not in markdown


async def test_an_uncited_statement_is_left_out_and_the_answer_says_so(runtime: Runtime) -> None:
    model = ScriptedModel(responses=SCRIPTS["cites one statement, invents another"][0])
    [(reply, _)] = (await ask(runtime, model, QUESTION)).posted
    answer, note, sources = reply.markdown.split("\n\n")
    assert answer == f"Read the logs <{CRASHLOOP_URL}|runbook>."
    assert note == "_(1 statement(s) left out: they cited no passage the search found.)_"
    assert sources.startswith(f"**Sources**\n[1] <{CRASHLOOP_URL}|") and sources.count("\n") == 1


async def test_an_abstention_shows_what_was_searched_and_the_closest_passages(runtime: Runtime) -> None:
    model = ScriptedModel(responses=SCRIPTS["answers from memory, with no tool"][0])
    [(reply, _)] = (await ask(runtime, model, QUESTION)).posted
    assert reply.markdown.startswith(f"{ABSTENTION} I searched all documentation sources for “{QUESTION}”; closest:")
    assert f"• <{CRASHLOOP_URL}|" in reply.markdown


async def test_a_follow_up_may_cite_what_the_thread_already_found(runtime: Runtime) -> None:
    """The passages found in the thread's earlier run come back from its checkpoint."""
    model = ScriptedModel(
        responses=[
            *SCRIPTS["cites the runbook"][0],
            AIMessage(f"Yes: also check readiness and liveness probes <{CRASHLOOP_URL}|runbook>."),
        ]
    )
    await ask(runtime, model, QUESTION)
    poster = await ask(runtime, model, "anything else to check?", ts="1795500060.000200")
    [markdown] = assert_cites_or_abstains(poster, model)
    assert markdown.startswith("Yes: also check readiness and liveness probes") and len(model.seen) == 3


async def test_an_answer_from_the_bots_records_is_reported_as_it_is(runtime: Runtime) -> None:
    """Incidents, messages and reports are not documentation: the agent reports what those tools returned."""
    model = ScriptedModel(responses=[call("list_incidents"), AIMessage("No incident was recorded here this week.")])
    [(reply, _)] = (await ask(runtime, model, "which incidents did we have this week?")).posted
    assert reply.markdown == "No incident was recorded here this week."
