"""directory_facetcount: the facet counts of unfiltered lists, kept by the database (``cop_kb.records.facet_counts``).

Its triggers are installed, and every count rebuilt, after every migrate (post_migrate), from the registry and each
type's list facets; migrating back drops the triggers before the table.
"""

from django.db import migrations, models

from cop_kb.records.facet_triggers import remove_facet_triggers


def without_triggers(apps, schema_editor):
    remove_facet_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_status_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("record_type", models.CharField(max_length=100)),
                ("facet", models.CharField(max_length=50)),
                ("value", models.CharField(blank=True, max_length=100)),
                ("target", models.BigIntegerField(default=0)),
                ("records", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "facet count",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("record_type", "facet", "value", "target"), name="facet_count_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, without_triggers),
    ]
