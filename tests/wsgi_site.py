"""The site as a WSGI server (gunicorn) calls it: ``cop_kb.page_cache.CachedPagesFirst`` in front of Django's
handler, as in ``cop_kb.wsgi``. Whether Django handled a request is told by its ``request_started`` signal."""

import contextlib
import io

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.datastructures import CaseInsensitiveMapping

from cop_kb.page_cache import CachedPagesFirst


class Answer:
    """A WSGI answer: status, headers (also by name, ``header``), body, and whether Django's handling ran."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, django_handled: bool):
        self.status_code = int(status.split()[0])
        self.headers = headers
        self.header = CaseInsensitiveMapping(dict(headers))
        self.body = body
        self.django_handled = django_handled


@contextlib.contextmanager
def wsgi_site():
    """``site(path, method=..., query=..., **environ)``: the site as gunicorn calls it; an environ value None leaves
    that field out.

    Django's handler closes the database connection around each request, which would end the test's transaction;
    this keeps it open the way the test client does (``django.test.client.ClientHandler``).
    """
    application = CachedPagesFirst(WSGIHandler())
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    started = []

    def note_start(**_kwargs):
        started.append(True)

    request_started.connect(note_start)

    def call(path: str, method: str = "GET", query: str = "", **environ: str) -> Answer:
        started.clear()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "testserver",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
            **environ,
        }
        environ = {name: value for name, value in environ.items() if value is not None}  # None: not sent
        answered = []
        result = application(environ, lambda status, headers, exc_info=None: answered.append((status, headers)))
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        ((status, headers),) = answered
        return Answer(status, headers, body, django_handled=bool(started))

    try:
        yield call
    finally:
        request_started.disconnect(note_start)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
