"""A channel-monitor action with the Go Ratchet's contract, as a team would write one: it reads the request
(`{slug, channel_id, slack_ts, llm_output, message}`, `llm_output` a JSON string) on stdin and prints
`{direct_messages, channel_messages}`: a direct message to the owner of each ticket's project, and one reply in the
message's thread that lists the tickets.

`--record PATH` writes the request it got to PATH; `--misbehave hang|fail|garbage` makes it fail the ways an action
can (it hangs with a child process that holds its stdout, exits 3, or prints something that is not JSON).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

OWNERS = {"JIRA": "amara.okafor@example.com", "SCM": "diego.ramirez@example.com", "BUG": "bug-triage@example.com"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", type=Path)
    parser.add_argument("--misbehave", choices=["hang", "fail", "garbage"])
    args = parser.parse_args()
    raw = sys.stdin.read()
    if args.record:
        args.record.write_text(raw)
    if args.misbehave == "hang":
        child = subprocess.Popen(["sleep", "60"])  # holds our stdout open; a timeout must end it too
        Path(f"{args.record}.child").write_text(str(child.pid))
        time.sleep(60)
    if args.misbehave == "fail":
        print("ticket tracker unreachable", file=sys.stderr)
        sys.exit(3)
    if args.misbehave == "garbage":
        print("Traceback (most recent call last): tickets")
        return

    request = json.loads(raw)
    result = json.loads(request["llm_output"])
    author, text = request["message"]["user"], request["message"]["text"]
    owners = {ticket: OWNERS.get(ticket.split("-")[0]) for ticket in result["tickets"]} if result["urgent"] else {}
    escalated = [ticket for ticket, email in owners.items() if email]
    direct = [
        {"email": owners[ticket], "text": f"<@{author}> asked for *{ticket}* to be fixed urgently: “{text}”"}
        for ticket in escalated
    ]
    channel = [
        {
            "channel_id": request["channel_id"],
            "slack_ts": request["slack_ts"],
            "text": f"Escalated {', '.join(escalated)} to their owners (rule {request['slug']}).",
        }
    ]
    print(json.dumps({"direct_messages": direct, "channel_messages": channel if escalated else []}))


if __name__ == "__main__":
    main()
