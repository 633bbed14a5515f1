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


def _commits(item: pytest.Item) -> bool:
    """Whether a test commits (and so empties every table after it), as pytest-django decides it."""
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    fixtures = getattr(item, "fixturenames", ())
    return transactional or "transactional_db" in fixtures or "live_server" in fixtures


def pytest_collection_modifyitems(items) -> None:
    """Refuse a file that mixes tests that commit with tests that roll back.

    pytest-django runs every committing test after the others, because one empties every table, rows that
    migrations made (default synonyms, groups) included. The PostgreSQL run hands whole files to two workers, so a
    mixed file would empty its worker's tables before the files that follow it there.
    """
    kinds: dict[str, set[bool]] = {}
    for item in items:
        if item.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(item.fixturenames):
            kinds.setdefault(item.nodeid.split("::")[0], set()).add(_commits(item))
    mixed = sorted(path for path, found in kinds.items() if len(found) > 1)
    if mixed:
        raise pytest.UsageError(f"files mix committing and rolled-back database tests: {', '.join(mixed)}")


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
