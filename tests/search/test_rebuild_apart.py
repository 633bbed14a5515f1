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


def connection_id() -> int:
    """The connection this thread reads on: its server process on PostgreSQL, the connection object on SQLite."""
    if connection.vendor != "postgresql":
        return id(connection.connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def still_open(pids: set[int]) -> set[int]:
    """Those of these PostgreSQL connections still open, given a moment to close: a server process leaves
    ``pg_stat_activity`` a little after its client closes the connection."""
    for _attempt in range(40):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)])
            running = {pid for (pid,) in cursor.fetchall()}
        if not running:
            break
        time.sleep(0.05)
    return running


@pytest.fixture
def framework_committed(loaded_framework):
    """The framework's rows, committed, as a rebuild run by a command finds them (no transaction around it)."""
    loaded_framework.restore()


@pytest.fixture
def rounds(monkeypatch) -> dict:
    """A rebuild in rounds of 40 documents (five for the framework), noting which connection read each round
    (``readers``); ``fail_reading`` or ``fail_writing``, a round's number, makes reading or writing it fail."""
    noted: dict = {"readers": set(), "read": [], "fail_reading": None, "fail_writing": None, "written": 0}
    monkeypatch.setattr(services, "REBUILD_BATCH", 40)
    read_round, write_round = services._round, services._write_round

    def noting_round(targets, number, count):
        noted["readers"].add(connection_id())
        noted["read"].append(number)
        if number == noted["fail_reading"]:
            raise RuntimeError("a record could not be read")
        return read_round(targets, number, count)

    def noting_write(*args):
        if noted["written"] == noted["fail_writing"]:
            raise RuntimeError("a round could not be written")
        write_round(*args)
        noted["written"] += 1

    monkeypatch.setattr(services, "_round", noting_round)
    monkeypatch.setattr(services, "_write_round", noting_write)
    return noted


def assert_read_apart_and_closed(rounds: dict) -> None:
    if connection.vendor == "postgresql":
        assert rounds["readers"] and connection_id() not in rounds["readers"]
        assert still_open(rounds["readers"]) == set()
    else:
        # SQLite writes in-process: the rounds are read in turn, on the one connection.
        assert rounds["readers"] == {connection_id()}


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_reads_records_on_a_connection_of_its_own(framework_committed, rounds):
    """On PostgreSQL the rounds are read on a second connection while the rebuild's own writes (a connection runs
    one statement at a time); the documents are the same, and the second connection is closed afterwards."""
    search_index_update(record for model in indexable_models() for record in model.objects.public())
    documents, facets = indexed()

    written = search_index_rebuild()

    assert indexed() == (documents, facets)
    assert written == len(documents) > 160
    assert rounds["read"] == list(range(rounds["written"])) and rounds["written"] >= 5
    assert_read_apart_and_closed(rounds)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("failing", "message", "read", "written"),
    [
        # Read apart, two rounds were written before the third failed to be read; read in turn, one.
        ("fail_reading", "could not be read", [0, 1, 2], {"postgresql": 2, "sqlite": 1}),
        # The fourth round was being read (or, read in turn, had been) when the third failed to be written.
        ("fail_writing", "could not be written", [0, 1, 2, 3], {"postgresql": 2, "sqlite": 2}),
    ],
)
def test_a_rebuild_that_fails_changes_nothing_and_leaves_no_connection_open(
    framework_committed, rounds, failing, message, read, written
):
    documents, facets = indexed()
    rounds[failing] = 2

    with pytest.raises(RuntimeError, match=message):
        search_index_rebuild()

    assert rounds["read"] == read
    assert rounds["written"] == written[connection.vendor]
    # The rebuild's transaction took back what was written.
    assert indexed() == (documents, facets)
    assert_read_apart_and_closed(rounds)
