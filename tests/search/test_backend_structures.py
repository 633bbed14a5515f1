"""Each database's own search structures exist and stay in step with the index table (gated on the vendor)."""

import pytest
from django.db import NotSupportedError, connection, transaction

from cop_kb.directory.models import Country
from cop_kb.records.services import record_reindex
from cop_kb.search.backends.base import SAMPLE_MODULUS
from cop_kb.search.models import SearchDocument, SearchFacet
from cop_kb.search.services import search_index_rebuild

from .support import record

pytestmark = pytest.mark.django_db


def one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def column(sql: str, params=()) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def column_rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def test_search_vector_is_a_stored_generated_tsvector(postgresql):
    generated, data_type = one(
        "SELECT is_generated, data_type FROM information_schema.columns "
        "WHERE table_name = 'search_searchdocument' AND column_name = 'search_vector'"
    )

    assert (generated, data_type) == ("ALWAYS", "tsvector")


COMPRESSED_COLUMNS = [
    "title", "aliases", "summary", "tags", "body", "related", "backlinked", "search_vector", "rank_vector"
]  # fmt: skip


def server_has_lz4() -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE lz4_probe (t text COMPRESSION lz4)")
            transaction.set_rollback(True)
    except NotSupportedError:
        return False
    return True


def test_documents_text_and_vectors_are_compressed_with_lz4_where_the_server_has_it(postgresql):
    """lz4 compresses and decompresses faster than the default pglz: a rebuild writes every body and vector."""
    methods = dict(
        column_rows(
            "SELECT attname, attcompression FROM pg_attribute"
            " WHERE attrelid = 'search_searchdocument'::regclass AND attname = ANY(%s)",
            [COMPRESSED_COLUMNS],
        )
    )

    assert set(methods) == set(COMPRESSED_COLUMNS)
    # "l" lz4; "" the server's default (pglz), on a server built without lz4.
    assert set(methods.values()) == ({"l"} if server_has_lz4() else {""})


