"""Error pages when the database cannot be reached, and for an ordinary bug in a view.

The database outage here is a stand-in: every connection attempt is made to raise, as it does while PostgreSQL
restarts. bench/pg_restart.py restarts a real PostgreSQL under a real gunicorn and checks the same promises
(friendly 503 with Retry-After during the outage, 200 again as soon as the server is back).
"""

from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db

FRIENDLY_503 = f"The {settings.SITE_NAME} is temporarily unavailable"
FRIENDLY_500 = "Something went wrong on our side"
SITE_HEADER = 'class="site-header"'
# The failure's own words: a page that shows them is showing the exception.
SECRET_DETAIL = "could not connect to server at 10.9.8.7 port 5432 (detail-xyzzy)"

# Public pages that must read the database to answer.
DATABASE_PAGES = [
    "/",
    "/instruments/",
    "/instruments/crc/",
    "/strategic-areas/",
    "/tags/",
    "/search/?q=grooming",
]


def leaks(body: str) -> list[str]:
    """Anything in an error page that belongs to the traceback, the exception or the settings."""
    markers = [
        "Traceback",
        'File "',
        "OperationalError",
        "InterfaceError",
        "RuntimeError",
        "django.db",
        "psycopg",
        "sqlite3",
        "Exception Value",
        "DATABASES",
        "SECRET_KEY",
        settings.SECRET_KEY,
        "detail-xyzzy",
        "boom-xyzzy",
    ]
    return [marker for marker in markers if marker in body]


@pytest.fixture
def quiet_client(client):
    """The test client answering as a real server would: unhandled exceptions become the handler500 page."""
    client.raise_request_exception = False
    return client


def unreachable_database(error_class=OperationalError):
    """Every attempt to open or reuse a database connection fails, as while PostgreSQL restarts."""
    return mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=error_class(SECRET_DETAIL))


@pytest.mark.parametrize("path", DATABASE_PAGES)
@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_stand_in_for_postgres_restart_unreachable_database_gives_friendly_503(quiet_client, path, error_class):
    assert settings.DEBUG is False
    with unreachable_database(error_class) as ensure_connection:
        response = quiet_client.get(path)
    assert ensure_connection.called, f"{path} did not touch the database, so it proves nothing"
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert FRIENDLY_503 in body
    assert SITE_HEADER in body
    assert leaks(body) == []


def test_stand_in_for_postgres_restart_pages_work_again_once_the_database_is_back(quiet_client):
    with unreachable_database():
        assert quiet_client.get("/instruments/").status_code == 503
    response = quiet_client.get("/instruments/")
    assert response.status_code == 200
    assert "Retry-After" not in response


def test_other_database_errors_are_a_500_not_a_503(quiet_client):
    """Only an unreachable database means "try again shortly"; a broken query is a bug, and says so."""
    with unreachable_database(ProgrammingError):
        response = quiet_client.get("/instruments/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert FRIENDLY_500 in body
    assert leaks(body) == []


def test_bug_in_a_view_gives_the_site_500_page_not_a_traceback(quiet_client):
    assert settings.DEBUG is False
    with mock.patch("cop_kb.records.views.records_for_list", side_effect=RuntimeError("boom-xyzzy")) as selector:
        response = quiet_client.get("/instruments/")
    assert selector.called
    body = response.content.decode()
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert response["Content-Type"].startswith("text/html")
    assert FRIENDLY_500 in body
    assert SITE_HEADER in body
    assert 'href="/"' in body
    assert leaks(body) == []
