"""`make serve` (scripts/serve.sh): real gunicorn on production settings, plain HTTP for this machine only.

The server runs on a database of its own, copied from the run's test database as the migrations left it
(``tests/databases.py``), so the script's migrate has nothing to do, as on a deployed database. It is always stopped,
its process group with it.
"""

import contextlib
import io
import os
import random
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from bench.common import serving as started

from .databases import copied, url_of
from .servers import python

BASE_DIR = Path(settings.BASE_DIR)
STARTS_WITHIN = 120
WORKERS = 3
# The variables of the test run that a real server would not have.
NOT_PASSED_ON = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DATABASE_REPLICA_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def free_port() -> int:
    """A port in 64300-64399 where nothing listens yet, tried in random order: the SQLite and PostgreSQL runs of
    `make test` start servers at the same time."""
    for port in random.sample(range(64300, 64400), 100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("every port in 64300-64399 answers")


def server_env(**variables: str) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in NOT_PASSED_ON}
    return env | {"SECRET_KEY": "s" * 10 + "-serve-test-key-" + "k" * 40, **variables}


def static_root(tmp_path: Path) -> str:
    """A folder of the test's own for collectstatic, so no server rewrites the checkout's staticfiles/ meanwhile."""
    return str(tmp_path / "static")


def workers_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def get(url: str, method: str = "GET", **headers: str):
    """The response to a request for ``url`` (always http://127.0.0.1), error statuses included."""
    request = urllib.request.Request(url, headers=headers, method=method)  # noqa: S310 - http://127.0.0.1 only
    try:
        return urllib.request.urlopen(request, timeout=10)  # noqa: S310 - http://127.0.0.1 only
    except urllib.error.HTTPError as error:
        return error


