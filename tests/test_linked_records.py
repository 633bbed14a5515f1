"""What the write path reindexes after a change: every record linked to a record, either way, whatever its status,
read with one query (``linked_records``, ``linked_records_of``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records import links
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField, TypedLink, linked_records, linked_records_of
from cop_kb.records.models import Status

from .factories import make_linked_graph

pytestmark = pytest.mark.django_db


def linked_through_the_orm(record) -> set[tuple[type, int]]:
    """The records linked to ``record``, read field by field through Django's own accessors."""
    found = set()
    for field in type(record)._meta.get_fields():
        if isinstance(field, LinkForeignKey):
            target = getattr(record, field.name)
            found |= {(type(target), target.pk)} if target else set()
        elif isinstance(field, LinkManyToManyField):
            found |= {(type(other), other.pk) for other in getattr(record, field.name).all()}
        elif not field.auto_created or field.concrete:
            continue
        elif isinstance(field.field, LinkForeignKey | LinkManyToManyField):
            found |= {(type(other), other.pk) for other in getattr(record, field.get_accessor_name()).all()}
        elif issubclass(field.related_model, TypedLink):
            typed = field.related_model
            other_end = typed.target_field if field.field.name == typed.source_field else typed.source_field
            for row in getattr(record, field.get_accessor_name()).all():
                other = getattr(row, other_end)
                found.add((type(other), other.pk))
    return found


def keys(records) -> set[tuple[type, int]]:
    return {(type(record), record.pk) for record in records}


@pytest.fixture(scope="module")
def graph(module_db):
    # Drafts: what is linked is reindexed whatever its status (a draft's document must leave the index).
    return make_linked_graph(3, status=Status.DRAFT)


def test_every_link_of_every_record_type_is_followed_both_ways(graph):
    for model, records in graph.items():
        for record in records:
            expected = linked_through_the_orm(record)
            assert expected, f"{model.__name__} {record.pk} has no links: the graph should link every type"
            assert keys(linked_records(record)) == expected, model.__name__


def test_one_record_is_read_with_one_query_and_each_record_gets_its_own_links(graph):
    for model, records in graph.items():
        first, second = records[0], records[1]
        with CaptureQueriesContext(connection) as queries:
            found = linked_records(first)
        assert len(queries) == 1, model.__name__
        assert keys(found) == linked_through_the_orm(first)
        # The statement prepared for the first record must be given the second's key.
        assert keys(linked_records(second)) == linked_through_the_orm(second)


@pytest.mark.parametrize("prepared_keys", [10, 1], ids=["prepared", "built for the call"])
def test_several_records_are_read_with_one_query_per_record_type(graph, monkeypatch, prepared_keys):
    monkeypatch.setattr(links, "PREPARED_KEYS", prepared_keys)
    records = [record for records in graph.values() for record in records[:2]]
    with CaptureQueriesContext(connection) as queries:
        found = linked_records_of(records)
    assert len(queries) == len(graph)
    assert keys(found) == set().union(*(linked_through_the_orm(record) for record in records))
