"""Search responses cached until the index changes.

A search at 100,000 records costs tens of milliseconds of database work; the same search asked again (a shared
link, the next visitor, the back button) costs one primary-key read of ``IndexState`` and a cache hit. Keys carry
the index token, which the database replaces on every change to documents, synonyms or tag names (migration 0006),
so a cached page never shows a record that has since been withdrawn or misses one just published.

The pages are the same for every visitor (no user, session, messages or CSRF token in them), so one entry serves
all. The cache is the ``search`` alias in ``CACHES``: process-local memory by default, which a restart empties,
so a deployment never serves pages rendered by the code it replaced.

Browsers and shared caches may keep an answer too, but only on condition (``Cache-Control: no-cache``): each use
asks again with the answer's ETag, which names the index token, and gets a 304 after that one read while the index
is unchanged, or the fresh answer once anything was published, edited or withdrawn. No copy outlives a withdrawal.
"""

import hashlib
import uuid
from functools import wraps

from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, quote_etag

from .models import IndexState

# Response headers a cached copy keeps; the middleware adds the security headers to every response on the way out.
KEPT_HEADERS = ("Content-Type",)
# ETags name the code that rendered an answer as well as the index it read: after a restart (a deployment), a copy
# rendered by the code replaced is not confirmed as current.
_PROCESS = uuid.uuid4().hex[:8]


def index_token() -> str | None:
    """The index's current token, or None before anything was ever indexed (nothing is cached then)."""
    # Plain SQL: this runs on every cached request, and building the ORM query would take longer than the read.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {IndexState._meta.db_table} WHERE id = 1")  # noqa: S608 - a model's table
        row = cursor.fetchone()
    return row[0] if row else None


def _revalidated(response: HttpResponse, etag: str | None) -> HttpResponse:
    """Let browsers and shared caches keep ``response`` only if they ask the server before each use."""
    response["Cache-Control"] = "no-cache"
    if etag and response.status_code in (200, 304):
        response["ETag"] = etag
    return response


def cached_until_index_changes(view):
    """Cache a view's 200 responses by path and query string under the current index token, and answer a
    revalidation whose ETag names that token with a 304."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = index_token()
        if token is None:
            return _revalidated(view(request, *args, **kwargs), None)
        etag = quote_etag(f"{token}-{_PROCESS}")
        conditional = get_conditional_response(request, etag=etag)
        if conditional is not None:
            return _revalidated(conditional, etag)
        address = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
        key = f"{view.__module__}.{view.__qualname__}:{token}:{hashlib.sha256(address.encode()).hexdigest()}"
        cache = caches["search"]
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            return _revalidated(HttpResponse(content, headers=headers), etag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(key, (response.content, {name: response[name] for name in KEPT_HEADERS if name in response}))
        return _revalidated(response, etag)

    return wrapper
