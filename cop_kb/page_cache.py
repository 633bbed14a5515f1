"""Every public page cached under the site's content version, for anonymous visitors only.

A page costs milliseconds to tens of milliseconds of database and template work; the same page again (the next
visitor, a shared link, the back button) costs one primary-key read of the content version
(``cop_kb.records.content_version``) and a cache hit. Keys carry the version's token, which the database replaces on
every write to public content, so a cached page never shows a record that has since been withdrawn or misses one
just published; old entries are simply never asked for again and expire.

Only what is the same for every visitor is cached: GET and HEAD requests without a session or messages cookie (so
never a signed-in editor's request, cached or filling the cache), to public paths (not the admin, sign-in, previews,
static or media files), answered 200 without setting a cookie (a CSRF token or a message sets one) and without
``private`` or ``no-store``; a streamed answer (a CSV export) is never stored, but is revalidated like a page
(one with an ETag of its own, a whole-data download, is left as it is). Keys name the scheme, host, path and whole
query string (hashed), the release that rendered the page (its code and settings, ``cop_kb.release.release_id``), so
a deployment never serves pages rendered by the code or settings it replaced, and the day, since a citation says when
the page was accessed. In front of Django, ``CachedPagesFirst`` gives a repeated page again as it left Django.

Browsers and shared caches may keep a page too, but only on condition (``Cache-Control: no-cache``): each use asks
again with the page's ETag, which names the token, the release and the day, and gets a 304 after that one read while
nothing changed, without the page being rendered or fetched from the cache. Only the ETag is trusted for a 304: a
``Last-Modified`` (the version's time) is sent, but a date to the second cannot tell two changes in one second apart.

The cache is the ``pages`` alias in ``CACHES``: Redis when ``REDIS_URL`` is set (shared by every app server), process
memory when not. If it fails (Redis down, slow or refusing connections), pages are served uncached, a warning is
logged at most once a minute, and the cache is left alone for a few seconds so a down Redis does not add a timeout to
every request.
"""

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse, parse_cookie
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, quote_etag

from cop_kb.records.content_version import content_token, content_version
from cop_kb.release import release_id
from cop_kb.replica import PRIMARY_COOKIE, REPLICA, replica_or_primary

CACHE_ALIAS = "pages"
logger = logging.getLogger(__name__)

# Set on the way out by this middleware, never stored with a page.
OWN_HEADERS = {"cache-control", "etag", "last-modified", "vary", "expires"}
# Cookies that mean the request may belong to someone signed in or carry messages for them alone.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
# The attribute ``PageCacheMiddleware`` sets on a page it stored or answered from the cache: the version it was
# rendered under, for ``CachedPagesFirst`` to keep the whole answer under.
KEPT_UNDER = "page_cache_version"
# The WSGI fields that make a request's address, as the client sent it (with the proxy's, when there is one); the
# server's own name and port too when the client named no host, as Django then does.
ADDRESS_FIELDS = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "SCRIPT_URL",
    "REDIRECT_URL",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)


class _FailSafeCache:
    """The ``pages`` cache, where any failure means "not cached", and which is skipped for a while after one."""

    def __init__(self) -> None:
        self._skip_until = 0.0
        self._logged_at: float | None = None
        self._failures = 0

    def get(self, key: str):
        return self._call(lambda cache: cache.get(key))

    def set(self, key: str, value) -> None:
        self._call(lambda cache: cache.set(key, value))

    def _call(self, operation):
        now = time.monotonic()
        if now < self._skip_until:
            return None
        try:
            return operation(caches[CACHE_ALIAS])
        except Exception as error:  # whatever the cache raises (refused, timed out, unreadable), serve uncached
            self._failed(now, error)
            return None

    def _failed(self, now: float, error: Exception) -> None:
        self._skip_until = now + settings.PAGE_CACHE_RETRY_SECONDS
        self._failures += 1
        if self._logged_at is None or now - self._logged_at >= settings.PAGE_CACHE_LOG_SECONDS:
            logger.warning(
                "Page cache unavailable, serving pages uncached and retrying every %s s (%d failures): %r",
                settings.PAGE_CACHE_RETRY_SECONDS,
                self._failures,
                error,
            )
            self._logged_at = now
            self._failures = 0


store = _FailSafeCache()


@functools.cache
def _private_paths() -> tuple[str, ...]:
    """Paths never cached here: the admin, sign-in, previews, and static and media files (served with their own
    headers). An unset MEDIA_URL reads as "/", which names no media."""
    paths = ["/admin/", "/accounts/", "/preview/"]
    paths += [url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url.strip("/")]
    return tuple(paths)


