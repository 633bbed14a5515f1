"""The local PostgreSQL cluster as ``bench/pg_restart.py`` drives it: is it ready, stop, start, restart, and the
scratch database the benchmark serves from. Every outage it causes is followed by ``ensure_pg_running``: other
people's tests share the server.

Environment: ``PG_CLUSTER`` (default ``15 main``), ``PG_HOST``/``PG_PORT`` (127.0.0.1:5432).
"""

import contextlib
import functools
import os
import subprocess  # noqa: S404 - fixed argument lists only, never a shell
import time

from .common import BenchError, log, run

PG_HOST = os.environ.get("PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("PG_PORT", "5432")
PG_VERSION, PG_NAME = os.environ.get("PG_CLUSTER", "15 main").split()
DB_NAME = "cop_kb_restart"
DB_ROLE = DB_PASSWORD = "cop_kb"  # noqa: S105 - the local test role from scripts/pg-setup.sh
DATABASE_URL = f"postgres://{DB_ROLE}:{DB_PASSWORD}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
PG_WAIT = 30.0  # longest wait for pg_isready after a start


def pg_ready() -> bool:
    result = subprocess.run(  # noqa: S603
        ["pg_isready", "-q", "-h", PG_HOST, "-p", PG_PORT],  # noqa: S607
        capture_output=True,
        timeout=10,
        check=False,
    )
    return result.returncode == 0


def wait_pg_ready(limit: float = PG_WAIT) -> float:
    """Poll pg_isready every 50 ms; return the moment it first said yes."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if pg_ready():
            return time.monotonic()
        time.sleep(0.05)
    raise BenchError(f"PostgreSQL on {PG_HOST}:{PG_PORT} not ready after {limit:.0f} s")


def checkpoint() -> None:
    """Flush dirty pages while the server is still up, so the shutdown checkpoint (and the outage) is short."""
    with contextlib.suppress(BenchError):
        run([*superuser_psql(), "-d", "postgres", "-c", "CHECKPOINT"], timeout=120)


def pg_ctl(action: str) -> None:
    run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_NAME, action], timeout=120)


def ensure_pg_running() -> None:
    """Whatever happened, leave the shared server up."""
    if pg_ready():
        return
    log(f"PostgreSQL is down: starting cluster {PG_VERSION}/{PG_NAME}")
    try:
        pg_ctl("start")
    except BenchError as exc:
        log(f"start reported: {exc}")  # it may already be starting; wait anyway
    wait_pg_ready()
    log("PostgreSQL is running")


@functools.cache
def superuser_psql() -> list[str]:
    """A psql command line for the superuser: TCP as postgres, else the postgres OS user (as pg-setup.sh)."""
    tcp = ["psql", "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG_HOST, "-p", PG_PORT, "-U", "postgres"]
    probe = subprocess.run([*tcp, "-d", "postgres", "-Atc", "SELECT 1"], capture_output=True, check=False)  # noqa: S603
    if probe.returncode == 0:
        return tcp
    return ["runuser", "-u", "postgres", "--", "psql", "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "-p", PG_PORT]


def create_database(psql: list[str]) -> None:
    run([*psql, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'])
    run([*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{DB_NAME}" OWNER "{DB_ROLE}"'])
    extensions = ["-c", "CREATE EXTENSION IF NOT EXISTS pg_trgm", "-c", "CREATE EXTENSION IF NOT EXISTS unaccent"]
    run([*psql, "-d", DB_NAME, *extensions])


def drop_database(psql: list[str]) -> None:
    with contextlib.suppress(BenchError):
        run([*psql, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'])
