"""Facets beside the results: counts per type, strategic area, country, year and tag, which narrow the results."""

import re

import pytest

from directory.models import Country
from directory.services import record_reindex
from instruments.models import Instrument
from programmes.models import Activity, Programme
from strategy.models import StrategicArea

from .support import SEARCH_URL, facet_counts, get_search, hit_titles, record, search_for, shown_hits

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def faceted(module_db):
    """Five records with the word "quokka", spread over types, years, countries, strategic areas and tags."""
    kenya = record(Country, title="Kenya")
    peru = record(Country, title="Peru")
    online = record(StrategicArea, title="Online safety")
    justice = record(StrategicArea, title="Justice for children")
    made = {
        "p2011": record(Programme, title="Quokka programme A", year=2011, tags=["alpha"]),
        "p2012": record(Programme, title="Quokka programme B", year=2012, tags=["alpha", "beta"]),
        "p2012b": record(Programme, title="Quokka programme C", year=2012, tags=["beta"]),
        "a2015": record(Activity, title="Quokka activity", year=2015),
        "instrument": record(Instrument, title="Quokka instrument", tags=["alpha"]),
    }
    for key, countries, areas in [
        ("p2011", [kenya], [online]),
        ("p2012", [kenya, peru], [justice]),
        ("p2012b", [peru], [online]),
        ("a2015", [kenya], [online, justice]),
        ("instrument", [], [online]),
    ]:
        if countries:
            made[key].countries.add(*countries)
        made[key].strategic_areas.add(*areas)
        record_reindex(made[key])
    return {"kenya": kenya, "peru": peru, "online": online, "justice": justice, **made}


def test_facets_count_each_value_among_the_results(faceted):
    page = search_for("quokka")

    assert page.total == 5
    assert facet_counts(page, "type") == {
        "programmes.programme": 3,
        "programmes.activity": 1,
        "instruments.instrument": 1,
    }
    assert facet_counts(page, "year") == {"2015": 1, "2012": 2, "2011": 1, "2000": 1}
    assert facet_counts(page, "country") == {faceted["kenya"].slug: 3, faceted["peru"].slug: 2}
    assert facet_counts(page, "strategic_area") == {faceted["online"].slug: 4, faceted["justice"].slug: 2}
    assert facet_counts(page, "tag") == {"alpha": 3, "beta": 2}


def test_facets_are_shown_with_readable_names_and_counts(client, faceted):
    page = get_search(client, "quokka").content.decode()

    for label, count in [("Programme", 3), ("Kenya", 3), ("Online safety", 4), ("2012", 2), ("alpha", 3)]:
        assert re.search(rf">{label} <span class=\"count\">{count}</span>", page), label


def test_choosing_a_facet_narrows_the_results_and_recounts(faceted):
    page = search_for("quokka", country=faceted["peru"].slug)

    assert sorted(hit_titles(page)) == ["Quokka programme B", "Quokka programme C"]
    assert page.total == 2
    assert facet_counts(page, "year") == {"2012": 2}
    assert facet_counts(page, "strategic_area") == {faceted["online"].slug: 1, faceted["justice"].slug: 1}


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("type", "programmes.activity", ["Quokka activity"]),
        ("year", "2011", ["Quokka programme A"]),
        ("tag", "beta", ["Quokka programme B", "Quokka programme C"]),
        ("country", "kenya", ["Quokka activity", "Quokka programme A", "Quokka programme B"]),
        (
            "strategic_area",
            "online",
            ["Quokka activity", "Quokka instrument", "Quokka programme A", "Quokka programme C"],
        ),
    ],
)
def test_each_facet_narrows_the_results(faceted, param, value, expected):
    value = faceted[value].slug if value in faceted else value

    assert sorted(hit_titles(search_for("quokka", **{param: value}))) == expected


def test_following_a_facet_link_on_the_page_narrows_the_results(client, faceted):
    first = get_search(client, "quokka")
    country_group = next(group for group in first.context["results"].facets if group.param == "country")
    kenya = next(choice for choice in country_group.options if choice.label == "Kenya")

    narrowed = client.get(SEARCH_URL + kenya.url)

    assert sorted(hit.title for hit in shown_hits(narrowed)) == [
        "Quokka activity",
        "Quokka programme A",
        "Quokka programme B",
    ]
    assert 'aria-current="true"' in narrowed.content.decode()


def test_two_facets_combine(faceted):
    page = search_for("quokka", country=faceted["kenya"].slug, strategic_area=faceted["online"].slug)

    assert sorted(hit_titles(page)) == ["Quokka activity", "Quokka programme A"]
    assert facet_counts(page, "type") == {"programmes.programme": 1, "programmes.activity": 1}


@pytest.mark.parametrize(
    ("param", "value"),
    [("type", "atlantis.unicorn"), ("country", "atlantis"), ("year", "1066"), ("tag", "nope"), ("strategic_area", "x")],
)
def test_facet_value_that_does_not_exist_gives_no_results_not_an_error(client, faceted, param, value):
    response = get_search(client, "quokka", **{param: value})

    assert response.status_code == 200
    assert response.context["results"].total == 0
    assert "0 results for “quokka”" in response.content.decode()


def test_strategic_area_that_is_not_public_is_not_offered_as_a_facet(faceted):
    StrategicArea.objects.filter(pk=faceted["justice"].pk).update(status="draft")

    assert facet_counts(search_for("quokka"), "strategic_area") == {faceted["online"].slug: 4}
