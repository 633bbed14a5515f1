"""The two editorial roles: Editors create and edit records and submit them for review; Publishers also publish,
withdraw, revert and delete records, and read the audit trail. Administrators (superusers) can do everything."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORD_MODELS = {
    "directory": ("country", "organisation"),
    "instruments": ("instrument", "provision"),
    "strategy": ("strategicarea", "principle", "right", "stakeholdergroup", "sector", "focusarea"),
    "programmes": ("programme", "partnership", "activity", "output"),
}
SYNONYM_ACTIONS = ("add", "change", "delete", "view")


def _permissions(apps, db, pairs):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codename in pairs:
        permission = Permission.objects.using(db).filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise RuntimeError(f"Permission {app_label}.{codename} is missing")
        found.append(permission)
    return found


def create_roles(apps, schema_editor):
    db = schema_editor.connection.alias
    for label in ("directory", "instruments", "strategy", "programmes", "search"):
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=db, apps=apps)
    Group = apps.get_model("auth", "Group")

    record_deletes = [(app, f"delete_{model}") for app, models in RECORD_MODELS.items() for model in models]
    synonyms = [("search", f"{action}_synonym") for action in SYNONYM_ACTIONS]

    # The audit trail and slug history are written by the system, never by hand.
    Permission = apps.get_model("auth", "Permission")
    system = Permission.objects.using(db).filter(
        content_type__app_label="directory", content_type__model__in=("auditevent", "slughistory")
    )

    editors, _created = Group.objects.using(db).get_or_create(name="Editors")
    editors.permissions.remove(*_permissions(apps, db, record_deletes), *system)
    editors.permissions.add(*_permissions(apps, db, synonyms))

    publishers, _created = Group.objects.using(db).get_or_create(name="Publishers")
    publishers.permissions.set(
        [
            *editors.permissions.all(),
            *_permissions(
                apps,
                db,
                [*record_deletes, ("directory", "publish_records"), ("directory", "view_auditevent")],
            ),
        ]
    )


def remove_roles(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Group.objects.using(db).filter(name="Publishers").delete()
    editors = Group.objects.using(db).filter(name="Editors").first()
    if editors is not None:
        record_deletes = [(app, f"delete_{model}") for app, models in RECORD_MODELS.items() for model in models]
        editors.permissions.add(*_permissions(apps, db, record_deletes))


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0005_workflow"),
        ("directory", "0002_workflow"),
        ("instruments", "0003_workflow"),
        ("strategy", "0004_workflow"),
        ("search", "0003_default_synonyms"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
