"""Near misses: a search of several words that finds fewer than five records also lists, apart and below them,
records with most of its words ("Results with some of your words"), ranked by how many words they have."""

import pytest

from cop_kb.records.models import Status
from cop_kb.search.selectors import NEAR_MISSES
from instruments.models import Instrument
from programmes.models import Programme

from .support import get_search, hit_titles, record, search_for

pytestmark = pytest.mark.django_db


def near_titles(page) -> list[str]:
    return [hit.title for hit in page.near_misses]


def test_records_with_most_of_the_words_come_first():
    record(Programme, title="Walrus quokka numbat survey")
    record(Programme, title="Walrus quokka study")
    record(Programme, title="Walrus report")
    record(Programme, title="Quokka numbat survey")

    page = search_for("walrus quokka numbat survey")

    assert hit_titles(page) == ["Walrus quokka numbat survey"]
    # Three of the four words, then two; "Walrus report" has one, under half of them.
    assert near_titles(page) == ["Quokka numbat survey", "Walrus quokka study"]


def test_near_misses_never_repeat_a_result():
    record(Programme, title="Walrus quokka study")
    record(Programme, title="Walrus census")

    page = search_for("walrus quokka")

    assert hit_titles(page) == ["Walrus quokka study"]
    assert near_titles(page) == ["Walrus census"]


def test_near_misses_are_shown_apart_under_their_heading(client):
    record(Programme, title="Walrus quokka study")
    record(Programme, title="Walrus census")

    content = get_search(client, "walrus quokka").content.decode()

    results, _, below = content.partition('<section class="near-misses"')
    assert "Walrus quokka study" in results and "Walrus census" not in results
    assert '<h2 id="near-misses-heading">Results with some of your words</h2>' in below
    assert "Walrus census" in below


def test_no_near_misses_when_enough_records_match():
    for number in range(5):
        record(Programme, title=f"Walrus quokka study {number}")
    record(Programme, title="Walrus census")

    assert near_titles(search_for("walrus quokka")) == []


def test_no_near_misses_for_a_single_word(client):
    record(Programme, title="Walrus census")
    record(Programme, title="Quokka census")

    page = search_for("walrus")

    assert near_titles(page) == []
    assert "Results with some of your words" not in get_search(client, "walrus").content.decode()


def test_search_finding_nothing_shows_near_misses_too():
    record(Programme, title="Walrus census")

    page = search_for("walrus zebrafish")

    assert page.total == 0
    assert near_titles(page) == ["Walrus census"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_near_misses_never_include_an_unpublished_record(status):
    record(Programme, title="Walrus census", status=status)
    record(Programme, title="Walrus survey")

    assert near_titles(search_for("walrus zebrafish")) == ["Walrus survey"]


def test_record_unpublished_behind_the_index_is_not_a_near_miss():
    hidden = record(Programme, title="Walrus census")
    record(Programme, title="Walrus survey")
    Programme.objects.filter(pk=hidden.pk).update(status=Status.DRAFT)

    assert near_titles(search_for("walrus zebrafish")) == ["Walrus survey"]


def test_near_misses_leave_out_excluded_words_and_keep_filters():
    record(Programme, title="Walrus census")
    record(Programme, title="Walrus census of seals")
    record(Instrument, title="Walrus convention")

    page = search_for("walrus zebrafish -seals", type="programmes.programme")

    assert near_titles(page) == ["Walrus census"]


def test_near_misses_are_bounded():
    for number in range(NEAR_MISSES + 3):
        record(Programme, title=f"Walrus census {number}")

    assert len(search_for("walrus zebrafish").near_misses) == NEAR_MISSES


def test_api_q_lists_the_results_only(client):
    record(Programme, title="Walrus quokka study")
    record(Programme, title="Walrus census")

    found = client.get("/api/v1/programmes/", {"q": "walrus quokka"}).json()

    assert [row["title"] for row in found["results"]] == ["Walrus quokka study"]
    assert found["count"] == 1
