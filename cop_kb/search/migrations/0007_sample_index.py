"""PostgreSQL: a GIN index over the documents of the even sample that estimates counts for broad queries.

A word found in most documents has ~100,000 matches at 100,000 records; counting them and their facet values costs
60-150 ms, because every matching row is visited. ``search.backends.base`` estimates both from the documents whose
id is a multiple of SAMPLE_MODULUS instead, and this partial index holds just those (about 1.6 %), so the estimate
reads a few thousand rows. SQLite's FTS5 counts fast enough on its own: nothing changes there.
"""

from django.db import migrations

# search.backends.base.SAMPLE_MODULUS when this was written; a changed modulus needs a new migration (tests/search
# checks that the index matches it).
SAMPLE_MODULUS = 64


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_document_sample ON search_searchdocument USING gin (search_vector)"
            f" WHERE id % {SAMPLE_MODULUS} = 0",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_sample")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_index_state")]

    operations = [migrations.RunPython(forwards, backwards)]
