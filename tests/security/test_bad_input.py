"""Hostile input to every public URL: the answer is 200, 400 or 404, never a server error, and nothing is written.

Query strings carry 10 kB values, NUL bytes, invalid UTF-8, repeated parameters, impossible page numbers and
unknown names; paths carry traversal attempts; and every unsafe method is tried. The framework is loaded once for
the module; each test checks that the number of rows in every table is the same after its requests as before.
"""

import pytest
from django.test import Client
from django.urls import reverse

from instruments.models import Instrument

from ..factories import record_models
from .support import row_counts

pytestmark = pytest.mark.django_db

RECORD_MODELS = record_models()
PUBLIC_URLS = [
    "/",
    reverse("tag-list"),
    reverse("tag-detail", args=["sexual-exploitation"]),
    reverse("programmes:coverage"),
    reverse("search:search"),
    reverse("search:autocomplete"),
    reverse("sitemap-index"),
    reverse("django.contrib.sitemaps.views.sitemap", args=["instruments.instrument"]),
    Instrument(slug="crc").get_absolute_url(),
    reverse("graph:explore", args=["instruments", "crc"]),
    "/no-such-page/",
    *(model.get_list_url() for model in RECORD_MODELS),
]
# Every parameter a public page reads, and one it does not.
PARAMETERS = (
    "q",
    "kind",
    "level",
    "country",
    "tag",
    "type",
    "year",
    "strategic_area",
    "issuing_body",
    "sort",
    "year_from",
    "year_to",
    "p",
    "depth",
    "unknown",
)
# Raw (already percent-encoded) values, as they would arrive on the wire.
VALUES = {
    "10 kB": "A" * 10240,
    "10 kB of multibyte": "%C3%A9" * 5000,
    "NUL": "convention%00x",
    "invalid UTF-8": "%ff%fe%c3%20%c0%af%ed%a0%80",
    "control characters": "%01%02%1b%7f%e2%80%aeabc",
    "negative": "-1",
    "huge": "9" * 40,
    "exponent": "1.5e9",
    "path traversal": "..%2f..%2f..%2fetc%2fpasswd",
    "SQL": "%27%3B%20DROP%20TABLE%20directory_country%3B--",
    "LIKE wildcards": "%25%25_%25",
    "markup": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "empty": "",
}
PAGES = {
    "negative page": "-1",
    "zero page": "0",
    "huge page": "9" * 40,
    "page past the end": "999999",
    "not a number page": "two",
    "float page": "1.5",
    "NUL page": "1%00",
    "invalid UTF-8 page": "%ff",
    "10 kB page": "1" * 10240,
}
HOSTILE_PATHS = [
    "/instruments/..%2f..%2fetc/",
    "/instruments/..%2F..%2Fetc%2Fpasswd",
    "/instruments/%2e%2e/%2e%2e/",
    "/instruments/%00/",
    "/instruments/crc%00/",
    "/instruments/%ff/",
    "/instruments/" + "a" * 10240 + "/",
    "/tags/..%2f/",
    "/tags/%00/",
    "/sitemap-..%2f..%2fsettings.xml",
    "/sitemap-%00.xml",
    "/sitemap-instruments.instrument.xml?p=-1",
    "/sitemap-instruments.instrument.xml?p=abc",
    "/sitemap-instruments.instrument.xml?p=999999",
    "/search/%00",
    "/explore/%00/crc/",
    "/explore/instruments/%00/",
    "/explore/instruments/crc%00/?depth=2",
    "/explore/..%2f..%2f/crc/",
    "/static/../manage.py",
    "/static/%2e%2e/manage.py",
    "/%2e%2e/%2e%2e/etc/passwd",
]
ACCEPTABLE = {200, 400, 404}


def url_id(url: str) -> str:
    return url.strip("/") or "home"


@pytest.fixture
def client_without_exceptions():
    return Client(raise_request_exception=False)


def ask_all(client, url: str, queries: list[str]) -> dict[str, int]:
    """Status of ``url`` with each raw query string; only the unacceptable ones are returned."""
    bad = {}
    for query in queries:
        response = client.get(f"{url}?{query}")
        if response.streaming:  # a CSV export fails, if it does, while it is sent
            b"".join(response.streaming_content)
        if response.status_code not in ACCEPTABLE:
            bad[query[:120]] = response.status_code
    return bad


