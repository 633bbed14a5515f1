"""The read-only JSON API: records of every type with their fields and links both ways, filters, pagination and
errors as JSON. Records are made with the factories, so each test says what it expects of data it made."""

import datetime
import json

import pytest
from django.http import QueryDict
from django.urls import reverse

from cop_kb.api.serializers import LIST_LINKS
from cop_kb.records.models import Status
from cop_kb.records.registry import record_type_of, record_types
from cop_kb.search.selectors import search
from instruments.models import Instrument, InstrumentRelation
from programmes.models import Programme
from strategy.models import StrategicArea

from ..factories import make, make_country, make_typed_link

pytestmark = pytest.mark.django_db


def list_url(model, query: str = "") -> str:
    url = reverse("api:list", kwargs={"type_slug": record_type_of(model._meta.label_lower).slug})
    return f"{url}?{query}" if query else url


def detail_url(record) -> str:
    slug = record_type_of(record._meta.label_lower).slug
    return reverse("api:detail", kwargs={"type_slug": slug, "slug": record.slug})


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [record["slug"] for record in response.json()["results"]]


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    return body


def test_the_root_names_every_record_type_with_its_list(client):
    body = client.get("/api/v1/").json()

    assert [entry["type"] for entry in body["types"]] == [entry.slug for entry in record_types()]
    for entry in body["types"]:
        assert client.get(entry["api_url"]).status_code == 200


@pytest.mark.parametrize("entry", record_types(), ids=lambda entry: entry.slug)
def test_every_type_has_a_list_and_a_detail_with_its_fields(client, entry):
    record = make(
        entry.model,
        tags=["Shared tag"],
        aliases=[{"name": "Another name"}],
        sources=[{"title": "A source", "url": "https://example.org/s", "supports": "The title"}],
    )

    listed = client.get(list_url(entry.model)).json()["results"]
    detail = client.get(detail_url(record)).json()

    assert record.slug in [item["slug"] for item in listed]
    item = next(item for item in listed if item["slug"] == record.slug)
    assert detail == item, "with few links, a list shows a record as its detail does"
    assert sum(group["shown"] for group in detail["link_groups"]) == len(detail["links"])
    assert detail["title"] == record.title
    assert detail["summary"] == record.summary
    assert detail["type"] == entry.slug
    assert detail["url"] == f"http://testserver{record.get_absolute_url()}"
    assert detail["api_url"] == f"http://testserver{detail_url(record)}"
    assert detail["tags"] == [{"slug": "shared-tag", "name": "Shared tag"}]
    assert detail["aliases"] == ["Another name"]
    assert detail["sources"] == [{"title": "A source", "url": "https://example.org/s", "supports": "The title"}]
    assert "status" not in detail and "body" not in detail and "id" not in detail


def test_a_typed_link_is_on_both_records_read_each_way(client):
    crc, opsc = make(Instrument), make(Instrument)
    make_typed_link(InstrumentRelation, opsc, crc, kind="supplements")

    forward = client.get(detail_url(opsc)).json()["links"]
    backward = client.get(detail_url(crc)).json()["links"]

    expected = {"relation": "supplements", "label": "Supplements", "inverse_label": "Is supplemented by"}
    assert {**expected, "direction": "forward", "target": target(crc)} in forward
    assert {**expected, "direction": "inverse", "target": target(opsc)} in backward


def target(record) -> dict:
    entry = record_type_of(record._meta.label_lower)
    return {
        "type": entry.slug,
        "slug": record.slug,
        "title": record.title,
        "api_url": f"http://testserver{detail_url(record)}",
        "url": f"http://testserver{record.get_absolute_url()}",
    }


def test_a_link_field_is_on_both_records_read_each_way(client):
    area = make(StrategicArea)
    programme = make(Programme)
    programme.strategic_areas.add(area)

    forward = client.get(detail_url(programme)).json()["links"]
    backward = client.get(detail_url(area)).json()["links"]

    expected = {
        "relation": "strategic_areas",
        "label": "Contributes to",
        "inverse_label": "Programmes contributing to it",
    }
    assert {**expected, "direction": "forward", "target": target(area)} in forward
    assert {**expected, "direction": "inverse", "target": target(programme)} in backward


