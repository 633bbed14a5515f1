"""The page cache on a real Redis (``redis-server`` started by the test on its own port): pages are shared through
it, and when it is killed, paused or refuses connections every page is still served, correct and uncached, with one
log line; once it is back, caching resumes. The front of the site shares its answers through it too, and each
server process keeps its last ones."""

import logging
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from cop_kb import page_cache
from instruments.models import Instrument

from .factories import make
from .servers import RedisServer, port
from .wsgi_site import wsgi_site

pytestmark = pytest.mark.django_db

RETRY_SECONDS = 0.3


@pytest.fixture
def redis_server():
    server = RedisServer(port(1))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pages_in(settings, monkeypatch):
    """Point the ``pages`` cache at a Redis URL (as REDIS_URL does), with a fresh record of its failures."""
    monkeypatch.setattr(page_cache, "store", page_cache._FailSafeCache())
    settings.PAGE_CACHE_RETRY_SECONDS = RETRY_SECONDS

    def use(url: str) -> None:
        pages = {**settings.CACHES["pages"], "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        pages["OPTIONS"] = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
        settings.CACHES = {**settings.CACHES, "pages": pages}

    return use


@pytest.fixture
def instrument():
    return make(Instrument, title="Quokka convention")


def warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "cop_kb.page_cache"]


def test_pages_are_cached_in_redis(redis_server, pages_in, instrument, django_assert_num_queries):
    pages_in(redis_server.url)
    url = instrument.get_absolute_url()

    first = Client().get(url)

    assert redis_server.keys() == 1
    with django_assert_num_queries(1):
        again = Client().get(url)
    assert again.content == first.content


def test_a_killed_redis_costs_no_error_and_caching_resumes_when_it_is_back(
    redis_server, pages_in, instrument, caplog, django_assert_num_queries
):
    pages_in(redis_server.url)
    client = Client()
    listing = ["/", Instrument.get_list_url(), "/search/?q=quokka"]
    for url in [*listing, instrument.get_absolute_url()]:
        assert client.get(url).status_code == 200

    redis_server.kill()
    make(Instrument, title="Quokka protocol")  # published while Redis is down
    with caplog.at_level(logging.WARNING, logger="cop_kb.page_cache"):
        lists = [client.get(url) for url in listing for _repeat in range(3)]
        details = [client.get(instrument.get_absolute_url()) for _repeat in range(3)]

    assert [answer.status_code for answer in lists + details] == [200] * 12
    assert all(b"Quokka protocol" in answer.content for answer in lists)
    assert all(b"Quokka convention" in answer.content for answer in details)
    assert len(warnings(caplog)) == 1, "one log line, not one per request"

    redis_server.start()
    time.sleep(RETRY_SECONDS)  # the cache is left alone this long after a failure
    client.get(instrument.get_absolute_url())
    assert redis_server.keys() == 1
    with django_assert_num_queries(1):
        assert client.get(instrument.get_absolute_url()).status_code == 200


def test_a_redis_that_stops_answering_costs_no_error(redis_server, pages_in, instrument, caplog):
    pages_in(redis_server.url)
    url = instrument.get_absolute_url()
    expected = Client().get(url).content

    redis_server.pause()
    try:
        with caplog.at_level(logging.WARNING, logger="cop_kb.page_cache"):
            answers = [Client().get(url) for _repeat in range(5)]
    finally:
        redis_server.resume()

    assert [answer.status_code for answer in answers] == [200] * 5
    assert all(answer.content == expected for answer in answers)
    assert len(warnings(caplog)) == 1


def test_a_redis_that_refuses_connections_from_the_start_costs_no_error(pages_in, instrument, caplog):
    pages_in(f"redis://127.0.0.1:{port(2)}/0")  # nothing listens there

    with caplog.at_level(logging.WARNING, logger="cop_kb.page_cache"):
        answers = [Client().get(url) for url in ("/", instrument.get_absolute_url(), "/search/?q=quokka")]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert b"Quokka convention" in answers[1].content
    assert len(warnings(caplog)) == 1
    assert "Page cache unavailable" in warnings(caplog)[0]


def test_after_a_failure_the_cache_is_left_alone_for_a_while(pages_in, instrument, settings, monkeypatch):
    pages_in(f"redis://127.0.0.1:{port(2)}/0")  # nothing listens there
    settings.PAGE_CACHE_RETRY_SECONDS = 60
    cache = caches["pages"]
    asked = []

    def get(*args, **kwargs):
        asked.append(args)
        return RedisCache.get(cache, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)

    answers = [Client().get(instrument.get_absolute_url()) for _repeat in range(4)]

    assert [answer.status_code for answer in answers] == [200] * 4
    assert len(asked) == 1, "only the first request should wait for the Redis that is not there"


# --- The front of the site (cop_kb.page_cache.CachedPagesFirst) over Redis --------------------------------------------


def test_a_second_server_answers_from_redis_and_each_keeps_its_recent_answers_through_a_redis_outage(
    redis_server, pages_in, instrument
):
    pages_in(redis_server.url)
    url = instrument.get_absolute_url()
    with wsgi_site() as one:
        first = one(url)
    assert redis_server.keys() == 2, "the middleware's page and the front's answer"

    with wsgi_site() as other:
        from_redis = other(url)
        redis_server.kill()
        recent = other(url)
        Instrument.objects.filter(pk=instrument.pk).update(title="Quokka convention, revised")
        changed = other(url)

    assert (from_redis.body, from_redis.django_handled) == (first.body, False)
    assert (recent.body, recent.django_handled) == (first.body, False), "kept by the process, Redis not asked"
    assert changed.django_handled and b"Quokka convention, revised" in changed.body


def test_a_server_keeps_only_its_last_answers(redis_server, pages_in, instrument, settings):
    pages_in(redis_server.url)
    with wsgi_site() as site:
        answers = [site(path) for path in (instrument.get_absolute_url(), "/")]
    # Room for either answer, headers and body, not both.
    settings.PAGE_CACHE_RECENT_BYTES = max(
        len(answer.body) + sum(len(name) + len(value) for name, value in answer.headers) for answer in answers
    )
    with wsgi_site() as site:
        site(instrument.get_absolute_url())
        site("/")
        redis_server.kill()

        assert not site("/").django_handled
        assert site(instrument.get_absolute_url()).django_handled, "dropped: only one answer is kept"
