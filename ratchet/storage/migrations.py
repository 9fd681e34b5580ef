"""Versioned SQL migrations (`storage/migrations/NNNN_name.sql`), applied once each, in order.

`migrate` is idempotent and safe to run from several processes at once (an advisory lock serialises them). It also
sets up LangGraph's checkpoint tables and records which embedding model the vector columns are sized for.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from pydantic import BaseModel

from ratchet.config import ConfigError
from ratchet.storage import vectors

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
FILE_PATTERN = re.compile(r"^(\d{4})_(\w+)\.sql$")
LOCK_KEY = 7_432_001  # arbitrary constant for pg_advisory_lock; the same in every ratchet process
LOCK_WAIT_SECONDS = 300


class Migration(BaseModel):
    version: int
    name: str
    template: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.template.encode()).hexdigest()

    def render(self, embedding_dimension: int) -> str:
        return self.template.replace("{{embedding_dim}}", str(embedding_dimension))


class MigrationState(BaseModel):
    version: int
    name: str
    applied_at: datetime | None
    changed_since_applied: bool = False


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name} does not match NNNN_name.sql")
        migrations.append(Migration(version=int(match[1]), name=match[2], template=path.read_text()))
    return migrations


async def _ensure_ledger(conn: AsyncConnection[Any]) -> None:
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


async def _applied(conn: AsyncConnection[Any]) -> dict[int, tuple[str, datetime]]:
    rows = await (await conn.execute("SELECT version, checksum, applied_at FROM schema_migrations")).fetchall()
    return {version: (checksum, applied_at) for version, checksum, applied_at in rows}


async def migrate(conn: AsyncConnection[Any], embedding: vectors.EmbeddingIdentity) -> list[Migration]:
    """Apply pending migrations on an autocommit connection; return the ones applied now."""
    if not conn.autocommit:
        raise ValueError("migrate() needs an autocommit connection")
    await _wait_for_lock(conn)
    try:
        await _ensure_ledger(conn)
        applied = await _applied(conn)
        if applied:
            vectors.check_identity(await vectors.read_identity(conn), embedding)
        pending = [m for m in load_migrations() if m.version not in applied]
        for migration in pending:
            async with conn.transaction():
                await conn.execute(migration.render(embedding.dimension))
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
                if migration.version == 1:
                    await vectors.write_identity(conn, embedding)
        await _setup_checkpointer(conn)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return pending


async def _wait_for_lock(conn: AsyncConnection[Any]) -> None:
    # Poll instead of blocking in pg_advisory_lock: a blocked statement holds a snapshot, and the checkpointer's
    # CREATE INDEX CONCURRENTLY in the lock holder would wait for it forever.
    try:
        async with asyncio.timeout(LOCK_WAIT_SECONDS):
            while True:
                row = await (await conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))).fetchone()
                if row and row[0]:
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise ConfigError(
            f"RATCHET_DATABASE_URL: another process has held the migration lock for over {LOCK_WAIT_SECONDS}s"
        ) from None


async def _setup_checkpointer(conn: AsyncConnection[Any]) -> None:
    # The saver reads its own migration table with dict rows, so it gets a connection of its own.
    async with await AsyncConnection.connect(
        conn.info.dsn, password=conn.info.password, autocommit=True, row_factory=dict_row
    ) as saver_conn:
        await AsyncPostgresSaver(saver_conn).setup()


async def status(conn: AsyncConnection[Any]) -> list[MigrationState]:
    """Every known migration and when it was applied; reads only, so it is safe on any database."""
    ledger = await (await conn.execute("SELECT to_regclass('schema_migrations')")).fetchone()
    applied = await _applied(conn) if ledger and ledger[0] else {}
    return [
        MigrationState(
            version=m.version,
            name=m.name,
            applied_at=applied[m.version][1] if m.version in applied else None,
            changed_since_applied=m.version in applied and applied[m.version][0] != m.checksum,
        )
        for m in load_migrations()
    ]
