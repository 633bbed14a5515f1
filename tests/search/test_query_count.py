"""A search runs the same number of queries whether it matches a few records or ten times as many, counted with
the page cache empty."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.directory.models import Country
from cop_kb.records.services import record_reindex
from instruments.models import Instrument
from programmes.models import Activity, Programme
from strategy.models import StrategicArea

from .support import AUTOCOMPLETE_URL, SEARCH_URL, record, search_for

pytestmark = pytest.mark.django_db

N = 3
TYPES = (Programme, Instrument, Activity)


@pytest.fixture
def grow():
    """Adds records matching "ocelot" of every shape: three types, several tags, countries and strategic areas."""
    countries = [record(Country, title=f"Land {letter}", slug=f"land-{letter.lower()}") for letter in "AB"]
    areas = [record(StrategicArea, title=f"Area {letter}") for letter in "AB"]
    made = []

    def add(count: int) -> None:
        for _ in range(count):
            number = len(made)
            model = TYPES[number % len(TYPES)]
            new = record(model, title=f"Ocelot {number}", summary="Ocelot sightings.", tags=[f"t{number % 4}", "cat"])
            if model is not Instrument:
                new.countries.add(countries[number % 2])
            new.strategic_areas.add(areas[number % 2])
            record_reindex(new)
            made.append(new)

    return add


def measure(client, url: str, params: dict) -> tuple[int, str, bytes]:
    """Queries one request runs with the page cache empty, their SQL (to say what grew), and the response body.

    A cached answer costs one query whatever the data; what is counted here is a search that runs.
    """
    client.get(url, params)  # warm per-process caches (content types, translations) first
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), "\n".join(query["sql"] for query in captured.captured_queries), response.content


def assert_same_queries(small: tuple[int, str, bytes], large: tuple[int, str, bytes], *, or_fewer=False) -> None:
    (few, few_sql, few_body), (many, many_sql, many_body) = small, large
    assert many_body != few_body, "the answer should show more when there is more data"
    assert many <= few if or_fewer else many == few, (
        f"{few} queries with {N} records:\n{few_sql}\n\nwith {10 * N}:\n{many_sql}"
    )


SEARCHES = {
    "words": {"q": "ocelot"},
    "two facets": {"q": "ocelot sightings", "type": "programmes.programme", "tag": "t0"},
    "excluded word and a facet": {"q": "ocelot -nothing", "country": "land-a"},
    "no results, so suggestions": {"q": "ocelott"},
    "few results, so near misses": {"q": "ocelot sightings 1"},
    "no results, so suggestions and near misses": {"q": "ocelot zebra"},
}
# PostgreSQL's "Did you mean" asks the 1-in-64 sample first and the whole index only when the sample has too few
# titles, so more data may take fewer queries there, never more.
OR_FEWER_ON_POSTGRESQL = {"no results, so suggestions", "no results, so suggestions and near misses"}


@pytest.mark.parametrize("name", SEARCHES)
def test_search_page_runs_the_same_number_of_queries_for_n_and_10n_records(client, grow, name):
    grow(N)
    small = measure(client, SEARCH_URL, SEARCHES[name])

    grow(9 * N)
    large = measure(client, SEARCH_URL, SEARCHES[name])

    # "sightings" is in their summaries only; "ocelot" also finds the countries and areas they link to.
    assert search_for("ocelot sightings").total == 10 * N
    assert_same_queries(small, large, or_fewer=name in OR_FEWER_ON_POSTGRESQL and connection.vendor == "postgresql")


def test_autocomplete_runs_the_same_number_of_queries_for_n_and_10n_records(client, grow):
    grow(N)
    small = measure(client, AUTOCOMPLETE_URL, {"q": "ocel"})

    grow(9 * N)
    large = measure(client, AUTOCOMPLETE_URL, {"q": "ocel"})

    assert_same_queries(small, large)
