"""Shared pytest set-up.

pytest-django builds the test database itself (in-memory SQLite when DATABASE_URL is unset, ``test_<name>``
on PostgreSQL when it is set) and errors out if the server cannot be reached, so nothing database-specific
is needed here beyond saying in the report header which database a run uses.
"""

import gc

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from .databases import drop, keep_migrated
from .snapshot import PostgresOperations, Snapshot, forget_content_types, framework_snapshot, sql_flush_by_delete
from .wsgi_site import wsgi_site


def pytest_report_header(config) -> str | list[str]:
    db = settings.DATABASES["default"]
    vendor = db["ENGINE"].rsplit(".", 1)[-1]
    test_name = (db.get("TEST") or {}).get("NAME")
    if vendor == "sqlite3":
        return f"database: sqlite3, test database {test_name or 'in memory'} (DATABASE_URL unset)"
    where = f"{db.get('HOST') or 'socket'}:{db.get('PORT') or 'default'}"
    return [
        f"database: {vendor} at {where}, test database {test_name or 'test_' + db['NAME']}",
        "tests marked database_independent (the browser tests and a few more) are deselected: the SQLite run has them",
    ]


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "database_independent: nothing it checks depends on which database serves the page; run on SQLite only",
    )


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked ``database_independent`` run once, in the SQLite run: ``make test`` runs both side by side, and
    running the same browser check against PostgreSQL again would prove nothing new. The PostgreSQL run leaves them
    out (reported as deselected, the header says why), so its skips are only the other backend's own checks.

    A test that copies the migrated database (``migrated_database``) is marked as using the database: pytest-django
    makes the test database only for runs that hold such a test."""
    for item in items:
        if "migrated_database" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)
    if connection.vendor == "sqlite":
        return
    once = [item for item in items if item.get_closest_marker("database_independent")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("database_independent")]


MIGRATED = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, tmp_path_factory):
    """pytest-django's test database; and when a test of the run asks for ``migrated_database``, a copy of it as the
    migrations left it, taken now, before any test can change it (``tests/databases.py``)."""
    if not any("migrated_database" in getattr(item, "fixturenames", ()) for item in request.session.items):
        yield
        return
    with django_db_blocker.unblock():
        kept = keep_migrated(tmp_path_factory.mktemp("migrated"))
    request.config.stash[MIGRATED] = kept
    yield
    if connection.vendor == "postgresql":
        drop(kept)


@pytest.fixture(scope="session")
def migrated_database(request, django_db_setup) -> str:
    """The run's database as the migrations left it, to copy from (``tests.databases.copied``): a SQLite file's path
    or a PostgreSQL database's name."""
    return request.config.stash[MIGRATED]


@pytest.fixture(scope="session", autouse=True)
def flush_by_delete():
    """On PostgreSQL a ``transaction=True`` test empties the tables by DELETE, not TRUNCATE (``tests/snapshot.py``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", sql_flush_by_delete)
        yield


@pytest.fixture(scope="session", autouse=True)
def downloads_folder(tmp_path_factory):
    """Whole-data downloads are built in a folder of the session's own, never in the project's ``var/``."""
    with override_settings(DOWNLOADS_DIR=tmp_path_factory.mktemp("downloads")):
        yield


@pytest.fixture(scope="module", autouse=True)
def long_lived_objects_frozen():
    """Before each module: collect the garbage, then take every object still alive out of the garbage collector's
    sight (``gc.freeze``), as the servers do (``cop_kb/worker.py``).

    What is alive between modules lives as long as the run (Django, the apps, the test modules, session fixtures'
    data), yet each full collection walked it all again: on SQLite, ``tests/api``, ``tests/test_pages.py`` and
    ``tests/workflow`` spent 18.1 of their 125 s in the collector, 14.4 of them in 69 full collections. Frozen
    at each module's start, 8.9 s (README, Tests). The module's own data, built after this, is collected as usual;
    what a module leaves behind is garbage by the next module's start, and collected then, before the freeze."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached pages, as a fresh server would.

    Tests that share a module's data share the content version too, so a page cached by one test would otherwise be
    served to the next, and a cached response carries no template context to inspect.
    """
    caches["pages"].clear()


@pytest.fixture
def site():
    """The site as gunicorn calls it, page cache in front included (tests/wsgi_site.py)."""
    with wsgi_site() as call:
        yield call


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a module, for data all its tests read; rolled back when the module is done.

    Each test still runs in its own savepoint inside it (pytest-django's ``django_db``), so what a test changes is
    undone before the next one, and nothing is left behind for other modules.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def loaded_framework(django_db_setup, django_db_blocker) -> Snapshot:
    """The framework loaded once per run into a flushed database, as a ``transaction=True`` test finds it, and kept as
    a snapshot (``tests/snapshot.py``); ``restore()`` copies it in. For browser tests (``site``)."""
    with django_db_blocker.unblock():
        return framework_snapshot(flushed=True)


@pytest.fixture(scope="session")
def loaded_framework_over_migrations(django_db_setup, django_db_blocker) -> Snapshot:
    """The framework loaded once per run over the rows the migrations made (editor groups, default synonyms), as a
    module's transaction finds them, and kept as a snapshot. Taken outside any transaction (``framework`` asks for
    it before ``module_db``)."""
    with django_db_blocker.unblock():
        return framework_snapshot(flushed=False)


@pytest.fixture(scope="module")
def framework(request, django_db_setup, django_db_blocker):
    """The real framework's records, loaded and indexed once per module.

    They are copied from the run's snapshot, which loading them would cost a second or more per module to rebuild:
    on PostgreSQL inside the module's transaction, which puts the earlier rows back when it rolls back; SQLite
    restores a snapshot only outside a transaction, so there ``framework_copied_in`` copies them in before the
    transaction opens and puts the earlier rows back after it has rolled back. A module whose other fixtures already
    opened its transaction loads them instead.
    """
    if connection.in_atomic_block:
        request.getfixturevalue("module_db")
        call_command("load_framework", verbosity=0)
    elif connection.vendor == "postgresql":
        snapshot = request.getfixturevalue("loaded_framework_over_migrations")
        request.getfixturevalue("module_db")
        snapshot.restore()
        # Django's content types in memory are the snapshot's until the module's rollback puts the earlier ones back.
        request.addfinalizer(forget_content_types)
    else:
        # Asked for first, so torn down last: after module_db's rollback.
        request.getfixturevalue("framework_copied_in")
        request.getfixturevalue("module_db")


@pytest.fixture(scope="module")
def framework_copied_in(loaded_framework_over_migrations, django_db_blocker):
    """SQLite: the framework's rows copied in from the run's snapshot for a module, and the rows found before it put
    back after it."""
    with django_db_blocker.unblock():
        before = Snapshot("test_snapshot_module")
        before.take()
        loaded_framework_over_migrations.restore()
        yield
        before.restore()
        before.drop()
