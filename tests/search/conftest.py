"""Fixtures for the search suite; it runs unchanged on SQLite and PostgreSQL (DATABASE_URL decides)."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a module, for data all its tests read; rolled back when the module is done.

    Each test still runs in its own savepoint inside it (pytest-django's ``django_db``), so what a test
    changes is undone before the next one, and nothing is left behind for other modules.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def framework(module_db):
    """The 92 records of the real framework, loaded and indexed once per module."""
    call_command("load_framework", verbosity=0)


@pytest.fixture
def postgresql():
    """For the PostgreSQL backend's own structures; the SQLite run has its own counterpart."""
    if connection.vendor != "postgresql":
        pytest.skip("checks PostgreSQL's search structures; this run uses " + connection.vendor)


@pytest.fixture
def sqlite():
    """For the SQLite backend's own structures; the PostgreSQL run has its own counterpart."""
    if connection.vendor != "sqlite":
        pytest.skip("checks SQLite's search structures; this run uses " + connection.vendor)
