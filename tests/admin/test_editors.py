"""The "Editors" group made by the data migration: what it may do, and that making it twice changes nothing."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection

from cop_kb.records.models import Alias
from instruments.models import Instrument

from .support import admin_url, form_errors, management_data

pytestmark = pytest.mark.django_db

editors_migration = import_module("programmes.migrations.0003_editors_group")
roles_migration = import_module("programmes.migrations.0006_roles")
RECORD_MODELS = {label: set(names) for label, names in roles_migration.RECORD_MODELS.items()}
SCHEMA_EDITOR = SimpleNamespace(connection=connection)


def editors_permissions() -> set[str]:
    group = Group.objects.get(name="Editors")
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.fixture
def editors_group() -> Group:
    # The migration made the group when the test database was built; a transactional test elsewhere in the run
    # may have flushed it since, so run the (idempotent) migration step again rather than depend on test order.
    editors_migration.create_editors_group(apps, SCHEMA_EDITOR)
    roles_migration.create_roles(apps, SCHEMA_EDITOR)
    return Group.objects.get(name="Editors")


def staff_user(username: str, *groups: Group) -> User:
    user = User.objects.create_user(username, password="not-used", is_staff=True)
    user.groups.add(*groups)
    return user


def test_editors_curate_content_but_neither_delete_records_nor_publish(editors_group):
    permissions = editors_permissions()

    for app_label in ("directory", "instruments", "strategy", "programmes"):
        for model in apps.get_app_config(app_label).get_models():
            name = model._meta.model_name
            if name in {"workflow", "auditevent", "slughistory", "bodylink", "contentversion", "facetcount"}:
                continue
            for action in ("add", "change", "view"):
                assert f"{app_label}.{action}_{name}" in permissions
            deletable = name not in RECORD_MODELS.get(app_label, set())
            assert (f"{app_label}.delete_{name}" in permissions) == deletable
    assert "directory.publish_records" not in permissions
    assert not any("auditevent" in permission or "slughistory" in permission for permission in permissions)
    # The content version is the database's own bookkeeping (its triggers write it); nobody edits it.
    assert not any("contentversion" in permission for permission in permissions)
    # So are the facet counts the database keeps for the lists.
    assert not any("facetcount" in permission for permission in permissions)
    assert {"taggit.view_tag", "taggit.add_tag", "taggit.change_tag"} <= permissions
    assert "taggit.delete_tag" not in permissions
    assert not any(permission.startswith("auth.") for permission in permissions)


def test_publishers_may_also_publish_delete_records_and_read_the_audit_trail(editors_group):
    publishers = Group.objects.get(name="Publishers")
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in publishers.permissions.select_related("content_type")
    }
    assert editors_permissions() < granted
    assert {"directory.publish_records", "directory.view_auditevent", "instruments.delete_instrument"} <= granted


def test_making_the_group_again_changes_nothing(editors_group):
    before = editors_permissions()

    editors_migration.create_editors_group(apps, SCHEMA_EDITOR)
    roles_migration.create_roles(apps, SCHEMA_EDITOR)

    assert Group.objects.filter(name="Editors").count() == 1
    assert editors_permissions() == before


def test_reversing_the_migration_removes_the_group(editors_group):
    editors_migration.delete_editors_group(apps, SCHEMA_EDITOR)
    assert not Group.objects.filter(name="Editors").exists()


def test_editor_can_open_instruments_and_add_one_with_an_alias(client, editors_group):
    client.force_login(staff_user("editor", editors_group))

    assert client.get(admin_url(Instrument, "changelist")).status_code == 200
    add_page = client.get(admin_url(Instrument, "add"))
    assert add_page.status_code == 200

    prefix = "directory-alias-content_type-object_id"
    response = client.post(
        admin_url(Instrument, "add"),
        {
            **management_data(add_page.content.decode()),
            "title": "Convention on the Rights of the Child",
            "slug": "crc",
            "official_title": "Convention on the Rights of the Child",
            "kind": "convention",
            "review_interval_days": "365",
            "tags": "children's rights",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-name": "CRC",
            f"{prefix}-0-kind": "acronym",
        },
    )

    assert response.status_code == 302, form_errors(response)
    assert Alias.objects.get().record == Instrument.objects.get(slug="crc")


def test_staff_without_the_group_is_refused(client):
    client.force_login(staff_user("visitor"))

    assert client.get(admin_url(Instrument, "changelist")).status_code == 403
    assert client.get(admin_url(Instrument, "add")).status_code == 403
