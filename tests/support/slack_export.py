"""A Slack export (the folder Slack's export zip unpacks to) built from real payloads: Alertmanager's Slack
notifications as posted by its default config (ratchet/demo_data/alertmanager), and people's message objects from
Slack's Web API examples (tests/data/slack_events), placed at chosen times over consecutive days."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
NOTIFICATIONS = ROOT / "ratchet" / "demo_data" / "alertmanager"
MESSAGE_OBJECTS = ROOT / "tests" / "data" / "slack_events" / "web-api-examples" / "message_objects.jsonl"
START = datetime(2026, 11, 24, tzinfo=UTC)
ALERTS, GENERAL = "C0ALERTS1", "C0GENERAL1"
ONCALL = "U061F7AUR"
THREAD_ONLY = ("thread_ts", "reply_count", "subscribed", "last_read", "unread_count", "parent_user_id")
# (minutes into the day, notification); a person answers the first one 7 minutes after it fired
DAY_OF_ALERTS = [(9 * 60, "1-"), (9 * 60 + 42, "2-"), (10 * 60, "3-"), (10 * 60 + 30, "4-"), (11 * 60, "5-"),
                 (11 * 60 + 20, "6-")]  # fmt: skip


def notification(prefix: str) -> dict[str, Any]:
    path = next(NOTIFICATIONS.glob(f"{prefix}*.json"))
    payload = json.loads(path.read_text())["slack_payload_default_config"]
    return {**payload, "type": "message", "subtype": "bot_message", "bot_id": "B0ALERTMGR", "username": "Alertmanager"}


def people_messages() -> list[dict[str, Any]]:
    """The human message objects of Slack's examples, stripped of their own thread fields."""
    out = []
    for line in MESSAGE_OBJECTS.read_text().splitlines():
        message = json.loads(line)["message"]
        if message.get("user") and not message.get("bot_id"):
            out.append({k: v for k, v in message.items() if k not in THREAD_ONLY and k != "channel"})
    return out


def ts_at(day: int, minutes: float) -> str:
    return f"{(START + timedelta(days=day, minutes=minutes)).timestamp():.6f}"


def write_export(root: Path, *, days: int = 2, chatter_per_day: int = 10) -> Path:
    """Write the export under `root`: #alerts gets the six notifications every day, each day's first alert a
    person's reply in its thread; #general gets `chatter_per_day` people's messages a day."""
    root.mkdir(parents=True)
    users = [
        {"id": ONCALL, "team_id": "T0EXPORT01", "name": "spengler", "real_name": "Egon Spengler", "profile": {}},
        {"id": "U012AB3CDE", "team_id": "T0EXPORT01", "name": "venkman", "real_name": "Peter Venkman", "profile": {}},
    ]
    (root / "users.json").write_text(json.dumps(users))
    channels = [
        {"id": ALERTS, "name": "alerts", "created": 1764000000, "creator": ONCALL, "members": [ONCALL]},
        {"id": GENERAL, "name": "general", "created": 1764000000, "creator": ONCALL, "is_general": True},
    ]
    (root / "channels.json").write_text(json.dumps(channels))
    people = people_messages()
    for day in range(days):
        date = (START + timedelta(days=day)).date().isoformat()
        alerts = [{**notification(prefix), "ts": ts_at(day, minutes)} for minutes, prefix in DAY_OF_ALERTS]
        reply = {**people[0], "user": ONCALL, "ts": ts_at(day, 9 * 60 + 7), "thread_ts": alerts[0]["ts"]}
        write_day(root / "alerts" / f"{date}.json", [*alerts, reply])
        chatter = [
            {**people[i % len(people)], "ts": ts_at(day, 8 * 60 + i * 480 / max(chatter_per_day, 1))}
            for i in range(chatter_per_day)
        ]
        write_day(root / "general" / f"{date}.json", chatter)
    return root


def write_day(path: Path, messages: list[dict[str, Any]]) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(messages))


def zip_export(folder: Path, target: Path) -> Path:
    """Pack the folder the way Slack does: everything under one top-level folder inside the zip."""
    with zipfile.ZipFile(target, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, f"Ops Slack export/{file.relative_to(folder)}")
    return target
