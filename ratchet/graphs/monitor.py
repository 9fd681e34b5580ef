"""The channel monitor in the triage graph: a person's top-level message in a monitored channel is read by the
LLM with each rule's prompt and result schema, and the rule's action (an allow-listed executable or a webhook)
runs with the result, at once or, for rules that ask for it, after a person approves in the thread."""

from __future__ import annotations

import json
import logging

from langgraph.runtime import Runtime

from ratchet.context import PendingAction, TriageContext
from ratchet.graphs.state import TriageState
from ratchet.monitor.actions import MonitorActionError, MonitorRequest, deliver, evaluate, run_action
from ratchet.storage import messages

log = logging.getLogger(__name__)

MONITOR_ACTION = "channel_monitor"


async def monitor(state: TriageState, runtime: Runtime[TriageContext]) -> TriageState:
    ctx = runtime.context
    assert ctx.chat_model is not None
    async with ctx.pool.connection() as conn:
        stored = await messages.get(conn, state["channel_id"], state["ts"])
    if stored is None:
        return {}
    channel_name = state.get("channel_name") or state["channel_id"]
    pending: list[PendingAction] = []
    for rule in ctx.monitor.rules_for(state["channel_id"], channel_name):
        output = await evaluate(ctx.chat_model, rule, stored.text, state["author"], channel_name)
        if output is None:
            continue
        request = MonitorRequest(
            slug=rule.slug,
            channel_id=state["channel_id"],
            slack_ts=state["ts"],
            llm_output=output,
            message=stored.attrs.get("raw", {}),
        )
        if rule.approval:
            pending.append(
                PendingAction(
                    kind=MONITOR_ACTION,
                    summary=f"run the {rule.slug} action for this message",
                    details=f"```\n{json.dumps(output, indent=2, ensure_ascii=False)}\n```",
                    data=request.model_dump(mode="json"),
                )
            )
            continue
        try:
            await act_on(request, ctx)
        except MonitorActionError as error:  # nobody asked: the channel is not the place for the action's failure
            log.warning("monitor rule %s: %s", rule.slug, error)
    return {"pending": pending}


async def act_on(request: MonitorRequest, ctx: TriageContext) -> str:
    """Run a rule's action with the LLM's result and send what it returns; a re-run posts nothing twice."""
    rule = next(rule for rule in ctx.monitor.rules if rule.slug == request.slug)
    result = await run_action(rule, request)
    assert ctx.slack is not None
    key = f"monitor:{request.channel_id}:{request.slack_ts}:{rule.slug}"
    posted = await deliver(result, ctx.slack, ctx.poster, key)
    return f"ran {rule.slug}: {len(posted)} message(s) sent"


async def run_approved(action: PendingAction, ctx: TriageContext) -> str:
    return await act_on(MonitorRequest.model_validate(action["data"]), ctx)