def test_a_detail_shows_each_relations_first_50_links_with_the_count_and_an_address_for_them_all(client):
    area = make(StrategicArea)
    programmes = [make(Programme, title=f"Programme {number:03d}") for number in range(53)]
    for programme in programmes:
        programme.strategic_areas.add(area)
    crc = make(Instrument)
    make_typed_link(InstrumentRelation, make(Instrument, title="Optional protocol"), crc, kind="supplements")

    detail = client.get(detail_url(area)).json()
    served_by = [link for link in detail["links"] if link["relation"] == "strategic_areas"]
    assert [link["target"]["slug"] for link in served_by] == [programme.slug for programme in programmes[:50]]
    (group,) = [group for group in detail["link_groups"] if group["relation"] == "strategic_areas"]
    assert group == {
        "relation": "strategic_areas",
        "direction": "inverse",
        "label": "Programmes contributing to it",
        "count": 53,
        "shown": 50,
        "links_url": group["links_url"],
    }
    first = client.get(group["links_url"], {"page_size": 50}).json()
    assert first["count"] == 53
    rest = client.get(first["next"]).json()
    assert [target["slug"] for target in first["results"] + rest["results"]] == [p.slug for p in programmes]
    assert rest["results"][0] == target(programmes[50])

    (typed,) = client.get(detail_url(crc)).json()["link_groups"]
    assert typed["count"] == typed["shown"] == 1 and "kind=supplements" in typed["links_url"]
    assert client.get(typed["links_url"]).json()["results"][0]["title"] == "Optional protocol"
    links_root = typed["links_url"].split("?")[0]
    for address in (links_root, f"{links_root}?kind=amends&x=1", detail_url(crc) + "links/nothing/"):
        assert client.get(address).status_code in (400, 404), address
    assert client.get(f"{links_root}?kind=nothing").status_code == 404
    assert client.get(f"{links_root}?kind=supplements&_=1").status_code == 200


def listed_by_slug(client, model) -> dict[str, dict]:
    return {item["slug"]: item for item in client.get(list_url(model, "page_size=100")).json()["results"]}


def relation_links(item: dict, relation: str) -> list[str]:
    return [link["target"]["slug"] for link in item["links"] if link["relation"] == relation]


def relation_group(item: dict, relation: str) -> dict:
    (group,) = [group for group in item["link_groups"] if group["relation"] == relation]
    return group


