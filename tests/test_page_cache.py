"""Every anonymous public page is cached under the content version: the same page again costs one query, a
revalidation is a 304 without rendering, every kind of change shows on the very next page, signed-in staff never see
or fill the cache, and no input makes two visitors share an entry that is not theirs or makes the cache answer 5xx."""

import datetime

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from taggit.models import Tag

from cop_kb.page_cache import PageCacheMiddleware
from cop_kb.records.models import Alias, Status
from cop_kb.records.services import record_reindex
from cop_kb.release import code_id, release_id
from instruments.models import Instrument

from .factories import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def instrument():
    return make(Instrument, title="Quokka convention", tags=["grooming"])


def public_pages(instrument) -> dict[str, str]:
    """One address of every kind of public page, each showing ``instrument``."""
    return {
        "home": "/",
        "list": Instrument.get_list_url(),
        "filtered list": f"{Instrument.get_list_url()}?tag=grooming&sort=title",
        "detail": instrument.get_absolute_url(),
        "tags": reverse("tag-list"),
        "tag": reverse("tag-detail", args=["grooming"]),
        "coverage": reverse("programmes:coverage"),
        "sitemap index": reverse("sitemap-index"),
        "sitemap section": reverse("django.contrib.sitemaps.views.sitemap", args=["instruments.instrument"]),
        "search": f"{reverse('search:search')}?q=quokka",
        "autocomplete": f"{reverse('search:autocomplete')}?q=quok",
    }


PAGE_KINDS = list(public_pages(Instrument(slug="x")))


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_the_same_page_again_is_answered_from_the_cache_with_one_query(
    client, instrument, kind, django_assert_num_queries
):
    url = public_pages(instrument)[kind]
    first = client.get(url)
    assert first.status_code == 200

    with django_assert_num_queries(1):
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-cache"
    assert "Cookie" in again["Vary"]
    assert again.has_header("Last-Modified")
    assert "script-src 'self'" in again["Content-Security-Policy"]  # the outer middleware still adds its headers


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_revalidation_of_an_unchanged_page_is_a_304_with_one_query_and_nothing_rendered(
    client, instrument, kind, django_assert_num_queries
):
    url = public_pages(instrument)[kind]
    etag = client.get(url)["ETag"]
    caches["pages"].clear()  # nothing to fetch either: the 304 comes from the token alone

    with django_assert_num_queries(1):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert not again.templates
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "no-cache"


def test_a_head_request_is_answered_like_a_get(client, instrument):
    get = client.get(instrument.get_absolute_url())

    head = client.head(instrument.get_absolute_url())

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]


def withdraw(instrument):
    instrument.status = Status.WITHDRAWN
    instrument.save()
    record_reindex(instrument)


def test_a_withdrawal_shows_on_every_page_at_once_and_fails_every_revalidation(client, instrument):
    pages = public_pages(instrument)
    etags = {kind: client.get(url)["ETag"] for kind, url in pages.items()}

    withdraw(instrument)

    for kind, url in pages.items():
        response = client.get(url, HTTP_IF_NONE_MATCH=etags[kind])
        assert response.status_code in (200, 404), kind
        assert b"Quokka convention" not in response.content, kind
        assert instrument.get_absolute_url().encode() not in response.content, kind


def test_a_publication_shows_on_the_next_list_and_search(client, instrument):
    draft = make(Instrument, title="Quokka protocol", status=Status.DRAFT)
    assert b"Quokka protocol" not in client.get(Instrument.get_list_url()).content
    assert client.get(draft.get_absolute_url()).status_code == 404

    draft.status = Status.PUBLISHED
    draft.save()
    record_reindex(draft)

    assert b"Quokka protocol" in client.get(Instrument.get_list_url()).content
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert b"Quokka protocol" in client.get(reverse("search:search"), {"q": "quokka"}).content


def test_an_edit_a_tag_rename_and_an_alias_show_on_the_next_page(client, instrument):
    url = instrument.get_absolute_url()
    client.get(url)

    Instrument.objects.filter(pk=instrument.pk).update(title="Quokka convention, revised")
    assert b"Quokka convention, revised" in client.get(url).content

    Tag.objects.filter(slug="grooming").update(name="Online grooming")
    assert b"Online grooming" in client.get(url).content

    instrument.aliases.create(name="The Quokka Treaty")
    assert b"The Quokka Treaty" in client.get(url).content
    Alias.objects.filter(name="The Quokka Treaty").update(name="QT-1")
    page = client.get(url).content
    assert b"QT-1" in page and b"The Quokka Treaty" not in page


# --- Signed-in staff ---------------------------------------------------------------------------------------------


def test_staff_never_get_a_cached_page(admin_client, instrument):
    url = instrument.get_absolute_url()
    Client().get(url)  # an anonymous visitor fills the cache

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response.templates, "a page served from the cache renders no template"
    assert not response.has_header("ETag")


def test_staff_do_not_fill_the_cache(admin_client, instrument):
    url = instrument.get_absolute_url()
    admin_client.get(url)

    anonymous = Client().get(url)

    assert anonymous.templates, "the anonymous page should have been rendered, not taken from the staff visit"


# --- What is never cached ------------------------------------------------------------------------------------------


