"""An index that lets PostgreSQL check a record against a tag from the record's side.

A record's key is a bigint and taggit's ``object_id`` an integer, so Django joins them on ``object_id::bigint``,
which no index on ``object_id`` serves. A tag's page reads each type's first tagged records in title order: with
this index PostgreSQL walks the records' title index and looks each one up here (0.4 ms for a tag on 33,000
programmes at 100,000 records); without it, it compared every tagged programme with each record it walked (125 ms).
SQLite joins without the cast, through taggit's own (content_type, object_id, tag) index.
"""

from django.db import migrations

INDEX = "taggeditem_object_bigint_idx"


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON taggit_taggeditem (content_type_id, ((object_id)::bigint), tag_id)"
        )


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0011_status_title_index"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
