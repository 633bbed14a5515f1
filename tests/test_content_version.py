"""One content version for the whole site: the database gives it a new token on every write to anything a public
page shows, whoever makes the write, and the triggers come from the registry, so a new record type is covered too."""

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from taggit.models import Tag, TaggedItem

from cop_kb.directory.models import Country
from cop_kb.records.content_version import (
    POSTGRES_PLAIN_READ,
    POSTGRES_READ,
    content_token,
    content_version,
    watched_tables,
)
from cop_kb.records.links import typed_link_relations
from cop_kb.records.models import Alias, Source, Status
from cop_kb.records.registry import record_models
from cop_kb.search.models import SearchDocument, SearchFacet, Synonym
from instruments.models import Instrument
from programmes.models import Programme

from .databases import postgres_url
from .factories import make, make_typed_link, typed_ends, typed_link_models

pytestmark = pytest.mark.django_db


def tables_with_the_trigger() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'content_changed'")
            return {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'content_changed_%'")
        return {row[0] for row in cursor.fetchall()}


def test_every_table_a_public_page_reads_has_the_trigger():
    expected = {Alias, Source, Tag, TaggedItem, SearchDocument, SearchFacet, Synonym}
    tables = {model._meta.db_table for model in expected}
    for model in record_models():
        tables.add(model._meta.db_table)
        tables |= {field.remote_field.through._meta.db_table for field in model._meta.many_to_many}
        tables |= {typed._meta.db_table for _accessor, typed, _field in typed_link_relations(model)}

    assert tables <= set(watched_tables())
    assert set(watched_tables()) <= tables_with_the_trigger()


class TokenWatch:
    """The token and time before a change, to compare with after it."""

    def __init__(self) -> None:
        # None when nothing has written since the table was last emptied (a transactional test flushes every table,
        # and the database makes the row again on the next write).
        self.before = content_version()

    def changed(self) -> bool:
        after = content_version()
        if after is None:
            return False
        if self.before is None:
            return True
        return after[0] != self.before[0] and after[1] >= self.before[1]


@pytest.fixture
def instrument():
    return make(Instrument, tags=["grooming"])


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label_lower)
def test_creating_editing_and_deleting_any_record_type_changes_the_token(model):
    watch = TokenWatch()
    made = make(model)
    assert watch.changed()

    watch = TokenWatch()
    model.objects.filter(pk=made.pk).update(title="Renamed by a bulk update")
    assert watch.changed()

    watch = TokenWatch()
    model.objects.filter(pk=made.pk).delete()
    assert watch.changed()


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.DRAFT, Status.IN_REVIEW])
def test_a_status_change_changes_the_token(instrument, status):
    watch = TokenWatch()

    Instrument.objects.filter(pk=instrument.pk).update(status=status)

    assert watch.changed()


@pytest.mark.parametrize("typed", typed_link_models(), ids=lambda typed: typed._meta.label_lower)
def test_a_typed_link_changes_the_token(typed):
    source_model, target_model = typed_ends(typed)
    source, target = make(source_model), make(target_model)
    watch = TokenWatch()

    make_typed_link(typed, source, target)

    assert watch.changed()


def test_a_link_added_or_removed_changes_the_token():
    programme = make(Programme)
    country = make(Country)
    watch = TokenWatch()
    programme.countries.add(country)
    assert watch.changed()

    watch = TokenWatch()
    programme.countries.remove(country)
    assert watch.changed()


def test_tags_aliases_sources_and_synonyms_change_the_token(instrument):
    content_type = ContentType.objects.get_for_model(instrument)
    changes = [
        lambda: Tag.objects.filter(slug="grooming").update(name="Grooming online"),
        lambda: instrument.tags.add("sextortion"),
        lambda: instrument.tags.remove("sextortion"),
        lambda: Alias.objects.create(content_type=content_type, object_id=instrument.pk, name="The Convention"),
        lambda: Alias.objects.filter(object_id=instrument.pk).update(name="The Treaty"),
        lambda: Source.objects.create(
            content_type=content_type, object_id=instrument.pk, title="Treaty text", url="https://example.org/"
        ),
        lambda: Synonym.objects.create(terms="grooming, luring"),
        lambda: call_command("rebuild_search_index", verbosity=0),
    ]
    for change in changes:
        watch = TokenWatch()
        change()
        assert watch.changed(), change


def test_a_change_rolled_back_leaves_the_token_as_it_was(instrument):
    before = content_version()

    with pytest.raises(RuntimeError), transaction.atomic():
        Instrument.objects.filter(pk=instrument.pk).update(status=Status.WITHDRAWN)
        raise RuntimeError("abandon the change")

    assert content_version() == before