def _for_everyone(request) -> bool:
    """Whether the answer to ``request`` is the same for every visitor, so it may be cached and revalidated."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(_private_paths())
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _for_everyone_answer(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _storable(response: HttpResponse) -> bool:
    return _for_everyone_answer(response) and not response.streaming


def _revalidated(response: HttpResponse, etag: str, changed_at) -> HttpResponse:
    """Let browsers and shared caches keep ``response`` only if they ask the server before each use."""
    response["Cache-Control"] = "no-cache"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at.timestamp())
    patch_vary_headers(response, ("Cookie",))
    return response


def _version_id(token: str) -> str:
    """What is current: the content version, the release (code and settings), and the day (a page may show today's
    date in a citation's "accessed")."""
    return f"{token}-{release_id()}-{timezone.localdate():%Y%m%d}"


def _offered(if_none_match: str, etag: str) -> bool:
    """Whether a client's ``If-None-Match`` names ``etag``, weak or not (a proxy that compresses may make it weak)."""
    offered = parse_etags(if_none_match)
    return etag in offered or f"W/{etag}" in offered


def _kept(response: HttpResponse, version_id: str) -> HttpResponse:
    """Mark ``response`` as a page for everyone rendered under ``version_id``, for ``CachedPagesFirst`` to keep."""
    setattr(response, KEPT_UNDER, version_id)
    return response


class PageCacheMiddleware:
    """Answer anonymous public requests from the cache, with a 304 when the visitor's copy is current."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _for_everyone(request):
            return self.get_response(request)
        version = content_version()
        if version is None:  # no version row (a database not migrated): nothing can be keyed, so nothing is cached
            return self.get_response(request)
        token, changed_at = version
        version_id = _version_id(token)
        etag = quote_etag(version_id)
        address = request.build_absolute_uri()  # first: a host not allowed is a 400, even where a 304 would do
        if _offered(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
            return _kept(_revalidated(HttpResponse(status=304), etag, changed_at), version_id)
        key = f"page:{version_id}:{hashlib.sha256(address.encode()).hexdigest()}"
        cached = store.get(key)
        if cached is not None:
            content, headers = cached
            return _kept(_revalidated(HttpResponse(content, headers=headers), etag, changed_at), version_id)
        response = self.get_response(request)
        if not _storable(response):
            # A streamed answer is too large to keep, but is revalidated like a page, unless it names its own version
            # (a whole-data download is a file built for some content version, perhaps not the current one).
            if _for_everyone_answer(response) and not response.has_header("ETag"):
                return _revalidated(response, etag, changed_at)
            return response
        headers = {name: value for name, value in response.items() if name.lower() not in OWN_HEADERS}
        store.set(key, (response.content, headers))
        return _kept(_revalidated(response, etag, changed_at), version_id)


def _plain_get(environ: dict) -> bool:
    """Whether a WSGI request is a GET whose answer is the same for every visitor if its page is: no Authorization,
    no Origin (CORS headers are added only when one is sent), no cookie of someone's own, none pinning reads to the
    primary."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ or "HTTP_ORIGIN" in environ:
        return False
    cookie = environ.get("HTTP_COOKIE")
    return not cookie or not any(name in parse_cookie(cookie) for name in (*PERSONAL_COOKIES, PRIMARY_COOKIE))


def _address(environ: dict) -> str:
    """A digest of the request's address as the client sent it; taken before Django handles the request, which may
    fill in fields (``SCRIPT_NAME``)."""
    fields = [*ADDRESS_FIELDS, *(settings.SECURE_PROXY_SSL_HEADER or ())[:1]]
    if "HTTP_HOST" not in environ:
        fields += ["SERVER_NAME", "SERVER_PORT"]
    return hashlib.sha256(repr([environ.get(field) for field in fields]).encode()).hexdigest()


class _RecentAnswers:
    """The answers a process gave last, at most ``budget`` bytes of headers and bodies in all, the least recently used
    dropped first (an answer larger than the budget is not kept).

    An answer's key names the content version, the release, the day and the address, so what a key holds never goes
    stale: a copy here is as current as the shared cache's, and a change of content is a new key. (A revalidation's
    answer, headers without a page, gives way to the page's under the same key.)
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._answers: OrderedDict[str, tuple] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # threaded workers share the process

    def get(self, key: str):
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: str, answer: tuple) -> None:
        size = _size(answer)
        if size > self.budget:
            return
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept[1] is None:  # new, or a revalidation's answer that the page now replaces
                self._answers[key] = answer
                self._size += size - (0 if kept is None else _size(kept))
            self._answers.move_to_end(key)
            while self._size > self.budget:
                _key, dropped = self._answers.popitem(last=False)
                self._size -= _size(dropped)


def _size(answer: tuple) -> int:
    """An answer's bytes: its headers' and its body's (None for a revalidation's answer, which has none)."""
    headers, body = answer
    return sum(len(name) + len(value) for name, value in headers) + len(body or b"")


class CachedPagesFirst:
    """WSGI, in front of Django: answer a repeated anonymous GET, 200 or 304, from the whole answer the site gave to the
    same address under the same content version, before Django's request handling starts.

    Django's handling of a page that ``PageCacheMiddleware`` answers from the cache (the request and response objects,
    the request signals that check every database connection and cache, each middleware's work) cost three times the
    content version's read and the cache hit themselves (bench/results.md). Here a page that middleware stored or
    answered is kept once more, as it left Django: status, every header the middleware above it set, body. The next GET
    with the same address fields (``ADDRESS_FIELDS``) that ``_plain_get`` accepts is answered from that copy after one
    read of the content version's token (``content_token``), from the database its page would be read from
    (``replica_or_primary``).

    It only repeats what the site answered to the same address under the same version and release (code and
    settings, ``release_id``), so everything the site refuses or redirects (a host not allowed, plain HTTP where HTTPS
    is required, a malformed query string, a 404) was never kept and still goes to Django, as do HEAD requests, the
    admin, sign-in and static files, and a request when the database or the cache fails. The request signals do not
    run for an answer given here: the connection is aged out and checked here as they would (``_connection_for``).
    """

    def __init__(self, application):
        self.application = application
        # The answers the process gave last, as they are: from the cache each would cost a round trip to Redis, or
        # unpickling from process memory.
        self.recent = _RecentAnswers(settings.PAGE_CACHE_RECENT_BYTES)
        self._skip_until = 0.0

    def _recall(self, key: str):
        answer = self.recent.get(key)
        if answer is None:
            answer = store.get(key)
            if answer is not None:
                self.recent.put(key, answer)
        return answer

    def _remember(self, key: str, answer: tuple) -> None:
        self.recent.put(key, answer)
        store.set(key, answer)

    def __call__(self, environ: dict, start_response):
        if (
            not _plain_get(environ)
            or environ.get("PATH_INFO", "").startswith(_private_paths())
            or time.monotonic() < self._skip_until
        ):
            return self.application(environ, start_response)
        try:
            token = content_token(_connection_for())
        except DatabaseError:
            # Django's own handling answers (the 503 page); while the database is away, this steps aside rather than
            # make each request wait for two failed connections.
            self._skip_until = time.monotonic() + settings.PAGE_CACHE_RETRY_SECONDS
            return self.application(environ, start_response)
        address = _address(environ)
        version_id = _version_id(token) if token is not None else None
        kept = self._recall(f"answer:{version_id}:{address}") if version_id is not None else None
        if kept is None:
            return self._answer_and_keep(environ, start_response, address)
        headers, body = kept
        etag = quote_etag(version_id)
        if _offered(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            start_response("304 Not Modified", [header for header in headers if header[0].lower() != "content-length"])
            return []
        if body is None:  # only a revalidation was answered here: the page itself is still Django's to give
            return self._answer_and_keep(environ, start_response, address)
        start_response("200 OK", list(headers))  # a copy: a server may add to the list it is given
        return [body]

    def _answer_and_keep(self, environ: dict, start_response, address: str):
        answered = []

        def start_and_note(status, headers, exc_info=None):
            answered.append((status, headers))
            return start_response(status, headers, exc_info)

        response = self.application(environ, start_and_note)
        version_id = getattr(response, KEPT_UNDER, None)
        if version_id is None or not answered or not _for_anyone(*answered[0]):
            return response
        status, headers = answered[0]
        key = f"answer:{version_id}:{address}"
        if status.startswith("304 "):
            # A process whose first request for an address is a revalidation (a browser's, after another server or
            # worker gave it the page) repeats Django's 304 from then on. Kept here only: in the shared cache an
            # answer without the page would take the place of one with it.
            self.recent.put(key, (tuple(headers), None))
        else:
            self._remember(key, (tuple(headers), response.content))
        return response


def _for_anyone(status: str, headers: list[tuple[str, str]]) -> bool:
    """Whether a page answer, headers as they left Django, may be given to anyone who sends the same address (and, for
    a 304, the same ETag): a 200 or 304 that sets no cookie and varies with nothing but the personal cookies and the
    Origin ``_plain_get`` rules out. (``PageCacheMiddleware`` kept the page already; this is for what the middleware
    above it may have added.)"""
    varies = {part.strip().lower() for name, value in headers if name.lower() == "vary" for part in value.split(",")}
    return (
        status.startswith(("200 ", "304 "))
        and not any(name.lower() == "set-cookie" for name, _value in headers)
        and varies <= {"cookie", "origin"}
    )


def _connection_for() -> str:
    """The database an anonymous page is read from (the replica when there is one and it answers), its connection
    aged out or closed after an error, as Django's request signals would before a request."""
    alias = replica_or_primary() if REPLICA in connections else DEFAULT_DB_ALIAS
    connection = connections[alias]
    if not connection.in_atomic_block:  # a test's transaction; a server's request never holds one here
        connection.close_if_unusable_or_obsolete()
    return alias