@pytest.mark.parametrize("url", PUBLIC_URLS, ids=url_id)
def test_hostile_query_strings_are_answered_without_error_or_writes(framework, client_without_exceptions, url):
    """Each hostile value in every parameter at once (each view reads all of its own), then hostile page numbers
    (alone: a bad page ends a search before anything else is read), then repeated and unknown parameters."""
    before = row_counts()
    queries = ["&".join(f"{name}={value}" for name in PARAMETERS) for value in VALUES.values()]
    queries += [f"q=convention&page={page}" for page in PAGES.values()]
    queries += [
        "kind=convention&kind=protocol&country=a&country=b&tag=x&tag=y&sort=title&sort=-year",
        "q=child&q=online&page=1&page=2",
        "q[]=child&kind[]=convention&page[]=1&q[$ne]=1&__proto__[x]=1",
        "&&&==&=&a==b",
        "unknown=1&" + "&".join(f"x{i}=1" for i in range(200)),
    ]
    # The same as CSV exports (lists and search stream every record), and hostile formats.
    queries += [f"{query}&format=csv" for query in queries]
    queries += [f"format={value}" for value in VALUES.values()]

    bad = ask_all(client_without_exceptions, url, queries)

    assert not bad
    assert row_counts() == before


@pytest.mark.parametrize("url", PUBLIC_URLS, ids=url_id)
def test_more_fields_than_django_accepts_is_a_bad_request(framework, client_without_exceptions, url):
    response = client_without_exceptions.get(f"{url}?" + "&".join(f"f{i}=1" for i in range(1200)))

    assert response.status_code == 400


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_are_not_found(framework, client_without_exceptions, path):
    response = client_without_exceptions.get(path)

    assert response.status_code in (400, 404)


@pytest.mark.parametrize("path", ["//evil.example", "//evil.example/x", "/\\evil.example", "/%2fevil.example"])
def test_slash_redirects_never_leave_the_site(framework, client_without_exceptions, path):
    # The path goes straight into the request: the test client would read "//evil.example" as a host name.
    response = client_without_exceptions.get("/", PATH_INFO=path)

    assert response.status_code in (301, 404)
    assert not response.get("Location", "/").startswith(("//", "/\\", "http")), response.get("Location")


def test_hostile_host_header_is_a_bad_request(framework, client_without_exceptions):
    response = client_without_exceptions.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400


# ---- unsafe methods --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_URLS, ids=url_id)
def test_post_without_a_csrf_token_is_forbidden(framework, url):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    before = row_counts()

    response = client.post(url, {"q": "child", "title": "posted", "status": "published"})

    # An address with no page behind it is simply not found; every page refuses the forged request.
    assert response.status_code == (404 if url == "/no-such-page/" else 403)
    assert row_counts() == before


@pytest.mark.parametrize("url", PUBLIC_URLS, ids=url_id)
def test_unsafe_methods_with_a_valid_csrf_token_are_not_allowed(framework, client_without_exceptions, url):
    """The test client skips the CSRF check, as a request carrying a valid token would pass it: pages that only
    read must still refuse to be written to (405), or say the page does not exist (404)."""
    before = row_counts()
    expected = 404 if url == "/no-such-page/" else 405

    statuses = {
        method: getattr(client_without_exceptions, method)(url, {"title": "posted"}).status_code
        for method in ("post", "put", "patch", "delete")
    }

    assert statuses == dict.fromkeys(statuses, expected)
    assert row_counts() == before


@pytest.mark.parametrize("url", PUBLIC_URLS, ids=url_id)
def test_head_answers_like_get(framework, client_without_exceptions, url):
    """HEAD is safe: monitors and link checkers use it, and it must get the status GET gets (with no body)."""
    get = client_without_exceptions.get(url)
    head = client_without_exceptions.head(url)

    assert head.status_code == get.status_code
    assert head.content == b""


def test_every_public_url_works_with_ordinary_input(framework, client_without_exceptions):
    """The hostile-input tests prove something only if the URLs they hit are real pages."""
    statuses = {url: client_without_exceptions.get(url).status_code for url in PUBLIC_URLS}

    assert statuses == {url: 404 if url == "/no-such-page/" else 200 for url in PUBLIC_URLS}
