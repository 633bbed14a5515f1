"""A record that leaves "published", however that happens, takes its names out of other records' documents at once.

A document carries the titles and aliases of the public records linked to its record (``related`` and
``backlinked``, migration 0012). The write path rewrites those documents when it changes a record, but a bulk
``update()``, the shell or raw SQL does not pass through it; without this, a record made a draft that way would
still make its neighbours findable by its name, telling a searcher it exists. So a trigger on every record table
removes the lines naming it (its title and its aliases) from every document that has them, in the same
transaction as the status change.

The triggers come from the registry, installed after every migrate (post_migrate) and dropped before one
(pre_migrate: on SQLite, a migration that rebuilds a table would otherwise find triggers naming tables that are
briefly gone). A deleted record is left to ``records_delete``, which refreshes what it linked: a trigger per
deleted row would scan every document, and deletes of thousands of demo records would take hours. A record renamed
beside the write path keeps its old, public, name in its neighbours' documents until they are reindexed.
"""

from django.db import connections

from cop_kb.records.post_migrate import sent_by_flush
from cop_kb.records.registry import record_models

# Not "search_unname_": migration 0010 names its triggers so.
PREFIX = "search_hidden_names_"

POSTGRES_FUNCTION = r"""
CREATE OR REPLACE FUNCTION search_hidden_names() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE names text[];
BEGIN
    names := ARRAY[OLD.title] || ARRAY(
        SELECT a.name FROM directory_alias a JOIN django_content_type ct ON ct.id = a.content_type_id
        WHERE ct.app_label = TG_ARGV[0] AND ct.model = TG_ARGV[1] AND a.object_id = OLD.id
    );
    UPDATE search_searchdocument d SET
        related = array_to_string(ARRAY(
            SELECT line FROM unnest(string_to_array(d.related, E'\n')) WITH ORDINALITY AS t(line, n)
            WHERE line <> ALL(names) ORDER BY n), E'\n'),
        backlinked = array_to_string(ARRAY(
            SELECT line FROM unnest(string_to_array(d.backlinked, E'\n')) WITH ORDINALITY AS t(line, n)
            WHERE line <> ALL(names) ORDER BY n), E'\n')
    WHERE EXISTS (
        SELECT 1 FROM unnest(names) AS name WHERE strpos(d.related, name) > 0 OR strpos(d.backlinked, name) > 0
    );
    RETURN NULL;
END $$
"""

# SQLite has no arrays and allows no WITH in a trigger: a document's lines are read as a JSON array (json_each)
# and joined again without the hidden record's names.
SQLITE_NAMES = """
    SELECT OLD.title AS name UNION ALL SELECT name FROM directory_alias WHERE object_id = OLD.id
    AND content_type_id = (SELECT id FROM django_content_type WHERE app_label = '{app}' AND model = '{model}')
"""
SQLITE_LINES = (
    "'[\"' || replace(replace(replace(replace({column}, '\\', '\\\\'), '\"', '\\\"'), char(9), '\\t'),"
    " char(10), '\",\"') || '\"]'"
)
SQLITE_BODY = """
    UPDATE search_searchdocument SET
        related = (SELECT coalesce(group_concat(value, char(10)), '') FROM json_each({related_lines})
                   WHERE value NOT IN ({names})),
        backlinked = (SELECT coalesce(group_concat(value, char(10)), '') FROM json_each({backlinked_lines})
                      WHERE value NOT IN ({names}))
    WHERE EXISTS (SELECT 1 FROM ({names}) AS hidden WHERE instr(search_searchdocument.related, hidden.name) > 0
                  OR instr(search_searchdocument.backlinked, hidden.name) > 0);
"""


def _statements(vendor: str, tables: list[tuple[str, str, str]]) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION] + [
            f"CREATE TRIGGER {PREFIX}{table} AFTER UPDATE OF status ON {table} FOR EACH ROW"
            f" WHEN (OLD.status = 'published' AND NEW.status <> 'published')"
            f" EXECUTE FUNCTION search_hidden_names('{app}', '{model}')"
            for table, app, model in tables
        ]
    statements = []
    for table, app, model in tables:
        body = SQLITE_BODY.format(
            names=SQLITE_NAMES.format(app=app, model=model),
            related_lines=SQLITE_LINES.format(column="search_searchdocument.related"),
            backlinked_lines=SQLITE_LINES.format(column="search_searchdocument.backlinked"),
        )
        statements.append(
            f"CREATE TRIGGER {PREFIX}{table} AFTER UPDATE OF status ON {table}"
            f" WHEN OLD.status = 'published' AND NEW.status <> 'published' BEGIN {body} END"
        )
    return statements


def hidden_names_triggers_drop(*, using: str = "default", **_kwargs) -> None:
    """Drop every trigger of this module (pre_migrate, and before installing them afresh)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS search_hidden_names() CASCADE")  # and every trigger calling it
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{PREFIX}%"])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def hidden_names_triggers_install(*, using: str = "default", **kwargs) -> None:
    """Install the triggers afresh on every registered record table (post_migrate); safe to run again."""
    if sent_by_flush(kwargs):
        return
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if "search_searchdocument" not in existing or "directory_alias" not in existing:
        return
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "search_searchdocument")
    # Migrated back before documents named their neighbours.
    if "backlinked" not in {column.name for column in description}:
        return
    tables = [
        (model._meta.db_table, model._meta.app_label, model._meta.model_name)
        for model in record_models()
        if model._meta.db_table in existing
    ]
    hidden_names_triggers_drop(using=using)
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, tables):
            cursor.execute(statement)
