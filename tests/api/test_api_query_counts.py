"""Every API list and detail runs a fixed number of SQL queries, whatever the amount of data and the page size:
measured with a linked graph of every type and again with ten times the data (a full page of 100 records, the first of
each type linked to all 90 new records of every linked type, so it has more links per relation than a list or a
detail shows), with every cache empty, and a list with pages of 10 and of 100 records. Generated from the registry,
like tests/test_query_counts.py for the pages."""

import pytest
from django.urls import reverse

from cop_kb.api.serializers import DETAIL_LINKS, LIST_LINKS
from cop_kb.records.registry import record_types

from ..factories import link_everywhere, make_linked_graph
from ..test_query_counts import has_many_links, measure, measured_twice, names_of

pytestmark = pytest.mark.django_db

TYPES = record_types()
# A list: its page of records, the count, one query for the links of every record on the page, tags, aliases and
# sources.
MAX_QUERIES = 30
MORE = 90


def api_addresses(graph) -> dict[str, str]:
    addresses = {}
    for entry in TYPES:
        listed = reverse("api:list", kwargs={"type_slug": entry.slug})
        addresses[f"list-{entry.slug}"] = f"{listed}?page_size=100"
        addresses[f"list-{entry.slug}-page-of-10"] = f"{listed}?page_size=10"
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
        more=lambda few: link_everywhere([few[entry.model][0] for entry in TYPES], make_linked_graph(MORE)),
        measure_more=measure_with_body,
    )


@pytest.mark.parametrize("name", names_of(api_addresses))
def test_api_query_count_is_bounded_and_does_not_grow_with_the_data(api_query_counts, name):
    (few_queries, _links, few_sql), (many_queries, _many_links, many_sql, body) = api_query_counts[name]

    records = body["results"] if name.startswith("list-") else [body]
    bound = LIST_LINKS if name.startswith("list-") else DETAIL_LINKS
    groups = [group for record in records for group in record["link_groups"]]
    assert all(group["shown"] <= bound for group in groups), f"at most {bound} links per relation"
    # The plain list and the detail of each type (the first record of the type is on its list's one page).
    entry = next((entry for entry in TYPES if name in (f"list-{entry.slug}", f"detail-{entry.slug}")), None)
    if entry and has_many_links(entry.model):
        # The first record, on the page, has more links than are shown: the bound, its count and the rest elsewhere.
        assert any(group["count"] > group["shown"] == bound and group["links_url"] for group in groups)
    if entry and name.startswith("list-"):
        assert len(records) == 100, "ten times the data fills a page of 100 records"
    assert many_queries == few_queries, f"{few_queries} queries with little data:\n{few_sql}\n\nwith more:\n{many_sql}"
    assert few_queries <= MAX_QUERIES, f"{few_queries} queries:\n{few_sql}"


@pytest.mark.parametrize("entry", TYPES, ids=lambda entry: entry.slug)
def test_a_list_page_of_10_records_runs_the_same_queries_as_a_page_of_100(api_query_counts, entry):
    for data in (0, 1):  # little data, then ten times as much
        ten_queries, _links, ten_sql, *_body = api_query_counts[f"list-{entry.slug}-page-of-10"][data]
        hundred_queries, _links, hundred_sql, *_body = api_query_counts[f"list-{entry.slug}"][data]
        assert ten_queries == hundred_queries, f"a page of 10:\n{ten_sql}\n\na page of 100:\n{hundred_sql}"
