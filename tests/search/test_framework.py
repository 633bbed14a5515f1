"""Searching the real framework (``load_framework``): names, acronyms, numbers, readers' stories, a full rebuild."""

import io

import pytest
from django.core.management import call_command

from cop_kb.search.models import SearchDocument, SearchFacet

from .support import AUTOCOMPLETE_URL, get_search, search_for, shown_hits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("framework")]

LANZAROTE = "/instruments/lanzarote-convention/"
LANZAROTE_TITLE = (
    "Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse"
)
BUDAPEST = "/instruments/budapest-convention/"
C182 = "/instruments/ilo-c182/"
VIET_NAM = "/countries/viet-nam/"


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ("Lanzarote", LANZAROTE),
        ("CETS 201", LANZAROTE),
        ("OPSC", "/instruments/opsc/"),
        ("C182", C182),
        ("Budapest Convention", BUDAPEST),
        ("Viet Nam", VIET_NAM),
        ("Vietnam", VIET_NAM),
        ("Turkey", "/countries/turkiye/"),
        ("Turkiye", "/countries/turkiye/"),
    ],
)
def test_name_acronym_or_number_puts_the_record_first(client, query, url):
    hits = shown_hits(get_search(client, query))

    assert hits, f"nothing found for {query!r}"
    assert hits[0].url == url


@pytest.mark.parametrize(
    ("query", "alias"),
    [
        ("Lanzarote", "Lanzarote Convention"),
        ("CETS 201", "CETS No. 201"),
        ("OPSC", "OPSC"),
        ("C182", "C182"),
        ("Turkey", "Turkey"),
        ("Vietnam", "Vietnam"),
        ("Budapest Convention", "Budapest Convention"),
        ("Lanzarote Convention", "Lanzarote Convention"),
    ],
)
def test_hit_found_through_an_alias_says_which(client, query, alias):
    first = shown_hits(get_search(client, query))[0]

    assert first.alias == f"matched alias: {alias}"


@pytest.mark.parametrize(
    "query",
    ["Viet Nam", "Turkiye", "Council of Europe Convention on Cybercrime", "worst forms of child labor", "protocols"],
)
def test_hit_found_through_its_title_names_no_alias(client, query):
    first = shown_hits(get_search(client, query))[0]

    assert first.alias == ""


def test_story_lanzarote_finds_the_convention_by_its_short_name(client):
    response = get_search(client, "Lanzarote")

    first = shown_hits(response)[0]
    assert (first.url, first.title) == (LANZAROTE, LANZAROTE_TITLE)
    assert first.alias == "matched alias: Lanzarote Convention"
    assert client.get(first.url).status_code == 200


def test_story_worst_forms_of_child_labor_finds_c182_in_british_spelling(client):
    response = get_search(client, "worst forms of child labor")

    first = shown_hits(response)[0]
    assert (first.url, first.title) == (C182, "ILO Convention 182 on Worst Forms of Child Labour")


def test_story_misspelt_cybercrme_offers_did_you_mean_the_cybercrime_convention(client):
    response = get_search(client, "cybercrme")

    page = response.content.decode()
    assert shown_hits(response) == []
    assert "0 results for “cybercrme”" in page
    assert "Did you mean:" in page
    assert f'<a href="{BUDAPEST}">Council of Europe Convention on Cybercrime</a>' in page
    assert client.get(BUDAPEST).status_code == 200


def test_story_viet_nam_finds_the_country(client):
    hits = shown_hits(get_search(client, "Viet Nam"))

    assert (hits[0].url, hits[0].title) == (VIET_NAM, "Viet Nam")


def test_autocomplete_offers_lanzarote_first_as_you_type(client):
    response = client.get(AUTOCOMPLETE_URL, {"q": "lanz"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"][0] == {"title": LANZAROTE_TITLE, "url": LANZAROTE, "type": "Instrument"}


def test_autocomplete_completes_the_last_of_several_words(client):
    results = client.get(AUTOCOMPLETE_URL, {"q": "budapest conv"}).json()["results"]

    assert [result["url"] for result in results] == [BUDAPEST]


@pytest.mark.parametrize("text", ["", " ", "l", "-", '"'])
def test_autocomplete_gives_nothing_for_too_little_input(client, text):
    response = client.get(AUTOCOMPLETE_URL, {"q": text})

    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_autocomplete_without_q_gives_nothing(client):
    assert client.get(AUTOCOMPLETE_URL).json() == {"results": []}


def snapshot(queries: list[str]) -> dict:
    """What readers see for each query: titles in order, snippets, aliases and every facet count."""
    seen = {}
    for query in queries:
        page = search_for(query)
        seen[query] = (
            page.total,
            [(hit.title, hit.url, hit.type_label, str(hit.snippet), hit.matched_alias) for hit in page.hits],
            [(group.param, [(c.value, c.label, c.count) for c in group.options]) for group in page.facets],
            [document.title for document in page.suggestions],
        )
    return seen


def test_rebuilding_the_index_gives_the_same_results_and_shows_progress():
    queries = ["Lanzarote", "child", "online protection", "labor", "cybercrme", "Viet Nam", "OPSC"]
    before = snapshot(queries)
    documents_before = SearchDocument.objects.count()
    facets_before = SearchFacet.objects.count()
    out = io.StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert snapshot(queries) == before
    assert (SearchDocument.objects.count(), SearchFacet.objects.count()) == (documents_before, facets_before)
    output = out.getvalue()
    assert f"{documents_before}/{documents_before} records" in output
    assert f"Indexed {documents_before} published records" in output
