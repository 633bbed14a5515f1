"""Every API list and detail runs a fixed number of SQL queries, whatever the amount of data: measured with a linked
graph of every type and again with ten times the data (a full page of 100 records, each with all its links), with
every cache empty. Generated from the registry, like tests/test_query_counts.py for the pages."""

import pytest
from django.urls import reverse

from cop_kb.records.registry import record_types

from ..factories import make_linked_graph
from ..test_query_counts import measure, measured_twice, names_of

pytestmark = pytest.mark.django_db

TYPES = record_types()
# A list: its page of records, the count, then one query per kind of link, tags, aliases and sources.
MAX_QUERIES = 30


def api_addresses(graph) -> dict[str, str]:
    addresses = {}
    for entry in TYPES:
        listed = reverse("api:list", kwargs={"type_slug": entry.slug})
        addresses[f"list-{entry.slug}"] = f"{listed}?page_size=100"
        addresses[f"list-{entry.slug}-tagged"] = f"{listed}?page_size=100&tag=graph&ordering=-updated"
        record = graph[entry.model][0]
        addresses[f"detail-{entry.slug}"] = reverse("api:detail", kwargs={"type_slug": entry.slug, "slug": record.slug})
    return addresses


def measure_with_body(client, address: str) -> tuple:
    return (*measure(client, address), client.get(address).json())


@pytest.fixture(scope="module")
def api_query_counts(django_db_setup, django_db_blocker) -> dict[str, tuple]:
    return measured_twice(
        django_db_blocker,
        api_addresses,
        few_records=10,
        more=lambda _few: make_linked_graph(90),
        measure_more=measure_with_body,
    )


@pytest.mark.parametrize("name", names_of(api_addresses))
def test_api_query_count_is_bounded_and_does_not_grow_with_the_data(api_query_counts, name):
    (few_queries, _links, few_sql), (many_queries, _many_links, many_sql, body) = api_query_counts[name]

    if name.startswith("list-") and not name.endswith("-tagged"):
        assert len(body["results"]) == 100, "ten times the data fills a page of 100 records"
        assert any(record["links"] for record in body["results"])
    assert many_queries == few_queries, f"{few_queries} queries with little data:\n{few_sql}\n\nwith more:\n{many_sql}"
    assert few_queries <= MAX_QUERIES, f"{few_queries} queries:\n{few_sql}"
