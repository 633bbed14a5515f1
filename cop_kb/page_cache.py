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
query string (hashed), the code that rendered the page (``code_id``), so a deployment never serves pages rendered
by the code it replaced, and the day, since a citation says when the page was accessed.

Browsers and shared caches may keep a page too, but only on condition (``Cache-Control: no-cache``): each use asks
again with the page's ETag, which names the token, the code and the day, and gets a 304 after that one read while
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
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, quote_etag

from cop_kb.records.content_version import content_version

CACHE_ALIAS = "pages"
logger = logging.getLogger(__name__)

# Set on the way out by this middleware, never stored with a page.
OWN_HEADERS = {"cache-control", "etag", "last-modified", "vary", "expires"}
# Cookies that mean the request may belong to someone signed in or carry messages for them alone.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


@functools.cache
def code_id() -> str:
    """A digest of the code, templates, static files and pinned dependencies of this deployment.

    Every app server running the same release computes the same id, so they share cache entries and ETags; a new
    release has a new id, so nothing rendered by the old code is served or confirmed as current.
    """
    base = Path(settings.BASE_DIR)
    # The project's own apps; installed packages are named by requirements.lock (a venv may live inside BASE_DIR).
    roots = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]
    roots += [Path(folder) for template in settings.TEMPLATES for folder in template.get("DIRS", [])]
    roots += [Path(folder) for folder in settings.STATICFILES_DIRS]
    files = {path for root in roots for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    pinned = (base / "requirements.lock", Path(settings.STATIC_ROOT) / "staticfiles.json")
    files |= {path for path in pinned if path.exists()}
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


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
        # A page may show today's date (a citation's "accessed"), so what is current is named by the day too.
        version_id = f"{token}-{code_id()}-{timezone.localdate():%Y%m%d}"
        etag = quote_etag(version_id)
        offered = parse_etags(request.headers.get("If-None-Match", ""))
        if etag in offered or f"W/{etag}" in offered:  # a proxy that compresses may have made it weak
            return _revalidated(HttpResponse(status=304), etag, changed_at)
        address = request.build_absolute_uri()
        key = f"page:{version_id}:{hashlib.sha256(address.encode()).hexdigest()}"
        cached = store.get(key)
        if cached is not None:
            content, headers = cached
            return _revalidated(HttpResponse(content, headers=headers), etag, changed_at)
        response = self.get_response(request)
        if not _storable(response):
            # A streamed answer is too large to keep, but is revalidated like a page, unless it names its own version
            # (a whole-data download is a file built for some content version, perhaps not the current one).
            if _for_everyone_answer(response) and not response.has_header("ETag"):
                return _revalidated(response, etag, changed_at)
            return response
        headers = {name: value for name, value in response.items() if name.lower() not in OWN_HEADERS}
        store.set(key, (response.content, headers))
        return _revalidated(response, etag, changed_at)
