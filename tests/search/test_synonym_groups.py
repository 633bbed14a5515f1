"""Synonym groups of words and phrases (migrations 0013 and 0014, and the admin): a search for any term of a group
finds the records using any other, phrases match as phrases, the words as typed rank first, and an editor's change to
a group shows on the very next search. Runs on SQLite and PostgreSQL alike."""

from importlib import import_module

import pytest
from django.apps import apps

from cop_kb.search.models import Synonym

from ..admin.support import admin_url, form_errors
from .support import AUTOCOMPLETE_URL, get_search, hit_titles, record, search_for, shown_hits, shown_titles

pytestmark = pytest.mark.django_db

# The groups migration 0013 creates (with the term 0014 adds), as a reader would type each term.
GROUPS = {
    "child sexual abuse material": [
        "child sexual abuse material",
        "CSAM",
        "child pornography",
        "child sexual exploitation material",
        "abuse material",
    ],
    "recovery": ["recovery", "rehabilitation", "reintegration"],
    "grooming": ["grooming", "solicitation of children"],
    "trafficking": ["trafficking", "sale of children"],
    "viet nam": ["Viet Nam", "Vietnam"],
}
# Titles sharing no word with any term or with each other.
ANIMALS = ["Axolotl", "Badger", "Capybara", "Dugong", "Echidna"]


@pytest.mark.parametrize("terms", GROUPS.values(), ids=GROUPS.keys())
def test_a_search_for_any_term_of_a_group_finds_the_records_using_each_of_them(terms):
    # Each record uses one term of the group only; an unrelated record proves the search does not find everything.
    made = {
        term: record(title=f"{animal} notes", summary=f"On {term} in schools.")
        for animal, term in zip(ANIMALS[: len(terms)], terms, strict=True)
    }
    record(title="Zebra notes", summary="On playgrounds in schools.")

    for term in terms:
        assert sorted(hit_titles(search_for(term))) == sorted(r.title for r in made.values()), term


def test_viet_nam_and_vietnam_find_the_same_records_whichever_spelling_their_text_uses():
    record(title="Axolotl programme", summary="Research with schools in Viet Nam.")
    record(title="Badger programme", body="Research with schools in Vietnam.")

    assert sorted(hit_titles(search_for("Vietnam"))) == ["Axolotl programme", "Badger programme"]
    assert sorted(hit_titles(search_for("Viet Nam"))) == ["Axolotl programme", "Badger programme"]


def test_a_phrase_synonym_matches_as_a_phrase_not_as_loose_words():
    record(title="Axolotl report", summary="The child saw no pornography on the shared tablet.")
    record(title="Badger report", summary="Laws against child pornography.")

    assert hit_titles(search_for("CSAM")) == ["Badger report"]
    # Typed without quotes, the words themselves match anywhere, as any typed words do.
    assert sorted(hit_titles(search_for("child pornography"))) == ["Axolotl report", "Badger report"]


def test_words_of_a_phrase_synonym_join_only_when_typed_next_to_each_other():
    record(title="Axolotl report", summary="Protocols on the sale of children.")
    record(title="Badger report", summary="Trafficking rings.")

    assert hit_titles(search_for("sale children of")) == ["Axolotl report"]
    assert sorted(hit_titles(search_for('"sale of children"'))) == ["Axolotl report", "Badger report"]


def test_a_minus_before_a_term_excludes_its_synonyms_too():
    record(title="Axolotl report", summary="Laws against child pornography in schools.")
    record(title="Badger report", summary="Playground safety in schools.")

    assert hit_titles(search_for("schools -CSAM")) == ["Badger report"]


def test_a_record_with_the_words_as_typed_ranks_before_one_found_through_a_synonym(client):
    # On ranking alone the synonym in a title would win over the typed word in a body.
    record(title="Recovery services for children", summary="Recovery and reintegration of child victims.")
    record(title="Axolotl report", body="A chapter on rehabilitation.")

    assert shown_titles(get_search(client, "rehabilitation")) == ["Axolotl report", "Recovery services for children"]


def test_synonyms_do_not_reorder_the_records_with_the_words_as_typed():
    # The body also names a synonym; the title holds the word itself and must stay first.
    record(title="Axolotl report", body="Trafficking and the sale of children, trafficking again, sale of children.")
    record(title="Trafficking in persons protocol")

    assert hit_titles(search_for("trafficking")) == ["Trafficking in persons protocol", "Axolotl report"]


def test_near_misses_count_a_synonym_as_the_word_it_stands_for():
    record(title="Axolotl report", summary="Laws against child pornography.")
    record(title="Badger report", summary="Walrus habitats.")

    page = search_for("CSAM walrus")

    assert page.total == 0
    assert sorted(hit.title for hit in page.near_misses) == ["Axolotl report", "Badger report"]


