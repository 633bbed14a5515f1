"""Databases of their own for tests that start real servers (``tests/test_serve.py``, ``tests/test_app_servers.py``).

Migrating a database from nothing takes 15–20 s: Django renders the models' state again after each of some four
hundred operations, and every record type links to many others. So when a run holds such a test, the test database
is kept as the migrations left it (``keep_migrated``, called by the ``django_db_setup`` in ``tests/conftest.py``
before any test can change it) and those tests start from copies of it: a SQLite file, or a PostgreSQL database made
from it as a template. ``manage.py migrate`` then finds nothing to do, as on a deployed database.
"""

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection, connections


def _admin() -> dict:
    params = connection.settings_dict
    return {"host": params["HOST"], "port": params["PORT"], "user": params["USER"], "password": params["PASSWORD"]}


def postgres_url(name: str) -> str:
    """The address of database ``name`` on the run's PostgreSQL server, as the run's own account (its user name and
    password quoted, so that an ``@``, ``:`` or ``/`` in them reads back as itself; an IPv6 host in brackets, a
    socket directory quoted, no port when the server's is the default)."""
    params = connection.settings_dict
    account = f"{quote(params['USER'] or '', safe='')}:{quote(params['PASSWORD'] or '', safe='')}"
    host = params["HOST"] or ""
    host = f"[{host}]" if ":" in host else quote(host, safe="")
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{account}@{host}{port}/{name}"


def recreate(name: str, template: str = "") -> None:
    """Database ``name`` made afresh, empty or as a copy of ``template`` (which no session may be connected to)."""
    _on_server(_drop_sql(name), f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop(name: str) -> None:
    _on_server(_drop_sql(name))


def _drop_sql(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


def _on_server(*statements: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_admin()) as server:
        for statement in statements:
            server.execute(statement)


def keep_migrated(folder: Path) -> str:
    """A copy of the test database as it is now: a file in ``folder`` on SQLite (the test database lives in memory),
    a database named after the test database on PostgreSQL. Returns the file's path or the database's name."""
    if connection.vendor == "sqlite":
        path = folder / "migrated.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as target:
            connection.connection.backup(target)
        return str(path)
    name = f"{connection.settings_dict['NAME']}_migrated"
    # A template must have no sessions; Django connects again when a test next asks.
    connections.close_all()
    recreate(name, template=connection.settings_dict["NAME"])
    return name


def url_of(where: str) -> str:
    """The ``DATABASE_URL`` of a SQLite file's path or a PostgreSQL database's name, whichever the run uses."""
    return f"sqlite:///{where}" if connection.vendor == "sqlite" else postgres_url(where)


@contextlib.contextmanager
def copied(source: str, name: str, folder: Path) -> Iterator[str]:
    """A database of its own copied from ``source`` (the kept migrated copy, or another such copy): the file
    ``folder/<name>.sqlite3`` on SQLite, the database ``<test database>_<name>`` on PostgreSQL, dropped afterwards.
    Yields where it is, for ``url_of`` (or for copying it again)."""
    if connection.vendor == "sqlite":
        path = folder / f"{name}.sqlite3"
        shutil.copyfile(source, path)
        yield str(path)
        return
    target = f"{connection.settings_dict['NAME']}_{name}"
    recreate(target, template=source)
    try:
        yield target
    finally:
        drop(target)
