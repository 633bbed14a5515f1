"""Shared pytest set-up.

pytest-django builds the test database itself (in-memory SQLite when DATABASE_URL is unset, ``test_<name>``
on PostgreSQL when it is set) and errors out if the server cannot be reached, so nothing database-specific
is needed here beyond saying in the report header which database a run uses.
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


def pytest_report_header(config) -> str:
    db = settings.DATABASES["default"]
    vendor = db["ENGINE"].rsplit(".", 1)[-1]
    test_name = (db.get("TEST") or {}).get("NAME")
    if vendor == "sqlite3":
        return f"database: sqlite3, test database {test_name or 'in memory'} (DATABASE_URL unset)"
    where = f"{db.get('HOST') or 'socket'}:{db.get('PORT') or 'default'}"
    return f"database: {vendor} at {where}, test database {test_name or 'test_' + db['NAME']}"


@pytest.fixture(scope="session", autouse=True)
def downloads_folder(tmp_path_factory):
    """Whole-data downloads are built in a folder of the session's own, never in the project's ``var/``."""
    with override_settings(DOWNLOADS_DIR=tmp_path_factory.mktemp("downloads")):
        yield


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached pages, as a fresh server would.

    Tests that share a module's data share the content version too, so a page cached by one test would otherwise be
    served to the next, and a cached response carries no template context to inspect.
    """
    caches["pages"].clear()


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
    call_command("load_framework", verbosity=0)
