"""Whole-data downloads (the CSV zip, the JSON-LD graph): built outside requests, served from the newest built file.

A request never builds one: at 10,000 records a build takes seconds, at 100,000 far longer than a worker may take.
``manage.py build_downloads`` builds every download whose newest file does not describe the current content, under a
lock (one build at a time per ``DOWNLOADS_DIR``), in one read-only transaction that sees one snapshot of the
database (PostgreSQL: repeatable read; SQLite in WAL mode: a read transaction), so the file holds exactly the content
version its name gives. It writes under a temporary name and renames, so no reader sees half a file, then deletes the
older files (a download already reading one keeps its open file).

A request serves the newest file, saying which content it describes (``X-Content-Version``, ``Last-Modified``: the
content's last change) and whether that is still the current content (``X-Content-Current``). When it is not, or
there is no file yet (a 503 with ``Retry-After``), the request starts the command in a process of its own and
returns at once: a subprocess rather than a thread, so the build neither shares the worker's interpreter (and its
requests' time) nor dies with a worker that gunicorn recycles or times out. ``make run`` and ``make serve`` also run
the command at start-up.
"""

import datetime
import fcntl
import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date, parse_etags, quote_etag

from cop_kb.records.content_version import ContentVersion, content_version
from cop_kb.release import code_id

logger = logging.getLogger(__name__)

LOCK_NAME = ".build.lock"
# A request that finds no file asks again after this many seconds; a process does not start another build sooner.
RETRY_SECONDS = 30
_STAMP = "%Y%m%dT%H%M%S%f"


@dataclass(frozen=True)
class Download:
    """One whole-data download: its files are ``<prefix>.<content time>.<token>.<key><suffix>`` in DOWNLOADS_DIR."""

    prefix: str
    suffix: str
    # Writes the file (binary, open for writing) for the content that changed at the given time, with that token.
    write: Callable[[BinaryIO, datetime.datetime, str], None]


@dataclass(frozen=True)
class Built:
    """A built file of a download: the content version it describes and what built it (``key``)."""

    path: Path
    changed_at: datetime.datetime
    token: str
    key: str

    @property
    def etag(self) -> str:
        return quote_etag(f"download-{self.token}-{self.key}")

    def describes(self, version: tuple[str, datetime.datetime] | None) -> bool:
        """Whether this file is what a build now would write: the same content, code, site and day."""
        return version is not None and self.token == version[0] and self.key == build_key()


def build_key() -> str:
    """What besides the content a file depends on: the code (and so the columns and mapping), the site's address
    written into it, and the day (what is in force changes with the date; the README names the day)."""
    digest = hashlib.sha256(f"{code_id()} {settings.SITE_URL}".encode()).hexdigest()[:12]
    return f"{digest}-{timezone.localdate():%Y%m%d}"


def _folder() -> Path:
    folder = Path(settings.DOWNLOADS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _parsed(download: Download, path: Path) -> Built | None:
    parts = path.name.removeprefix(download.prefix + ".").removesuffix(download.suffix).split(".")
    if len(parts) != 3:
        return None
    stamp, token, key = parts
    try:
        changed_at = datetime.datetime.strptime(stamp, _STAMP).replace(tzinfo=datetime.UTC)
    except ValueError:
        return None
    return Built(path, changed_at, token, key)


def newest(download: Download) -> Built | None:
    """The built file of the latest content (of the latest day, for the same content), or None."""
    found = [_parsed(download, path) for path in _folder().glob(f"{download.prefix}.*{download.suffix}")]
    found = [built for built in found if built is not None]
    return max(found, key=lambda built: (built.changed_at, built.key[-8:]), default=None)


@contextmanager
def _snapshot():
    """A read-only transaction on the primary that sees one state of the database from its first read to its end."""
    using = router.db_for_write(ContentVersion)
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:  # not inside a test's transaction
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def build(download: Download) -> Built | None:
    """Build ``download`` for the current content unless its newest file already describes it; None without
    content. Written under a temporary name and renamed; older files of the download are deleted afterwards."""
    folder = _folder()
    with _snapshot():
        version = content_version()
        if version is None:
            return None
        current = newest(download)
        if current is not None and current.describes(version):
            return current
        token, changed_at = version
        name = f"{download.prefix}.{changed_at.astimezone(datetime.UTC):{_STAMP}}.{token}.{build_key()}"
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=download.suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                download.write(out, changed_at, token)
            os.chmod(temporary, 0o644)  # public data: readable by whatever serves the folder
            os.replace(temporary, folder / f"{name}{download.suffix}")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    built = newest(download)
    # "-" too: files named the way the first version of the downloads named them (built inside requests).
    for older in folder.glob(f"{download.prefix}[.-]*{download.suffix}"):
        if built is not None and older != built.path:
            older.unlink(missing_ok=True)
    return built


@contextmanager
def build_lock(*, wait: bool):
    """Hold the folder's build lock (True), or yield False at once if another process holds it and not ``wait``."""
    with open(_folder() / LOCK_NAME, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def remove_leftovers() -> None:
    """Delete half-written files of builds that died (call while holding the lock: no build is running)."""
    for leftover in _folder().glob(".building-*"):
        leftover.unlink(missing_ok=True)


_started: dict[str, object] = {"process": None, "at": -RETRY_SECONDS}
_starting = threading.Lock()


def request_build() -> None:
    """Start ``manage.py build_downloads`` in a process of its own, unless one this process started is still running
    (or failed less than RETRY_SECONDS ago), or another process holds the build lock. Never waits for it."""
    if not settings.DOWNLOADS_BUILD_ON_REQUEST:
        return
    with _starting:
        process = _started["process"]
        if process is not None and process.poll() is None:
            return
        if process is not None and process.returncode != 0 and time.monotonic() - _started["at"] < RETRY_SECONDS:
            return  # a build that failed is not tried again on every request
        with build_lock(wait=False) as free:
            if not free:
                return
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "build_downloads"]
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        process = subprocess.Popen(  # noqa: S603 (our own command, no user input)
            command, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        _started.update(process=process, at=time.monotonic())
        threading.Thread(target=process.wait, daemon=True).start()  # reaped when it ends: no zombie
        logger.info("Whole-data downloads are out of date: started build_downloads (pid %s)", process.pid)


def served(request, download: Download, respond: Callable[[Built, BinaryIO], HttpResponse]) -> HttpResponse:
    """The newest built file of ``download``, answered by ``respond`` with headers naming the content it describes;
    a 304 when the client has it; a 503 with Retry-After while there is none. Starts a build when out of date."""
    version = content_version()
    for _attempt in range(2):  # a newer build may delete the file between finding and opening it
        built = newest(download)
        if built is None or not built.describes(version):
            request_build()
        if built is None:
            break
        headers = {
            "ETag": built.etag,
            "Last-Modified": http_date(built.changed_at.timestamp()),
            "Cache-Control": "no-cache",
            "X-Content-Version": built.token,
            "X-Content-Current": "yes" if built.describes(version) else "no",
        }
        offered = parse_etags(request.headers.get("If-None-Match", ""))
        if built.etag in offered or f"W/{built.etag}" in offered:
            return HttpResponse(status=304, headers=headers)
        try:
            file = built.path.open("rb")
        except FileNotFoundError:
            continue
        response = respond(built, file)
        for name, value in headers.items():
            response[name] = value
        return response
    return HttpResponse(
        "This download is being prepared. Please try again in a minute.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"},
    )
