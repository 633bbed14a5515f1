"""Natural order: strategic areas by their position and provisions by article number, on their lists, in the link
groups of other records' pages, on a relation's page of every linked record and in the facets of lists and search
(A–Z would put "Promoting…", the
fourth area, before "Reducing…", the third, and "Article 19" before "Article 2")."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from cop_kb.records.registry import record_models
from cop_kb.records.services import record_reindex
from instruments.models import Instrument, Provision
from programmes.models import Activity, Programme
from strategy.models import StrategicArea

from .factories import make
from .test_pages import get_page, read_page

pytestmark = pytest.mark.django_db


def titles_in(html: str, urls: dict[str, str]) -> list[str]:
    """The titles of ``urls`` ({url: title}) in the order the page links to them, each once."""
    order = re.findall(r'<a href="([^"]+)"', html)
    return list(dict.fromkeys(urls[url] for url in order if url in urls))


@pytest.fixture
def areas(db) -> list[StrategicArea]:
    # Positions against the alphabet: by title these would read 4, 3, 2, 1.
    return [
        make(StrategicArea, position=201 + place, title=title)
        for place, title in enumerate(["Zulu area", "Yankee area", "X-ray area", "Whiskey area"])
    ]


@pytest.fixture
def articles(db) -> tuple[Instrument, list[Provision]]:
    instrument = make(Instrument, title="Convention on Numbering")
    # Made out of order, and with no position given: it comes from the number.
    numbers = ["19", "3 bis", "2", "3", "10"]
    made = {
        number: make(Provision, instrument=instrument, number=number, position=0, title=f"Article {number}")
        for number in numbers
    }
    return instrument, [made[number] for number in ("2", "3", "3 bis", "10", "19")]


def test_a_provision_left_without_a_position_takes_its_numbers_leading_digits(articles):
    _instrument, provisions = articles

    assert [provision.position for provision in provisions] == [2, 3, 3, 10, 19]
    assert make(Provision, number="Preamble", position=0).position == 0
    assert make(Provision, number="12345678901", position=0).position == 0  # too long for the column
    assert make(Provision, number="7", position=70).position == 70  # a position given is kept


def test_strategic_areas_list_is_in_position_order_by_default(client, areas):
    response, _page = get_page(client, StrategicArea.get_list_url())
    urls = {area.get_absolute_url(): area.title for area in areas}

    assert titles_in(response.content.decode(), urls) == [area.title for area in areas]
    by_title = get_page(client, StrategicArea.get_list_url() + "?sort=title")[0].content.decode()
    assert titles_in(by_title, urls) == sorted(area.title for area in areas)
    assert 'aria-current="true">Default order' in response.content.decode()


def test_provisions_list_is_in_article_order_by_default(client, articles):
    _instrument, provisions = articles

    response, _page = get_page(client, Provision.get_list_url())

    urls = {provision.get_absolute_url(): provision.title for provision in provisions}
    assert titles_in(response.content.decode(), urls) == [
        "Article 2",
        "Article 3",
        "Article 3 bis",
        "Article 10",
        "Article 19",
    ]


def test_link_groups_list_provisions_by_article_and_areas_by_position(client, articles, areas):
    instrument, provisions = articles
    for area in areas:
        area.instruments.add(instrument)

    _response, page = get_page(client, instrument.get_absolute_url())

    groups = page.groups(inverse=True)
    assert groups["Provisions"] == [provision.get_absolute_url() for provision in provisions]
    assert groups["Strategic areas drawing on it"] == [area.get_absolute_url() for area in areas]


def test_a_relations_page_of_every_record_is_in_natural_order_too(client, articles):
    instrument, provisions = articles

    page = read_page(client.get(f"{instrument.get_absolute_url()}links/provisions/"))

    shown = [
        link.text for link in page.links if link.href in {provision.get_absolute_url() for provision in provisions}
    ]
    assert shown == ["Article 2", "Article 3", "Article 3 bis", "Article 10", "Article 19"]


@pytest.fixture
def area_facet(areas) -> list[StrategicArea]:
    """Programmes linked to the areas so that their counts run against their positions (and names): the fourth
    area has the most programmes, the first the fewest. Every programme says "narwhal"."""
    for last in range(len(areas)):
        programme = make(Programme, title=f"Narwhal programme {last}")
        programme.strategic_areas.add(*areas[len(areas) - 1 - last :])
        record_reindex(programme)
    return areas


def area_options(page, areas: list[StrategicArea]) -> list[str]:
    """The strategic areas a page's strategic-area facet offers, in the order it lists them."""
    titles = [area.title for area in areas]
    links = [link for link in page.links if link.inside("section", **{"aria-labelledby": "facet-strategic_area"})]
    return [title for link in links for title in titles if link.text.startswith(title)]


def area_values(html: str, areas: list[StrategicArea]) -> list[str]:
    """The strategic areas a page of every value of the facet lists, in its order."""
    return [
        title for title in re.findall(r">([^<]+) <span class=\"count\">", html) if title in {a.title for a in areas}
    ]


@pytest.mark.parametrize("query", ["", "?kind=research"], ids=["kept counts", "counted over the filter"])
def test_a_lists_strategic_area_facet_lists_the_areas_in_position_order(client, area_facet, query):
    _response, page = get_page(client, Programme.get_list_url() + query)
    every = client.get(Programme.get_facet_url("strategic_area") + query).content.decode()

    assert area_options(page, area_facet) == ["Zulu area", "Yankee area", "X-ray area", "Whiskey area"]
    assert area_values(every, area_facet) == ["Zulu area", "Yankee area", "X-ray area", "Whiskey area"]


