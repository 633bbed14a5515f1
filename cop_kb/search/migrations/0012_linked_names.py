"""A document also carries the names of the public records its record links to and its years (``related``), and
the names of those linking to it (``backlinked``), searched below the record's own text: "Innocenti" finds the
research the Innocenti Research Centre led.

PostgreSQL: ``search_vector`` is generated, so it is dropped and added again (with its GIN index and the sample's
partial index, migration 0007): ``related`` at weight C with the body (a tsvector has only four weights) and
``backlinked`` at D. ``rank_vector`` (title to tags) is unchanged.
SQLite: the FTS5 table gets two more columns, so it is made again, with the triggers that keep it in step
(migrations 0002 and 0008), and rebuilt from the documents.

The columns are added with a database default, so the existing rows get "" without the table being copied (which
on SQLite would drop the triggers of migrations 0004 and 0011); ``rebuild_search_index`` fills them.
"""

from django.db import migrations, models

VECTOR = """
    ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('cop_english'::regconfig, title || ' ' || aliases), 'A')
        || setweight(to_tsvector('cop_english'::regconfig, summary || ' ' || tags), 'B')
        || setweight(to_tsvector('cop_english'::regconfig, body{related}), 'C'){backlinked}
    ) STORED
"""
BACKLINKED = "\n        || setweight(to_tsvector('cop_english'::regconfig, backlinked), 'D')"
SAMPLE_MODULUS = 64  # as in migration 0007


def _postgres(with_related: bool) -> list[str]:
    return [
        "DROP INDEX IF EXISTS search_document_sample",
        "DROP INDEX IF EXISTS search_document_vector",
        "ALTER TABLE search_searchdocument DROP COLUMN search_vector",
        VECTOR.format(
            related=" || ' ' || related" if with_related else "", backlinked=BACKLINKED if with_related else ""
        ),
        "CREATE INDEX search_document_vector ON search_searchdocument USING gin (search_vector)",
        "CREATE INDEX search_document_sample ON search_searchdocument USING gin (search_vector)"
        f" WHERE id % {SAMPLE_MODULUS} = 0",
    ]


def _sqlite(columns: list[str]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        "DROP TRIGGER IF EXISTS search_document_ai",
        "DROP TRIGGER IF EXISTS search_document_ad",
        "DROP TRIGGER IF EXISTS search_document_au",
        "DROP TABLE IF EXISTS search_fts",
        f"CREATE VIRTUAL TABLE search_fts USING fts5({names}, content='search_searchdocument', content_rowid='id',"
        " tokenize='porter unicode61 remove_diacritics 2')",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
        f"CREATE TRIGGER search_document_ai AFTER INSERT ON search_searchdocument BEGIN {insert} END",
        f"CREATE TRIGGER search_document_ad AFTER DELETE ON search_searchdocument BEGIN {delete} END",
        f"CREATE TRIGGER search_document_au AFTER UPDATE ON search_searchdocument BEGIN {delete} {insert} END",
    ]


COLUMNS = ["title", "aliases", "summary", "tags", "body"]
FORWARD = {"postgresql": _postgres(with_related=True), "sqlite": _sqlite([*COLUMNS, "related", "backlinked"])}
BACKWARD = {"postgresql": _postgres(with_related=False), "sqlite": _sqlite(COLUMNS)}
# Each new column with its help text (as the model has it).
NEW_COLUMNS = {
    "related": "Names of the public records it links to, then its years: searched below its own text.",
    "backlinked": "Names of the public records linking to it: searched at the lowest weight.",
}


def forwards(apps, schema_editor):
    for column in NEW_COLUMNS:
        schema_editor.execute(f"ALTER TABLE search_searchdocument ADD COLUMN {column} text NOT NULL DEFAULT ''")
    for statement in FORWARD[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    # SQLite drops a column only once nothing (the FTS table, its triggers) refers to it.
    for statement in BACKWARD[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)
    for column in NEW_COLUMNS:
        schema_editor.execute(f"ALTER TABLE search_searchdocument DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [("search", "0011_content_version_replaces_index_state")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name=column,
                    field=models.TextField(blank=True, default="", help_text=help_text),
                )
                for column, help_text in NEW_COLUMNS.items()
            ],
        )
    ]
