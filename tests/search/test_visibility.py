"""Only published records are ever found, counted, suggested or completed, however a record stopped being public."""

import io

import pytest
from django.core.management import call_command

from cop_kb.records.models import Status
from cop_kb.records.services import record_reindex
from cop_kb.search.models import SearchDocument, SearchFacet
from instruments.models import Instrument
from programmes.models import Programme

from ..factories import make, record_models
from .support import AUTOCOMPLETE_URL, facet_counts, get_search, hit_titles, record, search_for, shown_hits

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN]


@pytest.fixture
def published():
    return record(Programme, title="Narwhal charter", year=2011, tags=["open"])


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_record_that_is_not_published_is_never_found(client, published, status):
    record(Instrument, title="Narwhal convention zyxwv", status=status)

    assert shown_hits(get_search(client, "zyxwv")) == []
    assert [hit.title for hit in shown_hits(get_search(client, "narwhal"))] == ["Narwhal charter"]


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_record_that_is_not_published_is_not_counted_in_facets(published, status):
    record(Instrument, title="Narwhal convention", status=status, tags=["hidden"])

    page = search_for("narwhal")

    assert page.total == 1
    assert facet_counts(page, "type") == {"programmes.programme": 1}
    assert facet_counts(page, "tag") == {"open": 1}
    assert facet_counts(page, "year") == {"2011": 1}


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_record_that_is_not_published_is_never_suggested(client, published, status):
    record(Instrument, title="Narwhal convention", status=status)

    response = get_search(client, "narrwhal")

    assert [document.title for document in response.context["results"].suggestions] == ["Narwhal charter"]
    assert "Narwhal convention" not in response.content.decode()


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_record_that_is_not_published_is_never_autocompleted(client, published, status):
    record(Instrument, title="Narwhal convention", status=status)

    results = client.get(AUTOCOMPLETE_URL, {"q": "narw"}).json()["results"]

    assert [result["title"] for result in results] == ["Narwhal charter"]


def test_autocomplete_answers_at_most_eight_records_all_published(client, published):
    # Eleven more published matches, and hidden ones whose short titles would rank first were they ever offered.
    shown = {"Narwhal charter", *(record(Programme, title=f"Narwhal charter number {n}").title for n in range(11))}
    for status in NOT_PUBLIC:
        record(Instrument, title="Narwhal", status=status)

    results = client.get(AUTOCOMPLETE_URL, {"q": "narwh"}).json()["results"]

    assert len(results) == 8
    assert {result["title"] for result in results} < shown


# A record set to draft behind the services' back (a bulk update, the shell): the services never hear of it, so
# the database itself (search migration 0004's triggers) must take it out of the index.


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label_lower)
@pytest.mark.parametrize("change", ["bulk update to draft", "bulk update to withdrawn", "bulk delete"])
def test_every_record_type_leaves_the_index_however_it_stops_being_public(model, change):
    made = make(model, tags=["hidden"])
    documents = SearchDocument.objects.filter(record_type=model._meta.label_lower, object_id=made.pk)
    assert documents.exists() and SearchFacet.objects.filter(document__in=documents).exists()
    rows = model.objects.filter(pk=made.pk)
    if change == "bulk delete":
        rows.delete()
    else:
        rows.update(status=Status.DRAFT if change.endswith("draft") else Status.WITHDRAWN)

    assert not documents.exists()
    assert not SearchFacet.objects.filter(value="hidden").exists()


def test_bulk_update_that_keeps_a_record_published_keeps_it_in_the_index(published):
    Programme.objects.filter(pk=published.pk).update(status=Status.PUBLISHED, year=2012)

    assert hit_titles(search_for("narwhal")) == ["Narwhal charter"]


@pytest.fixture
def unpublished_behind_the_index():
    made = record(Instrument, title="Narwhal convention", summary="Signed in Narwhal Bay.", tags=["hidden"])
    assert SearchDocument.objects.filter(object_id=made.pk, record_type="instruments.instrument").exists()
    Instrument.objects.filter(pk=made.pk).update(status=Status.DRAFT)
    return made


def test_record_set_to_draft_without_reindexing_is_not_found(client, published, unpublished_behind_the_index):
    assert [hit.title for hit in shown_hits(get_search(client, "narwhal"))] == ["Narwhal charter"]
    assert hit_titles(search_for("convention")) == []


def test_record_set_to_draft_without_reindexing_is_not_counted(client, published, unpublished_behind_the_index):
    response = get_search(client, "narwhal")

    page = response.context["results"]
    assert page.total == 1
    assert "1 result for “narwhal”" in response.content.decode()
    assert facet_counts(page, "type") == {"programmes.programme": 1}
    assert facet_counts(page, "tag") == {"open": 1}


def test_record_set_to_draft_without_reindexing_alone_gives_no_results_and_no_count(unpublished_behind_the_index):
    page = search_for("convention")

    assert (page.total, page.hits, page.facets) == (0, [], [])


def test_record_set_to_draft_without_reindexing_is_not_suggested(published, unpublished_behind_the_index):
    page = search_for("narrwhal")

    assert [document.title for document in page.suggestions] == ["Narwhal charter"]


def test_record_set_to_draft_without_reindexing_is_not_autocompleted(client, published, unpublished_behind_the_index):
    results = client.get(AUTOCOMPLETE_URL, {"q": "narw"}).json()["results"]

    assert [result["title"] for result in results] == ["Narwhal charter"]


def test_rebuilding_the_index_drops_a_record_set_to_draft_without_reindexing(published, unpublished_behind_the_index):
    call_command("rebuild_search_index", stdout=io.StringIO())

    page = search_for("narwhal")
    assert (hit_titles(page), page.total) == (["Narwhal charter"], 1)
    assert not SearchDocument.objects.filter(record_type="instruments.instrument").exists()


def test_record_unpublished_and_reindexed_leaves_the_index(published):
    made = record(Instrument, title="Narwhal convention")
    made.status = Status.WITHDRAWN
    made.save()

    record_reindex(made)

    assert not SearchDocument.objects.filter(record_type="instruments.instrument", object_id=made.pk).exists()
    assert hit_titles(search_for("narwhal")) == ["Narwhal charter"]


def test_record_published_and_reindexed_joins_the_index(published):
    made = record(Instrument, title="Narwhal convention", status=Status.DRAFT)
    made.status = Status.PUBLISHED
    made.save()

    record_reindex(made)

    assert sorted(hit_titles(search_for("narwhal"))) == ["Narwhal charter", "Narwhal convention"]
