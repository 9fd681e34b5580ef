"""Approvals end to end through the job handlers: the agent proposes a documentation change, the bot asks in the
thread and stops (`interrupt()`), and a person's reply or ✅ decides. Real Postgres, checkpointer and job ledger,
the GitHub stand-in for the pull request, and a scripted model."""

from __future__ import annotations

from langchain_core.messages import AIMessage
from psycopg_pool import AsyncConnectionPool

from ratchet.knowledge.sources import DocSource
from ratchet.runtime import Runtime
from ratchet.slack.formatting import module_of
from ratchet.slack_sim import SlackSimulator
from tests.github_stub import GitHubStub
from tests.helpers import ScriptedModel
from tests.slack_thread import Thread
from tests.test_doc_updates import CRASHLOOP, REQUEST, github, indexed, stored, with_oom_step

__all__ = ["github", "indexed"]  # fixtures used by these tests


async def proposal(
    runtime: Runtime, sim: SlackSimulator, pool: AsyncConnectionPool, github: GitHubStub
) -> tuple[Thread, str]:
    """Priya asks the bot to fix the crash-loop runbook; the agent proposes the edit, the bot asks for approval."""
    runbook = (await stored(pool, "runbooks", CRASHLOOP)).content
    model = ScriptedModel(
        responses=[
            AIMessage(
                content="",
                tool_calls=[
                    {"name": "propose_doc_update", "args": {"request": REQUEST, "path": CRASHLOOP}, "id": "call-1"}
                ],
            ),
            AIMessage(content=with_oom_step(runbook)),  # propose_edit's answer: the whole edited document
            AIMessage(content="I proposed adding the OOMKilled check to the KubePodCrashLooping runbook."),
        ]
    )
    thread = Thread(runtime, sim, model, github_api_url=github.url)
    await thread.say("priya", f"<@{sim.bot_user_id}> {REQUEST}")
    return thread, runbook


async def test_approve_in_the_thread_opens_the_draft_pull_request(
    runtime: Runtime, sim: SlackSimulator, pool: AsyncConnectionPool, github: GitHubStub, indexed: DocSource
) -> None:
    thread, _ = await proposal(runtime, sim, pool, github)
    answer, request = thread.said()
    assert answer["text"].startswith("I proposed adding the OOMKilled check")
    assert module_of(request["blocks"]) == "approvals"
    assert request["text"].startswith("*I'd like to:*\n• open a draft pull request: kubernetes/KubePodCrashLooping.md")
    assert "+- Check whether the container was OOMKilled via" in request["text"]
    assert "Reply *approve*" in request["text"]
    assert await thread.waiting() and github.pulls == [], "nothing happens before a person approves"

    await thread.say("diego", "approve")
    [pull] = github.pulls
    assert pull["draft"] is True and pull["title"].startswith("docs: kubernetes/KubePodCrashLooping.md")
    assert "OOMKilled" in github.commits[0]["content"]
    result = thread.said()[-1]["text"]
    assert result.startswith(
        f"Approved by <@{thread.user('diego')}>.\n• opened the draft pull request <{pull['html_url']}|"
    )
    assert not await thread.waiting()

    await thread.say("priya", "yes")  # nothing waits any more
    assert len(github.pulls) == 1 and len(thread.said()) == 3


async def test_a_check_mark_on_the_request_approves_it(
    runtime: Runtime, sim: SlackSimulator, pool: AsyncConnectionPool, github: GitHubStub, indexed: DocSource
) -> None:
    thread, _ = await proposal(runtime, sim, pool, github)
    request = thread.said()[-1]["ts"]
    await thread.react(sim.bot_user_id, "white_check_mark", request)  # the bot's own reaction decides nothing
    await thread.react(thread.user("diego"), "thumbsup", request)  # nor does another reaction
    await thread.react(thread.user("diego"), "white_check_mark", thread.said()[0]["ts"])  # nor one on another post
    assert await thread.waiting() and github.pulls == []

    await thread.react(thread.user("diego"), "white_check_mark", request)
    assert len(github.pulls) == 1
    assert thread.said()[-1]["text"].startswith(f"Approved by <@{thread.user('diego')}>.")


async def test_any_other_reply_cancels(
    runtime: Runtime, sim: SlackSimulator, pool: AsyncConnectionPool, github: GitHubStub, indexed: DocSource
) -> None:
    thread, _ = await proposal(runtime, sim, pool, github)
    await thread.say("diego", "wait, the limit is set by the chart, not the pod")
    assert thread.said()[-1]["text"] == (
        f"Cancelled: <@{thread.user('diego')}> answered “wait, the limit is set by the chart, not the pod”, "
        "so I did nothing."
    )
    assert github.pulls == [] and github.refs == [] and not await thread.waiting()
