"""Two real app servers (two gunicorn processes) on one committed database and one Redis: a change made elsewhere
(an edit, a withdrawal, a publication, through the services in another process) shows on either server's very next
response, and the servers share their cached pages and ETags.

The database is a SQLite file in a temporary folder on the SQLite run, and a database of its own on the PostgreSQL
run, copied from the run's migrated database (``tests/databases.py``) and loaded with the framework by ``manage.py`` as
a deployment would.
"""

import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from .databases import copied, url_of
from .servers import ROOT, RedisServer, app_server, port, stop

SETTINGS = "cop_kb.settings.test"
DETAIL = "/instruments/crc/"
LIST = "/instruments/"
TITLE = b"Convention on the Rights of the Child"


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": SETTINGS, **env},
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def change(env: dict[str, str], code: str) -> None:
    """Run ``code`` against the servers' database in a process of its own, through the record services."""
    manage(env, "shell", "-c", f"from tests.test_app_servers import *; {code}", timeout=120)


def crc():
    from instruments.models import Instrument

    return Instrument.objects.get(slug="crc")


def publisher():
    from django.contrib.auth.models import User

    return User.objects.get_or_create(username="servers-publisher", defaults={"is_superuser": True})[0]


def edit_title(title: str) -> None:
    from cop_kb.records.services import record_reindex

    record = crc()
    record.title = title
    record.save()
    record_reindex(record)


def step(action: str) -> None:
    from cop_kb.records.services import record_transition

    record_transition(record=crc(), action=action, user=publisher())


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, migrated_database):
    """A copy of the run's migrated database, loaded with the framework by ``manage.py`` once for the module as a
    deployment would; each test gets a copy of it (``database``), so no test sees another's changes."""
    with copied(migrated_database, "servers_loaded", tmp_path_factory.mktemp("servers")) as where:
        manage({"DATABASE_URL": url_of(where)}, "load_framework", "--verbosity=0")
        yield where


@pytest.fixture
def database(loaded, tmp_path):
    """A committed copy of the loaded database that the servers and the test's changes share; dropped afterwards."""
    with copied(loaded, "servers", tmp_path) as where:
        yield {"DATABASE_URL": url_of(where)}


@pytest.fixture
def servers(database, tmp_path):
    """Two gunicorn servers on one database and one Redis: ``{"a": port, "b": port}``; all stopped afterwards."""
    redis_server = RedisServer(port(3))
    processes = []
    try:
        redis_server.start()
        env = {**database, "REDIS_URL": redis_server.url, "DJANGO_SETTINGS_MODULE": SETTINGS}
        ports = {"a": port(11), "b": port(12)}
        for name, number in ports.items():
            processes.append(app_server(number, env, tmp_path / f"server-{name}.log"))
        yield ports, redis_server, database
    finally:
        for process in processes:
            stop(process)
        redis_server.stop()


def get(number: int, path: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    """Ask one server for ``path`` under the site's one host name, as the proxy in front of both would."""
    headers = {"Host": "localhost", **headers}
    request = urllib.request.Request(f"http://127.0.0.1:{number}{path}", headers=headers)  # noqa: S310 - local http
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - our own server on 127.0.0.1
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_a_change_made_elsewhere_shows_on_the_other_servers_next_response(servers):
    ports, redis_server, database = servers
    a, b = ports["a"], ports["b"]

    status, page, headers = get(a, DETAIL)
    assert status == 200 and TITLE in page
    keys = redis_server.keys()
    status, again, headers_b = get(b, DETAIL)
    assert (status, again) == (200, page)
    assert headers_b["ETag"] == headers["ETag"], "both servers name the same content and code"
    assert redis_server.keys() == keys, "the second server found the first one's page in Redis"
    assert get(b, DETAIL, **{"If-None-Match": headers["ETag"]})[0] == 304
    assert TITLE in get(a, LIST)[1]

    change(database, "edit_title('Convention on the Rights of the Child, Quokka edition')")
    status, page, _headers = get(b, DETAIL)
    assert status == 200 and b"Quokka edition" in page
    assert get(b, DETAIL, **{"If-None-Match": headers["ETag"]})[0] == 200
    assert b"Quokka edition" in get(a, LIST)[1]
    assert b"Quokka edition" in get(a, "/search/?q=quokka")[1]

    change(database, "step('withdraw')")
    assert get(b, DETAIL)[0] == 404
    assert b"Quokka edition" not in get(a, LIST)[1]
    assert b"Quokka edition" not in get(b, "/search/?q=quokka")[1]

    change(database, "step('publish')")
    status, page, _headers = get(a, DETAIL)
    assert status == 200 and b"Quokka edition" in page
    assert b"Quokka edition" in get(b, LIST)[1]
    assert b"Quokka edition" in get(b, "/search/?q=quokka")[1]


def test_the_servers_serve_every_page_while_their_redis_is_down(servers):
    ports, redis_server, database = servers
    expected = {path: get(ports["a"], path)[1] for path in ("/", LIST, DETAIL)}

    redis_server.kill()

    for number in ports.values():
        for path, page in expected.items():
            status, again, _headers = get(number, path)
            assert (status, again) == (200, page)
    change(database, "step('withdraw')")
    assert get(ports["b"], DETAIL)[0] == 404
