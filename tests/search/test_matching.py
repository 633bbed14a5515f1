"""What a query matches and in which order: weights, all-words, phrases, exclusion, OR, stems, synonyms, accents."""

import pytest

from cop_kb.directory.models import Country
from cop_kb.search.models import SearchDocument, Synonym
from instruments.models import Instrument

from ..admin.support import admin_url, form_errors
from .support import get_search, hit_titles, record, search_for, shown_hits, shown_titles

pytestmark = pytest.mark.django_db


def test_title_match_ranks_above_summary_and_tags_which_rank_above_body(client):
    # Made in reverse order of the expected ranking, with titles that sort alphabetically the other way, so
    # neither creation order nor the title tie-break can put them in the right order by accident.
    record(title="Aardvark report", body="This report mentions the axolotl once.")
    record(title="Badger report", tags=["axolotl"])
    record(title="Capybara report", summary="A summary about the axolotl.")
    record(title="Zebra axolotl report")

    titles = shown_titles(get_search(client, "axolotl"))

    assert titles[0] == "Zebra axolotl report"
    assert set(titles[1:3]) == {"Badger report", "Capybara report"}
    assert titles[3] == "Aardvark report"


def test_alias_weighs_like_the_title():
    record(title="Capybara study", summary="A study of the OPAX protocol.")
    record(title="Zebra charter", aliases=[{"name": "OPAX", "kind": "acronym"}])

    assert hit_titles(search_for("OPAX")) == ["Zebra charter", "Capybara study"]


def test_an_instruments_short_title_official_title_and_acronym_weigh_like_its_aliases():
    record(Instrument, title="Quokka Treaty on Island Fauna", short_title="Rottnest Accord", acronym="QTIF")
    record(Instrument, title="Island fauna report", summary="Mentions the Rottnest accord and QTIF in passing.")

    assert hit_titles(search_for("Rottnest Accord"))[0] == "Quokka Treaty on Island Fauna"
    assert hit_titles(search_for("QTIF"))[0] == "Quokka Treaty on Island Fauna"
    assert SearchDocument.objects.get(title="Quokka Treaty on Island Fauna").aliases.count("Rottnest Accord") == 1


def test_several_words_must_all_match():
    record(title="Axolotl and wombat survey")
    record(title="Axolotl survey")
    record(title="Wombat survey")

    assert hit_titles(search_for("axolotl wombat")) == ["Axolotl and wombat survey"]


def test_words_may_match_in_different_fields():
    record(title="Axolotl survey", body="Counted near the wombat burrows.")

    assert hit_titles(search_for("axolotl wombat")) == ["Axolotl survey"]


def test_quoted_phrase_matches_the_words_in_that_order_only():
    record(title="Toolkit one", summary="A child online protection toolkit.")
    record(title="Toolkit two", summary="Online safety for every child, and protection.")

    assert hit_titles(search_for('"child online protection"')) == ["Toolkit one"]
    assert sorted(hit_titles(search_for("child online protection"))) == ["Toolkit one", "Toolkit two"]


def test_minus_excludes_records_with_that_word():
    record(title="Axolotl survey")
    record(title="Axolotl and wombat survey")

    assert hit_titles(search_for("axolotl -wombat")) == ["Axolotl survey"]


def test_minus_excludes_a_quoted_phrase():
    record(title="Axolotl survey", summary="Wombat habitats apart from the wild.")
    record(title="Axolotl census", summary="Wild wombat counts.")

    assert hit_titles(search_for('axolotl -"wild wombat"')) == ["Axolotl survey"]


def test_or_finds_either_word():
    record(title="Axolotl survey")
    record(title="Wombat survey")
    record(title="Quokka survey")

    assert sorted(hit_titles(search_for("axolotl OR wombat"))) == ["Axolotl survey", "Wombat survey"]


def test_or_joins_its_neighbours_and_the_other_words_still_must_match():
    record(title="Axolotl survey in Chile")
    record(title="Wombat survey in Chile")
    record(title="Axolotl survey in Peru")

    found = hit_titles(search_for("axolotl OR wombat chile"))

    assert sorted(found) == ["Axolotl survey in Chile", "Wombat survey in Chile"]


def test_lowercase_or_is_an_ordinary_word_not_an_operator():
    record(title="Axolotl survey")
    record(title="Wombat survey")

    assert search_for("axolotl or wombat").total == 0


def test_plural_finds_singular_through_stemming():
    record(title="Optional Protocol on axolotls")

    assert hit_titles(search_for("protocols")) == ["Optional Protocol on axolotls"]
    assert hit_titles(search_for("axolotl")) == ["Optional Protocol on axolotls"]


def test_american_spelling_finds_british_through_default_synonyms():
    record(title="Child labour in supply chains")
    record(title="Behaviour change programme")

    assert hit_titles(search_for("labor")) == ["Child labour in supply chains"]
    assert hit_titles(search_for("behavior")) == ["Behaviour change programme"]


def test_british_spelling_finds_american_too():
    record(title="Child labor in supply chains")

    assert hit_titles(search_for("labour")) == ["Child labor in supply chains"]


def test_synonym_added_by_an_editor_works_on_the_next_search_without_reindexing(admin_client):
    record(title="Colour-coded safety guide")
    indexed = list(SearchDocument.objects.values_list("pk", "title"))
    assert search_for("color").total == 0

    response = admin_client.post(admin_url(Synonym, "add"), {"terms": "Colour, color", "note": ""})
    assert response.status_code == 302, form_errors(response)

    assert hit_titles(search_for("color")) == ["Colour-coded safety guide"]
    assert list(SearchDocument.objects.values_list("pk", "title")) == indexed


@pytest.mark.parametrize(
    ("query", "alias_note"),
    [("Turkiye", ""), ("Turkey", "matched alias: Turkey")],
    ids=["query_without_accents_finds_accented_title", "other_name_finds_country_through_its_alias"],
)
def test_country_is_found_by_its_title_without_accents_and_by_its_alias(client, query, alias_note):
    record(Country, title="Türkiye", aliases=[{"name": "Turkey", "kind": "alternative"}])

    hits = shown_hits(get_search(client, query))

    assert [hit.title for hit in hits] == ["Türkiye"]
    assert hits[0].alias == alias_note


def test_accented_query_finds_unaccented_text():
    record(title="Resume of the Cote d'Ivoire review")

    assert hit_titles(search_for("Côte résumé")) == ["Resume of the Cote d'Ivoire review"]


def test_case_does_not_matter():
    record(title="Axolotl survey")

    assert hit_titles(search_for("AXOLOTL")) == ["Axolotl survey"]


def test_common_words_are_ignored_so_both_databases_match_the_same():
    record(title="Axolotl survey")

    assert hit_titles(search_for("the axolotl")) == ["Axolotl survey"]