def test_a_list_shows_each_records_first_links_in_natural_order_with_the_count_and_the_address_of_them_all(client):
    # Positions run against titles and creation order: only the areas' own order (by position) lists them this way.
    areas = [make(StrategicArea, title=f"Area {n:02d}", position=990 - n) for n in range(LIST_LINKS + 3)]
    in_order = areas[::-1]
    popular, other = make(Programme, title="Programme A"), make(Programme, title="Programme B")
    popular.strategic_areas.add(*areas)
    other.strategic_areas.add(areas[0])

    listed = listed_by_slug(client, Programme)

    item = listed[popular.slug]
    assert relation_links(item, "strategic_areas") == [area.slug for area in in_order[:LIST_LINKS]]
    links_url = reverse(
        "api:links", kwargs={"type_slug": "programmes", "slug": popular.slug, "relation": "strategic_areas"}
    )
    assert relation_group(item, "strategic_areas") == {
        "relation": "strategic_areas",
        "direction": "forward",
        "label": "Contributes to",
        "count": LIST_LINKS + 3,
        "shown": LIST_LINKS,
        "links_url": f"http://testserver{links_url}",
    }
    every_link = client.get(links_url).json()
    assert [target["slug"] for target in every_link["results"]] == [area.slug for area in in_order]
    # The other record on the page has its own links only, counted on their own.
    assert relation_links(listed[other.slug], "strategic_areas") == [areas[0].slug]
    assert relation_group(listed[other.slug], "strategic_areas")["count"] == 1
    # A detail's bound is higher: it lists them all.
    assert relation_links(client.get(detail_url(popular)).json(), "strategic_areas") == [a.slug for a in in_order]
    # Read the other way, from the areas' list: the area both programmes contribute to counts both.
    listed_areas = listed_by_slug(client, StrategicArea)
    assert relation_group(listed_areas[areas[0].slug], "strategic_areas")["count"] == 2
    assert relation_links(listed_areas[areas[0].slug], "strategic_areas") == [popular.slug, other.slug]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_a_hidden_linked_record_is_neither_listed_nor_counted_in_a_list_a_detail_or_its_links(client, status):
    programme = make(Programme)
    # The hidden area comes first in the areas' order, so only its visibility can keep it out.
    hidden_area, shown_area = make(StrategicArea, position=980, status=status), make(StrategicArea, position=981)
    programme.strategic_areas.add(hidden_area, shown_area)
    crc = make(Instrument)
    hidden_protocol, shown_protocol = make(Instrument, title="A hidden", status=status), make(Instrument, title="B")
    for protocol in (hidden_protocol, shown_protocol):
        make_typed_link(InstrumentRelation, protocol, crc, kind="supplements")

    for record, relation, hidden, shown in (
        (programme, "strategic_areas", hidden_area, shown_area),
        (crc, "supplements", hidden_protocol, shown_protocol),
    ):
        item = listed_by_slug(client, type(record))[record.slug]
        detail = client.get(detail_url(record)).json()
        for answer in (item, detail):
            assert relation_links(answer, relation) == [shown.slug]
            group = relation_group(answer, relation)
            assert (group["count"], group["shown"]) == (1, 1)
            every_link = client.get(group["links_url"]).json()
            assert every_link["count"] == 1
            assert [target["slug"] for target in every_link["results"]] == [shown.slug]
        assert f'"{hidden.slug}"' not in json.dumps([item, detail])


def test_filters_narrow_by_country_strategic_area_instrument_tag_and_year_range(client):
    country, area, instrument = make_country(), make(StrategicArea), make(Instrument)
    everything = make(Programme, year=2012, tags=["Grooming"])
    everything.countries.add(country)
    everything.strategic_areas.add(area)
    everything.instruments.add(instrument)
    other = make(Programme, year=2020)

    assert slugs(client.get(list_url(Programme, f"country={country.slug}"))) == [everything.slug]
    assert slugs(client.get(list_url(Programme, f"strategic_area={area.slug}"))) == [everything.slug]
    assert slugs(client.get(list_url(Programme, f"instrument={instrument.slug}"))) == [everything.slug]
    assert slugs(client.get(list_url(Programme, "tag=grooming"))) == [everything.slug]
    assert slugs(client.get(list_url(Programme, "year_from=2015"))) == [other.slug]
    assert slugs(client.get(list_url(Programme, "year_from=2010&year_to=2013"))) == [everything.slug]


def test_updated_since_takes_a_date_or_a_date_and_time(client):
    old, new = make(StrategicArea), make(StrategicArea)
    StrategicArea.objects.filter(pk=old.pk).update(updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))

    assert slugs(client.get(list_url(StrategicArea, "updated_since=2021-01-01"))) == [new.slug]
    assert set(slugs(client.get(list_url(StrategicArea, "updated_since=2019-12-31T23:00:00Z")))) == {old.slug, new.slug}
    # An offset counts: 01:00 at +02:00 is before the old record's change at midnight UTC, 03:00 is after it.
    assert set(slugs(client.get(list_url(StrategicArea, "updated_since=2020-01-01T01:00:00%2B02:00")))) == {
        old.slug,
        new.slug,
    }
    assert slugs(client.get(list_url(StrategicArea, "updated_since=2020-01-01T03:00:00%2B02:00"))) == [new.slug]


