"""Search follows links: a record is found by the names of the public records linked to it (either way) and by its
years, below its own text, and its document follows those records when they are renamed, unpublished or deleted.

Words are invented (walrus, quokka…) so that nothing but the arranged links can make a record match.
"""

import datetime

import pytest

from cop_kb.directory.models import Country, Organisation
from cop_kb.records import search_data
from cop_kb.records.models import AuditAction, Status
from cop_kb.records.services import Attribution, RecordBefore, records_delete, records_saved, typed_link_create
from cop_kb.search.models import SearchDocument
from cop_kb.search.services import search_index_rebuild
from instruments.models import Instrument, Provision, Topic
from programmes.models import Activity, Programme, ProgrammeOrganisation
from strategy.models import StrategicArea

from .support import hit_titles, record, search_for

pytestmark = pytest.mark.django_db

CHANGED = Attribution(action=AuditAction.CHANGE, comment="Changed")


def saved(target, *, link=None, **changes) -> None:
    """Change ``target`` through the write path, as the admin does: fields, then links (``link`` runs them)."""
    before = RecordBefore.of(target)
    for name, value in changes.items():
        setattr(target, name, value)
    target.save()
    if link:
        link()
    records_saved([(target, before)], by=CHANGED)


def activity_in(country: Country, title: str) -> Activity:
    activity = record(Activity, title=title)
    saved(activity, link=lambda: activity.countries.add(country))
    return activity


def led_by(organisation: Organisation, title: str) -> Programme:
    programme = record(Programme, title=title)
    saved(
        programme,
        link=lambda: typed_link_create(
            model=ProgrammeOrganisation, fields={"programme": programme, "organisation": organisation, "kind": "lead"}
        ),
    )
    return programme


def test_record_is_found_by_the_title_of_a_record_it_links_to_after_that_record():
    country = record(Country, title="Quokkaland")
    activity_in(country, "Walrus summit")

    assert hit_titles(search_for("quokkaland")) == ["Quokkaland", "Walrus summit"]


def test_every_word_may_come_from_its_own_text_or_its_links():
    country = record(Country, title="Quokkaland")
    activity_in(country, "Walrus summit")
    record(Activity, title="Walrus summit elsewhere")

    # The country matches "walrus summit" only through the activity linking to it: the activity comes first.
    assert hit_titles(search_for("quokkaland walrus summit")) == ["Walrus summit", "Quokkaland"]


def test_record_is_found_by_an_alias_of_a_record_it_links_to():
    country = record(Country, title="Quokkaland", aliases=[{"name": "Wombatia", "kind": "alternative"}])
    activity_in(country, "Walrus summit")

    assert "Walrus summit" in hit_titles(search_for("wombatia summit"))


def test_record_is_found_through_a_typed_link_with_its_role():
    organisation = record(Organisation, title="Quokka Research Centre")
    led_by(organisation, "Walrus study")

    assert hit_titles(search_for("quokka")) == ["Quokka Research Centre", "Walrus study"]


def test_record_is_found_by_its_years():
    record(Programme, title="Walrus study", year=2014)
    # Adopted in 2000 and in force from 2002 (the builder's dates): the year it sorts by is 2000.
    record(Instrument, title="Walrus convention", entry_into_force_on=datetime.date(2002, 1, 1))
    record(Programme, title="Walrus survey", year=2015)

    assert hit_titles(search_for("walrus 2014")) == ["Walrus study"]
    assert hit_titles(search_for("walrus 2002")) == ["Walrus convention"]


def test_own_title_outranks_a_linked_title():
    country = record(Country, title="Quokkaland")
    activity_in(country, "Walrus summit")
    record(Programme, title="Quokkaland walrus survey")

    # The country itself matches "walrus" only through the activity linking to it.
    assert hit_titles(search_for("quokkaland walrus")) == ["Quokkaland walrus survey", "Walrus summit", "Quokkaland"]


