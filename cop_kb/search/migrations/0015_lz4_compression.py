"""PostgreSQL: the documents' text and vectors compressed with lz4 instead of the default pglz.

A document's body and full vector go to TOAST compressed, and a full rebuild compresses about 100,000 of each at
100,000 records: with lz4, writing the documents took 34.6 s instead of 37.3 s. Decompression, which ranking pays
for every match it reads, is faster too. Only values written afterwards are compressed this way (a rebuild writes
them all). A server built without lz4 refuses the method; its columns keep pglz, which works the same, only slower.
SQLite: nothing changes.
"""

from django.db import NotSupportedError, migrations, transaction

COLUMNS = ["title", "aliases", "summary", "tags", "body", "related", "backlinked", "search_vector", "rank_vector"]


def _compress(schema_editor, method: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    changes = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COLUMNS)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(f"ALTER TABLE search_searchdocument {changes}", params=None)
    except NotSupportedError:
        if method != "lz4":
            raise


def forwards(apps, schema_editor):
    _compress(schema_editor, "lz4")


def backwards(apps, schema_editor):
    # The server's own default again (default_toast_compression), as before.
    _compress(schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [("search", "0014_abuse_material")]

    operations = [migrations.RunPython(forwards, backwards)]
