"""Facet counts kept by the database (``cop_kb.records.facet_counts``) match a fresh count after writes of every
kind, made any way, and an unfiltered list shows them exactly as a fresh count would.

Run on SQLite and on PostgreSQL: the counts are kept by each database's own triggers.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import QueryDict
from taggit.models import Tag

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.facet_counts import EVERY, FacetCount, facet_counts_differences, public_counts
from cop_kb.records.facet_triggers import install_facet_counts
from cop_kb.records.facets import count_facets
from cop_kb.records.models import AuditAction, Status
from cop_kb.records.registry import record_models
from cop_kb.records.selectors import list_facets, records_for_list
from cop_kb.records.services import Attribution, records_delete
from instruments.models import Instrument
from programmes.demo_writer import demo_data_delete, demo_data_generate
from programmes.models import Programme
from strategy.models import FocusArea, StrategicArea

from .factories import make, make_linked_graph
from .test_list_facets import facet_links, option_counts
from .test_pages import get_page

pytestmark = pytest.mark.django_db

DELETED = Attribution(action=AuditAction.DELETE, comment="Deleted")


def assert_counts_match() -> None:
    assert facet_counts_differences() == []


def kept_total(model, param: str) -> int:
    return sum(
        FacetCount.objects.filter(record_type=model._meta.label_lower, facet=param).values_list("records", flat=True)
    )


def test_kept_counts_match_a_fresh_count_after_writes_of_every_kind():
    areas = [make(StrategicArea) for _ in range(3)]
    countries = [make(Country) for _ in range(3)]
    focus = [make(FocusArea) for _ in range(2)]
    programmes = [make(Programme, year=2010 + i, focus_area=focus[i % 2], tags=[f"topic-{i % 2}"]) for i in range(4)]
    draft = make(Programme, status=Status.DRAFT, year=2010, tags=["topic-0"])
    assert_counts_match()
    assert kept_total(Programme, "year") == 4  # the draft is not counted
    assert kept_total(Programme, EVERY) == 4

    # Links, forward and back, one at a time and in bulk; a draft's links count for nothing.
    programmes[0].countries.add(*countries)
    programmes[1].countries.set(countries[:2])
    draft.countries.add(countries[0])
    programmes[0].countries.remove(countries[1])
    programmes[1].countries.clear()
    countries[2].programme_set.add(programmes[2], programmes[3])
    programmes[0].strategic_areas.set(areas)
    instrument = make(Instrument)
    areas[0].instruments.add(instrument)
    Programme.countries.through.objects.filter(programme=programmes[3]).delete()
    assert_counts_match()
    assert kept_total(Programme, "country") == 3

    # Tags added, removed, a tag deleted with every use of it.
    programmes[2].tags.add("topic-new")
    programmes[0].tags.remove("topic-0")
    Tag.objects.filter(name="topic-1").delete()
    assert_counts_match()

    # Status: published, withdrawn and back, one record and in bulk; a linked record made a draft.
    draft.status = Status.PUBLISHED
    draft.save()
    Programme.objects.filter(pk__in=[programmes[0].pk, programmes[1].pk]).update(status=Status.WITHDRAWN)
    Programme.objects.filter(pk=programmes[1].pk).update(status=Status.PUBLISHED)
    Country.objects.filter(pk=countries[0].pk).update(status=Status.DRAFT)
    assert_counts_match()

    # Counted fields changed, cleared, and changed in bulk; an uncounted field changes nothing.
    programmes[2].year = None
    programmes[2].focus_area = focus[0]
    programmes[2].save()
    Programme.objects.update(level="global")
    Programme.objects.filter(pk=programmes[3].pk).update(kind="research", summary="Changed")
    child = make(Organisation)
    child.parent = make(Organisation)
    child.save()
    assert_counts_match()

    # Deletes: through the write path, in bulk, and of linked records (their links go with them).
    records_delete([programmes[3]], by=DELETED)
    Programme.objects.filter(pk=draft.pk).delete()
    Country.objects.filter(pk=countries[2].pk).delete()
    StrategicArea.objects.filter(pk=areas[1].pk).delete()
    Instrument.objects.filter(pk=instrument.pk).delete()
    assert_counts_match()

    # The demo-data generator writes rows and links with plain SQL, and removes them in bulk.
    demo_data_generate(records=60, index=False)
    assert_counts_match()
    assert kept_total(Programme, "strategic_area") > 3
    demo_data_delete()
    assert_counts_match()
    assert public_counts([Programme, Country]) == {
        Programme: Programme.objects.public().count(),
        Country: Country.objects.public().count(),
    }


def test_an_unfiltered_list_shows_the_same_counts_as_a_fresh_count():
    """Every record type's facets over a linked graph, with draft records and draft linked records beside it."""
    make_linked_graph(3)
    make_linked_graph(2, status=Status.DRAFT)
    assert_counts_match()
    for model in record_models():
        kept = records_for_list(model, QueryDict()).facets
        fresh = count_facets(model.objects.public(), QueryDict(), list_facets(model), all_url=model.get_facet_url)
        assert kept == fresh, model
        assert any(facet.options for facet in kept), model


def test_the_unfiltered_list_reads_the_kept_counts_and_a_filtered_one_counts(client):
    programme = make(Programme, kind="research", year=2011)
    FacetCount.objects.filter(record_type="programmes.programme", facet="year").update(records=7)

    _response, page = get_page(client, "/programmes/")
    assert option_counts(facet_links(page, "year")) == {"2011": 7}
    _response, page = get_page(client, f"/programmes/?kind={programme.kind}")
    assert option_counts(facet_links(page, "year")) == {"2011": 1}


def test_the_home_page_shows_each_types_kept_count_of_public_records(client):
    make(Programme)
    make(Programme, status=Status.DRAFT)
    FacetCount.objects.filter(record_type="programmes.programme", facet=EVERY).update(records=7)

    _response, page = get_page(client, "/")
    [count] = [link.text for link in page.links if link.href == Programme.get_list_url() and link.text[-1].isdigit()]
    assert count == "Programmes 7"

    FacetCount.objects.filter(record_type="programmes.programme", facet=EVERY).delete()
    with pytest.raises(CommandError, match="programmes.programme public records: kept 0, counted 1"):
        call_command("facet_counts", "--check")


def test_the_command_rebuilds_the_counts_and_its_check_finds_a_wrong_one():
    make(Programme, year=2011)
    FacetCount.objects.filter(record_type="programmes.programme", facet="year").update(records=7)

    with pytest.raises(CommandError, match="programmes.programme year 2011: kept 7, counted 1"):
        call_command("facet_counts", "--check")
    call_command("facet_counts")
    call_command("facet_counts", "--check")
    install_facet_counts()  # again, as every migrate does: the triggers are replaced, not doubled
    make(Programme, year=2011)
    assert kept_total(Programme, "year") == 2
