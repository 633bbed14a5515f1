"""Settings read from the environment: DATABASE_URL parsing, yes/no variables, SQLite WAL, prod refusals."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.db import connection, connections
from django.db.utils import ConnectionHandler

from cop_kb.replica import PrimaryReplicaRouter, ReplicaReadsMiddleware
from cop_kb.settings.env import (
    POSTGRES_PREPARE_THRESHOLD,
    POSTGRES_SERVER_OPTIONS,
    REPLICA_CONNECT_TIMEOUT,
    database_from_url,
    env_bool,
    env_list,
    replica_from_url,
)

from .servers import python

BASE_DIR = Path(__file__).resolve().parent.parent
# What every PostgreSQL connection is given unless told otherwise.
POSTGRES_DEFAULTS = {
    "options": POSTGRES_SERVER_OPTIONS,
    "server_side_binding": True,
    "prepare_threshold": POSTGRES_PREPARE_THRESHOLD,
}


# ---- database_from_url --------------------------------------------------------------------------------------


def test_unset_url_means_sqlite_file_in_wal_mode_kept_open(monkeypatch, tmp_path):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    path = tmp_path / "db.sqlite3"
    for url in (None, ""):
        db = database_from_url(url, path)
        assert db["ENGINE"] == "django.db.backends.sqlite3"
        assert db["NAME"] == path
        assert db["CONN_MAX_AGE"] == 60
        init = db["OPTIONS"]["init_command"]
        assert "PRAGMA journal_mode=WAL" in init
        assert "PRAGMA synchronous=NORMAL" in init
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert db["OPTIONS"]["timeout"] == 20


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:///kb.sqlite3", "kb.sqlite3"),
        ("sqlite:///data/kb.sqlite3", "data/kb.sqlite3"),
        ("sqlite:////srv/cop-kb/kb.sqlite3", "/srv/cop-kb/kb.sqlite3"),
        ("sqlite:////srv/cop%20kb/kb.sqlite3", "/srv/cop kb/kb.sqlite3"),
        ("sqlite://:memory:", ":memory:"),
        ("sqlite://", ":memory:"),
    ],
    ids=["relative", "relative folder", "absolute", "absolute quoted", "in memory", "in memory short"],
)
def test_sqlite_url_names_relative_absolute_or_in_memory_database(monkeypatch, tmp_path, url, name):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    db = database_from_url(url, tmp_path / "default.sqlite3")

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == name
    assert db["CONN_MAX_AGE"] == 60
    assert db["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


def test_absolute_sqlite_url_opens_that_file(tmp_path, django_db_blocker):
    """The server starts on an absolute path: the file is created there, not under the working directory."""
    path = tmp_path / "absolute" / "kb.sqlite3"
    path.parent.mkdir()
    handler = ConnectionHandler({"default": database_from_url(f"sqlite:///{path}", BASE_DIR / "unused.sqlite3")})
    try:
        with django_db_blocker.unblock(), handler["default"].cursor() as cursor:
            cursor.execute("CREATE TABLE probe (id integer)")
    finally:
        handler.close_all()
    assert path.exists()


def test_postgres_url_gives_every_part(monkeypatch, tmp_path):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    db = database_from_url("postgres://kb_user:s%40cret@db.example.org:6543/kb?sslmode=require", tmp_path / "x")
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "kb",
        "USER": "kb_user",
        "PASSWORD": "s@cret",
        "HOST": "db.example.org",
        "PORT": 6543,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": False,
        "OPTIONS": {"sslmode": "require", **POSTGRES_DEFAULTS},
    }


def test_postgres_url_options_are_passed_to_the_driver(monkeypatch, tmp_path):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    db = database_from_url(
        "postgresql://kb:pw@10.0.0.5/kb_live?sslmode=verify-full&connect_timeout=5&application_name=cop-kb",
        tmp_path / "x",
    )
    assert db["OPTIONS"] == {
        "sslmode": "verify-full",
        "connect_timeout": 5,
        "application_name": "cop-kb",
        **POSTGRES_DEFAULTS,
    }


def test_postgres_url_may_set_its_own_server_options(tmp_path):
    db = database_from_url("postgres://kb:pw@db/kb?options=-c%20statement_timeout%3D5000", tmp_path / "x")
    assert db["OPTIONS"] == {**POSTGRES_DEFAULTS, "options": "-c statement_timeout=5000"}


def test_postgresql_scheme_minimal_url_and_conn_max_age_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CONN_MAX_AGE", "0")
    db = database_from_url("postgresql://localhost/kb", tmp_path / "x")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("kb", "", "", "localhost", "")
    assert db["CONN_MAX_AGE"] == 0
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["OPTIONS"] == POSTGRES_DEFAULTS


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    db = database_from_url("postgresql://localhost/kb", tmp_path / "x")
    assert db["OPTIONS"] == {"options": POSTGRES_SERVER_OPTIONS}


@pytest.mark.parametrize("raw", ["sixty", "-1", "1.5"])
def test_conn_max_age_must_be_a_whole_number_of_seconds(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("CONN_MAX_AGE", raw)
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE must be a whole number"):
        database_from_url("postgres://localhost/kb", tmp_path / "x")


def test_malformed_url_is_an_error_that_does_not_repeat_the_password(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not a valid database URL") as error:
        database_from_url("postgres://kb:hunter2@db.example.org:port/kb", tmp_path / "x")
    assert "hunter2" not in str(error.value)


@pytest.mark.parametrize("url", ["mysql://u:p@localhost/kb", "redis://localhost:6379/0", "kb"])
def test_unsupported_scheme_is_an_error(url, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        database_from_url(url, tmp_path / "x")


# ---- env_bool / env_list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("false", False), ("No", False)],
)
def test_env_bool_reads_yes_and_no(monkeypatch, raw, expected):
    monkeypatch.setenv("KB_FLAG", raw)
    assert env_bool("KB_FLAG", not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_empty_gives_default(monkeypatch, default):
    monkeypatch.delenv("KB_FLAG", raising=False)
    assert env_bool("KB_FLAG", default) is default
    monkeypatch.setenv("KB_FLAG", "")
    assert env_bool("KB_FLAG", default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "yes please"])
def test_env_bool_refuses_garbage(monkeypatch, raw):
    monkeypatch.setenv("KB_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="KB_FLAG must be true or false"):
        env_bool("KB_FLAG", False)


def test_env_list(monkeypatch):
    monkeypatch.delenv("KB_LIST", raising=False)
    assert env_list("KB_LIST", ["a"]) == ["a"]
    monkeypatch.setenv("KB_LIST", " example.org, ,www.example.org ,")
    assert env_list("KB_LIST", ["a"]) == ["example.org", "www.example.org"]


# ---- the running database -------------------------------------------------------------------------------------


def test_sqlite_file_connection_is_in_wal_mode(tmp_path, django_db_blocker):
    """A real connection to a database file, made the way settings make it, runs in WAL mode.

    It is a separate connection to a throwaway file, so it is let past pytest-django's database blocker.
    """
    handler = ConnectionHandler({"default": database_from_url(None, tmp_path / "wal.sqlite3")})
    conn = handler["default"]
    try:
        with django_db_blocker.unblock(), conn.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20_000
    finally:
        handler.close_all()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
@pytest.mark.django_db
def test_running_sqlite_connection_journal_mode():
    """The test database pytest-django makes is in memory, where SQLite ignores WAL and reports 'memory';
    a file database (as in `make run`) must report 'wal' (also checked on a temporary file above)."""
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    assert mode == ("memory" if connection.is_in_memory_db() else "wal")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db
def test_postgres_test_database_has_search_extensions():
    """scripts/pg-setup.sh puts pg_trgm and unaccent in template1, so the test database is born with them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent')")
        assert {row[0] for row in cursor.fetchall()} == {"pg_trgm", "unaccent"}
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db
def test_postgres_connections_plan_without_jit_or_parallel_workers():
    """Every connection the site opens asks PostgreSQL for plans without JIT compilation or parallel workers, which
    cost a page more than they save (``POSTGRES_SERVER_OPTIONS``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == ("off", "0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db
def test_postgres_connections_prepare_a_statement_run_again():
    """A page's reads are the same statements request after request: bound on the server, a statement is prepared
    on this connection from its second run, so PostgreSQL no longer parses it (nor, once it settles on a generic
    plan, plans it) every time."""
    statement = "SELECT count(*) FROM django_content_type WHERE app_label = %s"
    with connection.cursor() as cursor:
        for label in ("directory", "instruments", "strategy"):
            cursor.execute(statement, [label])
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%django_content_type%"])
        assert cursor.fetchone() == (1,)


# ---- production settings ---------------------------------------------------------------------------------------


def _import_prod(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_overrides)
    return python("-c", "import cop_kb.settings.prod", env=env)


def test_prod_settings_refuse_to_import_without_secret_key():
    result = _import_prod()
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment for production" in result.stderr


def test_prod_settings_refuse_to_import_without_allowed_hosts_or_database_url():
    result = _import_prod(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set in the environment for production" in result.stderr
    result = _import_prod(SECRET_KEY="x" * 50, ALLOWED_HOSTS="kb.example.org")
    assert result.returncode != 0
    assert "DATABASE_URL must be set in the environment for production" in result.stderr


def test_prod_settings_import_when_everything_is_set():
    result = _import_prod(
        SECRET_KEY="x" * 50, ALLOWED_HOSTS="kb.example.org", DATABASE_URL="postgres://u:p@127.0.0.1:5432/kb"
    )
    assert result.returncode == 0, result.stderr


# ---- the read replica -------------------------------------------------------------------------------------------

PRIMARY = database_from_url("postgres://kb:pw@127.0.0.1:5432/kb", BASE_DIR / "unused")

SHOW_DATABASES = """
import json
from django.conf import settings
print(json.dumps({"aliases": sorted(settings.DATABASES), "routers": settings.DATABASE_ROUTERS,
                  "replica": settings.DATABASES.get("replica")}, default=str))
