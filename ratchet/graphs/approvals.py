"""Approvals: what the bot would change outside itself waits for a person's yes in the Slack thread.

A node that wants to act (a tool opening a documentation pull request, a channel-monitor rule) adds a
`PendingAction` to the state. `request_approval` posts what it wants to do and stops the run with LangGraph's
`interrupt()`; the run is checkpointed and the job ends. A later reply in the thread ("approve", "yes", ...) or a ✅
reaction on the request resumes it with `Command(resume=Decision)` (agent/handlers.py); anything else a person says
in the thread cancels it. `carry_out` then runs each action's executor, or reports the cancellation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ratchet.context import PendingAction, TriageContext
from ratchet.graphs.monitor import MONITOR_ACTION, run_approved
from ratchet.graphs.state import Decision, TriageState
from ratchet.slack.posting import Reply
from ratchet.tools.doc_updates import DOC_PULL_REQUEST, open_approved_pull_request

log = logging.getLogger(__name__)

APPROVING_WORDS = frozenset({"approve", "approved", "yes", "y", "yep", "lgtm", "go ahead", "do it", "ship it"})
APPROVING_REACTIONS = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check"})

Executor = Callable[[PendingAction, TriageContext], Awaitable[str]]
EXECUTORS: dict[str, Executor] = {MONITOR_ACTION: run_approved, DOC_PULL_REQUEST: open_approved_pull_request}


def decision_from_reply(text: str, user: str) -> Decision:
    words = re.sub(r"<@[A-Z0-9]+>|[^\w\s]", " ", text).lower().split()
    return Decision(approved=" ".join(words) in APPROVING_WORDS, user=user, said=text)


async def request_approval(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Post the request, then wait (the run stops here until a person answers in the thread)."""
    pending = state["pending"]
    lines = [f"• {action['summary']}" for action in pending]
    details = "\n\n".join(action["details"] for action in pending if action["details"])
    markdown = (
        "**I'd like to:**\n" + "\n".join(lines) + (f"\n\n{details}" if details else "") + "\n\n"
        "Reply **approve** or **yes** here (or react with :white_check_mark: to this message) to go ahead; "
        "any other reply cancels."
    )
    await runtime.context.poster.post(
        Reply(
            channel_id=state["channel_id"],
            thread_ts=state["thread_ts"],
            module="approvals",
            markdown=markdown,
            key=approval_key(state["channel_id"], state["ts"]),
        )
    )
    answer = interrupt({"actions": [action["summary"] for action in pending]})
    return {"decision": Decision.model_validate(answer)}


def approval_key(channel_id: str, ts: str) -> str:
    """The request's idempotency key: a ✅ on the post that carries it resumes the run."""
    return f"triage:{channel_id}:{ts}:approval"


async def carry_out(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    """Do what was approved, each action once (executors are idempotent by their data), or say it was cancelled."""
    decision = Decision.model_validate(state["decision"])
    if not decision.approved:
        note = f"Cancelled: <@{decision.user}> answered “{decision.said[:200]}”, so I did nothing."
        return {"pending": [], "replies": [{"id": "approval-result", "module": "approvals", "markdown": note}]}
    results = []
    for action in state["pending"]:
        try:
            results.append(await EXECUTORS[action["kind"]](action, runtime.context))
        except Exception as error:  # the person approved: they hear what went wrong, the other actions still run
            log.exception("approved action %s failed", action["kind"])
            results.append(f"I could not {action['summary']}: {error}")
    note = f"Approved by <@{decision.user}>.\n" + "\n".join(f"• {result}" for result in results)
    return {"pending": [], "replies": [{"id": "approval-result", "module": "approvals", "markdown": note}]}
