"""Security headers on every kind of response, production-only headers and cookies, and templates a strict CSP allows.

The kinds: an HTML page, JSON (autocomplete and the API), the API's Swagger UI page, the 404 page, the admin
sign-in page and a static file served by WhiteNoise. Production values are read from ``cop_kb/settings/prod.py``
itself (imported with its required environment set), so the test follows the file rather than a copy of it.
"""

import importlib
import io
import re
import secrets
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from instruments.models import Instrument

from ..factories import make

BASE_DIR = Path(settings.BASE_DIR)

RESPONSES = {
    "html page": "/",
    "json": "/search/autocomplete/?q=chi",
    "api json": "/api/v1/",
    "api docs (Swagger UI)": "/api/v1/docs/",
    "404 page": "/no-such-page/",
    "admin sign-in": "/admin/login/",
    "static file": "/static/css/site.css",
}
PRIVATE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
HSTS_MIN_SECONDS = 31536000  # one year (OWASP ASVS V3.4.1)

# Settings the production file decides and these tests exercise (the database and hosts stay the test ones).
PROD_PREFIXES = ("SECURE_", "SESSION_", "CSRF_", "X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY", "MIDDLEWARE", "DEBUG")


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def get(client: Client, url: str, **extra):
    # Static files only reach WhiteNoise if it knows them: let it look them up through the finders, so the test
    # does not depend on a `collectstatic` having run.
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        return Client(raise_request_exception=False).get(url, **extra)


@pytest.fixture
def responses(db):
    return {kind: get(Client(), url) for kind, url in RESPONSES.items()}


