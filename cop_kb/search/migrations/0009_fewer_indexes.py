"""Drop the single-column indexes that a composite index already leads with; each one slowed every full rebuild.

* search_searchdocument.content_type_id: the unique (content_type_id, object_id) index serves it.
* search_searchdocument.slug: lookups by slug also give the record type, so (record_type, slug) serves them.
* search_searchfacet.document_id: the unique (document_id, facet, value) index serves it.

Only the indexes go. A plain AlterField would make SQLite copy the whole table, which drops the triggers that keep
its full-text index and the index state current (migrations 0002, 0006, 0008).
"""

import django.db.models.deletion
from django.db import migrations, models

FIELDS = [("searchdocument", "content_type"), ("searchdocument", "slug"), ("searchfacet", "document")]


def _columns(apps):
    for model_name, field_name in FIELDS:
        model = apps.get_model("search", model_name)
        yield model, model._meta.get_field(field_name)


def drop_indexes(apps, schema_editor):
    for model, field in _columns(apps):
        for name in schema_editor._constraint_names(model, [field.column], index=True, unique=False):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def restore_indexes(apps, schema_editor):
    for model, field in _columns(apps):
        for statement in schema_editor._field_indexes_sql(model, field):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("search", "0008_suggestions_without_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(drop_indexes, restore_indexes),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchdocument",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype"
                    ),
                ),
                migrations.AlterField(
                    model_name="searchdocument", name="slug", field=models.SlugField(db_index=False, max_length=120)
                ),
                migrations.AlterField(
                    model_name="searchfacet",
                    name="document",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="facets",
                        to="search.searchdocument",
                    ),
                ),
            ]
        ),
    ]
