"""The index no longer keeps a token of its own: the site's content version (``cop_kb.records.content_version``)
changes with every write to the index, its synonyms and tags, as with every other public table, and cached search
pages are keyed by it like every other page.

This drops migration 0006's triggers and ``search_indexstate``, and makes migration 0010's triggers (which drop the
facet rows naming a record that stops being public) leave the token to the content version's triggers.
"""

import importlib

from django.db import migrations

# Migration modules' names start with digits, so they are imported by name.
index_state = importlib.import_module("cop_kb.search.migrations.0006_index_state")
hidden_facets = importlib.import_module("cop_kb.search.migrations.0010_index_drops_hidden_facet_values")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION search_drop_hidden_facet_value() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
        DELETE FROM search_searchfacet WHERE facet = TG_ARGV[0] AND value = OLD.slug;
    END IF;
    RETURN NULL;
END $$
"""

SQLITE_BODY = "DELETE FROM search_searchfacet WHERE facet = '{facet}' AND value = OLD.slug;"


def _sqlite_facet_triggers() -> list[str]:
    statements = []
    for app, model, facet in hidden_facets.FACET_RECORD_TABLES:
        table = f"{app}_{model}"
        body = SQLITE_BODY.format(facet=facet)
        statements += [
            f"DROP TRIGGER IF EXISTS search_unname_{table}_update",
            f"DROP TRIGGER IF EXISTS search_unname_{table}_delete",
            f"CREATE TRIGGER search_unname_{table}_update AFTER UPDATE OF status ON {table}"
            f" WHEN NEW.status <> 'published' BEGIN {body} END",
            f"CREATE TRIGGER search_unname_{table}_delete AFTER DELETE ON {table} BEGIN {body} END",
        ]
    return statements


def forwards(apps, schema_editor):
    index_state.backwards(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        statements = [POSTGRES_FUNCTION]
    else:
        statements = _sqlite_facet_triggers()
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    index_state.forwards(apps, schema_editor)
    for statement in hidden_facets._backward(schema_editor) + hidden_facets._forward(schema_editor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_index_drops_hidden_facet_values"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="IndexState"),
    ]
