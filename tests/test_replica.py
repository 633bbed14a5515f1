"""Anonymous public pages read a real streaming replica; staff, the admin and writers read the primary.

The replica is the one scripts/pg-replica.sh makes of the local cluster (created, or started, for this session and
returned to how it was found afterwards). pytest-django's usual per-test transaction would be invisible to it, so
these tests commit (``transaction=True``): the test database, replicated like any other, then holds the same rows on
both servers, and the ``replica`` alias points at it on the replica's port. Replay is paused to make the replica lag:
a row committed on the primary then exists there only.

The choice of database per request is tested without a database at the end (those tests run on SQLite too).
"""

import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import close_old_connections, connection, connections
from django.test import RequestFactory
from django.urls import reverse

from cop_kb import replica
from cop_kb.settings.env import replica_from_url
from tests.databases import postgres_url
from tests.factories import make_instrument
from tests.test_serve import free_port, get, serving, static_root

BASE_DIR = Path(settings.BASE_DIR)
SCRIPT = BASE_DIR / "scripts" / "pg-replica.sh"
REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "5433"))
REPLICA_DIR = Path(os.environ.get("REPLICA_DIR", "/var/lib/postgresql/cop_kb-replica"))
CAUGHT_UP_WITHIN = 20
ROUTER = "cop_kb.replica.PrimaryReplicaRouter"


LOCAL_CLUSTER = connection.vendor == "postgresql" and (
    connection.settings_dict["HOST"] in {"127.0.0.1", "localhost"} and str(connection.settings_dict["PORT"]) == "5432"
)


def replica_test(test):
    """A test of committed data read through both aliases: PostgreSQL, on the local cluster the script copies."""
    test = pytest.mark.django_db(transaction=True, databases=["default", replica.REPLICA])(test)
    reason = "a streaming replica is made of the local PostgreSQL cluster (127.0.0.1:5432) only"
    return pytest.mark.skipif(not LOCAL_CLUSTER, reason=reason)(test)


