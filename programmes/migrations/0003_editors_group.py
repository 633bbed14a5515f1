"""Create the "Editors" group: full rights on every content model, and may add and change tags (not delete them)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
CONTENT_APPS = ("directory", "instruments", "strategy", "programmes")
CONTENT_ACTIONS = ("add", "change", "delete", "view")
TAG_ACTIONS = ("view", "add", "change")


def create_editors_group(apps, schema_editor):
    db = schema_editor.connection.alias
    # On a fresh database permissions are only made after the last migration (post_migrate); make them now.
    # create_permissions needs the real app config (its models_module) but reads models from the historical apps.
    for label in (*CONTENT_APPS, "taggit"):
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=db, apps=apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    wanted = {
        label: {
            f"{action}_{model._meta.model_name}"
            for model in apps.get_app_config(label).get_models()
            for action in CONTENT_ACTIONS
            if action in model._meta.default_permissions
        }
        for label in CONTENT_APPS
    }
    wanted["taggit"] = {f"{action}_tag" for action in TAG_ACTIONS}

    permissions = []
    for app_label, codenames in wanted.items():
        found = list(Permission.objects.using(db).filter(content_type__app_label=app_label, codename__in=codenames))
        missing = codenames - {permission.codename for permission in found}
        if missing:
            raise RuntimeError(f"Permissions missing for {app_label}: {', '.join(sorted(missing))}")
        permissions += found
    group, _created = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(*permissions)


def delete_editors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("directory", "0001_initial"),
        ("instruments", "0002_ordering"),
        ("strategy", "0002_ordering"),
        ("programmes", "0002_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
