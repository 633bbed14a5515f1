"""Fixtures for the search suite; it runs unchanged on SQLite and PostgreSQL (DATABASE_URL decides).

``module_db`` and ``framework`` come from tests/conftest.py.
"""

import pytest
from django.db import connection


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