def test_search_vector_and_rank_vector_have_gin_indexes(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchdocument'")
        indexes = dict(cursor.fetchall())

    assert "USING gin (search_vector)" in indexes["search_document_vector"]
    assert "USING gin (rank_vector)" in indexes["search_document_rank_vector"]
    assert not [name for name, definition in indexes.items() if "gin_trgm_ops" in definition]


def test_text_search_configuration_removes_accents_then_stems(postgresql):
    (vector,) = one("SELECT to_tsvector('cop_english', 'Türkiye protocols')::text")

    assert vector == "'protocol':2 'turkiy':1"


def test_search_vector_weighs_title_and_aliases_most_then_summary_and_tags_then_body_and_years(postgresql):
    made = record(title="Axolotl", summary="Wombat", body="Quokka", tags=["ocelot"], aliases=[{"name": "Margay"}])
    (vector,) = one(
        "SELECT search_vector::text FROM search_searchdocument WHERE object_id = %s AND record_type = %s",
        [made.pk, "programmes.programme"],
    )

    # 2011: the programme's year (the builder's), beside the body at C: a tsvector has four weights only.
    assert vector == "'2011':6C 'axolotl':1A 'margay':2A 'ocelot':4B 'quokka':5C 'wombat':3B"


def test_search_vector_weighs_linked_names_as_the_body_and_names_linking_to_it_least(postgresql):
    country = record(Country, title="Numbat")
    made = record(title="Axolotl", year=None)
    made.countries.add(country)
    record_reindex(made)

    def vector(pk: int, record_type: str) -> str:
        sql = "SELECT search_vector::text FROM search_searchdocument WHERE object_id = %s AND record_type = %s"
        return one(sql, [pk, record_type])[0]

    assert vector(made.pk, "programmes.programme") == "'axolotl':1A 'numbat':2C"
    # Weight D is PostgreSQL's default, which its text form leaves unwritten.
    assert vector(country.pk, "directory.country") == "'axolotl':2 'numbat':1A"


def test_search_vector_follows_an_update_of_the_row(postgresql):
    made = record(title="Axolotl survey")
    document = SearchDocument.objects.get(record_type="programmes.programme", object_id=made.pk)

    SearchDocument.objects.filter(pk=document.pk).update(title="Quokka survey")

    matches = "SELECT id FROM search_searchdocument WHERE search_vector @@ plainto_tsquery('cop_english', %s)"
    assert column(matches, ["quokka"]) == [document.pk]
    assert column(matches, ["axolotl"]) == []


# --- SQLite -----------------------------------------------------------------------------------------------------


def test_fts5_table_and_its_triggers_exist(sqlite):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'search_%'")
        tables = dict(cursor.fetchall())
    triggers = column("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_searchdocument'")

    assert "fts5" in tables["search_fts"] and "porter unicode61 remove_diacritics 2" in tables["search_fts"]
    assert "search_trigram" not in tables
    assert sorted(triggers) == [
        "content_changed_search_searchdocument_delete",
        "content_changed_search_searchdocument_insert",
        "content_changed_search_searchdocument_update",
        "search_document_ad",
        "search_document_ai",
        "search_document_au",
    ]


def test_fts5_table_holds_linked_names_in_their_own_columns(sqlite):
    country = record(Country, title="Numbat")
    made = record(title="Axolotl", year=None)
    made.countries.add(country)
    record_reindex(made)

    assert fts_ids("related : numbat") == [SearchDocument.objects.get(record_type="programmes.programme").pk]
    assert fts_ids("backlinked : axolotl") == [SearchDocument.objects.get(record_type="directory.country").pk]
    assert fts_ids("title : numbat") == [SearchDocument.objects.get(record_type="directory.country").pk]
    integrity_check()


def fts_ids(expression: str) -> list[int]:
    return column("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [expression])


def integrity_check() -> None:
    # With rank 1, FTS5 also compares the index with the external content table (search_searchdocument).
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")


def test_fts5_table_follows_inserts_updates_and_deletes(sqlite):
    made = record(title="Axolotl survey")
    document = SearchDocument.objects.get(record_type="programmes.programme", object_id=made.pk)
    assert fts_ids("axolotl") == [document.pk]

    SearchDocument.objects.filter(pk=document.pk).update(title="Quokka survey")

    assert fts_ids("axolotl") == []
    assert fts_ids("quokka") == [document.pk]
    integrity_check()

    SearchDocument.objects.filter(pk=document.pk).delete()

    assert fts_ids("quokka") == []
    integrity_check()


def test_rebuild_leaves_planner_statistics_of_the_index_it_wrote(sqlite):
    record(title="Axolotl survey")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchfacet")
    for title in ("Quokka survey", "Numbat survey", "Wombat survey"):
        record(title=title)

    search_index_rebuild()

    rows = column("SELECT stat FROM sqlite_stat1 WHERE tbl = 'search_searchfacet'")
    assert rows and {int(stat.split()[0]) for stat in rows} == {SearchFacet.objects.count()}
    rows = column("SELECT stat FROM sqlite_stat1 WHERE tbl = 'search_searchdocument'")
    assert rows and {int(stat.split()[0]) for stat in rows} == {SearchDocument.objects.count()}


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_that_commits_vacuums_and_analyzes_the_index_tables(postgresql):
    """Every document is deleted and written again: without a vacuum, searches read past the dead rows until
    autovacuum comes by, and are planned on the statistics of before."""
    for title in ("Quokka survey", "Numbat survey"):
        record(title=title)
    (started,) = one("SELECT clock_timestamp()")

    search_index_rebuild()

    one("SELECT pg_stat_clear_snapshot()")
    tidied = {
        table: (vacuumed, analyzed)
        for table, vacuumed, analyzed in column_rows(
            "SELECT relname, last_vacuum, last_analyze FROM pg_stat_user_tables"
            " WHERE relid IN ('search_searchdocument'::regclass, 'search_searchfacet'::regclass)"
        )
    }
    assert set(tidied) == {"search_searchdocument", "search_searchfacet"}
    assert all(vacuumed and vacuumed >= started and analyzed >= started for vacuumed, analyzed in tidied.values())


def test_broad_query_sample_has_a_partial_index_with_the_backends_modulus(postgresql):
    (definition,) = one("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_sample'")

    assert "USING gin (search_vector)" in definition
    assert definition.endswith(f"WHERE ((id % ({SAMPLE_MODULUS})::bigint) = 0)")


def test_no_single_column_index_duplicates_a_composite_one():
    with connection.cursor() as cursor:
        single = {
            (table, details["columns"][0])
            for table in ("search_searchdocument", "search_searchfacet")
            for details in connection.introspection.get_constraints(cursor, table).values()
            if details["index"] and not details["primary_key"] and len(details["columns"]) == 1
        }

    assert not single & {
        ("search_searchdocument", "content_type_id"),
        ("search_searchdocument", "slug"),
        ("search_searchfacet", "document_id"),
    }
