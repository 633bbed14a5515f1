"""Anonymous public reads from a read replica (``DATABASE_REPLICA_URL``); everything else from the primary.

One decision per request, taken by ``ReplicaReadsMiddleware`` before anything reads the database and kept in a
context variable that ``PrimaryReplicaRouter`` returns for every read. Every read of a request therefore comes from
one database: a page and the content token it is cached under are one version, even while the replica lags.

The replica serves a request only when it is a GET or HEAD outside the admin, carries no session cookie (nobody is
signed in: Django sets it only at sign-in) and no ``PRIMARY_COOKIE``. That cookie is set by every other method (a
write) for ``PRIMARY_AFTER_WRITE`` seconds, so the writer reads its own write. A replica that refuses connections
is remembered as down for ``REPLICA_RETRY_AFTER`` seconds in this process, and its requests read the primary.
"""

import contextvars
import logging
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import reverse

REPLICA = "replica"
PRIMARY_COOKIE = "kb_primary_until"
PRIMARY_AFTER_WRITE = 10
REPLICA_RETRY_AFTER = 5
SAFE_METHODS = frozenset({"GET", "HEAD"})

logger = logging.getLogger(__name__)

_reads_from = contextvars.ContextVar("reads_from", default=DEFAULT_DB_ALIAS)
_replica_down_until = 0.0


class PrimaryReplicaRouter:
    """Reads go where this request's middleware decided (the primary outside requests); writes and migrations to
    the primary only."""

    def db_for_read(self, model, **hints) -> str:
        return _reads_from.get()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same rows: an object read from the replica may be linked to one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def replica_available() -> bool:
    """Whether the replica answers now; a failure is remembered for ``REPLICA_RETRY_AFTER`` seconds.

    The connection is opened (or its persistent one health-checked) here, before the page reads anything, so a
    replica that is down costs a request no error: it reads the primary instead. Its connect timeout is short
    (``cop_kb.settings.env.replica_from_url``), and remembering the failure spares the next requests the wait.
    """
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _replica_down_until = time.monotonic() + REPLICA_RETRY_AFTER
        connection.close()
        logger.warning(
            "read replica unavailable (%s); reading the primary for %s s", type(error).__name__, REPLICA_RETRY_AFTER
        )
        return False
    return True


def replica_or_primary() -> str:
    """The replica if it answers now, else the primary: where a read the replica may serve goes."""
    return REPLICA if replica_available() else DEFAULT_DB_ALIAS


def forget_replica_failure() -> None:
    """Try the replica again on the next request (a test or an operator that knows it is back)."""
    global _replica_down_until
    _replica_down_until = 0.0


def _pinned_to_primary(request) -> bool:
    raw = request.COOKIES.get(PRIMARY_COOKIE, "")
    try:
        return time.time() < float(raw)
    except ValueError:
        return False


def replica_may_serve(request) -> bool:
    """Whether this request is an anonymous public read that a (possibly lagging) replica may answer."""
    return (
        request.method in SAFE_METHODS
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not _pinned_to_primary(request)
        and not request.path.startswith(reverse("admin:index"))
    )


class ReplicaReadsMiddleware:
    """Chooses the database every read of this request comes from; after a write, pins the client to the primary.

    It must come before any middleware that reads the database (sessions, the page cache), so those reads follow
    the same choice. Without a replica alias it removes itself.
    """

    def __init__(self, get_response):
        if REPLICA not in connections:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        alias = replica_or_primary() if replica_may_serve(request) else DEFAULT_DB_ALIAS
        token = _reads_from.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reads_from.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PRIMARY_COOKIE,
                str(int(time.time()) + PRIMARY_AFTER_WRITE),
                max_age=PRIMARY_AFTER_WRITE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
