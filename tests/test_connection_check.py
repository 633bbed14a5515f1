"""On PostgreSQL, where persistent connections are health-checked before each request uses them, the content
version's read (an anonymous page's first query) is that check: a page from the cache costs one round trip to the
server, not two, and a connection the server has dropped is replaced without the visitor noticing."""

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from instruments.models import Instrument

from .factories import make

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's persistent connections are health-checked; SQLite's are not")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    return make(Instrument, title="Quokka convention").get_absolute_url()


@pytest.fixture
def health_checks(monkeypatch) -> list[int]:
    """Every ``SELECT 1`` Django sends to check a connection (its ``is_usable``), as it is sent."""
    sent = []
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    check = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda self: sent.append(1) or check(self))
    return sent


def next_request() -> None:
    """What Django does at a request's end on a persistent connection (the test client leaves it out): the next
    request checks the connection again before using it."""
    connection.close_if_unusable_or_obsolete()


def test_a_page_from_the_cache_sends_no_health_check_of_its_own(client, admin_client, page, health_checks):
    client.get(page)
    next_request()

    assert client.get(page).status_code == 200
    assert health_checks == []

    # A signed-in editor's page does not read the content version first: Django's own check stays.
    next_request()
    assert admin_client.get("/admin/").status_code == 200
    assert health_checks == [1]


def drop_connection() -> int:
    """End the server's side of Django's connection, as a restart would; the backend's process id."""
    dropped = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    return dropped


def test_a_connection_the_server_dropped_is_replaced_and_the_page_served(client, page):
    client.get(page)
    next_request()
    dropped = drop_connection()

    response = client.get(page)

    assert response.status_code == 200
    assert b"Quokka convention" in response.content
    assert connection.connection.info.backend_pid != dropped


def test_the_front_of_the_site_replaces_a_dropped_connection_and_answers_as_before(site, page):
    """The front (cop_kb.page_cache.CachedPagesFirst) reads the token on the driver's connection, checked alike."""
    first = site(page)
    dropped = drop_connection()

    again = site(page)

    assert (again.status_code, again.body) == (200, first.body)
    assert not again.django_handled
    assert connection.connection.info.backend_pid != dropped
