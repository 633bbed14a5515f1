"""Facets beside the results: counts per type, strategic area, country, year and tag, which narrow the results."""

import re

import pytest

from cop_kb.directory.models import Country
from cop_kb.records.content_version import content_version
from cop_kb.records.services import record_reindex
from cop_kb.search.models import SearchFacet
from instruments.models import Instrument
from programmes.models import Activity, Programme
from strategy.models import StrategicArea

from ..factories import make, record_models
from .support import SEARCH_URL, facet_counts, get_search, hit_titles, record, search_for, shown_hits

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def faceted(module_db):
    """Five records with the word "numbat" in their summaries, spread over types, years, countries, strategic areas
    and tags. Searched for by that word, not by their titles' "quokka": the countries and areas they link to carry
    their titles, and would be found too (tests/search/test_linked_names.py)."""
    kenya = record(Country, title="Kenya")
    peru = record(Country, title="Peru")
    online = record(StrategicArea, title="Online safety")
    justice = record(StrategicArea, title="Justice for children")
    made = {
        "p2011": record(Programme, title="Quokka programme A", summary="Among numbats.", year=2011, tags=["alpha"]),
        "p2012": record(
            Programme, title="Quokka programme B", summary="Among numbats.", year=2012, tags=["alpha", "beta"]
        ),
        "p2012b": record(Programme, title="Quokka programme C", summary="Among numbats.", year=2012, tags=["beta"]),
        "a2015": record(Activity, title="Quokka activity", summary="Among numbats.", year=2015),
        "instrument": record(Instrument, title="Quokka instrument", summary="Among numbats.", tags=["alpha"]),
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
    page = search_for("numbat")

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
    page = get_search(client, "numbat").content.decode()

    for label, count in [("Programme", 3), ("Kenya", 3), ("Online safety", 4), ("2012", 2), ("alpha", 3)]:
        assert re.search(rf">{label} <span class=\"count\">{count}</span>", page), label


def test_choosing_a_facet_narrows_the_results_and_recounts(faceted):
    page = search_for("numbat", country=faceted["peru"].slug)

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

    assert sorted(hit_titles(search_for("numbat", **{param: value}))) == expected


def test_following_a_facet_link_on_the_page_narrows_the_results(client, faceted):
    first = get_search(client, "numbat")
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
    page = search_for("numbat", country=faceted["kenya"].slug, strategic_area=faceted["online"].slug)

    assert sorted(hit_titles(page)) == ["Quokka activity", "Quokka programme A"]
    assert facet_counts(page, "type") == {"programmes.programme": 1, "programmes.activity": 1}


@pytest.mark.parametrize(
    ("param", "value"),
    [("type", "atlantis.unicorn"), ("country", "atlantis"), ("year", "1066"), ("tag", "nope"), ("strategic_area", "x")],
)
def test_facet_value_that_does_not_exist_gives_no_results_not_an_error(client, faceted, param, value):
    response = get_search(client, "numbat", **{param: value})

    assert response.status_code == 200
    assert response.context["results"].total == 0
    assert "0 results for “numbat”" in response.content.decode()


def test_strategic_area_that_is_not_public_is_not_offered_as_a_facet(faceted):
    StrategicArea.objects.filter(pk=faceted["justice"].pk).update(status="draft")

    assert facet_counts(search_for("numbat"), "strategic_area") == {faceted["online"].slug: 4}


# A country or strategic area hidden behind the services' back (a bulk update, the shell, a revert) leaves the
# records linked to it unrefreshed; the index and the search page must still treat its slug as naming nothing.

UNKNOWN_SLUG = "no-such-record"


def hide(model, pk: int, change: str) -> None:
    rows = model.objects.filter(pk=pk)
    if change == "delete":
        rows.delete()
    else:
        rows.update(status=change)


NAMED_BY_FACETS = [model for model in record_models() if model.search_facet_self]


@pytest.mark.parametrize("change", ["draft", "withdrawn", "delete"])
@pytest.mark.parametrize("model", NAMED_BY_FACETS, ids=lambda model: model._meta.label_lower)
def test_index_drops_facet_values_naming_a_record_that_stops_being_public(model, change):
    named = make(model)
    linked = record(Programme, title="Quokka survey")
    getattr(linked, Programme.search_facet_links[model.search_facet_self]).add(named)
    record_reindex(linked)
    naming = SearchFacet.objects.filter(facet=model.search_facet_self, value=named.slug)
    assert naming.count() == 2  # the record's own document and the programme's
    before = content_version()[0]

    hide(model, named.pk, change)

    assert not naming.exists()
    assert content_version()[0] != before


@pytest.mark.parametrize(("param", "key"), [("country", "peru"), ("strategic_area", "justice")])
def test_facet_value_naming_a_hidden_record_answers_like_one_naming_nothing(client, faceted, param, key):
    hidden = faceted[key]
    hide(type(hidden), hidden.pk, "draft")

    naming_hidden = get_search(client, "numbat", **{param: hidden.slug})
    naming_nothing = get_search(client, "numbat", **{param: UNKNOWN_SLUG})

    assert "0 results for “numbat”" in naming_hidden.content.decode()
    assert naming_hidden.content == naming_nothing.content


def test_former_slug_of_a_hidden_country_answers_like_one_naming_nothing(client, faceted):
    # Renamed, then hidden, both behind the services' back: the linked records' index rows still carry the old slug.
    peru = faceted["peru"]
    former = peru.slug
    Country.objects.filter(pk=peru.pk).update(slug="peru-renamed")
    hide(Country, peru.pk, "draft")

    naming_hidden = get_search(client, "numbat", country=former)
    naming_nothing = get_search(client, "numbat", country=UNKNOWN_SLUG)

    assert "0 results for “numbat”" in naming_hidden.content.decode()
    assert naming_hidden.content == naming_nothing.content