"""


def _settings_with(**env_overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "cop_kb.settings.dev", **env_overrides}
    result = python("-c", "import django; django.setup()\n" + SHOW_DATABASES, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_replica_url_there_is_one_database_and_no_router():
    shown = _settings_with(DATABASE_URL="postgres://kb:pw@127.0.0.1:5432/kb")
    assert shown == {"aliases": ["default"], "routers": [], "replica": None}


def test_a_replica_url_adds_the_replica_alias_and_its_router():
    shown = _settings_with(
        DATABASE_URL="postgres://kb:pw@127.0.0.1:5432/kb", DATABASE_REPLICA_URL="postgres://kb:pw@127.0.0.1:5433/kb"
    )
    assert shown["aliases"] == ["default", "replica"]
    assert shown["routers"] == ["cop_kb.replica.PrimaryReplicaRouter"]
    assert (shown["replica"]["HOST"], shown["replica"]["PORT"], shown["replica"]["NAME"]) == ("127.0.0.1", 5433, "kb")


def test_replica_gives_up_connecting_quickly_unless_its_url_says_otherwise():
    replica = replica_from_url("postgres://kb:pw@127.0.0.1:5433/kb", PRIMARY)
    assert replica["OPTIONS"] == {"connect_timeout": REPLICA_CONNECT_TIMEOUT, **POSTGRES_DEFAULTS}
    assert replica["CONN_HEALTH_CHECKS"] is True
    # Under tests it is the primary's test database, so pytest-django neither creates nor flushes it.
    assert replica["TEST"] == {"MIRROR": "default"}
    slower = replica_from_url("postgres://kb:pw@127.0.0.1:5433/kb?connect_timeout=10", PRIMARY)
    assert slower["OPTIONS"]["connect_timeout"] == 10


def test_replica_must_be_postgres_and_follow_a_postgres_primary(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL must be a postgres:// URL"):
        replica_from_url("sqlite:///replica.sqlite3", PRIMARY)
    with pytest.raises(ImproperlyConfigured, match="needs a PostgreSQL DATABASE_URL"):
        replica_from_url("postgres://kb:pw@127.0.0.1:5433/kb", database_from_url(None, tmp_path / "kb.sqlite3"))


def test_malformed_replica_url_is_named_as_such_without_its_password():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL is not a valid database URL") as error:
        replica_from_url("postgres://kb:hunter2@db.example.org:port/kb", PRIMARY)
    assert "hunter2" not in str(error.value)


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "instruments") is True
    assert router.allow_migrate("replica", "instruments") is False
    assert router.db_for_write(object) == "default"


def test_without_a_replica_the_routing_middleware_removes_itself():
    assert "replica" not in connections
    with pytest.raises(MiddlewareNotUsed):
        ReplicaReadsMiddleware(lambda request: None)
