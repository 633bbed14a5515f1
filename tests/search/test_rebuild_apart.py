"""A rebuild run by a command, outside any transaction: on PostgreSQL it reads the records on a second connection
while its own writes the index (``cop_kb.search.services._reader``). The documents are the same, a failure takes
back everything, and the second connection is closed either way.

In a module of its own: the framework comes from the run's snapshot, which is copied in outside any transaction,
and ``tests/search/test_rebuild_documents.py`` holds its framework in a module-wide one.
"""

import time

import pytest
from django.db import connection

from cop_kb.search import services
from cop_kb.search.services import indexable_models, search_index_rebuild, search_index_update

from .test_rebuild_documents import indexed


def connections_to_this_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def settled_connection_count(expected: int) -> int:
    """The connections open to the test database, given a moment to reach ``expected``: a backend leaves
    ``pg_stat_activity`` a little after its client closes it."""
    for _attempt in range(40):
        count = connections_to_this_database()
        if count == expected:
            break
        time.sleep(0.05)
    return count


@pytest.fixture
def framework_committed(loaded_framework):
    """The framework's rows, committed, as a rebuild run by a command finds them (no transaction around it)."""
    loaded_framework.restore()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_reads_records_on_a_connection_of_its_own(framework_committed, monkeypatch):
    """On PostgreSQL the rounds are read on a second connection while the rebuild's own writes (a connection runs
    one statement at a time); the documents are the same, and the second connection is closed afterwards."""
    search_index_update(record for model in indexable_models() for record in model.objects.public())
    documents, facets = indexed()
    monkeypatch.setattr(services, "REBUILD_BATCH", 40)
    readers: set[int] = set()
    read_round = services._round

    def round_noting_its_connection(*args):
        readers.add(id(connection.connection))
        return read_round(*args)

    monkeypatch.setattr(services, "_round", round_noting_its_connection)
    before = connections_to_this_database() if connection.vendor == "postgresql" else 0

    written = search_index_rebuild()

    assert indexed() == (documents, facets)
    assert written == len(documents) > 160
    if connection.vendor == "postgresql":
        assert readers and id(connection.connection) not in readers
        assert settled_connection_count(before) == before
    else:
        # SQLite writes in-process: the rounds are read in turn, on the one connection.
        assert readers == {id(connection.connection)}


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_that_fails_while_reading_changes_nothing_and_leaves_no_connection_open(
    framework_committed, monkeypatch
):
    documents, facets = indexed()
    monkeypatch.setattr(services, "REBUILD_BATCH", 40)
    rounds_read: list[int] = []
    read_round = services._round

    def third_round_fails(targets, number, rounds):
        rounds_read.append(number)
        if number == 2:
            raise RuntimeError("a record could not be read")
        return read_round(targets, number, rounds)

    monkeypatch.setattr(services, "_round", third_round_fails)
    before = connections_to_this_database() if connection.vendor == "postgresql" else 0

    with pytest.raises(RuntimeError, match="could not be read"):
        search_index_rebuild()

    # The first two rounds were written before the failure; the rebuild's transaction took them back.
    assert rounds_read == [0, 1, 2]
    assert indexed() == (documents, facets)
    if connection.vendor == "postgresql":
        assert settled_connection_count(before) == before
