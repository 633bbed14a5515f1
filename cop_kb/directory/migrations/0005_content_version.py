"""directory_contentversion: the site's content version (``cop_kb.records.content_version``), with its one row.

The triggers that replace its token are installed after every migrate (post_migrate), from the registry of record
types, so that a record type added later is covered without a migration of its own; migrating back drops them
before the table.
"""

import uuid

from django.db import migrations, models
from django.utils import timezone

from cop_kb.records.content_version import remove_content_triggers


def first_version(apps, schema_editor):
    apps.get_model("directory", "ContentVersion").objects.using(schema_editor.connection.alias).create(
        id=1, token=uuid.uuid4().hex, changed_at=timezone.now()
    )


def without_triggers(apps, schema_editor):
    remove_content_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_body_links"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=36)),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "content version", "default_permissions": ()},
        ),
        migrations.RunPython(first_version, without_triggers),
    ]
