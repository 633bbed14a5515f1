"""PostgreSQL: a small second tsvector for ranking broad queries (title and aliases A, summary and tags B).

The full search_vector averages 1.5 kB and is often TOASTed, so ts_rank over a word found in most documents spends
about 10 µs a row unpacking it. rank_vector leaves the body out (about 0.6 kB, stored inline) and has its own GIN
index, so a broad query ranks only the documents with the words outside the body. Nothing changes on SQLite.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('cop_english'::regconfig, title || ' ' || aliases), 'A')
        || setweight(to_tsvector('cop_english'::regconfig, summary || ' ' || tags), 'B')
    ) STORED
    """,
    "CREATE INDEX search_document_rank_vector ON search_searchdocument USING gin (rank_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_rank_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS rank_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_index_follows_visibility")]

    operations = [migrations.RunPython(forwards, backwards)]