def test_linked_record_renamed_takes_its_old_name_out_of_its_neighbours_documents():
    organisation = record(Organisation, title="Quokka Research Centre")
    led_by(organisation, "Walrus study")

    saved(organisation, title="Wombat Research Centre")

    assert hit_titles(search_for("quokka")) == []
    assert hit_titles(search_for("wombat")) == ["Wombat Research Centre", "Walrus study"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_linked_record_leaving_published_takes_its_name_out_of_its_neighbours_documents(status):
    organisation = record(Organisation, title="Quokka Research Centre")
    led_by(organisation, "Walrus study")
    country = record(Country, title="Quokkaland")
    activity_in(country, "Walrus summit")

    saved(organisation, status=status)
    saved(country, status=status)

    assert hit_titles(search_for("quokka")) == []
    assert hit_titles(search_for("quokkaland")) == []
    assert not SearchDocument.objects.filter(related__icontains="quokka").exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_linked_record_leaving_published_beside_the_write_path_leaves_its_neighbours_at_once(status):
    """A bulk update (the shell, raw SQL) skips the write path: the database's trigger takes the names out."""
    organisation = record(
        Organisation, title="Quokka Research Centre", aliases=[{"name": 'QRC "Isle" \\ lab', "kind": "acronym"}]
    )
    led_by(organisation, "Walrus study")
    country = record(Country, title="Numbatland")
    activity_in(country, "Walrus summit")
    activity_in(country, "Walrus fair")
    programme = SearchDocument.objects.get(title="Walrus study")
    assert programme.related.splitlines()[:2] == ["Quokka Research Centre", 'QRC "Isle" \\ lab']

    Organisation.objects.filter(pk=organisation.pk).update(status=status)
    Country.objects.filter(pk=country.pk).update(status=status)

    assert hit_titles(search_for("quokka")) == []
    assert hit_titles(search_for("isle")) == []
    assert hit_titles(search_for("numbatland")) == []
    assert not SearchDocument.objects.filter(related__contains="Quokka").exists()
    assert not SearchDocument.objects.filter(related__contains="Isle").exists()
    assert not SearchDocument.objects.filter(related__contains="Numbatland").exists()
    # The rest of each document is left as it was: the walrus records are still found by their own words.
    assert {"Walrus fair", "Walrus study", "Walrus summit"} <= set(hit_titles(search_for("walrus")))


def test_linked_record_deleted_takes_its_name_out_of_its_neighbours_documents():
    organisation = record(Organisation, title="Quokka Research Centre")
    programme = led_by(organisation, "Walrus study")
    ProgrammeOrganisation.objects.filter(programme=programme).delete()  # the role protects the organisation
    saved(programme)
    country = record(Country, title="Quokkaland")
    activity_in(country, "Walrus summit")

    records_delete([country, organisation], by=Attribution(action=AuditAction.DELETE, comment="Deleted"))

    assert hit_titles(search_for("quokkaland")) == []
    assert hit_titles(search_for("walrus summit"))[0] == "Walrus summit"
    assert not SearchDocument.objects.filter(related__icontains="quokka").exists()


def test_record_linking_to_one_that_is_renamed_back_is_found_again():
    organisation = record(Organisation, title="Quokka Research Centre")
    led_by(organisation, "Walrus study")
    saved(organisation, status=Status.DRAFT)

    saved(organisation, status=Status.PUBLISHED)

    assert hit_titles(search_for("quokka")) == ["Quokka Research Centre", "Walrus study"]


def test_draft_record_never_makes_a_published_record_findable_by_its_name():
    draft = record(Organisation, title="Quokka Research Centre", status=Status.DRAFT)
    led_by(draft, "Walrus study")
    hidden_country = record(Country, title="Quokkaland", status=Status.DRAFT)
    activity_in(hidden_country, "Walrus summit")

    assert hit_titles(search_for("quokka")) == []
    assert hit_titles(search_for("quokkaland")) == []
    # Their own text still finds them (and the activity's partnership, through the activity linking to it).
    assert sorted(hit_titles(search_for("walrus"))[:2]) == ["Walrus study", "Walrus summit"]
    assert not SearchDocument.objects.filter(related__icontains="quokka").exists()
    assert not SearchDocument.objects.filter(backlinked__icontains="quokka").exists()


def test_draft_record_linking_to_a_published_one_never_names_itself_there():
    country = record(Country, title="Quokkaland")
    activity = record(Activity, title="Walrus summit", status=Status.DRAFT)
    saved(activity, link=lambda: activity.countries.add(country))

    assert hit_titles(search_for("walrus")) == []
    assert SearchDocument.objects.get(title="Quokkaland").backlinked == ""


def test_rebuild_writes_the_same_linked_names_as_the_write_path():
    organisation = record(Organisation, title="Quokka Research Centre", aliases=[{"name": "QRC", "kind": "acronym"}])
    led_by(organisation, "Walrus study")
    before = dict(SearchDocument.objects.values_list("title", "related"))
    backlinked = dict(SearchDocument.objects.values_list("title", "backlinked"))

    search_index_rebuild()

    assert dict(SearchDocument.objects.values_list("title", "related")) == before
    assert dict(SearchDocument.objects.values_list("title", "backlinked")) == backlinked
    assert before["Walrus study"].splitlines()[:2] == ["Quokka Research Centre", "QRC"]
    assert backlinked["Quokka Research Centre"] == "Walrus study"


def test_document_names_the_first_linked_records_by_title_across_relations_leaving_out_hidden_ones(monkeypatch):
    monkeypatch.setattr(search_data, "RELATED_NAMES_LIMIT", 3)
    # Three instruments of one title told apart by their aliases: the limit falls between them, so the tie-break
    # (the record's id) decides; a draft country sorts first and must not take a place.
    accords = [
        record(Instrument, title="Beta accord", aliases=[{"name": f"B{number}", "kind": "acronym"}])
        for number in (1, 2, 3)
    ]
    countries = [record(Country, title="Aspen land"), record(Country, title="Alpha land", status=Status.DRAFT)]
    programme = record(Programme, title="Walrus study")

    def link():
        programme.instruments.add(*reversed(accords))
        programme.countries.add(*countries)

    saved(programme, link=link)
    written = SearchDocument.objects.get(title="Walrus study").related.splitlines()
    search_index_rebuild()
    rebuilt = SearchDocument.objects.get(title="Walrus study").related.splitlines()

    expected = ["Aspen land", "Beta accord", "B1", "Beta accord", "B2"]
    assert written[:5] == rebuilt[:5] == expected
    assert "B3" not in written and "B3" not in rebuilt


def test_a_record_published_while_a_rebuild_reads_names_is_left_to_its_own_indexing():
    """A full rebuild reads the public records' ids, then their links with the public queryset read again: a record
    published in between comes back in the links without having been asked for, and is left out, not a KeyError."""
    country = record(Country, title="Quokka Republic")
    asked = activity_in(country, "Asked for")
    published_since = activity_in(country, "Published since")

    names = search_data.related_names(Activity, [asked.pk], records=Activity.objects.public())

    assert list(names) == [asked.pk]
    assert "Quokka Republic" in names[asked.pk][0]
    assert published_since.pk not in names


@pytest.fixture
def classified():
    """An article on a topic the editors classify under a strategic area (saved through the write path, as the admin
    saves the area's classification)."""
    article = record(Provision, title="Numbat article")
    topic = record(Topic, title="Dugong studies")
    saved(article, link=lambda: article.topics.add(topic))
    area = record(StrategicArea, title="Walrus protection")
    saved(area, link=lambda: area.topics.add(topic))
    return article, topic, area


def test_an_article_is_named_with_the_areas_its_topics_are_classified_under(classified):
    article, _topic, area = classified

    assert "Numbat article" in hit_titles(search_for("walrus numbat"))
    # Named with its backlinks, as an area classifying the article on its own would be; the area's own document
    # does not name the articles of its topics.
    assert "Walrus protection" in SearchDocument.objects.get(title="Numbat article").backlinked
    assert "Numbat" not in SearchDocument.objects.get(title="Walrus protection").backlinked

    search_index_rebuild()

    assert "Walrus protection" in SearchDocument.objects.get(title="Numbat article").backlinked


def test_an_area_renamed_takes_its_old_name_out_of_its_topics_articles(classified):
    _article, _topic, area = classified

    saved(area, title="Wombat protection")

    assert hit_titles(search_for("walrus numbat")) == []
    assert "Numbat article" in hit_titles(search_for("wombat numbat"))


def test_a_topic_taken_out_of_an_areas_classification_takes_the_area_out_of_its_articles(classified):
    _article, topic, area = classified
    assert "Numbat article" in hit_titles(search_for("walrus numbat"))

    saved(area, link=lambda: area.topics.remove(topic))

    assert hit_titles(search_for("walrus numbat")) == []


@pytest.mark.parametrize("leaving", ["topic", "area"])
def test_a_topic_or_area_leaving_published_takes_the_area_out_of_the_articles(classified, leaving):
    _article, topic, area = classified
    assert "Numbat article" in hit_titles(search_for("walrus numbat"))

    saved(topic if leaving == "topic" else area, status=Status.WITHDRAWN)

    assert hit_titles(search_for("walrus numbat")) == []
    assert not SearchDocument.objects.filter(backlinked__icontains="walrus").exists()