@contextlib.contextmanager
def serving(log_path: Path, **variables: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """scripts/serve.sh on a free port with ``variables``, once it answers at all: (process, base URL). Always
    stopped, its process group with it (the benchmark's way of serving, ``bench.common.serving``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BASE_DIR / "scripts" / "serve.sh")]
    env = server_env(PORT=str(port), **variables)
    with started(
        command, env=env, log_path=log_path, ready_url=base + "/", within=STARTS_WITHIN, ready=bool
    ) as process:
        yield process, base


def test_make_serve_answers_the_home_page_over_local_http_with_production_settings(tmp_path, migrated_database):
    """On a copy of the run's migrated database (``tests/databases.py``): serve.sh's migrate finds nothing to do."""
    variables = {"WEB_CONCURRENCY": str(WORKERS), "STATIC_ROOT": static_root(tmp_path)}
    with (
        copied(migrated_database, "serve", tmp_path) as where,
        serving(tmp_path / "serve.log", DATABASE_URL=url_of(where), **variables) as (process, base),
    ):
        response = get(base + "/")
        assert response.status == 200
        assert response.url == base + "/", "redirected: plain HTTP is not served locally"
        assert response.headers["Server"].startswith("gunicorn")
        # Production's settings: no debug page for a missing address, the strict headers, and no HSTS over HTTP.
        missing = get(base + "/no-such-page/")
        assert missing.status == 404
        assert "Traceback" not in missing.read().decode()
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response.headers
        # Cookies without Secure, or a browser would never send them back over plain HTTP (no admin sign-in).
        cookies = get(base + "/admin/login/").headers.get_all("Set-Cookie")
        (csrf,) = [cookie for cookie in cookies if cookie.startswith(settings.CSRF_COOKIE_NAME + "=")]
        assert "secure" not in csrf.lower()
        assert len(workers_of(process.pid)) == WORKERS
        # Another host name is refused, so nothing but this machine's names is ever served over plain HTTP.
        assert get(base + "/", Host="kb.example.org").status == 400


def refusal(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """Our own interpreter run with ``args`` in a server's environment plus ``variables``, to its end."""
    return python(*args, env=server_env(**variables))


@pytest.mark.database_independent
def test_local_http_is_refused_for_a_public_host_name():
    result = refusal(
        "-c",
        "import cop_kb.settings.prod",
        LOCAL_HTTP="1",
        ALLOWED_HOSTS="kb.example.org",
        DATABASE_URL="postgres://kb:kb@127.0.0.1:9/kb",
    )
    assert result.returncode != 0
    assert "LOCAL_HTTP serves plain HTTP to this machine only" in result.stderr


@pytest.mark.database_independent
def test_local_http_gunicorn_refuses_to_listen_beyond_this_machine():
    result = refusal(
        "-m",
        "gunicorn",
        "-c",
        "cop_kb/gunicorn.conf.py",
        LOCAL_HTTP="1",
        HOST="0.0.0.0",  # noqa: S104 - refused
        PORT=str(free_port()),
    )
    assert result.returncode != 0
    assert "refusing to bind to ['0.0.0.0:" in result.stderr


@pytest.mark.database_independent
def test_the_downloads_are_built_beside_the_server_and_rebuilt_after_a_change_without_a_request_waiting(
    tmp_path, migrated_database
):
    """serve.sh builds the whole-data downloads in the background; after the content changes, a request gets the older
    file at once (saying so) and starts a build process; the next requests get the new file. A SQLite file of the
    test's own (the server writes to it), copied from the run's migrated database."""
    variables = {"STATIC_ROOT": static_root(tmp_path), "DOWNLOADS_DIR": str(tmp_path / "dl")}
    with (
        copied(migrated_database, "downloads", tmp_path) as where,
        serving(tmp_path / "serve.log", DATABASE_URL=(url := url_of(where)), **variables) as (_process, base),
    ):
        zip_url = base + "/data/downloads/cop_kb-csv.zip"
        first = _when(lambda: get(zip_url), lambda response: response.status == 200, tmp_path)
        assert first.headers["X-Content-Current"] == "yes"
        assert "crc" not in _zipped(first)["instruments.csv"]
        loaded = python(
            "manage.py",
            "load_framework",
            env=server_env(DJANGO_SETTINGS_MODULE="cop_kb.settings.dev", DATABASE_URL=url),
            timeout=120,
        )
        assert loaded.returncode == 0, loaded.stderr
        started = time.monotonic()
        stale = get(zip_url)
        assert time.monotonic() - started < 5, "the request did not wait for a build"
        assert stale.status == 200 and stale.headers["X-Content-Current"] == "no"
        assert stale.headers["X-Content-Version"] == first.headers["X-Content-Version"]
        fresh = _when(lambda: get(zip_url), lambda response: response.headers["X-Content-Current"] == "yes", tmp_path)
        assert "crc" in _zipped(fresh)["instruments.csv"]
        assert fresh.headers["X-Content-Version"] != first.headers["X-Content-Version"]
        # The build writes one download after the other: the JSON-LD may still be on its way when the zip is current.
        jsonld = base + "/data/downloads/cop_kb.jsonld"
        _when(lambda: get(jsonld), lambda response: response.headers["X-Content-Current"] == "yes", tmp_path)


def _when(ask, done, tmp_path, within: float = 90):
    deadline = time.monotonic() + within
    while not done(answer := ask()):
        assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
        time.sleep(0.5)
    return answer


def _zipped(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.read())) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


@pytest.mark.database_independent
def test_a_worker_loads_the_urls_and_freezes_what_it_loaded_before_its_first_request():
    """gunicorn's ``post_worker_init`` (cop_kb/gunicorn.conf.py), run in a fresh interpreter as a worker runs it once
    the site is loaded: the URL configuration is imported and the objects loaded so far are frozen, out of the
    garbage collector's full collections."""
    script = (
        "import gc, runpy, sys\n"
        "import cop_kb.wsgi\n"
        "hook = runpy.run_path('cop_kb/gunicorn.conf.py')['post_worker_init']\n"
        "before = ('cop_kb.urls' in sys.modules, gc.get_freeze_count())\n"
        "hook(None)\n"
        "print(*before, 'cop_kb.urls' in sys.modules, gc.get_freeze_count())\n"
    )
    result = refusal("-c", script, DATABASE_URL="sqlite:///:memory:", ALLOWED_HOSTS="127.0.0.1")
    assert result.returncode == 0, result.stderr
    urls_before, frozen_before, urls_after, frozen_after = result.stdout.split()
    assert (urls_before, frozen_before, urls_after) == ("False", "0", "True")
    assert int(frozen_after) > 50_000
