"""One content version for the whole site: a row whose token the database replaces whenever anything public can
change.

Every public page is cached under this token (``cop_kb.page_cache``), so no page outlives the data it was built
from. The database replaces it, not the services: triggers on every table a public page reads (each record type's
table, its link and through tables, aliases, sources, tags, and what other apps add with ``content_watch``, such as
the search index and its synonyms) fire on every write, whoever makes it: a workflow step, the admin, an import, a
bulk update, the shell. The token is random rather than a counter, so a rolled-back transaction or a restored backup
never brings back a token that names older content. It changes in the writing transaction, so it becomes visible
together with the change, on the primary and on a replica alike.

The triggers are (re)installed after every ``migrate`` (``install_content_triggers``, on post_migrate), from the
registry of record types: a new record type is covered without touching this module. PostgreSQL's fire BEFORE each
statement, so a writer takes the token's row before any row it writes: writers queue on it rather than each holding
rows the other wants next (a transaction's later statements change a mark of its own, ``POSTGRES_FUNCTIONS``).
SQLite, which has no statement triggers and only one writer at a time, fires per row.
"""

import datetime
import uuid

from django.db import InterfaceError, OperationalError, connections, models, router
from django.utils.translation import gettext_lazy as _

from .links import typed_link_relations
from .post_migrate import sent_by_flush
from .registry import record_models


class ContentVersion(models.Model):
    """The site's content version: ``token`` changes with every write to public content, ``changed_at`` says when
    (on PostgreSQL, when the latest writing transaction took the row: its first write)."""

    token = models.CharField(max_length=36)
    changed_at = models.DateTimeField()

    class Meta:
        app_label = "directory"
        verbose_name = _("content version")
        default_permissions = ()

    def __str__(self) -> str:
        return self.token


_watched: list[type[models.Model]] = []


def content_watch(*watched: type[models.Model]) -> None:
    """Also change the token on every write to these models' tables (called by apps when Django starts)."""
    for model in watched:
        if model not in _watched:
            _watched.append(model)


def _record_tables(model) -> list[str]:
    """A record type's own table (and its parents'), its many-to-many through tables and its typed link tables."""
    tables = [model._meta.db_table, *(parent._meta.db_table for parent in model._meta.get_parent_list())]
    tables += [field.remote_field.through._meta.db_table for field in model._meta.many_to_many]
    tables += [typed._meta.db_table for _accessor, typed, _field in typed_link_relations(model)]
    return tables


def watched_tables() -> list[str]:
    """Every table a public page may read, without duplicates, in a stable order."""
    from taggit.models import Tag, TaggedItem

    from .models import Alias, Source

    tables = []
    for model in record_models():
        tables += _record_tables(model)
    tables += [watched._meta.db_table for watched in (Alias, Source, Tag, TaggedItem, *_watched)]
    return list(dict.fromkeys(tables))