def test_a_token_abandoned_with_its_savepoint_never_comes_back(instrument):
    """A page cached under a token that a rollback took away must never be served for other content: each write
    after a rolled-back one gets a token of its own."""
    Instrument.objects.filter(pk=instrument.pk).update(title="Kept before")
    abandoned = []
    for attempt in range(3):
        with pytest.raises(RuntimeError), transaction.atomic():
            Instrument.objects.filter(pk=instrument.pk).update(title=f"Abandoned {attempt}")
            abandoned.append(content_version()[0])
            raise RuntimeError("abandon the change")

    Instrument.objects.filter(pk=instrument.pk).update(title="Kept after")

    assert len(set(abandoned)) == len(abandoned)
    assert content_version()[0] not in abandoned


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps a row's versions until it commits")
def test_a_transaction_replaces_the_tokens_row_once_however_many_writes_it_makes(instrument):
    """Every version of the row stays until the transaction ends, and each later read or write of it walks them all;
    after its first write a transaction changes only a mark of its own, which it reads with the token."""

    def replacements() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'directory_contentversion'")
            return cursor.fetchone()[0]

    Instrument.objects.filter(pk=instrument.pk).update(title="First")
    before = replacements()
    tokens = []
    for number in range(5):
        Instrument.objects.filter(pk=instrument.pk).update(title=f"Renamed {number}")
        tokens.append(content_version()[0])

    assert replacements() == before
    assert len(set(tokens)) == len(tokens)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's transaction-local mark")
@pytest.mark.django_db(transaction=True)
def test_other_sessions_see_one_new_token_when_the_writer_commits_and_the_writer_then_sees_it_too():
    instrument = make(Instrument)
    with psycopg.connect(postgres_url(connection.settings_dict["NAME"]), autocommit=True) as other:

        def seen_elsewhere() -> tuple:
            return other.execute(POSTGRES_READ).fetchone()

        before = seen_elsewhere()
        with transaction.atomic():
            marks = []
            for number in range(3):
                Instrument.objects.filter(pk=instrument.pk).update(title=f"Renamed {number}")
                marks.append(content_version())
                assert seen_elsewhere() == before, "another session saw a change not yet committed"
        committed = seen_elsewhere()
        Instrument.objects.filter(pk=instrument.pk).update(title="Renamed again, in a transaction of its own")
        again = seen_elsewhere()

    assert len({token for token, _time in marks}) == len(marks)
    assert committed[0] != before[0] and committed[1] > before[1]
    assert ":" not in committed[0] and committed[0] not in {token for token, _time in marks}
    assert again[0] not in {before[0], committed[0]} and again[1] > committed[1]
    assert content_version() == again, "the writer reads what everyone reads once its transaction is over"


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the server prepares the front's read on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_fronts_token_read_is_the_full_reads_token_and_the_server_prepares_it():
    """Outside a transaction the front reads the row's token alone (every repeated page reads it: bench/results.md),
    a statement the server prepares, as it does every statement a connection runs again."""
    instrument = make(Instrument)
    tokens = []
    for number in range(6):
        Instrument.objects.filter(pk=instrument.pk).update(title=f"Renamed {number}")
        tokens.append(content_token("default"))
        assert tokens[-1] == content_version()[0]

    assert len(set(tokens)) == len(tokens), "each committed change gives the front a new token"
    assert POSTGRES_PLAIN_READ in prepared_statements()

    connection.close()  # a new connection, as after the server dropped one: a cursor and a plan of its own
    assert content_token("default") == tokens[-1]
    assert POSTGRES_PLAIN_READ not in prepared_statements()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's transaction-local mark")
def test_inside_a_transaction_the_fronts_token_read_sees_its_own_uncommitted_writes(instrument):
    before = content_token("default")
    Instrument.objects.filter(pk=instrument.pk).update(title="Renamed, not yet committed")

    during = content_token("default")

    assert during != before and during == content_version()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's transaction-local mark")
@pytest.mark.django_db(transaction=True)
def test_in_a_transaction_managed_by_hand_the_fronts_token_read_sees_its_own_writes_too():
    instrument = make(Instrument)
    before = content_token("default")
    transaction.set_autocommit(False)
    try:
        Instrument.objects.filter(pk=instrument.pk).update(title="Renamed, not yet committed")
        during = content_token("default")
        assert during != before and during == content_version()[0]
    finally:
        transaction.rollback()
        transaction.set_autocommit(True)

    assert content_token("default") == before


def test_installing_the_triggers_again_changes_nothing_but_keeps_them_working(instrument):
    before = tables_with_the_trigger()

    call_command("migrate", verbosity=0)

    assert tables_with_the_trigger() == before
    watch = TokenWatch()
    Instrument.objects.filter(pk=instrument.pk).update(title="Renamed")
    assert watch.changed()
