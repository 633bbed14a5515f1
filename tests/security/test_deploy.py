"""Production settings pass Django's deployment checklist, and refuse to start with unsafe values.

Each case runs a fresh interpreter with only the environment it names, the way a server starts. That the required
variables must be set at all is tested in tests/test_settings.py; these tests add what their values must be.
"""

import json
import os
import secrets
import subprocess

import pytest

from ..servers import python

PROD_VARIABLES = {
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_PRELOAD",
    "TRUSTED_PROXY_COUNT",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
}
# Nothing listens here: the checks must not need the database.
DATABASE_URL = "postgres://kb:kb@127.0.0.1:9/kb"
# Every case runs an interpreter of its own on the address above, never the run's database: the SQLite run has them.
pytestmark = pytest.mark.database_independent

SHOW_SETTINGS = """
import json
from django.conf import settings
names = ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
         "CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "SECRET_KEY_FALLBACKS", "SILENCED_SYSTEM_CHECKS",
         "TRUSTED_PROXY_COUNT"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def strong_key() -> str:
    return secrets.token_urlsafe(50)  # 67 characters from a 64-letter alphabet


def run(
    args: list[str], settings_module: str | None = "cop_kb.settings.prod", **variables: str
) -> subprocess.CompletedProcess:
    """Run our interpreter with production's variables (``settings_module=None``: DJANGO_SETTINGS_MODULE unset)."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their live server; a real server never has it.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in PROD_VARIABLES and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env |= {
        "SECRET_KEY": strong_key(),
        "ALLOWED_HOSTS": "kb.example.org,www.kb.example.org",
        "DATABASE_URL": DATABASE_URL,
    }
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    env |= variables
    return python(*args, env=env, timeout=120)


def deploy_check(**variables: str) -> subprocess.CompletedProcess:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **variables)


def prod_settings(**variables: str) -> dict:
    result = run(["-c", "import django; django.setup()\n" + SHOW_SETTINGS], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deploy_check_passes_with_production_settings():
    result = deploy_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_fails_on_a_weak_secret_key():
    """The gate can fail: a key of one repeated letter passes the length rule but not Django's own check."""
    result = deploy_check(SECRET_KEY="x" * 60)

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_defaults_are_https_only():
    values = prod_settings()

    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["ALLOWED_HOSTS"] == ["kb.example.org", "www.kb.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == []
    assert values["SECRET_KEY_FALLBACKS"] == []
    assert values["SILENCED_SYSTEM_CHECKS"] == []


def test_production_reads_proxy_and_origin_settings():
    fallback = strong_key()
    values = prod_settings(
        DEBUG="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_HSTS_PRELOAD="no",
        CSRF_TRUSTED_ORIGINS="https://kb.example.org, https://editors.example.org",
        SECRET_KEY_FALLBACKS=fallback,
    )

    assert values["DEBUG"] is False  # never from the environment in production
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://kb.example.org", "https://editors.example.org"]
    assert values["SECRET_KEY_FALLBACKS"] == [fallback]
    # Choosing to redirect at the proxy, or not to preload, is deliberate: the deploy check is told so.
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W008", "security.W021"]


def test_production_trusts_no_forwarded_address_unless_told_how_many_proxies_there_are():
    assert prod_settings()["TRUSTED_PROXY_COUNT"] == 0
    assert prod_settings(TRUSTED_PROXY_COUNT="1")["TRUSTED_PROXY_COUNT"] == 1


def test_deploy_check_passes_when_the_proxy_redirects():
    result = deploy_check(SECURE_SSL_REDIRECT="false", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SECRET_KEY": "k" * 49}, "SECRET_KEY must be at least 50 random characters"),
        ({"SECRET_KEY": "django-insecure-" + strong_key()}, "SECRET_KEY must be at least 50 random characters"),
        ({"SECRET_KEY_FALLBACKS": "short"}, "SECRET_KEY_FALLBACKS must be at least 50 random characters"),
        ({"ALLOWED_HOSTS": "*"}, "'*' is not allowed in production"),
        ({"ALLOWED_HOSTS": "kb.example.org,*"}, "'*' is not allowed in production"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must name the site's host names"),
        ({"CSRF_TRUSTED_ORIGINS": "http://kb.example.org"}, "CSRF_TRUSTED_ORIGINS must be https:// origins"),
        ({"SECURE_SSL_REDIRECT": "sometimes"}, "SECURE_SSL_REDIRECT must be true or false"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT must be a whole number of 0 or more"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be a whole number of 0 or more"),
    ],
    ids=[
        "short key",
        "startproject key",
        "short fallback",
        "any host",
        "any host among others",
        "blank hosts",
        "http origin",
        "unclear redirect",
        "proxy count in words",
        "negative proxy count",
    ],
)
def test_production_refuses_unsafe_values(variables, message):
    result = run(["-c", "import cop_kb.settings.prod"], **variables)

    assert result.returncode != 0
    assert message in result.stderr


# ---- server entry points ---------------------------------------------------------------------------------------

SHOW_MODULE_AND_DEBUG = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"


@pytest.mark.parametrize("entry_point", ["cop_kb.wsgi", "cop_kb.asgi"])
def test_server_started_without_settings_module_runs_production_settings(entry_point):
    """gunicorn (or an ASGI server) started without DJANGO_SETTINGS_MODULE must never show debug pages."""
    result = run(["-c", f"import {entry_point}; {SHOW_MODULE_AND_DEBUG}"], settings_module=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["cop_kb.settings.prod", "False"]


@pytest.mark.parametrize("entry_point", ["cop_kb.wsgi", "cop_kb.asgi"])
def test_server_started_without_settings_module_or_secrets_refuses_to_start(entry_point):
    result = run(["-c", f"import {entry_point}"], settings_module=None, SECRET_KEY="", ALLOWED_HOSTS="")

    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment for production" in result.stderr


def test_manage_py_without_settings_module_keeps_local_development_settings():
    result = run(["manage.py", "shell", "-v", "0", "-c", SHOW_MODULE_AND_DEBUG], settings_module=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["cop_kb.settings.dev", "True"]
