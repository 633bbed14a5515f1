"""Shared pytest set-up.

pytest-django builds the test database itself (in-memory SQLite when DATABASE_URL is unset, ``test_<name>``
on PostgreSQL when it is set) and errors out if the server cannot be reached, so nothing database-specific
is needed here beyond saying in the report header which database a run uses.
"""

import pytest
from django.conf import settings
from django.core.cache import caches


def pytest_report_header(config) -> str:
    db = settings.DATABASES["default"]
    vendor = db["ENGINE"].rsplit(".", 1)[-1]
    test_name = (db.get("TEST") or {}).get("NAME")
    if vendor == "sqlite3":
        return f"database: sqlite3, test database {test_name or 'in memory'} (DATABASE_URL unset)"
    where = f"{db.get('HOST') or 'socket'}:{db.get('PORT') or 'default'}"
    return f"database: {vendor} at {where}, test database {test_name or 'test_' + db['NAME']}"


@pytest.fixture(autouse=True)
def empty_search_cache():
    """Each test starts with no cached search pages, as a fresh server would.

    Tests that share a module's data share the index token too, so a page cached by one test would otherwise be
    served to the next, and a cached response carries no template context to inspect.
    """
    caches["search"].clear()
