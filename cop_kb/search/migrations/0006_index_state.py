"""search_indexstate: one row whose token the database replaces whenever search results could change.

Triggers fire on every write to search_searchdocument and search_synonym and on tag renames and deletions
(taggit_tag), whoever makes it: the services, a bulk update, the record tables' own triggers (migration 0004),
the shell. Cached search pages are keyed by the token (``search.cache``). PostgreSQL fires once per statement,
SQLite (which has no statement triggers) once per row.

The row's lock is held to the end of the writing transaction. The services take it before they touch any
document (``search.services``), so two of them never hold each other's rows in opposite orders.
"""

from django.db import migrations, models

POSTGRES = [
    """
    CREATE FUNCTION search_index_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_indexstate (id, token) VALUES (1, gen_random_uuid()::text)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
        RETURN NULL;
    END $$
    """,
    *(
        f"CREATE TRIGGER search_index_changed AFTER {events} ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION search_index_changed()"
        for table, events in [
            ("search_searchdocument", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
            ("search_synonym", "INSERT OR UPDATE OR DELETE"),
            ("taggit_tag", "UPDATE OR DELETE"),
        ]
    ),
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_index_changed ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_index_changed ON search_synonym",
    "DROP TRIGGER IF EXISTS search_index_changed ON taggit_tag",
    "DROP FUNCTION IF EXISTS search_index_changed()",
]

SQLITE_UPSERT = (
    "INSERT INTO search_indexstate (id, token) VALUES (1, lower(hex(randomblob(16))))"
    " ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
)

SQLITE_EVENTS = [
    ("search_searchdocument", "INSERT"),
    ("search_searchdocument", "UPDATE"),
    ("search_searchdocument", "DELETE"),
    ("search_synonym", "INSERT"),
    ("search_synonym", "UPDATE"),
    ("search_synonym", "DELETE"),
    ("taggit_tag", "UPDATE"),
    ("taggit_tag", "DELETE"),
]


def _sqlite_trigger(table: str, event: str) -> str:
    return f"search_index_changed_{table}_{event.lower()}"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES
    else:
        statements = [
            f"CREATE TRIGGER {_sqlite_trigger(table, event)} AFTER {event} ON {table} BEGIN {SQLITE_UPSERT} END"
            for table, event in SQLITE_EVENTS
        ]
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES_BACKWARD
    else:
        statements = [f"DROP TRIGGER IF EXISTS {_sqlite_trigger(table, event)}" for table, event in SQLITE_EVENTS]
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_rank_vector"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=36)),
            ],
            options={"verbose_name": "search index state"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