def test_searchs_strategic_area_facet_lists_the_areas_in_position_order(client, area_facet):
    page = read_page(client.get(reverse("search:search"), {"q": "narwhal"}))
    every = client.get(reverse("search:facet", kwargs={"param": "strategic_area"}), {"q": "narwhal"})

    assert area_options(page, area_facet) == ["Zulu area", "Yankee area", "X-ray area", "Whiskey area"]
    assert area_values(every.content.decode(), area_facet) == ["Zulu area", "Yankee area", "X-ray area", "Whiskey area"]


def plan_with_sorting_priced_out(queryset) -> str:
    """PostgreSQL's plan for ``queryset`` when sorting costs more than anything: a plan without a Sort node reads
    the rows in order from an index."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite's indexes keep no NULLS LAST")
def test_the_first_public_instruments_in_their_order_are_read_from_an_index_without_sorting():
    """The home page's and a list page's first instruments: with sorting priced out, PostgreSQL still finds a plan
    that reads them in order, which only an index on the ordering's own expressions gives."""
    make(Instrument)

    plan = plan_with_sorting_priced_out(Instrument.objects.public().select_related("issuing_body")[:10])

    assert "instrument_list_idx" in plan
    assert "Sort" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the planner's choice is asked for")
@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label_lower)
def test_the_latest_public_changes_of_each_type_are_read_from_an_index_without_sorting(model):
    """The home page's recent changes, the feeds and the sitemap's dates: the public records last updated."""
    plan = plan_with_sorting_priced_out(model.objects.public().order_by("-updated_at", "-id")[:6])

    assert f"{model._meta.model_name}_status_idx" in plan
    assert "Sort" not in plan


def plan_of(queryset) -> str:
    """The database's plan for ``queryset``: PostgreSQL's with sorting priced out, SQLite's as it would run it (a
    plan that reads the rows in order from an index has no Sort node, or no temporary B-tree for the ORDER BY)."""
    if connection.vendor == "postgresql":
        return plan_with_sorting_priced_out(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label_lower)
def test_the_first_public_records_by_title_are_read_from_an_index_without_sorting(model):
    """A tag's page, a sector's first programmes on the explore page: the first public records of a type by title,
    each then checked against the link, instead of every linked record joined and sorted."""
    plan = plan_of(model.objects.public().order_by("title", "id")[:12])

    assert f"{model._meta.model_name}_title_idx" in plan
    assert "Sort" not in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite joins without the cast")
def test_a_record_walked_in_title_order_is_checked_against_a_tag_through_an_index():
    """A tag's page: the first tagged programmes by title. Django joins a record (bigint key) to taggit's items
    (integer ``object_id``) on ``object_id::bigint``; with joins other than a nested loop and sorting priced out,
    PostgreSQL must look each programme up in ``directory/0012``'s index, which is only possible with it."""
    make(Programme, tags=["walked"])
    tagged = Programme.objects.public().filter(tags__slug="walked").order_by("title", "id")[:12]
    # The planner's statistics as a site's: many programmes tagged, and analysed. An autovacuum run over the nearly
    # empty test tables can leave it believing taggit's items are one row, which any index reads as cheaply.
    programme_type = ContentType.objects.get_for_model(Programme)
    other = Tag.objects.create(name="other", slug="other")
    TaggedItem.objects.bulk_create(
        TaggedItem(tag=other, content_type=programme_type, object_id=10_000 + number) for number in range(2_000)
    )

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TaggedItem._meta.db_table}")
        for method in ("hashjoin", "mergejoin", "material", "seqscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        plan = plan_with_sorting_priced_out(tagged)

    assert "taggeditem_object_bigint_idx" in plan
    assert "Sort" not in plan


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite only: PostgreSQL reads an index alone only for rows its visibility map shows to every transaction, "
    "which a test's own rows never are",
)
@pytest.mark.parametrize("model", [Programme, Activity], ids=lambda model: model._meta.model_name)
def test_an_instruments_page_looks_its_initiatives_up_in_an_index_alone(client, model):
    """A record with thousands of initiatives linked shows the first 50 in their order: each linked one is looked
    up for its status, year, title and slug in ``%(class)s_link_idx`` instead of in its table's rows."""
    instrument = make(Instrument)
    for _number in range(30):
        make(model).instruments.add(instrument)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")

    with CaptureQueriesContext(connection) as captured:
        assert client.get(instrument.get_absolute_url()).status_code == 200
    through = model.instruments.through._meta.db_table
    (statement,) = [query["sql"] for query in captured.captured_queries if f'"{through}"' in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}")
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())

    table = model._meta.db_table
    assert f"SEARCH {table} USING COVERING INDEX {model._meta.model_name}_link_idx" in plan
    assert f"SEARCH {table} USING INTEGER PRIMARY KEY" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the index is for its plan")
def test_a_groups_first_provisions_walk_the_instruments_in_title_order():
    """A strategic area's or a topic's first provisions in their natural order (their instrument's title, then
    position and number): read walking the instruments by title, whatever their status, and stopping at the group's
    bound, instead of every provision of the group joined to its instrument and sorted."""
    area = make(StrategicArea)
    provisions = Provision.objects.public().filter(strategic_areas=area)

    plan = plan_of(provisions.order_by("instrument__title", "position", "number", "id")[:50])

    assert "instrument_any_title_idx" in plan