def test_ordering_and_pages_with_next_and_previous(client):
    made = sorted((make(StrategicArea) for _ in range(5)), key=lambda record: record.title)

    first = client.get(list_url(StrategicArea, "page_size=2")).json()
    second = client.get(first["next"]).json()
    newest = client.get(list_url(StrategicArea, "ordering=-title&page_size=5")).json()

    assert first["count"] == 5 and first["previous"] is None
    assert [r["slug"] for r in first["results"] + second["results"]] == [r.slug for r in made[:4]]
    assert client.get(second["previous"]).json() == first
    assert [r["slug"] for r in newest["results"]] == [r.slug for r in reversed(made)]
    assert newest["next"] is None


def test_q_gives_the_search_pages_ranking_for_the_type(client):
    make(Instrument, title="Convention on grooming online", summary="Grooming of children online.")
    make(Instrument, title="Protocol on data", summary="Mentions grooming once.")
    make(StrategicArea, title="Grooming prevention")

    api = slugs(client.get(list_url(Instrument, "q=grooming")))
    page = search(QueryDict("q=grooming&type=instruments.instrument"))

    assert len(api) == 2
    assert [f"/instruments/{slug}/" for slug in api] == [hit.url for hit in page.hits]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("country=nowhere", "country"),
        ("strategic_area=nowhere", "strategic_area"),
        ("instrument=nowhere", "instrument"),
        ("tag=nowhere", "tag"),
        ("kind=nothing", "kind"),
        ("year_from=abc", "year_from"),
        ("year_to=99999", "year_to"),
        ("updated_since=2024-13-45", "updated_since"),
        ("updated_since=0001-01-01T00:00:00%2B05:00", "updated_since"),
        ("ordering=colour", "ordering"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("colour=blue", "colour"),
        ("country=%00", "country"),
        ("q=grooming&year_from=2000", "year_from"),
    ],
)
def test_bad_query_values_are_a_400_naming_the_parameter(client, query, parameter):
    body = error(client.get(list_url(Programme, query)), 400)

    assert parameter in body["errors"]


def test_jquerys_cache_buster_is_ignored_everywhere_and_other_unknown_parameters_still_refused(client):
    """``_=<timestamp>`` (jQuery's ``cache: false``) changes nothing in any answer; ``__`` or ``_x`` is still a 400."""
    programme = make(Programme, title="Grooming prevention programme")
    make(Programme, title="Another programme")
    for address in (
        "/api/v1/",
        list_url(Programme),
        list_url(Programme, "ordering=-title&page_size=1"),
        list_url(Programme, "q=grooming"),
        detail_url(programme),
    ):
        plain = client.get(address)
        busted = client.get(f"{address}{'&' if '?' in address else '?'}_=1733390000000")
        assert plain.status_code == busted.status_code == 200, address
        without = {key: value for key, value in busted.json().items() if key not in ("next", "previous")}
        assert without == {key: value for key, value in plain.json().items() if key not in ("next", "previous")}
    assert slugs(client.get(list_url(Programme, "q=grooming&_=1"))) == [programme.slug]
    for other in ("__=1", "_x=1", "colour=blue&_=1"):
        body = error(client.get(list_url(Programme, other)), 400)
        assert other.split("=")[0].split("&")[0] in body["errors"]


@pytest.mark.parametrize(
    "address", ["/api/v1/nothing/", "/api/v1/instruments/nothing/", "/api/v1/a/b/c/", "/api/x", "/api/v1/x%0Ay/"]
)
def test_unknown_types_and_slugs_are_a_json_404(client, address):
    error(client.get(address), 404)


@pytest.mark.parametrize("address", ["/api/v1/", "/api/v1/instruments/", "/api/v1/instruments/crc/", "/api/v1/x/"])
def test_writing_is_refused_in_json(client, address):
    response = client.post(address, {"title": "x"})

    assert response.status_code in (404, 405)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("page", ["2", "0", "abc"])
def test_a_page_beyond_the_end_is_a_json_404(client, page):
    make(StrategicArea)

    error(client.get(list_url(StrategicArea, f"page={page}")), 404)
    error(client.get(list_url(StrategicArea, f"q=summary&page={page}")), 404)


def test_the_answer_is_json_whatever_the_client_accepts(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
