"""Small readers for settings that come from the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything unexpected is an error rather than a silent guess."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole number of zero or more; anything else is an error rather than a silent guess."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return int(value)


# WAL lets readers carry on while an editor writes; the busy timeout waits out short locks.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
SUPPORTED_SCHEMES = {"sqlite", "postgres", "postgresql"}
# PostgreSQL's JIT compiler spends far longer compiling than our short queries take to run. Parallel workers take
# milliseconds to start and, on an app server, compete for the cores with the other requests: run in-process and
# alternated request by request with them allowed, the explore pages of programmes, partnerships and activities at
# 100,000 records took 0.58-0.80 of the time without them (an organisation with thousands of links 0.87-0.91), and
# no page took clearly longer.
POSTGRES_SERVER_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"
POSTGRES_PREPARE_THRESHOLD = 2


def database_from_url(url: str | None, sqlite_path: Path, variable: str = "DATABASE_URL") -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    Unset means the embedded SQLite file ``sqlite_path``. Otherwise dj-database-url reads the standard forms:
    ``sqlite:///relative/kb.sqlite3``, ``sqlite:////absolute/kb.sqlite3``, ``sqlite://:memory:`` and
    ``postgres://user:pass@host:port/name?sslmode=require`` (query parameters go to the driver). PostgreSQL
    connections are persistent and health-checked, so a restarted server is reconnected to transparently.
    """
    if url:
        try:
            scheme = urlsplit(url).scheme
            if scheme not in SUPPORTED_SCHEMES:
                raise ImproperlyConfigured(
                    f"{variable} scheme {scheme!r} is not supported (use postgres:// or sqlite://)"
                )
            db = dict(dj_database_url.parse(url))
        except ValueError:
            # The library's own messages may quote the URL, password included.
            raise ImproperlyConfigured(
                f"{variable} is not a valid database URL (quote special characters in the password)"
            ) from None
    else:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_path}
    # Opening a connection costs from a millisecond (SQLite) to many (PostgreSQL): keep it open across requests.
    db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    options = db.setdefault("OPTIONS", {})
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {**SQLITE_OPTIONS, **options}
    else:
        db["CONN_HEALTH_CHECKS"] = True
        options.setdefault("options", POSTGRES_SERVER_OPTIONS)
        # Statements bound on the server and prepared from their second run, per connection: the reads a page runs
        # are the same statements request after request (``cop_kb/records/batch.py``), and PostgreSQL planned the
        # largest of them in 1-3.5 ms, longer than it took to run them. Django leaves preparing off for connection
        # poolers in transaction mode (PgBouncer before 1.21): DATABASE_PREPARED_STATEMENTS=false does the same.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", POSTGRES_PREPARE_THRESHOLD)
    return db


# libpq's (and psycopg's) shortest connect timeout: 1 would be read as 2.
REPLICA_CONNECT_TIMEOUT = 2


def replica_from_url(url: str, primary: dict) -> dict:
    """Turn DATABASE_REPLICA_URL into the ``replica`` DATABASES entry: a PostgreSQL standby of ``primary``.

    It gives up connecting after ``REPLICA_CONNECT_TIMEOUT`` seconds unless the URL says otherwise (pages then read
    the primary, see cop_kb/replica.py). Under tests it mirrors the primary, so pytest makes no database for it.
    """
    if primary["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL (a replica of it)")
    db = database_from_url(url, Path("unused"), variable="DATABASE_REPLICA_URL")
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL")
    db["OPTIONS"].setdefault("connect_timeout", REPLICA_CONNECT_TIMEOUT)
    db["TEST"] = {"MIRROR": "default"}
    return db
