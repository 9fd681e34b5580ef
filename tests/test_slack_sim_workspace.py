"""Workspaces: the demo default, and loading a Slack export (folder or zip) built from Slack's own message objects."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from ratchet.slack_sim import ExportError, SlackSimulator, Workspace
from tests.slack_sim_support import EVENTS


def slack_messages() -> dict[str, list[dict[str, Any]]]:
    """Message objects from Slack's Web API examples, by the method whose example held them."""
    out: dict[str, list[dict[str, Any]]] = {}
    for line in (EVENTS / "web-api-examples" / "message_objects.jsonl").read_text().splitlines():
        record = json.loads(line)
        out.setdefault(record["from_method"], []).append(record["message"])
    return out


def user(uid: str, name: str, real_name: str) -> dict[str, Any]:
    return {
        "id": uid,
        "team_id": "T0EXPORT01",
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": "America/Los_Angeles",
        "is_admin": False,
        "is_bot": False,
        "is_app_user": False,
        "profile": {
            "real_name": real_name,
            "display_name": name,
            "email": f"{name}@ghostbusters.example.com",
            "title": "",
        },
    }


def build_export(root: Path) -> Path:
    messages = slack_messages()
    history, thread, posted = (
        messages["conversations.history"],
        messages["conversations.replies"],
        messages["chat.postMessage"],
    )
    parent = {
        k: v for k, v in thread[0].items() if k not in ("reply_count", "subscribed", "last_read", "unread_count")
    }  # rebuilt from the replies
    root.mkdir(parents=True)
    users = [user("U061F7AUR", "spengler", "Egon Spengler"), user("U012AB3CDE", "venkman", "Peter Venkman")]
    (root / "users.json").write_text(json.dumps(users))
    (root / "channels.json").write_text(
        json.dumps(
            [
                {
                    "id": "C0GENERAL1",
                    "name": "general",
                    "created": 1449252889,
                    "creator": "U061F7AUR",
                    "is_archived": False,
                    "is_general": True,
                    "members": ["U061F7AUR", "U012AB3CDE"],
                    "topic": {"value": "Ghosts", "creator": "U061F7AUR", "last_set": 1449252889},
                    "purpose": {"value": "", "creator": "", "last_set": 0},
                },
                {
                    "id": "C0ARCHIVE1",
                    "name": "old",
                    "created": 1449252889,
                    "creator": "U061F7AUR",
                    "is_archived": True,
                    "members": ["U061F7AUR"],
                },
            ]
        )
    )
    (root / "groups.json").write_text(
        json.dumps(
            [
                {
                    "id": "C0PRIVATE1",
                    "name": "containment",
                    "created": 1449252889,
                    "creator": "U061F7AUR",
                    "is_archived": False,
                    "members": ["U061F7AUR"],
                }
            ]
        )
    )
    (root / "dms.json").write_text(
        json.dumps([{"id": "D0DIRECT01", "created": 1449252889, "members": ["U061F7AUR", "U012AB3CDE"]}])
    )
    (root / "general").mkdir()
    (root / "general" / "2016-12-28.json").write_text(json.dumps([parent, *thread[1:2]]))
    (root / "general" / "2016-12-30.json").write_text(json.dumps(thread[2:]))
    (root / "general" / "2017-12-01.json").write_text(json.dumps([*history, posted[0]]))
    (root / "containment").mkdir()
    (root / "containment" / "2017-12-01.json").write_text(
        json.dumps([{"type": "message", "user": "U061F7AUR", "text": "keep it closed", "ts": "1512104500.000100"}])
    )
    (root / "D0DIRECT01").mkdir()
    (root / "D0DIRECT01" / "2017-12-01.json").write_text(
        json.dumps([{"type": "message", "user": "U012AB3CDE", "text": "psst", "ts": "1512104600.000100"}])
    )
    (root / "general" / "notes.txt").write_text("not a day file")
    return root


def zip_export(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for file in folder.rglob("*"):
            if file.is_file():
                zf.write(file, f"Ghostbusters Slack export/{file.relative_to(folder)}")
    return target


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
async def test_export_loads_with_threads_rebuilt(tmp_path: Path, packed: bool) -> None:
    folder = build_export(tmp_path / "ghostbusters")
    source = zip_export(folder, tmp_path / "ghostbusters.zip") if packed else folder
    ws = Workspace.from_export(source)

    assert ws.team.id == "T0EXPORT01"
    assert ws.user_by_email("spengler@ghostbusters.example.com").real_name == "Egon Spengler"
    general = ws.channel("general")
    thread = slack_messages()["conversations.replies"]
    head = general.messages[thread[0]["ts"]]
    assert head["reply_count"] == 3 and head["reply_users"] == ["U061F7AUR"]
    assert head["latest_reply"] == thread[-1]["ts"] and head["reply_users_count"] == 1
    assert [m["ts"] for m in general.replies(thread[0]["ts"])] == [m["ts"] for m in thread[1:]]
    assert "B19LU7CSY" in ws.bots and ws.bots["B19LU7CSY"].name == "ecto1"  # the integration that posted
    assert ws.channel("containment").is_private and ws.channels["D0DIRECT01"].is_im
    assert ws.bot_user_id in general.members and ws.bot_user_id in ws.channel("containment").members
    assert ws.bot_user_id not in ws.channel("old").members  # archived: the bot is not added

    async with SlackSimulator(ws) as sim:
        client = AsyncWebClient(token=sim.bot_token, base_url=sim.api_url)
        history = await client.conversations_history(channel=general.id)
        expected = sorted(
            [
                thread[0]["ts"],
                *(m["ts"] for m in slack_messages()["conversations.history"]),
                slack_messages()["chat.postMessage"][0]["ts"],
            ],
            reverse=True,
        )
        assert [m["ts"] for m in history["messages"]] == expected
        replies = await client.conversations_replies(channel=general.id, ts=thread[0]["ts"])
        assert [m["text"] for m in replies["messages"]] == [m["text"] for m in thread]
        new = await sim.post_message("general", "who you gonna call?", user="venkman")
        assert float(new) > float(thread[-1]["ts"])


def test_export_errors(tmp_path: Path) -> None:
    folder = build_export(tmp_path / "export")
    (folder / "users.json").unlink()
    with pytest.raises(ExportError, match=r"users\.json is missing"):
        Workspace.from_export(folder)
    (folder / "users.json").write_text("{broken")
    with pytest.raises(ExportError, match="not valid JSON"):
        Workspace.from_export(folder)
    (tmp_path / "plain.txt").write_text("hi")
    with pytest.raises(ExportError, match="neither a folder nor a zip"):
        Workspace.from_export(tmp_path / "plain.txt")


def test_default_workspace_is_small_and_stable() -> None:
    ws, again = Workspace.default(), Workspace.default()
    assert (
        ws.team.id == again.team.id
        and list(ws.users) == list(again.users)
        and list(ws.channels) == list(again.channels)
    )
    names = {c.name for c in ws.channels.values()}
    assert {"alerts", "ops"} <= names
    for name in ("alerts", "ops"):
        assert ws.bot_user_id in ws.channel(name).members
    assert ws.bot_user_id not in ws.channel("general").members
    people = ws.humans()
    assert 4 <= len(people) <= 8 and all(p.email and "@" in p.email and " " in p.real_name for p in people)
    assert ws.bot_user.is_bot and ws.bot.user_id == ws.bot_user_id and ws.bot.app_id == ws.app_id
    dm = ws.open_dm(people[0].id)
    assert ws.open_dm(people[0].id) == dm and ws.channels[dm].channel_type == "im"
