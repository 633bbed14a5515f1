"""Production: everything secret or site-specific must come from the environment, or start-up fails.

Required: ``SECRET_KEY`` (50+ random characters), ``ALLOWED_HOSTS`` (comma-separated host names; ``*`` is
refused) and ``DATABASE_URL`` (``postgres://user:password@host:port/name``).

Optional:

* ``SECRET_KEY_FALLBACKS`` — comma-separated former keys, only while rotating ``SECRET_KEY``.
* ``CSRF_TRUSTED_ORIGINS`` — comma-separated ``https://`` origins allowed to submit forms (the admin) when it is
  reached under an origin other than its own host name.
* ``SECURE_SSL_REDIRECT`` — true (default): Django redirects plain HTTP to HTTPS. Set false only when the proxy in
  front already does (this also silences ``check --deploy``'s warning security.W008, deliberately).
* ``SECURE_PROXY_SSL_HEADER`` — the header a TLS-terminating proxy sets to ``https`` (e.g. ``X-Forwarded-Proto``).
  Set it only if that proxy always sets or overwrites the header: otherwise a client could claim HTTPS itself.
* ``TRUSTED_PROXY_COUNT`` — 0 (default): how many proxies of ours stand in front, each appending the address it
  was connected from to X-Forwarded-For (1 behind one TLS proxy). The sign-in lockout and the audit trail then
  take the client's address from that header; with 0 they use the connecting address and ignore the header.
* ``SECURE_HSTS_PRELOAD`` — true (default): ask browsers' HSTS preload lists to include the site. Submitting to the
  list is hard to undo; set false for a host name that may ever need plain HTTP (or a subdomain of it). False also
  silences security.W021, deliberately.
* ``LOCAL_HTTP`` — false (default). True serves plain HTTP on this machine only (``make serve``): no HTTPS redirect,
  no HSTS, cookies without ``Secure``. It is refused unless ``ALLOWED_HOSTS`` names only loopback hosts, so no other
  host name is ever served without HTTPS (and cop_kb/gunicorn.conf.py refuses to bind anywhere but loopback).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_list

for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in the environment for production")


def _strong_key(name: str, value: str) -> str:
    # Rules out the dev and test keys (both short) and Django's startproject keys; `check --deploy` tests the rest.
    if len(value) < 50 or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(f"{name} must be at least 50 random characters (not a development key)")
    return value


SECRET_KEY = _strong_key("SECRET_KEY", os.environ["SECRET_KEY"])
SECRET_KEY_FALLBACKS = [_strong_key("SECRET_KEY_FALLBACKS", key) for key in env_list("SECRET_KEY_FALLBACKS", [])]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names; '*' is not allowed in production")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if any(not origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS):
    raise ImproperlyConfigured("CSRF_TRUSTED_ORIGINS must be https:// origins in production")

DEBUG = False

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
LOCAL_HTTP = env_bool("LOCAL_HTTP", False)
if LOCAL_HTTP and not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "LOCAL_HTTP serves plain HTTP to this machine only: ALLOWED_HOSTS may then name only 127.0.0.1, localhost "
        "and [::1]"
    )

# Whole-data downloads name pages with the site's address (README "Exports"): SITE_URL, else the first host name.
SITE_URL = os.environ.get("SITE_URL", f"{'http' if LOCAL_HTTP else 'https'}://{ALLOWED_HOSTS[0]}").rstrip("/")

# HTTPS everywhere: redirect plain HTTP, and tell browsers never to use it again for a year (subdomains too).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True) and not LOCAL_HTTP
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    _meta_name = _proxy_header.upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (_meta_name if _meta_name.startswith("HTTP_") else f"HTTP_{_meta_name}", "https")
SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Turning either off is a decision made in the environment, so `check --deploy` need not warn about it.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# Cookies travel over HTTPS only (but for LOCAL_HTTP); base.py already makes them HttpOnly and SameSite=Lax.
SESSION_COOKIE_SECURE = not LOCAL_HTTP
CSRF_COOKIE_SECURE = not LOCAL_HTTP
LANGUAGE_COOKIE_SECURE = not LOCAL_HTTP
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
