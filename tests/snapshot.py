"""The test database's rows kept aside and put back in one step: the framework is loaded once per run, not per test.

Loading the framework (170 records, their links, revisions, audit events and search documents, through the real
write path) costs 3,561 queries, seconds on PostgreSQL. Tests that only need it loaded get its rows copied back
instead: on SQLite with the backup API (the whole in-memory database, page by page), on PostgreSQL from a copy of
every table in a schema of the test database's own (``INSERT … SELECT``, with the tables' own triggers off, since the
rows they would write, search documents, facet counts and the content version, are copied too). What a test sees is
the database as ``load_framework`` left it, rows, ids and search index alike; only the content version's token is
new, as it would be after a fresh load, so no cache keyed on it outlives a test.
"""

import io
import sqlite3

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from cop_kb.records.content_version import content_changing


class Snapshot:
    """Every Django table's rows (and PostgreSQL's sequences) at the moment of ``take``; ``restore`` puts them back.

    Restoring replaces whatever the tables hold. It needs no open transaction on SQLite (the backup API replaces the
    database); on PostgreSQL it may run inside one, which then undoes it on rollback.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._copy: sqlite3.Connection | None = None
        self._restore_sql = ""

    def take(self) -> None:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self._copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self._copy)
            return
        tables = _tables()
        schema = connection.ops.quote_name(self.name)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
            cursor.execute("".join(f"CREATE TABLE {schema}.{table} AS TABLE {table};" for table in tables))
            cursor.execute(
                "SELECT quote_ident(sequencename), last_value FROM pg_sequences WHERE schemaname = current_schema()"
            )
            sequences = cursor.fetchall()
            self._restore_sql = _postgres_restore_sql(cursor, schema, tables, sequences)

    def restore(self) -> None:
        if connection.vendor == "sqlite":
            if connection.in_atomic_block:
                raise RuntimeError("a SQLite snapshot is restored outside transactions (transaction=True tests)")
            connection.ensure_connection()
            self._copy.backup(connection.connection)
        else:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(self._restore_sql)
        # A new token, as a fresh load would leave: pages cached under the last one never answer for this test.
        with transaction.atomic():
            content_changing()
        forget_content_types()

    def drop(self) -> None:
        if connection.vendor == "sqlite":
            self._copy.close()
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA {connection.ops.quote_name(self.name)} CASCADE")


def forget_content_types() -> None:
    """Django keeps content types by id in memory; the ids in the tables have just changed under it."""
    ContentType.objects.clear_cache()


def _tables() -> list[str]:
    """Every Django table (what ``flush`` empties), quoted."""
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return [connection.ops.quote_name(name) for name in sorted(names)]


def _postgres_restore_sql(cursor, schema: str, tables: list[str], sequences) -> str:
    """One script: every table emptied and refilled from the snapshot with its triggers off, sequences set."""
    refill = []
    for table in tables:
        # Generated columns are computed again from the rest; the others are copied as they were.
        cursor.execute(
            "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            [table],
        )
        columns = ", ".join(name for (name,) in cursor.fetchall())
        refill.append(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {schema}.{table}")  # noqa: S608
    setvals = [
        f"SELECT setval('{name}', {value}, true)" if value is not None else f"SELECT setval('{name}', 1, false)"
        for name, value in sequences
    ]
    return _replace_rows_sql(cursor, tables, refill) + ";\n" + ";\n".join(setvals)


def _replace_rows_sql(cursor, tables: list[str], refill: list[str]) -> str:
    """Every table emptied, then the ``refill`` statements, all with the tables' own triggers off (as TRUNCATE leaves
    row triggers unfired; the rows they would write are emptied or copied too).

    DELETE rather than TRUNCATE: the tables are small, and TRUNCATE makes and removes files for every table and index,
    which took seconds on a busy machine against milliseconds for DELETE.
    """
    cursor.execute(
        "SELECT DISTINCT quote_ident(c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    )
    triggered = [name for (name,) in cursor.fetchall()]
    statements = [f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in triggered]
    statements += [f"DELETE FROM {table}" for table in tables]  # noqa: S608
    statements += refill
    # The foreign keys' checks, deferred to the commit, run now: a table with checks pending cannot be altered. Every
    # deferrable constraint is a foreign key, deferred by default, so they are deferred again afterwards.
    statements.append("SET CONSTRAINTS ALL IMMEDIATE")
    statements += [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in triggered]
    statements.append("SET CONSTRAINTS ALL DEFERRED")
    return ";\n".join(statements)


def sql_flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False) -> list[str]:
    """PostgreSQL's ``flush`` for tests (what a ``transaction=True`` test runs after itself): the same empty tables as
    Django's TRUNCATE, by DELETE with the triggers off (``_replace_rows_sql``). Resetting sequences or cascading
    to tables outside the list are left to Django's own."""
    if reset_sequences or allow_cascade or not tables:
        return PostgresOperations.sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    with self.connection.cursor() as cursor:
        return [_replace_rows_sql(cursor, [self.quote_name(table) for table in tables], [])]


def framework_snapshot(*, flushed: bool) -> Snapshot:
    """The framework loaded and kept as a snapshot: into a flushed database (as a ``transaction=True`` test leaves
    it) or over the rows the database holds (those the migrations made, since pytest-django runs the tests that
    commit last).

    The database is left as it was found: its rows are kept aside first and put back at the end.
    """
    if connection.in_atomic_block:
        raise RuntimeError("the framework's snapshot is taken outside transactions")
    before = Snapshot("test_snapshot_before")
    before.take()
    if flushed:
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    call_command("load_framework", stdout=io.StringIO())
    loaded = Snapshot("test_snapshot_framework_flushed" if flushed else "test_snapshot_framework")
    loaded.take()
    before.restore()
    before.drop()
    return loaded
