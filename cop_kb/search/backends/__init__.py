"""One search backend per database vendor behind the small interface of ``base.SearchBackend``."""

from django.db import connection

from .base import Hit, SearchBackend


def get_backend() -> SearchBackend:
    """The backend for the database in use: PostgreSQL full-text search, or SQLite FTS5."""
    if connection.vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    from .sqlite import SQLiteBackend

    return SQLiteBackend()


__all__ = ["Hit", "SearchBackend", "get_backend"]
