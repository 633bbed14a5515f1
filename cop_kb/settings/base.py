"""Settings shared by every environment; each value can be overridden from the environment."""

import datetime
import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import database_from_url, env_bool, env_int, env_list, replica_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "import_export",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "cop_kb",
    "cop_kb.search",
    "cop_kb.directory",
    "instruments",
    "strategy",
    "programmes",
]

# Header-setting middleware sits above WhiteNoise so static files get the same headers as pages.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cop_kb.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cop_kb.middleware.ParseQueryStringFirst",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the database; it removes itself without DATABASE_REPLICA_URL.
    "cop_kb.replica.ReplicaReadsMiddleware",
    # Above the page cache, so a cached API answer carries the CORS headers too (only /api/, CORS_URLS_REGEX).
    "corsheaders.middleware.CorsMiddleware",
    # Above sessions and authentication: a cached page is answered before either is read (cop_kb/page_cache.py).
    "cop_kb.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
    # Answers a list or search address asked for format=csv before its view runs (cop_kb/exports/csv_export.py).
    "cop_kb.exports.csv_export.CsvExportMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out sign-ins before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cop_kb.urls"
WSGI_APPLICATION = "cop_kb.wsgi.application"
ASGI_APPLICATION = "cop_kb.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cop_kb.context_processors.site",
            ],
            # The record core and linked data are packages, not apps, so their template tags are named here.
            "libraries": {
                "records": "cop_kb.records.templatetags.records",
                "records_admin": "cop_kb.records.templatetags.records_admin",
                "linked_data": "cop_kb.linked_data.templatetags",
                "graph": "cop_kb.graph.templatetags",
            },
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), BASE_DIR / "db.sqlite3")}
# A streaming replica answers anonymous public reads; everything else reads the primary (cop_kb/replica.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = replica_from_url(os.environ["DATABASE_REPLICA_URL"], DATABASES["default"])
    DATABASE_ROUTERS = ["cop_kb.replica.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = "UTC"
# One language so far: Django's translation machinery off, which it offers for speed (every marked string and label
# looked up per use cost about a tenth of a fresh home page). Strings stay marked; turn it on with the first
# translation.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from; a server (or a test's) may keep its own copy.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Tags are matched case-insensitively so "Grooming" and "grooming" stay one tag.
TAGGIT_CASE_INSENSITIVE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# "pages" keeps rendered public pages, keyed by the content version (cop_kb/page_cache.py). With REDIS_URL
# (redis://host:port/db) it is Redis, shared by every app server; timeouts are short because a page served uncached
# is better than a page waiting for a cache. Without it, process memory: each worker has its own, at most 2,000
# entries of 2-60 kB. Entries live an hour at most; an entry of an older token is never asked for again.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    PAGES_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
else:
    PAGES_CACHE = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {**PAGES_CACHE, "TIMEOUT": 60 * 60, "KEY_PREFIX": "cop_kb"},
}
# After the page cache fails, pages are served without it for this many seconds before it is tried again; a warning
# is logged at most once per PAGE_CACHE_LOG_SECONDS.
PAGE_CACHE_RETRY_SECONDS = float(os.environ.get("PAGE_CACHE_RETRY_SECONDS", "5"))
PAGE_CACHE_LOG_SECONDS = 60
# Each server process also keeps the answers it gave last, as they left Django, their bodies this many bytes in all,
# so a repeated page costs no round trip to Redis and no unpickling (cop_kb/page_cache.py, CachedPagesFirst).
PAGE_CACHE_RECENT_BYTES = env_int("PAGE_CACHE_RECENT_BYTES", 16 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Editors' sessions end after a working day, or when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Only our own scripts, styles, images and fonts; nothing inline, nothing framed, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# How many proxies of our own stand in front of the site, each appending to X-Forwarded-For (1 behind the TLS
# proxy). 0: the connecting address is the client's and the header, which anyone can send, is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sign-in brute force: five failures for one user name from one address lock it out for 15 minutes.
# The address is the one the audit trail records, read through TRUSTED_PROXY_COUNT's proxies.
AXES_CLIENT_IP_CALLABLE = "cop_kb.client_address.client_ip"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"

# django-import-export: an import is one transaction, so a file with any bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# An upload waits for its confirmation in this folder only, for at most IMPORT_UPLOAD_MAX_AGE seconds; files larger
# or longer than the limits are refused before they are read.
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR") or BASE_DIR / "var" / "imports")
IMPORT_UPLOAD_MAX_AGE = int(os.environ.get("IMPORT_UPLOAD_MAX_AGE", "3600"))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
# The whole-data downloads are built here by `manage.py build_downloads`, one file per content version
# (cop_kb/downloads.py). A request that finds them out of date starts that command in a process of its own.
DOWNLOADS_DIR = Path(os.environ.get("DOWNLOADS_DIR") or BASE_DIR / "var" / "downloads")
DOWNLOADS_BUILD_ON_REQUEST = True
# The product's name wherever it is shown or cited (header, page titles, admin, citations, feeds, API docs).
SITE_NAME = "Child Online Protection Knowledge Base"
# The site's own address, for files built outside a request (the CSV zip's page_url column names pages with it).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The read-only JSON API (cop_kb/api/, README "API"): anonymous, JSON only, throttled per client address. The
# throttle counts in the "default" cache (process memory: each worker counts on its own); a cached page is answered
# before the throttle is asked, so only requests that cost a render are counted.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cop_kb.api.policy.AlwaysJSON",
    "DEFAULT_THROTTLE_CLASSES": ["cop_kb.api.policy.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cop_kb.api.policy.json_errors",
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": f"Read-only access to the published records of the {SITE_NAME} and their links, both ways.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["cop_kb.api.schema.record_endpoints"],
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "cop_kb.records.models.DatePrecision"},
    # Several types have a "kind" with choices of their own, so their enums get hashed names (KindFfbEnum) and the
    # schema generator warns; `check --deploy` would fail on that naming warning. The schema itself is generated and
    # checked against every answer in tests/api/test_api_schemathesis.py.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}
# Partners' browser apps may read the API from any origin; nothing is sent with credentials, nothing can be written.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
