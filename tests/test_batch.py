"""Reads prepared once per process (``prepared_rows``, and part by part ``prepared_parts``): each later read binds its
own keys, and a read that could not bind one fails instead of reading other rows. ``prepared_over``: a query over
every part's rows together, answered by the database."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Subquery, Value
from django.test.utils import CaptureQueriesContext

from cop_kb.records.batch import _prepared, _prepared_parts, prepared_over, prepared_parts, prepared_rows
from cop_kb.records.facet_counts import FacetCount
from cop_kb.records.models import Alias
from instruments.models import Instrument, Provision

from .factories import make

pytestmark = pytest.mark.django_db


def _titles(pk: int) -> list[tuple]:
    return prepared_rows(
        ("test: title by key",), lambda key: [Instrument.objects.filter(pk=key).values_list("title")], pk
    )[0]


def test_a_prepared_read_binds_each_requests_keys():
    # Two records, so a statement that kept the first request's key would answer the second with the wrong title.
    first, second = make(Instrument, title="First instrument"), make(Instrument, title="Second instrument")
    for known in [key for key in _prepared if key[0] == ("test: title by key",)]:
        del _prepared[known]

    assert _titles(first.pk) == [("First instrument",)]
    # The second read reuses the statement (kept under its shape and the record types' content type ids).
    assert [key for key in _prepared if key[0] == ("test: title by key",)]
    assert _titles(second.pk) == [("Second instrument",)]
    assert _titles(first.pk) == [("First instrument",)]


def test_a_read_whose_key_is_not_a_parameter_of_its_own_is_refused():
    record = make(Instrument)
    shape = ("test: key changed before it is a parameter",)

    with pytest.raises(ValueError, match="does not take each of its keys"):
        # Worked out in Python, the parameter is no longer the key, so no later key could take its place.
        prepared_rows(shape, lambda key: [Instrument.objects.filter(pk=key + 1).values_list("title")], record.pk)
    assert not [key for key in _prepared if key[0] == shape]


def test_a_key_compared_with_a_bigint_column_is_bound_too():
    """PostgreSQL's backend passes a value compared with a bigint column wrapped (psycopg's ``Int8``), here the key
    beside the kept facet counts' ``target``: it must be bound like a plain one, or the read keeps the stand-in and
    finds nothing (a detail page's "Show all N" read no count)."""
    instrument = make(Instrument)
    make(Provision, instrument=instrument)
    make(Provision, instrument=instrument)

    def build(key):
        kept = FacetCount.objects.filter(record_type="instruments.provision", facet="instrument", target=key)
        counted = Instrument.objects.filter(pk=key).annotate(kept=Subquery(kept.values("records")[:1]))
        return [counted.values_list("kept")]

    assert prepared_rows(("test: key beside a bigint",), build, instrument.pk) == [[(2,)]]


def _title_part(pk: int) -> tuple:
    return (("test: part's title by key",), lambda key: Instrument.objects.filter(pk=key).values_list("title"), (pk,))


def test_prepared_parts_read_together_each_with_its_own_keys():
    first, second = make(Instrument, title="First instrument"), make(Instrument, title="Second instrument")
    for known in [key for key in _prepared_parts if key[0] == ("test: part's title by key",)]:
        del _prepared_parts[known]

    # One shape twice in one read: the part is prepared once and each use binds its own key.
    assert prepared_parts([_title_part(first.pk), _title_part(second.pk)]) == [
        [("First instrument",)],
        [("Second instrument",)],
    ]
    assert len([key for key in _prepared_parts if key[0] == ("test: part's title by key",)]) == 1
    assert prepared_parts([_title_part(second.pk), _title_part(first.pk)]) == [
        [("Second instrument",)],
        [("First instrument",)],
    ]


def test_a_part_whose_key_is_not_a_parameter_of_its_own_is_refused():
    record = make(Instrument)
    shape = ("test: part's key changed before it is a parameter",)

    with pytest.raises(ValueError, match="does not take each of its keys"):
        prepared_parts([(shape, lambda key: Instrument.objects.filter(pk=key + 1).values_list("title"), (record.pk,))])
    assert not [key for key in _prepared_parts if key[0] == shape]


def test_a_part_that_cannot_take_its_stand_in_key_is_refused_not_read_as_empty():
    """A stand-in key is negative, out of a positive field's range, and Django leaves such a lookup out as matching
    nothing: kept, the statement would read nothing for every real key. The key as an expression is bound."""
    record = make(Instrument, aliases=[{"name": "Its alias"}])
    own = {"content_type": ContentType.objects.get_for_model(Instrument)}
    shape = ("test: a positive field's key",)

    with pytest.raises(ValueError, match="matches nothing"):
        prepared_rows(shape, lambda key: [Alias.objects.filter(**own, object_id=key).values_list("name")], record.pk)
    assert not [found for found in _prepared if found[0] == shape]
    with pytest.raises(ValueError, match="matches nothing"):
        prepared_parts(
            [(shape, lambda key: Alias.objects.filter(**own, object_id=key).values_list("name"), (record.pk,))]
        )

    def by_value(key):
        return [Alias.objects.filter(**own, object_id=Value(key)).values_list("name")]

    assert prepared_rows(("test: a positive field's key as a value",), by_value, record.pk) == [[("Its alias",)]]


def _by_title(*models) -> list:
    """Each model's first three records by title, as (title, key) rows."""
    return [model.objects.order_by("title").values_list("title", "pk")[:3] for model in models]


def test_a_query_over_every_parts_rows_sees_them_together_under_the_names_given():
    for title in ("Title b", "Title d", "Title f", "Title h"):
        make(Instrument, title=title)
    instrument = Instrument.objects.get(title="Title b")
    for title in ("Title a", "Title c", "Title e"):
        make(Provision, title=title, instrument=instrument)
    first_four = "SELECT batch_part, title FROM batch ORDER BY title LIMIT 4"
    shape = ("test: first titles of two types",)
    for known in [key for key in _prepared if key[0][0] == shape]:
        del _prepared[known]

    with CaptureQueriesContext(connection) as read:
        rows = prepared_over(shape, lambda: _by_title(Instrument, Provision), ("title", "key"), first_four)

    # The two parts' rows in one order, whichever part each came from, cut at the select's limit.
    assert [tuple(row) for row in rows] == [
        (1, "Title a"),
        (0, "Title b"),
        (1, "Title c"),
        (0, "Title d"),
    ]
    assert len(read.captured_queries) == 1
    # Kept: the next read uses the same statement, and sees what changed since.
    assert [key for key in _prepared if key[0][0] == shape]
    make(Instrument, title="Title 0")
    rows = prepared_over(shape, lambda: _by_title(Instrument, Provision), ("title", "key"), first_four)
    assert [title for _part, title in rows] == ["Title 0", "Title a", "Title b", "Title c"]


def test_a_query_over_the_parts_counts_rows_of_every_part_once():
    instrument = make(Instrument, title="Counted instrument")
    make(Provision, title="Counted article", instrument=instrument)

    def both_ways():
        # The same instrument read by two parts: counted once, as the same record.
        return [
            Instrument.objects.filter(pk=instrument.pk).values_list("pk"),
            Provision.objects.filter(instrument=instrument).values_list("instrument"),
        ]

    counted = "SELECT COUNT(*), COUNT(DISTINCT record) FROM batch"
    assert [tuple(row) for row in prepared_over(("test: counted",), both_ways, ("record",), counted)] == [(2, 1)]
