"""Every public page runs a fixed number of SQL queries, at most ``MAX_QUERIES``, whatever the amount of data.

Each page is measured with a small linked graph and again with ten times the data, with every cache empty (a fresh
page, not a cached answer). In the large case the record each detail page shows (and each filter names) is linked to
every record of the large graph, so it has twenty links of every kind, forward and back. The pages are generated from
the record registry and each type's list facets, so a new record type or facet is covered without touching this file.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cop_kb.graph.views import explore_url
from cop_kb.records.briefs import brief_url
from cop_kb.records.citations import file_address
from cop_kb.records.facets import RelatedFacet
from cop_kb.records.link_pages import relation_url
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField, TypedLink, _link_fields
from cop_kb.records.models import Record
from cop_kb.records.registry import record_types
from cop_kb.records.selectors import list_facets
from cop_kb.search.facets import FACETS
from cop_kb.timeline.selectors import area_type, timeline_types
from instruments.models import Instrument, Topic
from programmes.selectors import coverage_types, unlinked_url

from .factories import Graph, link_everywhere, make_linked_graph, record_models
from .test_pages import read_page

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
RECORD_MODELS = record_models()
GRAPH_TAG = "graph"  # every record of a linked graph carries it


def has_many_links(model: type[Record]) -> bool:
    """Whether a record of ``model`` can show more than one link per relation (anything but single links only)."""
    for model_field in model._meta.get_fields():
        if isinstance(model_field, LinkManyToManyField):
            return True
        if model_field.auto_created and not model_field.concrete:
            if isinstance(model_field.field, LinkForeignKey | LinkManyToManyField):
                return True
            if issubclass(model_field.related_model, TypedLink):
                return True
    return False


def facet_value(model: type[Record], facet, graph: Graph) -> str:
    """A value of ``facet`` that the graph's first records have (the record the large graph links everywhere)."""
    if not isinstance(facet, RelatedFacet):
        return str(getattr(graph[model][0], facet.field_name))
    target = model._meta.get_field(facet.path).related_model
    return graph[target][0].slug if target in graph else GRAPH_TAG


def record_filters(graph: Graph) -> dict[str, str]:
    """Search filters naming a record (a country, a strategic area): the first of each such type in the graph."""
    return {entry.search_facet_self: graph[entry.model][0].slug for entry in record_types() if entry.search_facet_self}


def relation_pages(record: Record) -> dict[str, str]:
    """The page of every record each relation of ``record`` leads to (for typed links, of a kind ``record`` has),
    by name."""
    pages = {}
    for role, model_field in _link_fields(type(record)):
        kind = ""
        if role == "typed":
            rows = getattr(record, model_field.get_accessor_name()) if record.pk else None
            kind = rows.order_by("kind").values_list("kind", flat=True).first() if rows else "x"
        if role != "single":
            pages[f"links-{type(record).__name__}-{model_field.name}"] = relation_url(record, role, model_field, kind)
    return pages


def timeline_filters(graph: Graph) -> str:
    """The timeline narrowed to every dated type, chosen one by one, and to the strategic area more data links to."""
    query = [("type", entry.slug) for entry in timeline_types()]
    return urlencode([*query, ("area", graph[area_type().model][0].slug)])


def compared(graph: Graph) -> str:
    """The concordance's filter naming two instruments and a topic of ``graph``."""
    instruments = [("instrument", record.slug) for record in graph[Instrument][:2]]
    return urlencode([*instruments, ("topic", graph[Topic][0].slug)])