@pytest.fixture
def prod(monkeypatch):
    """The production settings module's security values, applied over the test settings."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("ALLOWED_HOSTS", "kb.example.org")
    monkeypatch.setenv("DATABASE_URL", "postgres://kb:kb@127.0.0.1:5432/kb")
    sys.modules.pop("cop_kb.settings.prod", None)
    try:
        module = importlib.import_module("cop_kb.settings.prod")
    finally:
        sys.modules.pop("cop_kb.settings.prod", None)
    values = {name: getattr(module, name) for name in dir(module) if name.startswith(PROD_PREFIXES)}
    with override_settings(**values):
        yield values


def test_every_kind_of_response_is_served(responses):
    statuses = {kind: response.status_code for kind, response in responses.items()}

    assert statuses == {
        "html page": 200,
        "json": 200,
        "api json": 200,
        "api docs (Swagger UI)": 200,
        "404 page": 404,
        "admin sign-in": 200,
        "static file": 200,
    }
    assert responses["static file"].get("Content-Type", "").startswith("text/css")


@pytest.mark.parametrize("kind", RESPONSES)
def test_content_security_policy_is_strict(responses, kind):
    response = responses[kind]
    directives = policy(response)
    header = response.get("Content-Security-Policy", "")

    assert header, f"{kind}: no Content-Security-Policy"
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    # Nor inline style attributes by hash: the admin's pickers (Select2) write none, so no page needs them.
    assert "'unsafe-hashes'" not in header
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives.get("base-uri") in (["'self'"], ["'none'"])
    assert directives.get("form-action") == ["'self'"]
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives["default-src"])
        assert not {"*", "data:", "http:", "https:", "blob:"} & set(sources), (name, sources)


@pytest.mark.parametrize("kind", RESPONSES)
def test_browser_hardening_headers(responses, kind):
    response = responses[kind]

    assert response.get("X-Content-Type-Options") == "nosniff"
    assert response.get("X-Frame-Options") == "DENY"
    assert response.get("Referrer-Policy") in PRIVATE_REFERRER_POLICIES
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin"
    content_type = response.get("Content-Type", "")
    # Text needs its charset said; JSON is UTF-8 by definition (RFC 8259 defines no charset parameter).
    if content_type.startswith("text/"):
        assert "charset=utf-8" in content_type.replace('"', "").lower(), content_type
    else:
        assert content_type.startswith("application/json"), content_type


def test_json_is_not_shared_with_other_origins_with_credentials(responses):
    response = responses["json"]

    assert response["Content-Type"].startswith("application/json")
    assert response.get("Access-Control-Allow-Credentials") is None
    assert response.get("Access-Control-Allow-Origin") in (None, "*")


def test_admin_is_never_cached(responses):
    cache_control = responses["admin sign-in"].get("Cache-Control", "")

    assert "no-store" in cache_control
    assert "private" in cache_control


# ---- production ---------------------------------------------------------------------------------------------------


def test_prod_redirects_plain_http_to_https(db, prod):
    response = get(Client(), "/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


@pytest.mark.parametrize("kind", RESPONSES)
def test_prod_sends_long_hsts_over_https(db, prod, kind):
    response = get(Client(), RESPONSES[kind], secure=True)
    hsts = response.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)

    assert response.status_code in (200, 404)
    assert max_age and int(max_age.group(1)) >= HSTS_MIN_SECONDS, hsts
    assert "includeSubDomains" in hsts


def _cookie_flags(cookie) -> dict:
    return {"secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"]), "samesite": cookie["samesite"]}


def test_prod_csrf_and_session_cookies_are_secure_httponly_and_samesite(db, prod):
    get_user_model().objects.create_superuser("cookie-editor", "editor@example.org", "a long pass phrase 1")
    client = Client()
    with override_settings(WHITENOISE_USE_FINDERS=True):
        form = client.get("/admin/login/", secure=True)
        signed_in = client.post(
            "/admin/login/?next=/admin/",
            {"username": "cookie-editor", "password": "a long pass phrase 1"},
            secure=True,
        )

    csrf = form.cookies[settings.CSRF_COOKIE_NAME]
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert signed_in.status_code == 302
    assert _cookie_flags(csrf) == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert _cookie_flags(session) == {"secure": True, "httponly": True, "samesite": "Lax"}


# ---- templates a strict policy can serve -------------------------------------------------------------------------


def template_files() -> list[Path]:
    """Every template of the project and its apps (third-party packages in the virtualenv are not ours)."""
    roots = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    return sorted({path for root in roots for path in root.rglob("*.html") if ".venv" not in path.parts})


def _name(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
SCRIPT_WITH_BODY = re.compile(r"<script\b[^>]*>\s*[^<\s]", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
MARKED_SAFE = re.compile(r"\|\s*safe(seq)?\b")
UNESCAPED_BLOCK = re.compile(r"{%\s*(autoescape\s+off|filter\s+[^%]*\bsafe)")

# The one place a template may output HTML unescaped: the record body, sanitised with nh3 when it is saved
# (directory/markdown.py).
ALLOWED_SAFE = {("templates/records/record_detail.html", "object.body_html|safe")}
# Python that marks text safe: search highlights, escaped first, then given <mark> tags (search/hits.py), and
# a detail page's JSON-LD, JSON with <, > and & escaped (linked_data/templatetags.py).
ALLOWED_MARK_SAFE = {
    ("cop_kb/search/hits.py", "highlight"),
    ("cop_kb/linked_data/templatetags.py", "record_linked_data"),
    # Link groups' items, each value escaped with html.escape (tests/security/test_xss.py compares them with
    # format_html's output for every payload).
    ("cop_kb/records/templatetags/records.py", "record_title"),
    ("cop_kb/records/templatetags/records.py", "link_items"),
    # A list's rows and search hits, likewise (compared there with what Django's templates write).
    ("cop_kb/records/templatetags/records.py", "list_items"),
    ("cop_kb/records/templatetags/records.py", "table_rows"),
    ("cop_kb/records/templatetags/records.py", "search_hits"),
    # The graphs' SVG and tables of links, every text escaped with html.escape, numbers written as numbers
    # (tests/security/test_xss.py checks an explore page's drawing and table for every payload).
    ("cop_kb/graph/templatetags.py", "graph_svg"),
    ("cop_kb/graph/templatetags.py", "graph_table_rows"),
}


def test_templates_are_found():
    names = {_name(path) for path in template_files()}

    assert {"templates/base.html", "templates/records/record_detail.html", "templates/search/search.html"} <= names


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, SCRIPT_WITH_BODY, STYLE, HANDLER, JAVASCRIPT_URL], ids=str)
def test_no_template_has_inline_code_or_styles(pattern):
    found = [
        f"{_name(path)}:{number}: {line.strip()}"
        for path in template_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]

    assert not found


def test_templates_mark_only_sanitised_html_safe():
    found = set()
    for path in template_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found |= {
                (_name(path), " ".join(output.group(1).split()))
                for output in re.finditer(r"{{(.*?)}}", line)
                if MARKED_SAFE.search(output.group(1))
            }
            if UNESCAPED_BLOCK.search(line):
                found.add((_name(path), f"line {number}: {line.strip()}"))

    assert found == ALLOWED_SAFE


def python_sources() -> list[Path]:
    skipped = {".venv", "tests", "migrations", "staticfiles", "node_modules"}
    return sorted(path for path in BASE_DIR.rglob("*.py") if not skipped & set(path.relative_to(BASE_DIR).parts))


def test_python_marks_only_escaped_highlights_safe():
    found = set()
    for path in python_sources():
        function = ""
        for line in path.read_text().splitlines():
            definition = re.match(r"\s*def (\w+)", line)
            if definition:
                function = definition.group(1)
            if re.search(r"\bmark_safe\(|\bSafeString\(|\bSafeText\(", line):
                found.add((_name(path), function))

    assert found == ALLOWED_MARK_SAFE


# ---- no public response outlives a withdrawal ---------------------------------------------------------------------


def public_urls() -> dict[str, str]:
    """One address of every kind of public response, with a published, tagged record for them to show."""
    instrument = make(Instrument, tags=["online safety"])
    return {
        "home": "/",
        "list": Instrument.get_list_url(),
        "detail": instrument.get_absolute_url(),
        "tags": reverse("tag-list"),
        "tag": reverse("tag-detail", args=["online-safety"]),
        "search": f"{reverse('search:search')}?q=instrument",
        "autocomplete": f"{reverse('search:autocomplete')}?q=inst",
        "sitemap index": reverse("sitemap-index"),
        "sitemap section": reverse("django.contrib.sitemaps.views.sitemap", args=["instruments.instrument"]),
        "list as CSV": f"{Instrument.get_list_url()}?format=csv",
        "search as CSV": f"{reverse('search:search')}?q=instrument&format=csv",
        "CSV download": reverse("exports:csv-zip"),
    }


def test_no_public_response_can_be_kept_without_asking_the_server_again(db):
    # A cache may reuse a response without asking only while it is fresh: for a time it was given (max-age,
    # s-maxage, Expires) or, heuristically, a fraction of its age by Last-Modified. Either would keep a withdrawn
    # record's title or address in browsers and shared caches after the server dropped it.
    kept = {}
    urls = public_urls()
    # The whole-data downloads are built outside requests (a request for a missing one answers 503): built here, so
    # the test does not depend on an earlier one having built them.
    call_command("build_downloads", stdout=io.StringIO())
    for kind, url in urls.items():
        response = Client().get(url)
        assert response.status_code == 200, kind
        directives = dict(part.strip().partition("=")[::2] for part in response.get("Cache-Control", "").split(","))
        revalidated = bool({"no-cache", "no-store"} & directives.keys())
        fresh_for = [directives[name] for name in ("max-age", "s-maxage") if name in directives]
        if any(seconds != "0" for seconds in fresh_for) or "immutable" in directives or response.has_header("Expires"):
            kept[kind] = response["Cache-Control"]
        elif response.has_header("Last-Modified") and not revalidated:
            kept[kind] = f"Last-Modified: {response['Last-Modified']}, Cache-Control: {response.get('Cache-Control')}"

    assert kept == {}


def test_the_policy_built_once_is_django_csps_and_follows_the_settings(db):
    """The site's policy is built once per process (``cop_kb.middleware.CSPMiddleware``): it must be exactly the one
    django-csp builds from the settings, change with them, and leave a page with a policy of its own (ReDoc) alone."""
    from csp.utils import build_policy

    def directives(header: str) -> dict[str, set[str]]:
        return {words[0]: set(words[1:]) for words in (part.split() for part in header.split(";")) if words}

    page = get(Client(), RESPONSES["html page"])
    assert directives(page["Content-Security-Policy"]) == directives(build_policy())

    stricter = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=stricter):
        changed = get(Client(), RESPONSES["html page"])
    assert directives(changed["Content-Security-Policy"])["img-src"] == {"'self'"}
    again = get(Client(), RESPONSES["html page"])
    assert directives(again["Content-Security-Policy"])["img-src"] == {"'self'", "data:"}

    redoc = directives(get(Client(), reverse("api:redoc"))["Content-Security-Policy"])
    assert redoc["style-src"] == {"'self'", "'unsafe-inline'"}
    assert redoc["script-src"] == {"'self'"}