def personal(response: HttpResponse) -> None:
    response.set_cookie("someone", "theirs")


def private(response: HttpResponse) -> None:
    patch_cache_control(response, private=True)


@pytest.mark.parametrize("mark", [personal, private, add_never_cache_headers])
def test_a_response_that_sets_a_cookie_or_is_private_is_not_cached(rf, instrument, mark):
    calls = []

    def view(request):
        calls.append(request)
        response = HttpResponse(f"for visitor {len(calls)}")
        mark(response)
        return response

    middleware = PageCacheMiddleware(view)
    first = middleware(rf.get("/personal/"))
    second = middleware(rf.get("/personal/"))

    assert (first.content, second.content) == (b"for visitor 1", b"for visitor 2")
    assert not first.has_header("ETag")


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/static/css/site.css", "/preview/1/1/"])
def test_private_paths_are_left_alone(client, path, instrument):
    page_etag = client.get("/")["ETag"]

    response = client.get(path)

    assert response.get("ETag") != page_etag
    assert response.get("Cache-Control") != "no-cache"  # the page cache's own header


def test_a_request_with_a_messages_cookie_is_not_answered_from_the_cache(client, instrument):
    url = instrument.get_absolute_url()
    client.get(url)
    client.cookies["messages"] = "anything"

    response = client.get(url)

    assert response.templates


# --- Bad input -----------------------------------------------------------------------------------------------------

MALFORMED_ETAGS = [
    "garbage",
    '"unterminated',
    "W/",
    "*",
    '"a", , "b",,',
    "\x01\x7f",
    '"' + "x" * 10_000 + '"',
    ", ".join(f'"{n}"' for n in range(2_000)),
]


@pytest.mark.parametrize("value", MALFORMED_ETAGS, ids=lambda value: repr(value[:20]))
def test_a_malformed_if_none_match_gets_the_page(client, instrument, value):
    url = instrument.get_absolute_url()
    expected = client.get(url).content

    response = client.get(url, HTTP_IF_NONE_MATCH=value)

    assert response.status_code == 200
    assert response.content == expected


def test_a_weak_copy_of_the_current_etag_is_current(client, instrument):
    url = instrument.get_absolute_url()
    etag = client.get(url)["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def test_an_etag_of_an_older_version_gets_the_fresh_page(client, instrument):
    url = instrument.get_absolute_url()
    etag = client.get(url)["ETag"]
    Instrument.objects.filter(pk=instrument.pk).update(title="Quokka convention, revised")

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert b"Quokka convention, revised" in response.content


@pytest.mark.parametrize("url", ["/search/?q=", "/instruments/?tag=", "/?x="])
def test_a_huge_query_string_gets_a_page_or_a_4xx_never_a_5xx(client, instrument, url):
    huge = url + "quokka" * 2_000

    responses = [client.get(huge), client.get(huge)]

    assert all(response.status_code < 500 for response in responses)
    assert responses[0].content == responses[1].content


def test_different_query_strings_get_their_own_pages(client, instrument):
    make(Instrument, title="Quokka charter")
    search = reverse("search:search")

    # One word each, so neither page lists the other's record among near misses.
    one = client.get(search, {"q": "convention"})
    other = client.get(search, {"q": "quokka"})
    again = client.get(search, {"q": "convention"})

    assert b"Quokka charter" in other.content and b"Quokka charter" not in one.content
    assert again.content == one.content


def test_different_hosts_and_schemes_get_their_own_pages(client, instrument):
    sitemap = reverse("django.contrib.sitemaps.views.sitemap", args=["instruments.instrument"])

    local = client.get(sitemap, HTTP_HOST="localhost")
    loopback = client.get(sitemap, HTTP_HOST="127.0.0.1")
    secure = client.get(sitemap, HTTP_HOST="localhost", secure=True)

    assert b"http://localhost/instruments/" in local.content
    assert b"http://127.0.0.1/instruments/" in loopback.content and b"localhost" not in loopback.content
    assert b"https://localhost/instruments/" in secure.content


def test_a_host_not_allowed_is_a_400(client, instrument):
    response = client.get(instrument.get_absolute_url(), HTTP_HOST="evil.example")

    assert response.status_code == 400


def test_a_new_day_is_a_new_page_since_a_citation_says_when_it_was_accessed(client, instrument, monkeypatch):
    url = instrument.get_absolute_url()
    today = client.get(url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda: tomorrow)

    next_day = client.get(url, HTTP_IF_NONE_MATCH=today["ETag"])

    assert next_day.status_code == 200
    assert f"accessed {tomorrow.day} {tomorrow:%B %Y}" in next_day.content.decode()


def test_another_release_has_another_code_id_so_its_pages_and_etags_are_its_own(settings, tmp_path):
    before = code_id()
    (tmp_path / "site.css").write_text("main { color: black; }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    code_id.cache_clear()
    try:
        assert code_id() != before
    finally:
        code_id.cache_clear()


def test_the_release_id_follows_the_settings_that_shape_answers_but_no_secret(settings):
    before = release_id()

    settings.SECRET_KEY = "another-test-only-key"  # noqa: S105
    assert release_id() == before, "a digest of a secret would be public in every ETag"

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "kb.example"]
    assert release_id() != before