def public_pages(graph: Graph) -> dict[str, str]:
    """A URL of every kind of public page: each type's list (plain, and narrowed by each facet with a year range),
    each facet's page of every value, detail pages with each relation's page of every linked record, sitemap
    sections, briefs of the types that have one, search with each facet's page of every value, and the site-wide
    pages."""
    search = reverse("search:search")
    filtered = urlencode({"q": "Summary", "tag": GRAPH_TAG, "year": 2011})
    pages = {
        "home": "/",
        "tags": reverse("tag-list"),
        "tag": reverse("tag-detail", args=[GRAPH_TAG]),
        "coverage": reverse("programmes:coverage"),
        "map": reverse("map:world"),
        "map-picture": reverse("map:picture"),
        "concordance": reverse("instruments:concordance"),
        "concordance-compared": f"{reverse('instruments:concordance')}?{compared(graph)}",
        "sitemap": reverse("sitemap-index"),
        "search": f"{search}?q=Summary",
        "search-filtered": f"{search}?{filtered}",
        "search-by-records": f"{search}?{urlencode({'q': 'Summary', **record_filters(graph)})}",
        "search-typo": f"{search}?q=Sumary+Grahp",  # nothing matches: "Did you mean" looks for titles
        "autocomplete": f"{reverse('search:autocomplete')}?q=Summ",
        "timeline": reverse("timeline:timeline"),
        "timeline-filtered": f"{reverse('timeline:timeline')}?{timeline_filters(graph)}",
    }
    for param, _label in FACETS:
        pages[f"search-facet-{param}"] = f"{reverse('search:facet', args=[param])}?{filtered}"
    for model in coverage_types():
        pages[f"coverage-unlinked-{model.__name__}"] = unlinked_url(model)
    for model in RECORD_MODELS:
        name = model.__name__
        pages[f"list-{name}"] = model.get_list_url()
        pages[f"detail-{name}"] = graph[model][0].get_absolute_url()
        pages[f"explore-{name}"] = explore_url(graph[model][0])
        pages[f"explore2-{name}"] = f"{explore_url(graph[model][0])}?depth=2"
        pages[f"cite-{name}"] = file_address(graph[model][0], "bib")
        pages.update(relation_pages(graph[model][0]))
        if brief_url(graph[model][0]):
            pages[f"brief-{name}"] = brief_url(graph[model][0])
        section = model._meta.label_lower
        pages[f"sitemap-{name}"] = reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": section})
        for facet in list_facets(model):
            query = urlencode({facet.param: facet_value(model, facet, graph), "year_from": 1000, "sort": "-updated"})
            pages[f"list-{name}-{facet.param}"] = f"{model.get_list_url()}?{query}"
            pages[f"facet-{name}-{facet.param}"] = f"{model.get_facet_url(facet.param)}?{query}"
    return pages


def measure(client, page_url: str) -> tuple[int, int, str]:
    """Queries the page runs, links it shows in ``<main>``, and the SQL (to say what grew), with every cache empty."""
    for alias in settings.CACHES:
        caches[alias].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url)
    assert response.status_code == 200, f"{page_url} gave {response.status_code}"
    links = len(read_page(response).main_hrefs) if response["Content-Type"].startswith("text/html") else 0
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    return len(queries), links, sql


def measured_twice(django_db_blocker, addresses, *, few_records: int, more, measure_more=measure) -> dict:
    """Each of ``addresses(graph)`` measured on a linked graph of ``few_records`` of each type, then again (with
    ``measure_more``) once ``more(graph)`` has added data; built once and rolled back."""
    client = Client()
    with django_db_blocker.unblock(), transaction.atomic():
        few = make_linked_graph(few_records)
        urls = addresses(few)
        for url in urls.values():
            client.get(url)  # Warm per-process caches (content types) so both counts compare like for like.
        small = {name: measure(client, url) for name, url in urls.items()}

        more(few)
        large = {name: measure_more(client, url) for name, url in urls.items()}
        transaction.set_rollback(True)
    return {name: (small[name], large[name]) for name in urls}


class _StandIn(dict):
    """A graph with one unsaved record of every type, enough for the addresses of most pages."""

    def __missing__(self, model):
        return [model(slug="x")]


def names_of(addresses) -> list[str]:
    """The names ``addresses(graph)`` gives, without building a graph (for parametrising)."""
    return list(addresses(_StandIn()))


def link_more(few: Graph) -> None:
    """Ten times the data, every record of it linked to the first record of each type of ``few``."""
    link_everywhere([few[model][0] for model in RECORD_MODELS], make_linked_graph(20))


@pytest.fixture(scope="module")
def query_counts(django_db_setup, django_db_blocker) -> dict[str, tuple[tuple, tuple]]:
    """Each page measured with a small linked graph and again with ten times the data."""
    return measured_twice(django_db_blocker, public_pages, few_records=2, more=link_more)


@pytest.mark.parametrize("page_name", names_of(public_pages))
def test_query_count_is_bounded_and_does_not_grow_with_the_data(query_counts, page_name):
    (few_queries, few_links, few_sql), (many_queries, many_links, many_sql) = query_counts[page_name]

    model = {model.__name__: model for model in RECORD_MODELS}.get(page_name.partition("-")[2])
    if page_name.startswith(("detail-", "brief-", "explore-", "explore2-")) and has_many_links(model):
        assert many_links > few_links, "the page should show more when there is more data"
    assert many_queries == few_queries, f"{few_queries} queries with little data:\n{few_sql}\n\nwith more:\n{many_sql}"
    assert few_queries <= MAX_QUERIES, f"{few_queries} queries:\n{few_sql}"


@pytest.mark.parametrize(
    "page_name",
    [
        "home",
        "timeline",
        "timeline-filtered",
        "tag",
        "coverage",
        "map",
        "search",
        "search-by-records",
        "list-Programme",
        "list-Activity",
    ],
)
def test_pages_show_more_when_there_is_more_data(query_counts, page_name):
    (_few_queries, few_links, _few_sql), (_many_queries, many_links, _many_sql) = query_counts[page_name]

    assert many_links > few_links
