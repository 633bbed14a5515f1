"""The WSGI layer in front of Django (``cop_kb.page_cache.CachedPagesFirst``, what gunicorn serves): a repeated
anonymous GET gets, before Django's request handling starts, exactly the answer the site gave before (status, every
header, body) or a 304 for it, after one read of the content version's token; everything else, and every answer the site
did not keep, is Django's.

Requests are made as a WSGI server makes them (the ``site`` fixture, tests/wsgi_site.py).
"""

import datetime

import pytest
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cop_kb.page_cache import CACHE_ALIAS
from cop_kb.replica import PRIMARY_COOKIE
from instruments.models import Instrument

from .factories import make
from .test_db_unavailable import unreachable_database
from .test_page_cache import MALFORMED_ETAGS, PAGE_KINDS, public_pages, withdraw
from .wsgi_site import wsgi_site

pytestmark = pytest.mark.django_db


class CountingDriver:
    """The database driver's connection, noting every statement sent on it directly (not through a cursor)."""

    def __init__(self, driver):
        self.driver = driver
        self.statements = []

    def execute(self, sql, *args, **kwargs):
        self.statements.append(sql)
        return self.driver.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.driver, name)


@pytest.fixture
def driver_statements(monkeypatch) -> list[str]:
    """The statements sent on the default database's driver connection itself, where the front reads the token
    (``content_token``); Django's own queries go through cursors and are counted by ``django_assert_num_queries``."""
    default = connections[DEFAULT_DB_ALIAS]
    default.ensure_connection()
    counting = CountingDriver(default.connection)
    monkeypatch.setattr(default, "connection", counting)
    return counting.statements


@pytest.fixture
def instrument():
    """The record ``public_pages`` shows on every kind of page."""
    return make(Instrument, title="Quokka convention", tags=["grooming"])