# PostgreSQL: the first write of a transaction takes the token's row and gives it a new token; every write, the first
# included, also puts a new random mark and the time in a setting local to the transaction, which the writing session
# reads with the token (``POSTGRES_READ``). Rewriting the row on every statement left one version of it per statement
# until the transaction ended, and every later read or write of the row walked them all: 1.4 ms a read after loading
# the framework in one transaction. Other sessions see the new token once the transaction commits; a rolled-back
# savepoint takes its writes' mark with it (and the row's new version, if the transaction's first write was in it).
# The row's time is when the transaction took it, read once the row is locked, so it never goes back: a writer that
# waited for another's commit is later than it.
POSTGRES_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION content_changing() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('cop_kb.content_change', true), '') = '' THEN
        INSERT INTO directory_contentversion (id, token, changed_at)
        VALUES (1, gen_random_uuid()::text, clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET
            token = EXCLUDED.token,
            changed_at = greatest(clock_timestamp(), directory_contentversion.changed_at + interval '1 microsecond');
    END IF;
    PERFORM set_config('cop_kb.content_change', gen_random_uuid()::text || '|' || clock_timestamp()::text, true);
END $$
""",
    """
CREATE OR REPLACE FUNCTION content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM content_changing();
    RETURN NULL;
END $$
""",
]
POSTGRES_READ = """
SELECT token || coalesce(':' || split_part(nullif(mark, ''), '|', 1), ''),
       coalesce(split_part(nullif(mark, ''), '|', 2)::timestamptz, changed_at)
FROM directory_contentversion, current_setting('cop_kb.content_change', true) AS mark
WHERE id = 1
"""

POSTGRES_PLAIN_READ = "SELECT token FROM directory_contentversion WHERE id = 1"

SQLITE_READ = "SELECT token, changed_at FROM directory_contentversion WHERE id = 1"

SQLITE_UPSERT = (
    "INSERT INTO directory_contentversion (id, token, changed_at)"
    " VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'))"
    " ON CONFLICT (id) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at;"
)


def _trigger_statements(vendor: str, tables: list[str]) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_FUNCTIONS + [
            f"CREATE OR REPLACE TRIGGER content_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION content_changed()"
            for table in tables
        ]
    statements = []
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"content_changed_{table}_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {SQLITE_UPSERT} END")
    return statements


def install_content_triggers(*, using: str = "default", **kwargs) -> None:
    """Install or refresh the triggers on every watched table that exists; safe to run again (post_migrate)."""
    if sent_by_flush(kwargs):
        return
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if ContentVersion._meta.db_table not in existing:  # migrated back before the version existed
        return
    tables = [table for table in watched_tables() if table in existing]
    with connection.cursor() as cursor:
        for statement in _trigger_statements(connection.vendor, tables):
            cursor.execute(statement)


def remove_content_triggers(connection) -> None:
    """Drop every trigger that writes the content version (before its table goes, when migrating back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS content_changed() CASCADE")  # and every trigger calling it
            cursor.execute("DROP FUNCTION IF EXISTS content_changing()")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'content_changed_%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def content_changing(using: str = "default") -> None:
    """Replace the token now, before a writer touches anything.

    The search index writers call this first, so two of them queue on the token's row instead of each holding
    documents the other wants next (PostgreSQL's BEFORE triggers do the same for every other writer).
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT content_changing()")
            return
        changed_at = connection.ops.adapt_datetimefield_value(datetime.datetime.now(datetime.UTC))
        cursor.execute(
            "UPDATE directory_contentversion SET token = %s, changed_at = %s WHERE id = 1",
            [uuid.uuid4().hex, changed_at],
        )


def content_version() -> tuple[str, datetime.datetime] | None:
    """The current token and when it changed, read where this request's public pages are read from; None if there is
    no row.

    Plain SQL: this runs on every anonymous request, and building the ORM query would take longer than the read.
    """
    connection = connections[router.db_for_read(ContentVersion)]
    return _checking_connection(connection, lambda: _read_version(connection))


def content_token(using: str) -> str | None:
    """The token alone, as ``content_version`` names it, read on the database driver's own connection.

    The front of the site (``cop_kb.page_cache.CachedPagesFirst``) reads it for every repeated page, and Django's
    cursor (query logging, execute wrappers, parameter conversion) took three quarters of the read: 9 of 12 µs on
    SQLite. The read is therefore not among the queries Django records. Errors are Django's all the same
    (``wrap_database_errors``).
    """
    connection = connections[using]

    def read() -> str | None:
        connection.ensure_connection()
        with connection.wrap_database_errors:
            row = _token_row(connection)
        return None if row is None else row[0]

    return _checking_connection(connection, read)


def _token_row(connection) -> tuple | None:
    """The token's row, read on PostgreSQL outside a transaction, where no write of this session's has left a mark,
    from the table alone: without the mark's functions, and the time the client would parse, the read cost 0.6–0.8
    of the full read's CPU, the server's and the client's together (bench/results.md)."""
    raw = connection.connection
    if connection.vendor != "postgresql":
        return raw.execute(SQLITE_READ).fetchone()
    if not connection.get_autocommit():  # an atomic block, or a transaction managed by hand
        return raw.execute(POSTGRES_READ).fetchone()
    return _kept_cursor(connection).execute(POSTGRES_PLAIN_READ).fetchone()


def _kept_cursor(connection):
    """One cursor a PostgreSQL connection keeps for the token's read: making one each time was about a tenth of the
    read's CPU. (SQLite's whole read takes 5 µs, its cursor's making too little to measure.)"""
    cursor = getattr(connection, "_content_token_cursor", None)
    if cursor is None or cursor.connection is not connection.connection:
        cursor = connection._content_token_cursor = connection.connection.cursor()
    return cursor


def _checking_connection(connection, read):
    """``read()`` on ``connection``, which it health-checks where persistent connections are checked.

    The token is an anonymous page's first query, so where persistent connections are health-checked
    (``CONN_HEALTH_CHECKS``, on PostgreSQL) its read is the check: Django's own would first send a ``SELECT 1``, a
    round trip to the server costing as much as the read itself, on every request. A connection the server has
    dropped (a restart) fails the read instead; it is closed and the read made once more on a new one, as the health
    check would have done. Inside a transaction a failure is the transaction's, never retried.
    """
    if connection.connection is None or connection.in_atomic_block or not connection.health_check_enabled:
        return read()
    connection.health_check_done = True
    try:
        return read()
    except (OperationalError, InterfaceError):
        connection.close()
        return read()


def _read_version(connection) -> tuple[str, datetime.datetime] | None:
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_READ if connection.vendor == "postgresql" else SQLITE_READ)
        row = cursor.fetchone()
    if row is None:
        return None
    token, changed_at = row
    if isinstance(changed_at, str):  # SQLite may hand back the text the trigger wrote
        changed_at = datetime.datetime.fromisoformat(changed_at)
    if changed_at.tzinfo is None:  # SQLite stores UTC without saying so
        changed_at = changed_at.replace(tzinfo=datetime.UTC)
    return token, changed_at
