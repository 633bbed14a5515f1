"""The index drops facet values that name a record the moment that record stops being public.

A country and a strategic area are facet values of the records linked to them (``search_facet_self``). Migration
0004's triggers drop a hidden record's own document, but the facet rows of the records linked to it named it still
until those were reindexed, which a bulk update, the shell or raw SQL never does: ``?country=<slug>`` then found
them, and so told that a hidden country exists. These triggers delete every facet row naming such a record when it
is deleted or its status changes to anything but published, and give the index a new token (migration 0006) so no
cached search outlives them.

The list of tables is history: ``cop_kb/search/visibility.py`` now installs these triggers on every registered type
with a ``search_facet_self`` after each migrate.
"""

from django.db import migrations

FACET_RECORD_TABLES = [
    ("directory", "country", "country"),
    ("strategy", "strategicarea", "strategic_area"),
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION search_drop_hidden_facet_value() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
        DELETE FROM search_searchfacet WHERE facet = TG_ARGV[0] AND value = OLD.slug;
        IF FOUND THEN
            INSERT INTO search_indexstate (id, token) VALUES (1, gen_random_uuid()::text)
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
        END IF;
    END IF;
    RETURN NULL;
END $$
"""

# changes() is the number of rows the trigger's DELETE just removed: the token changes only when a value went.
SQLITE_BODY = """
    DELETE FROM search_searchfacet WHERE facet = '{facet}' AND value = OLD.slug;
    INSERT INTO search_indexstate (id, token) SELECT 1, lower(hex(randomblob(16))) WHERE changes() > 0
    ON CONFLICT (id) DO UPDATE SET token = excluded.token;
"""


def _forward(schema_editor) -> list[str]:
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES_FUNCTION] if vendor == "postgresql" else []
    for app, model, facet in FACET_RECORD_TABLES:
        table = f"{app}_{model}"
        if vendor == "postgresql":
            statements.append(
                f"CREATE TRIGGER search_unname_{table} AFTER UPDATE OF status OR DELETE ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION search_drop_hidden_facet_value('{facet}')"
            )
        else:
            body = SQLITE_BODY.format(facet=facet)
            statements.append(
                f"CREATE TRIGGER search_unname_{table}_update AFTER UPDATE OF status ON {table}"
                f" WHEN NEW.status <> 'published' BEGIN {body} END"
            )
            statements.append(f"CREATE TRIGGER search_unname_{table}_delete AFTER DELETE ON {table} BEGIN {body} END")
    return statements


def _backward(schema_editor) -> list[str]:
    vendor = schema_editor.connection.vendor
    statements = []
    for app, model, _facet in FACET_RECORD_TABLES:
        table = f"{app}_{model}"
        if vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS search_unname_{table} ON {table}")
        else:
            statements += [
                f"DROP TRIGGER IF EXISTS search_unname_{table}_update",
                f"DROP TRIGGER IF EXISTS search_unname_{table}_delete",
            ]
    if vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS search_drop_hidden_facet_value()")
    return statements


def forwards(apps, schema_editor):
    for statement in _forward(schema_editor):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in _backward(schema_editor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0009_fewer_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