def test_autocomplete_still_completes_what_was_typed(client):
    record(title="Solicitation of children for sexual purposes")

    titles = [row["title"] for row in client.get(AUTOCOMPLETE_URL, {"q": "solicit"}).json()["results"]]

    assert titles == ["Solicitation of children for sexual purposes"]


def test_an_editor_changing_a_group_takes_effect_on_the_next_search(admin_client, client):
    record(title="Axolotl report", summary="Online enticement of children.")
    record(title="Badger report", summary="Grooming by strangers.")
    assert shown_titles(get_search(client, "grooming")) == ["Badger report"]
    group = Synonym.objects.get(terms__startswith="grooming")

    response = admin_client.post(
        admin_url(Synonym, "change", group.pk),
        {"terms": "grooming, solicitation of children, online enticement", "note": ""},
    )
    assert response.status_code == 302, form_errors(response)

    assert sorted(shown_titles(get_search(client, "grooming"))) == ["Axolotl report", "Badger report"]
    assert sorted(shown_titles(get_search(client, "online enticement"))) == ["Axolotl report", "Badger report"]


def test_an_editor_deleting_a_group_takes_effect_on_the_next_search(admin_client, client):
    record(title="Axolotl report", summary="Laws against child pornography.")
    assert shown_titles(get_search(client, "CSAM")) == ["Axolotl report"]
    group = Synonym.objects.get(terms__contains="csam")

    response = admin_client.post(admin_url(Synonym, "delete", group.pk), {"post": "yes"})
    assert response.status_code == 302

    assert shown_titles(get_search(client, "CSAM")) == []


def test_a_hit_found_by_a_synonym_is_highlighted_where_its_text_has_it(client):
    record(title="Axolotl report", body="States criminalise child pornography in every form.")

    snippet = shown_hits(get_search(client, "CSAM"))[0].snippet

    assert "<mark>child" in snippet
    assert "pornography</mark>" in snippet


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("csam", "at least two different terms"),
        ("csam, CSAM", "at least two different terms"),
        ("csam; child pornography, x", "only letters, digits, spaces and hyphens"),
        ("under_score, x", "only letters, digits, spaces and hyphens"),
        ("-leading, x", "only letters, digits, spaces and hyphens"),
        ("<b>bold</b>, x", "only letters, digits, spaces and hyphens"),
        ("one two three four five six seven, x", "at most 6 words"),
        ("grooming, luring", "already in the group"),
        ("Sale  of Children, child selling", "already in the group"),
    ],
)
def test_admin_explains_a_group_it_cannot_take(admin_client, terms, message):
    before = Synonym.objects.count()

    response = admin_client.post(admin_url(Synonym, "add"), {"terms": terms, "note": ""})

    assert response.status_code == 200
    assert message in form_errors(response)
    assert Synonym.objects.count() == before


def test_admin_stores_phrases_in_lower_case_with_even_spaces(admin_client):
    response = admin_client.post(
        admin_url(Synonym, "add"), {"terms": "Online  Enticement , luring, e-safety", "note": ""}
    )

    assert response.status_code == 302, form_errors(response)
    assert Synonym.objects.filter(terms="online enticement, luring, e-safety").exists()


def test_migration_creates_the_subject_groups():
    stored = set(Synonym.objects.values_list("terms", flat=True))

    assert {
        "child sexual abuse material, csam, child pornography, child sexual exploitation material, abuse material",
        "recovery, rehabilitation, reintegration",
        "grooming, solicitation of children",
        "trafficking, sale of children",
        "viet nam, vietnam",
    } <= stored


abuse_material = import_module("cop_kb.search.migrations.0014_abuse_material")


def csam_group() -> str:
    return Synonym.objects.get(terms__contains="csam").terms


def csam_terms() -> list[str]:
    return Synonym.objects.get(terms__contains="csam").phrases()


def test_abuse_material_joins_the_csam_group_once_and_leaves_it_when_reversed():
    added = csam_group()
    assert added.endswith(", abuse material")

    abuse_material.backwards(apps, None)
    assert csam_group() == "child sexual abuse material, csam, child pornography, child sexual exploitation material"
    abuse_material.forwards(apps, None)
    abuse_material.forwards(apps, None)
    assert csam_group() == added


def test_a_group_an_editor_already_gave_abuse_material_is_left_as_it_is():
    abuse_material.backwards(apps, None)
    Synonym.objects.create(terms="abuse material, abusive material")

    abuse_material.forwards(apps, None)

    assert "abuse material" not in csam_terms()
    assert Synonym.objects.filter(terms="abuse material, abusive material").exists()
