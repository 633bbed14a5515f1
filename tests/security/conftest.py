"""Fixtures for the security suite; it runs unchanged on SQLite and PostgreSQL (DATABASE_URL decides)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a module, for data all its tests read; rolled back when the module is done.

    Each test still runs in its own savepoint inside it (pytest-django's ``django_db``), so what a test changes is
    undone before the next one, and nothing is left behind for other modules.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def framework(module_db):
    """The real framework's records, loaded and indexed once per module."""
    call_command("load_framework", stdout=io.StringIO())