def split(url: str) -> dict[str, str]:
    path, _, query = url.partition("?")
    return {"path": path, "query": query}


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_repeated_page_is_the_sites_own_answer_given_before_django_with_one_read(
    site, instrument, kind, django_assert_num_queries, driver_statements
):
    url = split(public_pages(instrument)[kind])
    first = site(**url)
    assert first.status_code == 200 and first.django_handled
    driver_statements.clear()

    with django_assert_num_queries(0):
        again = site(**url)

    assert len(driver_statements) == 1 and "directory_contentversion" in driver_statements[0]

    assert not again.django_handled
    assert (again.status_code, again.headers, again.body) == (200, first.headers, first.body)
    assert again.header["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in again.header["Content-Security-Policy"]
    assert again.header["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_revalidation_is_a_304_before_django_with_the_headers_django_gives_it(
    site, instrument, kind, django_assert_num_queries, driver_statements
):
    url = split(public_pages(instrument)[kind])
    page = site(**url)
    etag = page.header["ETag"]
    djangos = Client().get(public_pages(instrument)[kind], HTTP_IF_NONE_MATCH=etag)
    assert djangos.status_code == 304

    driver_statements.clear()

    with django_assert_num_queries(0):
        again = site(**url, HTTP_IF_NONE_MATCH=etag)

    assert len(driver_statements) == 1

    assert not again.django_handled
    assert (again.status_code, again.body) == (304, b"")
    # The page's own headers but its length, which Django's 304 lacks some of (a sitemap's X-Robots-Tag); none less.
    assert again.headers == [header for header in page.headers if header[0] != "Content-Length"]
    assert set(djangos.headers) <= set(again.header)
    assert {name: again.header[name] for name in ("ETag", "Cache-Control", "Vary")} == {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "Vary": "Cookie",
    }
    assert site(**url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def etag_given_elsewhere(url: str) -> str:
    """The ETag another server process gave ``url``, whose memory (where the page cache keeps pages without Redis)
    this test's processes do not share."""
    with wsgi_site() as elsewhere:
        etag = elsewhere(url).header["ETag"]
    caches[CACHE_ALIAS].clear()
    return etag


def test_a_process_first_asked_to_revalidate_repeats_djangos_304_and_leaves_the_page_to_django(
    instrument, django_assert_num_queries
):
    """A browser revalidating a page another server or worker gave it: this process has no page to repeat."""
    url = instrument.get_absolute_url()
    etag = etag_given_elsewhere(url)
    with wsgi_site() as site:
        first = site(url, HTTP_IF_NONE_MATCH=etag)
        with django_assert_num_queries(0):
            again = site(url, HTTP_IF_NONE_MATCH=etag)
        page = site(url)
        page_again = site(url)

    assert first.django_handled and (first.status_code, first.body) == (304, b"")
    assert not again.django_handled and (again.status_code, again.body) == (304, b"")
    assert again.headers == [header for header in first.headers if header[0] != "Content-Length"]
    assert page.django_handled and page.status_code == 200 and b"Quokka convention" in page.body
    assert not page_again.django_handled and page_again.body == page.body, "the page took the revalidation's place"


def test_a_kept_revalidation_is_not_shared_and_follows_the_content(instrument):
    url = instrument.get_absolute_url()
    etag = etag_given_elsewhere(url)
    with wsgi_site() as site:
        site(url, HTTP_IF_NONE_MATCH=etag)
    with wsgi_site() as other_process:
        shared = other_process(url, HTTP_IF_NONE_MATCH=etag)
        kept = other_process(url, HTTP_IF_NONE_MATCH=etag)
        Instrument.objects.filter(pk=instrument.pk).update(title="Quokka convention, revised")
        after = other_process(url, HTTP_IF_NONE_MATCH=etag)

    assert shared.django_handled, "only pages go to the shared cache"
    assert not kept.django_handled
    assert after.django_handled and after.status_code == 200 and b"Quokka convention, revised" in after.body


def test_kept_revalidations_count_their_headers_in_the_processs_budget(instrument, settings):
    """Else conditional requests for ever new addresses would grow a process's copies without bound."""
    settings.PAGE_CACHE_RECENT_BYTES = 100  # less than any answer's headers
    url = instrument.get_absolute_url()
    etag = etag_given_elsewhere(url)
    with wsgi_site() as site:
        site(url, HTTP_IF_NONE_MATCH=etag)

        assert site(url, HTTP_IF_NONE_MATCH=etag).django_handled


def test_a_withdrawal_shows_on_every_next_answer_and_fails_every_revalidation(site, instrument):
    pages = {kind: split(url) for kind, url in public_pages(instrument).items()}
    etags = {kind: site(**url).header["ETag"] for kind, url in pages.items()}
    for url in pages.values():
        assert not site(**url).django_handled

    withdraw(instrument)

    for kind, url in pages.items():
        answer = site(**url, HTTP_IF_NONE_MATCH=etags[kind])
        assert answer.django_handled, kind
        assert answer.status_code in (200, 404), kind
        assert b"Quokka convention" not in answer.body, kind


def test_an_edit_shows_on_the_next_answer(site, instrument):
    url = instrument.get_absolute_url()
    site(url)
    Instrument.objects.filter(pk=instrument.pk).update(title="Quokka convention, revised")

    answer = site(url)

    assert answer.django_handled
    assert b"Quokka convention, revised" in answer.body


def test_a_new_day_is_a_new_page(site, instrument, monkeypatch):
    url = instrument.get_absolute_url()
    today = site(url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda: tomorrow)

    next_day = site(url, HTTP_IF_NONE_MATCH=today.header["ETag"])

    assert next_day.status_code == 200 and next_day.django_handled
    assert f"accessed {tomorrow.day} {tomorrow:%B %Y}" in next_day.body.decode()


# --- What Django answers, however often it is asked ----------------------------------------------------------------

GOES_TO_DJANGO = {
    "HEAD": {"method": "HEAD"},
    "a session": {"HTTP_COOKIE": "sessionid=someone"},
    "messages": {"HTTP_COOKIE": "theme=dark; messages=for-someone"},
    "pinned to the primary": {"HTTP_COOKIE": f"{PRIMARY_COOKIE}=99999999999"},
    "Authorization": {"HTTP_AUTHORIZATION": "Basic c29tZW9uZTpzZWNyZXQ="},
    "Origin": {"HTTP_ORIGIN": "https://partner.example"},
}


@pytest.mark.parametrize("kind", GOES_TO_DJANGO)
def test_requests_that_may_not_be_the_same_for_everyone_go_to_django(site, instrument, kind):
    url = instrument.get_absolute_url()
    site(url)

    assert site(url, **GOES_TO_DJANGO[kind]).django_handled


API_LIST = "/api/v1/instruments/"


def test_an_api_answer_asked_with_an_origin_gets_its_cors_headers(site, instrument):
    site(API_LIST)

    answer = site(API_LIST, HTTP_ORIGIN="https://partner.example")

    assert answer.status_code == 200
    assert answer.header["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in site(API_LIST).header


def test_an_anonymous_cookie_of_no_ones_own_still_gets_the_kept_answer(site, instrument):
    url = instrument.get_absolute_url()
    first = site(url)

    again = site(url, HTTP_COOKIE="theme=dark")

    assert not again.django_handled
    assert again.body == first.body


@pytest.mark.parametrize(
    ("path", "environ", "status"),
    [
        ("/instruments/no-such-instrument/", {}, 404),
        ("/instruments/", {"HTTP_HOST": "evil.example"}, 400),
        ("/admin/", {}, 302),
        ("/search/", {"query": "q=" + "&q=".join(["x"] * 2_000)}, 400),
    ],
    ids=["not found", "host not allowed", "admin", "too many fields"],
)
def test_an_answer_the_site_did_not_keep_is_django_s_every_time(site, path, environ, status):
    site(path)  # the same path asked in the ordinary way first, whatever that keeps

    answers = [site(path, **environ) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [status, status]
    assert all(answer.django_handled for answer in answers)


@pytest.mark.parametrize("value", MALFORMED_ETAGS, ids=lambda value: repr(value[:20]))
def test_a_malformed_if_none_match_gets_the_kept_page(site, instrument, value):
    url = instrument.get_absolute_url()
    first = site(url)

    answer = site(url, HTTP_IF_NONE_MATCH=value)

    assert (answer.status_code, answer.body) == (200, first.body)
    assert not answer.django_handled


@pytest.mark.parametrize("path", ["/search/", "/instruments/", "/"])
def test_a_huge_query_string_gets_the_same_page_or_4xx_each_time(site, instrument, path):
    query = "q=" + "quokka" * 2_000

    answers = [site(path, query=query) for _ in range(2)]

    assert all(answer.status_code < 500 for answer in answers)
    assert answers[0].body == answers[1].body


def test_a_304_is_given_only_for_an_address_the_site_answered(site, instrument):
    url = instrument.get_absolute_url()
    etag = site(url).header["ETag"]

    answer = site(url, HTTP_HOST="evil.example", HTTP_IF_NONE_MATCH=etag)

    assert (answer.status_code, answer.django_handled) == (400, True)


def test_restarted_to_require_https_plain_http_is_redirected_every_time(instrument, settings):
    """Settings are read when a server starts: each ``wsgi_site`` here is a server (re)started on the same cache."""
    url = instrument.get_absolute_url()
    with wsgi_site() as before:
        assert before(url).status_code == 200  # kept under the old settings
    settings.SECURE_SSL_REDIRECT = True

    with wsgi_site() as site:
        answers = [site(url) for _ in range(2)]
        secure = [site(url, **{"wsgi.url_scheme": "https"}) for _ in range(2)]

    assert [(answer.status_code, answer.django_handled) for answer in answers] == [(301, True)] * 2
    assert answers[0].header["Location"] == f"https://testserver{url}"
    assert [(answer.status_code, answer.django_handled) for answer in secure] == [(200, True), (200, False)]


def test_behind_a_proxy_its_scheme_header_names_the_address(instrument, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = instrument.get_absolute_url()
    with wsgi_site() as site:
        through_proxy = [site(url, HTTP_X_FORWARDED_PROTO="https") for _ in range(2)]
        around_it = site(url)

    assert [answer.status_code for answer in through_proxy] == [200, 200]
    assert not through_proxy[1].django_handled
    assert (around_it.status_code, around_it.django_handled) == (301, True)


def test_static_files_go_to_django_without_a_read_of_the_token(site, driver_statements):
    answers = [site("/static/css/site.css") for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert all(answer.django_handled for answer in answers)
    assert driver_statements == []


ADDRESSES = {
    "a host": ({"HTTP_HOST": "localhost"}, b"http://localhost/instruments/"),
    "another host": ({"HTTP_HOST": "127.0.0.1"}, b"http://127.0.0.1/instruments/"),
    "https": ({"HTTP_HOST": "localhost", "wsgi.url_scheme": "https"}, b"https://localhost/instruments/"),
    "no host named": ({"HTTP_HOST": None, "SERVER_NAME": "localhost", "SERVER_PORT": "8000"}, b"localhost:8000/"),
    "another port": ({"HTTP_HOST": None, "SERVER_NAME": "localhost", "SERVER_PORT": "8001"}, b"localhost:8001/"),
}


def test_different_addresses_get_their_own_answers(site, instrument):
    sitemap = reverse("django.contrib.sitemaps.views.sitemap", args=["instruments.instrument"])
    first = {name: site(sitemap, **environ) for name, (environ, _address) in ADDRESSES.items()}
    again = {name: site(sitemap, **environ) for name, (environ, _address) in ADDRESSES.items()}

    for name, (_environ, address) in ADDRESSES.items():
        assert first[name].status_code == 200, name
        assert address in first[name].body, name
        assert not again[name].django_handled, name
        assert again[name].body == first[name].body, name


def test_different_query_strings_get_their_own_answers(site, instrument):
    make(Instrument, title="Quokka charter")
    search = reverse("search:search")
    first = {query: site(search, query=query) for query in ("q=convention", "q=quokka")}

    again = {query: site(search, query=query) for query in first}

    assert b"Quokka charter" in first["q=quokka"].body and b"Quokka charter" not in first["q=convention"].body
    assert {query: (answer.body, answer.django_handled) for query, answer in again.items()} == {
        query: (answer.body, False) for query, answer in first.items()
    }


def test_a_database_that_cannot_be_reached_leaves_the_answer_to_django(site, instrument):
    url = instrument.get_absolute_url()
    site(url)

    with unreachable_database():
        answer = site(url)

    assert answer.django_handled
    assert answer.status_code == 503
