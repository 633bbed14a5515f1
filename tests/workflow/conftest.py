"""People for the editorial workflow tests: one user per role, signed in on their own client."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

editors_migration = import_module("programmes.migrations.0003_editors_group")
roles_migration = import_module("programmes.migrations.0006_roles")

ROLES = ("anonymous", "staff", "editor", "publisher", "superuser")
GROUPS = {"editor": "Editors", "publisher": "Publishers"}
PASSWORD = "Correct-horse-battery-9"


@pytest.fixture
def roles(db) -> None:
    """The "Editors" and "Publishers" groups as the data migrations make them.

    The migrations made them when the test database was built, but a transactional test elsewhere in the run
    flushes the database (permissions come back on flush, groups do not); then run the migration steps again.
    """
    if Group.objects.filter(name__in=GROUPS.values()).count() < len(GROUPS):
        schema_editor = SimpleNamespace(connection=connection)
        editors_migration.create_editors_group(apps, schema_editor)
        roles_migration.create_roles(apps, schema_editor)


@pytest.fixture
def make_user(roles):
    """``make_user(role)``: a user with the role's rights (``None`` for anonymous), password ``PASSWORD``."""

    def make(role: str, username: str = "") -> User | None:
        username = username or role
        if role == "anonymous":
            return None
        if role == "superuser":
            return User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
        if role in GROUPS:
            user.groups.add(Group.objects.get(name=GROUPS[role]))
        return user

    return make


@pytest.fixture
def client_as(make_user):
    """``client_as(role)``: a new client signed in with the role (not signed in for anonymous)."""

    def make(role: str, username: str = "") -> Client:
        client = Client()
        user = make_user(role, username)
        if user is not None:
            client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def editor_client(client_as) -> Client:
    return client_as("editor")


@pytest.fixture
def publisher_client(client_as) -> Client:
    return client_as("publisher")


@pytest.fixture
def editor(editor_client) -> User:
    return editor_client.user


@pytest.fixture
def publisher(publisher_client) -> User:
    return publisher_client.user


@pytest.fixture
def instruments():
    """Two published instruments to link to: Lanzarote, then Budapest."""
    from instruments.models import Instrument

    from ..factories import make

    return make(Instrument, title="Lanzarote Convention"), make(Instrument, title="Budapest Convention")
