"""A search runs the same number of queries whether it matches a few records or ten times as many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Country
from directory.services import record_reindex
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
    countries = [record(Country, title=f"Land {letter}") for letter in "AB"]
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


def queries(client, url: str, params: dict) -> int:
    client.get(url, params)  # warm per-process caches (content types, translations) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_search_page_runs_the_same_number_of_queries_for_n_and_10n_records(client, grow):
    searches = {
        "words": {"q": "ocelot"},
        "two facets": {"q": "ocelot sightings", "type": "programmes.programme", "tag": "t0"},
        "excluded word and a facet": {"q": "ocelot -nothing", "country": Country.objects.get(title="Land A").slug},
        "no results, so suggestions": {"q": "ocelott"},
    }
    grow(N)
    small = {name: queries(client, SEARCH_URL, params) for name, params in searches.items()}

    grow(9 * N)
    large = {name: queries(client, SEARCH_URL, params) for name, params in searches.items()}

    assert search_for("ocelot").total == 10 * N
    assert large == small


def test_autocomplete_runs_the_same_number_of_queries_for_n_and_10n_records(client, grow):
    grow(N)
    small = queries(client, AUTOCOMPLETE_URL, {"q": "ocel"})

    grow(9 * N)
    large = queries(client, AUTOCOMPLETE_URL, {"q": "ocel"})

    assert large == small
