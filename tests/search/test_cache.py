"""Search answers are cached like every public page until the content changes (``cop_kb.page_cache``): the same
search again costs one query, and every change that could alter an answer (a record published, edited, withdrawn or
hidden behind the services' back, a synonym, a tag name) shows on the very next request."""

import pytest
from django.core.management import call_command
from django.db import connection
from taggit.models import Tag

from cop_kb.records.content_version import content_version
from cop_kb.records.models import Status
from cop_kb.records.services import record_reindex
from cop_kb.search.models import SearchDocument, Synonym
from instruments.models import Instrument
from programmes.models import Programme

from .support import AUTOCOMPLETE_URL, SEARCH_URL, facet_counts, get_search, record, shown_titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return record(Programme, title="Narwhal charter", tags=["open"])


def test_the_same_search_again_is_answered_from_the_cache_with_one_query(client, published, django_assert_num_queries):
    first = get_search(client, "narwhal")

    with django_assert_num_queries(1):
        again = get_search(client, "narwhal")

    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert shown_titles(again) == ["Narwhal charter"]


def test_a_cached_answer_keeps_the_security_headers(client, published):
    get_search(client, "narwhal")

    again = get_search(client, "narwhal")

    assert "script-src 'self'" in again["Content-Security-Policy"]
    assert again["X-Content-Type-Options"] == "nosniff"


def test_other_filters_or_pages_are_other_answers(client, published):
    record(Programme, title="Narwhal plan", tags=["closed"])

    assert shown_titles(get_search(client, "narwhal")) == ["Narwhal charter", "Narwhal plan"]
    assert shown_titles(get_search(client, "narwhal", tag="closed")) == ["Narwhal plan"]
    assert shown_titles(get_search(client, "narwhal", tag="open")) == ["Narwhal charter"]


def test_a_record_published_after_a_search_is_found_by_the_next_one(client, published):
    assert shown_titles(get_search(client, "narwhal")) == ["Narwhal charter"]

    record(Instrument, title="Narwhal convention")

    assert sorted(shown_titles(get_search(client, "narwhal"))) == ["Narwhal charter", "Narwhal convention"]


def test_a_record_edited_after_a_search_shows_its_new_title(client, published):
    get_search(client, "narwhal")

    published.title = "Narwhal charter, second edition"
    published.save()
    record_reindex(published)

    assert shown_titles(get_search(client, "narwhal")) == ["Narwhal charter, second edition"]


@pytest.mark.parametrize("how", ["through the services", "by a bulk update", "by a bulk delete"])
def test_a_record_hidden_after_a_search_is_gone_from_the_next_one(client, published, how):
    hidden = record(Instrument, title="Narwhal convention")
    assert len(shown_titles(get_search(client, "narwhal"))) == 2
    assert len(client.get(AUTOCOMPLETE_URL, {"q": "narw"}).json()["results"]) == 2

    rows = Instrument.objects.filter(pk=hidden.pk)
    if how == "through the services":
        hidden.status = Status.WITHDRAWN
        hidden.save()
        record_reindex(hidden)
    elif how == "by a bulk update":
        rows.update(status=Status.DRAFT)
    else:
        rows.delete()

    assert shown_titles(get_search(client, "narwhal")) == ["Narwhal charter"]
    results = client.get(AUTOCOMPLETE_URL, {"q": "narw"}).json()["results"]
    assert [result["title"] for result in results] == ["Narwhal charter"]


def test_a_synonym_added_after_a_search_takes_effect_on_the_next_one(client):
    record(Programme, title="Walrus charter")
    assert shown_titles(get_search(client, "sealion")) == []

    Synonym.objects.create(terms="sealion, walrus")

    assert shown_titles(get_search(client, "sealion")) == ["Walrus charter"]


def test_a_tag_renamed_after_a_search_shows_its_new_name_in_the_facets(client, published):
    get_search(client, "narwhal")

    Tag.objects.filter(slug="open").update(name="Open by default")

    response = get_search(client, "narwhal")
    assert facet_counts(response.context["results"], "tag") == {"open": 1}
    assert "Open by default" in response.content.decode()


def test_a_page_past_the_end_is_not_cached(client, published):
    assert get_search(client, "narwhal", page="2").status_code == 404

    for number in range(25):
        record(Programme, title=f"Narwhal plan {number}")

    assert get_search(client, "narwhal", page="2").status_code == 200


def test_rebuilding_the_index_gives_it_a_new_token(published):
    before = content_version()[0]

    call_command("rebuild_search_index", verbosity=0)

    assert before is not None
    assert content_version()[0] not in (None, before)


def test_any_statement_that_writes_documents_gives_the_index_a_new_token(published):
    before = content_version()[0]

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_searchdocument SET summary = 'changed' WHERE id = %s", [SearchDocument.objects.get().pk]
        )

    assert content_version()[0] not in (None, before)


# Browsers and shared caches may keep an answer only on condition: each use asks the server again, which compares
# the ETag with the index's token, so no copy outlives a withdrawal.

ANSWERS = {"search page": (SEARCH_URL, {"q": "narwhal"}), "autocomplete": (AUTOCOMPLETE_URL, {"q": "narw"})}


def shown(response) -> list[str]:
    if response["Content-Type"].startswith("application/json"):
        return [result["title"] for result in response.json()["results"]]
    return shown_titles(response)


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_answer_may_be_kept_only_if_revalidated(client, published, answer):
    url, params = ANSWERS[answer]

    response = client.get(url, params)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_unchanged_index_answers_a_revalidation_with_304_in_one_query(
    client, published, answer, django_assert_num_queries
):
    url, params = ANSWERS[answer]
    first = client.get(url, params)

    with django_assert_num_queries(1):
        again = client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("how", ["through the services", "by a bulk update"])
def test_a_withdrawal_answers_the_revalidation_with_a_fresh_200(client, published, answer, how):
    url, params = ANSWERS[answer]
    hidden = record(Instrument, title="Narwhal convention")
    first = client.get(url, params)
    assert sorted(shown(first)) == ["Narwhal charter", "Narwhal convention"]

    if how == "through the services":
        hidden.status = Status.WITHDRAWN
        hidden.save()
        record_reindex(hidden)
    else:
        Instrument.objects.filter(pk=hidden.pk).update(status=Status.WITHDRAWN)
    again = client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert shown(again) == ["Narwhal charter"]
    assert again["ETag"] != first["ETag"]