def replica_script(*args: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def replica_answers() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", REPLICA_PORT)) == 0


@pytest.fixture(scope="session")
def streaming_replica():
    """The local replica, up and streaming; afterwards stopped (or removed) again if this session started it."""
    found_running = replica_answers()
    found_directory = REPLICA_DIR.exists()
    replica_script()
    yield
    if not found_running:
        replica_script("--stop" if found_directory else "--destroy")


def replica_settings(port: int) -> dict:
    """The ``replica`` DATABASES entry for this test database on ``port``, made the way settings make it."""
    primary = connection.settings_dict
    url = (
        f"postgres://{quote(primary['USER'], safe='')}:{quote(primary['PASSWORD'], safe='')}"
        f"@127.0.0.1:{port}/{quote(primary['NAME'], safe='')}"
    )
    entry = replica_from_url(url, primary)
    return connections.configure_settings({"default": primary, replica.REPLICA: entry})[replica.REPLICA]


@pytest.fixture(scope="module")
def replica_alias(streaming_replica, django_db_setup, django_db_blocker):
    """The ``replica`` alias, present before each test's database set-up so that tests may name it, once the
    replica holds the test database.

    Its TEST MIRROR (set by replica_from_url, as under DATABASE_REPLICA_URL) keeps pytest-django from creating or
    flushing a database through it.
    """
    with django_db_blocker.unblock():
        wait_until_replayed()
    connections.settings[replica.REPLICA] = replica_settings(REPLICA_PORT)
    yield connections.settings[replica.REPLICA]
    connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


@pytest.fixture
def replica_at(replica_alias, settings):
    """``replica_at(port)`` points the ``replica`` alias at ``port``; its router is on, as DATABASE_REPLICA_URL
    would have it. Replay is running again afterwards."""
    settings.DATABASE_ROUTERS = [ROUTER]

    def configure(port: int) -> None:
        connections[replica.REPLICA].close()
        replica_alias["PORT"] = port
        replica.forget_replica_failure()

    configure(REPLICA_PORT)
    yield configure
    try:
        replica_script("--resume")
    finally:
        configure(REPLICA_PORT)


def replica_session() -> psycopg.Connection:
    """A connection of our own to the replica's ``postgres`` database, which exists before the test database does."""
    return psycopg.connect(
        host="127.0.0.1",
        port=REPLICA_PORT,
        dbname="postgres",
        user=connection.settings_dict["USER"],
        password=connection.settings_dict["PASSWORD"],
        autocommit=True,
    )


def wait_until_replayed() -> None:
    """Block until the replica has replayed everything committed on the primary so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + CAUGHT_UP_WITHIN
    with replica_session() as session:
        while session.execute("SELECT pg_last_wal_replay_lsn() < %s::pg_lsn", [lsn]).fetchone()[0]:
            if time.monotonic() > deadline:
                pytest.fail(f"the replica did not replay up to {lsn} within {CAUGHT_UP_WITHIN} s")
            time.sleep(0.05)


class QueryCounter:
    """Counts the SQL a connection runs; unlike CaptureQueriesContext it does not connect by itself."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def get_counting_queries(client, path: str):
    """GET ``path`` and count the SQL each database ran for it (as a server does, connections are checked first)."""
    close_old_connections()
    on_primary, on_replica = QueryCounter(), QueryCounter()
    with (
        connections["default"].execute_wrapper(on_primary),
        connections[replica.REPLICA].execute_wrapper(on_replica),
    ):
        response = client.get(path)
    return response, on_primary.count, on_replica.count


@pytest.fixture
def lagging(replica_at):
    """One instrument on both servers, then replay paused and a second one committed on the primary only."""
    old = make_instrument(title="Replicated instrument 00001")
    wait_until_replayed()
    replica_script("--pause")
    new = make_instrument(title="Unreplicated instrument 00002")
    return old, new


@replica_test
def test_anonymous_pages_come_whole_from_the_lagging_replica(client, lagging):
    old, new = lagging
    response, on_primary, on_replica = get_counting_queries(client, "/instruments/")
    assert response.status_code == 200
    page = response.content.decode()
    assert old.title in page
    assert new.title not in page
    # Every read of the page (and so the content token it is cached under) came from the replica alone.
    assert (on_primary, on_replica > 0) == (0, True)
    assert get_counting_queries(client, new.get_absolute_url())[0].status_code == 404
    assert get_counting_queries(client, old.get_absolute_url())[0].status_code == 200


@replica_test
def test_new_content_appears_once_the_replica_replays_it(client, lagging):
    old, new = lagging
    assert new.title not in get_counting_queries(client, "/instruments/")[0].content.decode()
    replica_script("--resume")
    wait_until_replayed()
    response, on_primary, _ = get_counting_queries(client, "/instruments/")
    assert new.title in response.content.decode()
    assert on_primary == 0
    assert get_counting_queries(client, new.get_absolute_url())[0].status_code == 200


@replica_test
def test_signed_in_staff_and_the_admin_read_the_primary(client, lagging):
    old, new = lagging
    client.force_login(User.objects.create_superuser("curator", "curator@example.org", "a-long-password-1"))
    response, _, on_replica = get_counting_queries(client, "/instruments/")
    assert new.title in response.content.decode()
    assert on_replica == 0
    changelist = reverse("admin:instruments_instrument_changelist")
    response, _, on_replica = get_counting_queries(client, changelist)
    assert response.status_code == 200
    assert new.title in response.content.decode()
    assert on_replica == 0


@replica_test
def test_after_a_write_the_same_client_reads_the_primary_for_a_while(client, lagging):
    """An editor who signs out right after publishing still sees the publication (the sign-out is a POST)."""
    old, new = lagging
    client.force_login(User.objects.create_superuser("curator", "curator@example.org", "a-long-password-1"))
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not client.cookies[settings.SESSION_COOKIE_NAME].value
    assert int(client.cookies[replica.PRIMARY_COOKIE]["max-age"]) == replica.PRIMARY_AFTER_WRITE
    response, _, on_replica = get_counting_queries(client, "/instruments/")
    assert new.title in response.content.decode()
    assert on_replica == 0
    # Once the cookie has run out, the replica serves this client again.
    client.cookies[replica.PRIMARY_COOKIE] = str(int(time.time()) - 1)
    response, on_primary, _ = get_counting_queries(client, "/instruments/")
    assert new.title not in response.content.decode()
    assert on_primary == 0


@replica_test
def test_anonymous_posts_write_the_primary(client, lagging):
    old, new = lagging
    response, _, on_replica = get_counting_queries(client, reverse("admin:login"))
    assert response.status_code == 200
    assert on_replica == 0
    close_old_connections()
    on_replica = QueryCounter()
    with connections[replica.REPLICA].execute_wrapper(on_replica):
        response = client.post(reverse("admin:login"), {"username": "nobody", "password": "wrong-password"})
    assert response.status_code == 200
    assert on_replica.count == 0
    assert replica.PRIMARY_COOKIE in response.cookies


@replica_test
def test_a_replica_that_refuses_connections_leaves_pages_to_the_primary(client, replica_at, caplog):
    replica_at(free_port())
    record = make_instrument()
    for path in ["/", "/instruments/", record.get_absolute_url(), "/search/?q=instrument", "/sitemap.xml"]:
        close_old_connections()
        response = client.get(path)
        assert response.status_code == 200, path
    assert record.title in client.get("/instruments/").content.decode()
    # Tried once, then remembered as down: one warning for five pages.
    warnings = [r for r in caplog.records if r.name == "cop_kb.replica" and "unavailable" in r.getMessage()]
    assert len(warnings) == 1


@replica_test
def test_a_replica_lost_under_a_live_connection_leaves_pages_to_the_primary(client, replica_at, replica_alias):
    """The replica goes away between two requests: its open connection dies and new ones are refused.

    (Stopping the real replica would do the same, but a restarted standby may wait for the primary's long test
    transactions before it accepts connections again; this test must stay bounded.)
    """
    record = make_instrument()
    wait_until_replayed()
    assert get_counting_queries(client, "/instruments/")[2] > 0, "the replica was not in use before it went away"
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    replica_alias["PORT"] = free_port()
    terminate_on_replica(backend)

    response, on_primary, on_replica = get_counting_queries(client, "/instruments/")
    assert response.status_code == 200
    assert record.title in response.content.decode()
    assert (on_primary > 0, on_replica) == (True, 0)
    assert get_counting_queries(client, record.get_absolute_url())[0].status_code == 200


@replica_test
def test_a_repeated_anonymous_page_is_answered_before_django_under_the_replicas_version(lagging, site):
    """The front of the site (cop_kb.page_cache.CachedPagesFirst) reads the content version where Django would read
    the page: from a lagging replica, its version and the page it answered before; from the primary once the replica
    is down. Read from the primary instead, the version would name no page kept from the replica. (``site`` comes
    last: Django's handler leaves the replica out unless its alias exists when the handler is built.)"""
    old, new = lagging
    first = site("/instruments/")
    assert old.title.encode() in first.body and new.title.encode() not in first.body

    again = site("/instruments/")

    assert not again.django_handled
    assert again.body == first.body


@replica_test
def test_with_its_replica_down_the_front_of_the_site_reads_the_primary(replica_at, lagging, site):
    old, new = lagging
    replica_at(free_port())
    first = site("/instruments/")
    assert new.title.encode() in first.body

    again = site("/instruments/")

    assert not again.django_handled
    assert again.body == first.body


def terminate_on_replica(backend: int) -> None:
    """End a replica backend from a connection of our own (a role may end its own backends)."""
    with replica_session() as session:
        assert session.execute("SELECT pg_terminate_backend(%s)", [backend]).fetchone() == (True,)


@replica_test
def test_a_real_server_given_database_replica_url_reads_the_replica_for_anonymous_pages(tmp_path, lagging):
    """`make serve` with DATABASE_REPLICA_URL, over HTTP: the settings, the router and a real server together."""
    old, new = lagging
    primary_url = postgres_url(connection.settings_dict["NAME"])
    replica_url = primary_url.replace(f":{connection.settings_dict['PORT']}/", f":{REPLICA_PORT}/")
    variables = {
        "DATABASE_URL": primary_url,
        "DATABASE_REPLICA_URL": replica_url,
        "WEB_CONCURRENCY": "1",
        "STATIC_ROOT": static_root(tmp_path),
    }
    with serving(tmp_path / "serve.log", **variables) as (_, base):
        page = get(base + "/instruments/").read().decode()
        assert old.title in page
        assert new.title not in page
        # Any other method pins the browser to the primary, even one refused (here for want of a CSRF token).
        refused = get(base + "/admin/login/", method="POST")
        assert refused.status == 403
        cookies = refused.headers.get_all("Set-Cookie")
        (pin,) = [cookie.split(";")[0] for cookie in cookies if cookie.startswith(replica.PRIMARY_COOKIE)]
        assert new.title in get(base + "/instruments/", Cookie=pin).read().decode()
        replica_script("--resume")
        wait_until_replayed()
        assert new.title in get(base + "/instruments/").read().decode()


# ---- which database a request reads, decided without a database ------------------------------------------------


def request_for(method: str = "get", path: str = "/instruments/", **cookies: str):
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    return request


def test_anonymous_gets_and_heads_of_public_pages_may_read_the_replica():
    assert replica.replica_may_serve(request_for())
    assert replica.replica_may_serve(request_for("head", "/"))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_read_the_primary(method):
    assert not replica.replica_may_serve(request_for(method))


def test_the_admin_and_signed_in_users_read_the_primary():
    assert not replica.replica_may_serve(request_for(path=reverse("admin:index")))
    assert not replica.replica_may_serve(request_for(path=reverse("admin:login")))
    assert not replica.replica_may_serve(request_for(**{settings.SESSION_COOKIE_NAME: "any-session"}))


@pytest.mark.parametrize(("seconds_left", "pinned"), [(60, True), (-1, False)], ids=["running", "run out"])
def test_the_primary_cookie_pins_reads_only_until_its_time(seconds_left, pinned):
    until = str(time.time() + seconds_left)
    assert replica.replica_may_serve(request_for(**{replica.PRIMARY_COOKIE: until})) is not pinned


@pytest.mark.parametrize("value", ["not-a-time", "", "nan", "1e999x"])
def test_a_malformed_primary_cookie_is_ignored(value):
    assert replica.replica_may_serve(request_for(**{replica.PRIMARY_COOKIE: value}))
