"""`ratchet import`: a Slack export built from real payloads, imported into a real Postgres through the path every
message takes; no Slack involved, nothing posted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from langchain_core.embeddings import Embeddings
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from ratchet.classify.classifier import Classifier
from ratchet.jobs.imports import ImportReport, import_export
from ratchet.runtime import Runtime
from ratchet.slack_export import ExportError
from tests.helpers import ratchet_cli, shared_local_embeddings
from tests.support.slack_export import ALERTS, GENERAL, ONCALL, write_export, zip_export


async def run_import(pool: AsyncConnectionPool, path: Path, only: list[str] | None = None) -> ImportReport:
    return await import_export(pool, Classifier(), shared_local_embeddings(), path, only=only or [])


async def rows(pool: AsyncConnectionPool, sql: str) -> list[dict[str, Any]]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql)
        return await cur.fetchall()


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
async def test_importing_twice_stores_each_message_once_and_the_same_incidents(
    runtime: Runtime, tmp_path: Path, packed: bool
) -> None:
    folder = write_export(tmp_path / "export", days=2, chatter_per_day=5)
    source = zip_export(folder, tmp_path / "export.zip") if packed else folder
    pool = runtime.pool

    first = await run_import(pool, source)
    assert (first.channels, first.files, first.messages, first.already_stored) == (2, 4, 24, 0)
    assert (first.alerts, first.incidents, first.skipped_files) == (12, 6, [])  # day 2: two re-fire
    messages = await rows(pool, "SELECT channel_id, ts, origin, embedding IS NOT NULL AS embedded FROM messages")
    assert len(messages) == 24 and all(m["origin"] == "import" and m["embedded"] for m in messages)
    incidents = await rows(pool, "SELECT * FROM incidents ORDER BY id")

    second = await run_import(pool, source)
    assert (second.messages, second.alerts, second.incidents, second.already_stored) == (0, 0, 0, 24)
    assert await rows(pool, "SELECT count(*) AS n FROM messages") == [{"n": 24}]
    assert await rows(pool, "SELECT * FROM incidents ORDER BY id") == incidents

    crash = [i for i in incidents if i["alert"] == "KubePodCrashLooping"]
    assert [(i["status"], i["duration"], i["responders"]) for i in crash] == [
        ("resolved", timedelta(minutes=42), [ONCALL])
    ] * 2  # fmt: skip
    assert all(i["first_response_at"] - i["opened_at"] == timedelta(minutes=7) for i in crash)
    assert await rows(pool, "SELECT count(*) AS n FROM jobs") == [{"n": 0}]  # nothing queued: no reply can start
    assert await rows(pool, "SELECT count(*) AS n FROM bot_posts") == [{"n": 0}]
    assert {c["channel_id"]: c["name"] for c in await rows(pool, "SELECT * FROM channels")} == {
        ALERTS: "alerts", GENERAL: "general"
    }  # fmt: skip


async def test_channel_option_imports_only_the_named_channels(runtime: Runtime, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", days=1, chatter_per_day=3)
    report = await run_import(runtime.pool, folder, only=["#general"])
    assert (report.channels, report.messages, report.alerts) == (1, 3, 0)
    assert await rows(runtime.pool, "SELECT DISTINCT channel_id FROM messages") == [{"channel_id": GENERAL}]
    with pytest.raises(ExportError, match=r"no channel random in the export \(it has: alerts, general\)"):
        await run_import(runtime.pool, folder, only=["random"])


async def test_a_corrupt_day_file_is_skipped_and_the_rest_imported(runtime: Runtime, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", days=2, chatter_per_day=2)
    (folder / "alerts" / "2026-11-25.json").write_text('[{"type": "message", "ts": "1764')  # cut off mid-write
    (folder / "general" / "2026-11-24.json").write_text('{"not": "a day"}')
    report = await run_import(runtime.pool, folder)
    assert [s.split(":")[0] for s in report.skipped_files] == ["alerts/2026-11-25.json", "general/2026-11-24.json"]
    assert "not valid JSON" in report.skipped_files[0] and "expected a JSON array" in report.skipped_files[1]
    assert (report.files, report.messages) == (2, 9)
    assert await rows(runtime.pool, "SELECT count(*) AS n FROM messages") == [{"n": 9}]


def test_cli_imports_with_progress_and_reports_what_it_stored(database_url: str, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", days=1, chatter_per_day=2)
    (folder / "general" / "2026-11-25.json").write_text("[not json")
    env = {"RATCHET_DATABASE_URL": database_url, "RATCHET_EMBEDDINGS": "local"}  # no Slack tokens at all
    result = ratchet_cli("import", str(zip_export(folder, tmp_path / "ops.zip")), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "skipped general/2026-11-25.json: not valid JSON" in result.stderr
    assert "stored 9 messages (6 alerts, 4 incidents opened) from 2 day files in 2 channels" in result.stdout
    again = ratchet_cli("import", str(folder), "--channel", "alerts", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "stored 0 messages (0 alerts, 0 incidents opened) from 1 day files in 1 channels; 7 were" in again.stdout
    missing = ratchet_cli("import", str(tmp_path / "ops.zip"), "--channel", "nope", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no channel nope in the export" in missing.stderr


class BrokenSecondPage(Embeddings):
    """The local model, but the second call's last vector has the wrong dimension: its page's last row fails."""

    def __init__(self) -> None:
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        vectors = shared_local_embeddings().embed_documents(texts)
        return [*vectors[:-1], [0.0]] if self.calls == 2 else vectors

    def embed_query(self, text: str) -> list[float]:
        return shared_local_embeddings().embed_query(text)


async def test_a_page_is_stored_in_one_transaction(runtime: Runtime, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", days=2, chatter_per_day=5)
    pool = runtime.pool
    with pytest.raises(psycopg.Error):
        await import_export(pool, Classifier(), BrokenSecondPage(), folder)
    # the first page (#alerts' two day files) is whole; of the second (#general's), whose last row failed, nothing
    assert await rows(pool, "SELECT count(*) AS n, bool_and(embedding IS NOT NULL) AS embedded FROM messages") == [
        {"n": 14, "embedded": True}
    ]
    assert await rows(pool, "SELECT count(*) AS n FROM messages WHERE attrs ? 'classification'") == [{"n": 14}]
    opened = await rows(pool, "SELECT count(*) AS n FROM incidents")

    rest = await run_import(pool, folder)
    assert (rest.messages, rest.already_stored, rest.incidents + opened[0]["n"]) == (10, 14, 6)
    crash = await rows(pool, "SELECT status, duration FROM incidents WHERE alert = 'KubePodCrashLooping'")
    assert crash == [{"status": "resolved", "duration": timedelta(minutes=42)}] * 2
