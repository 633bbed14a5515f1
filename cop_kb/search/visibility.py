"""A record that stops being public, however that happens, leaves the index at once: its own document and facet rows,
and the facet rows that name it as a value (``?country=<slug>``).

The write path reindexes what it changes, but a bulk ``update()``, the shell or raw SQL does not pass through it; a
trigger on every record table does the same in the database, in the transaction that hides the record, so the index
never holds a hidden record and a search need not check. Migrations 0004 and 0010 first installed them from lists
of tables; they now come from the registry, installed after every migrate (post_migrate) and dropped before one
(pre_migrate), like the hidden names' triggers: a record type registered later gets them with no migration of its
own, and a migration that rebuilds a record table on SQLite (which drops its triggers) cannot leave it without them.
"""

from django.db import connections

from cop_kb.records.post_migrate import sent_by_flush
from cop_kb.records.registry import record_models

HIDE_PREFIX = "search_hide_"
UNNAME_PREFIX = "search_unname_"

# Keep their names: migrations 0004 and 0011 created them, and installing afresh replaces them.
POSTGRES_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION search_drop_hidden_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
        DELETE FROM search_searchfacet WHERE document_id IN (
            SELECT d.id FROM search_searchdocument d JOIN django_content_type ct ON ct.id = d.content_type_id
            WHERE ct.app_label = TG_ARGV[0] AND ct.model = TG_ARGV[1] AND d.object_id = OLD.id
        );
        DELETE FROM search_searchdocument d USING django_content_type ct
        WHERE ct.id = d.content_type_id AND ct.app_label = TG_ARGV[0] AND ct.model = TG_ARGV[1]
          AND d.object_id = OLD.id;
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION search_drop_hidden_facet_value() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
        DELETE FROM search_searchfacet WHERE facet = TG_ARGV[0] AND value = OLD.slug;
    END IF;
    RETURN NULL;
END $$
""",
]

SQLITE_HIDE_BODY = """
    DELETE FROM search_searchfacet WHERE document_id IN (
        SELECT d.id FROM search_searchdocument d JOIN django_content_type ct ON ct.id = d.content_type_id
        WHERE ct.app_label = '{app}' AND ct.model = '{model}' AND d.object_id = OLD.id
    );
    DELETE FROM search_searchdocument WHERE object_id = OLD.id AND content_type_id = (
        SELECT id FROM django_content_type WHERE app_label = '{app}' AND model = '{model}'
    );
"""
SQLITE_UNNAME_BODY = "DELETE FROM search_searchfacet WHERE facet = '{facet}' AND value = OLD.slug;"


def _sqlite_pair(prefix: str, table: str, body: str) -> list[str]:
    """The two SQLite triggers (status leaves "published", row deleted) running ``body``."""
    return [
        f"CREATE TRIGGER {prefix}{table}_update AFTER UPDATE OF status ON {table}"
        f" WHEN NEW.status <> 'published' BEGIN {body} END",
        f"CREATE TRIGGER {prefix}{table}_delete AFTER DELETE ON {table} BEGIN {body} END",
    ]


def _statements(vendor: str, models: list) -> list[str]:
    statements = list(POSTGRES_FUNCTIONS) if vendor == "postgresql" else []
    for model in models:
        table, app, name, facet = (
            model._meta.db_table,
            model._meta.app_label,
            model._meta.model_name,
            model.search_facet_self,
        )
        if vendor == "postgresql":
            statements.append(
                f"CREATE TRIGGER {HIDE_PREFIX}{table} AFTER UPDATE OF status OR DELETE ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION search_drop_hidden_record('{app}', '{name}')"
            )
            if facet:
                statements.append(
                    f"CREATE TRIGGER {UNNAME_PREFIX}{table} AFTER UPDATE OF status OR DELETE ON {table}"
                    f" FOR EACH ROW EXECUTE FUNCTION search_drop_hidden_facet_value('{facet}')"
                )
            continue
        statements += _sqlite_pair(HIDE_PREFIX, table, SQLITE_HIDE_BODY.format(app=app, model=name))
        if facet:
            statements += _sqlite_pair(UNNAME_PREFIX, table, SQLITE_UNNAME_BODY.format(facet=facet))
    return statements


def visibility_triggers_drop(*, using: str = "default", **_kwargs) -> None:
    """Drop every trigger of this module, on whichever tables carry them (pre_migrate, and before installing)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s OR tgname LIKE %s",
                [f"{HIDE_PREFIX}%", f"{UNNAME_PREFIX}%"],
            )
            for name, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            return
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE %s OR name LIKE %s)",
            [f"{HIDE_PREFIX}%", f"{UNNAME_PREFIX}%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def visibility_triggers_install(*, using: str = "default", **kwargs) -> None:
    """Install the triggers afresh on every registered record table (post_migrate); safe to run again."""
    if sent_by_flush(kwargs):
        return
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if not {"search_searchdocument", "search_searchfacet", "django_content_type"} <= existing:
        return
    models = [model for model in record_models() if model._meta.db_table in existing]
    visibility_triggers_drop(using=using)
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, models):
            cursor.execute(statement)
