"""The HTTP server `ratchet serve` runs: it migrates on start and reports health from the database."""

from __future__ import annotations

import psycopg
from fastapi.testclient import TestClient

from ratchet import __version__
from ratchet.config import Settings
from ratchet.web.app import create_app


def test_healthz_and_version_against_a_real_database(empty_database_url: str) -> None:
    app = create_app(Settings(_env_file=None, database_url=empty_database_url))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/version").json() == {"version": __version__}
        with psycopg.connect(empty_database_url) as conn:  # the lifespan applied the schema
            assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 1

        with psycopg.connect(empty_database_url, autocommit=True) as conn:  # kill the pool's connections
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                         "AND datname = current_database()")  # fmt: skip
        assert client.get("/healthz").json() == {"status": "ok"}
