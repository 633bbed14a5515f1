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
    assert response.json()["results"][0] == {
        "title": LANZAROTE_TITLE,
        "subtitle": "Lanzarote Convention",
        "url": LANZAROTE,
        "type": "Instrument",
    }


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


@pytest.mark.parametrize(
    ("query", "url"),
    [
        # The declaration of 2008 in Rio, ahead of the World Congress whose summary names both.
        ("Rio 2008", "/instruments/rio-declaration/"),
        # "Costa Rica" is the activity's country; the country itself matches "youth summit" only through it.
        ("Costa Rica youth summit", "/activities/be-safe-be-smart-bynd-2015/"),
    ],
)
def test_search_through_links_puts_the_linked_record_first(client, query, url):
    hits = shown_hits(get_search(client, query))

    assert hits and hits[0].url == url


def test_an_article_is_found_by_the_strategic_area_its_topic_is_classified_under(client):
    # Budapest 16 is on "Investigation, evidence and data", which the editors classify under preventing impunity:
    # its page says so, and so does its search document.
    urls = [hit.url for hit in shown_hits(get_search(client, "impunity Budapest"))]

    assert "/provisions/budapest-article-16/" in urls
    assert all(url.startswith("/provisions/budapest-") for url in urls), urls


def test_innocenti_finds_the_research_it_led_and_published_right_after_the_centre_itself(client):
    urls = [hit.url for hit in shown_hits(get_search(client, "Innocenti"))]

    # The centre has the word in its own title, and own text weighs more than a linked record's name; its research
    # follows, before anything else.
    assert urls[0] == "/organisations/unicef-innocenti-research-centre/"
    assert sorted(urls[1:3]) == ["/outputs/child-safety-online-report/", "/programmes/child-safety-online/"]


def test_several_words_finding_few_records_show_near_misses_apart(client):
    response = get_search(client, "Innocenti youth")

    page = response.context["results"]
    assert page.total == 0
    urls = [hit.url for hit in page.near_misses]
    assert "/organisations/unicef-innocenti-research-centre/" in urls
    assert "/organisations/unicef-youth-section/" in urls
    assert "Results with some of your words" in response.content.decode()


def found(query: str) -> set[str]:
    """The addresses of every record a search finds (one page holds them all here)."""
    page = search_for(query)
    assert page.total == len(page.hits), "the records found should fit on one page"
    return {hit.url for hit in page.hits}


@pytest.mark.parametrize("query", ["abuse material", "CSAM", "child sexual abuse material"])
def test_staffs_words_for_csam_find_what_child_pornography_finds(query):
    instruments_term = found("child pornography")
    assert "/instruments/opsc/" in instruments_term

    # Typed words also match loosely, as any typed words do: "abuse material" may find a little more, never less.
    assert found(query) >= instruments_term
