"""Writes to the search index. Services that change records call these; ``rebuild_search_index`` rebuilds it all.

A record takes part in search by providing ``search_data()`` (see ``cop_kb.records.models.Record``) and ``is_public``;
only public records are ever written to the index, and a record that stops being public is removed from it.
"""

import html
import math
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, models, transaction

from cop_kb.records.content_version import content_changing
from cop_kb.records.registry import record_models
from cop_kb.records.search_data import load_for_search, related_names

from .backends.base import PRIVATE_MARKERS
from .models import SearchDocument, SearchFacet

BATCH_SIZE = 1000


def indexable_models() -> list[type[models.Model]]:
    """Every record type: each describes itself to the index (``search_data``)."""
    return record_models()


def plain_text(value: str) -> str:
    """Text as the index stores it: single spaces and none of search's private markers.

    Only the body is HTML (``body_text``); a title such as "Guide to <script> filtering" is kept as written.
    """
    text = value or ""
    for marker in PRIVATE_MARKERS:
        text = text.replace(marker, " ")
    return " ".join(text.split())


_TAG = re.compile(r"<[^>]*>")


def body_text(body_html: str) -> str:
    """A record's rendered body as plain text.

    The body comes out of nh3 (``cop_kb.records.markdown``), so every tag is well formed: a regex strips it, 20x faster
    than ``strip_tags()``'s HTML parser, and a space per tag keeps the words of adjacent blocks apart.
    """
    return plain_text(html.unescape(_TAG.sub(" ", body_html or "")))


DOCUMENT_COLUMNS = [
    "content_type_id",
    "object_id",
    "record_type",
    "slug",
    "url",
    "title",
    "aliases",
    "summary",
    "tags",
    "body",
    "related",
    "backlinked",
    "year",
]


def _lines(names: list[str], years: list[int] = ()) -> str:
    return "\n".join([*(plain_text(name) for name in names), " ".join(str(year) for year in years)]).strip()


def _document_row(record, content_type_id: int, data: dict, related: tuple[list[str], list[str]]) -> tuple:
    """The index row for ``record`` (its ``search_data()`` and ``related_names`` given), in DOCUMENT_COLUMNS order."""
    return (
        content_type_id,
        record.pk,
        record._meta.label_lower,
        record.slug,
        data["url"],
        plain_text(data["title"]),
        "\n".join(plain_text(alias) for alias in data["aliases"]),
        plain_text(data["summary"]),
        " ".join(plain_text(tag) for tag in data["tags"]),
        body_text(data["body"]),
        # The names of the records it links to, then its years; the names of the records linking to it.
        _lines(related[0], data["years"]),
        _lines(related[1]),
        data["year"],
    )


def _document(record, content_type: ContentType, related: tuple) -> tuple[SearchDocument, list[tuple[str, str]]]:
    data = record.search_data()
    row = _document_row(record, content_type.pk, data, related)
    return SearchDocument(**dict(zip(DOCUMENT_COLUMNS, row, strict=True))), sorted(set(data["facets"]))


def _write(pairs: list[tuple[SearchDocument, list[tuple[str, str]]]]) -> None:
    documents = SearchDocument.objects.bulk_create([document for document, _facets in pairs])
    SearchFacet.objects.bulk_create(
        [
            SearchFacet(document=document, facet=facet, value=value[:120])
            for document, (_unsaved, facets) in zip(documents, pairs, strict=True)
            for facet, value in facets
        ],
        batch_size=BATCH_SIZE,
    )


@transaction.atomic
def search_index_update(records: Iterable[models.Model]) -> None:
    """Bring the index up to date for ``records``: write public ones afresh, drop the others.

    Records are reloaded with what the index needs (aliases, tags, linked records and their names), so callers may
    pass what they have at hand after a save, including records whose links just changed. A fixed number of queries
    per record type and BATCH_SIZE records, however many records are linked.
    """
    content_changing()
    by_model: dict[type, set[int]] = {}
    for record in records:
        by_model.setdefault(type(record), set()).add(record.pk)
    for model, pks in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        ordered = sorted(pks)
        for start in range(0, len(ordered), BATCH_SIZE):
            batch = ordered[start : start + BATCH_SIZE]
            stored = SearchDocument.objects.filter(content_type=content_type, object_id__in=batch)
            # A document written afresh keeps its id: equal ranks are told apart by it, so a record whose neighbour
            # changed keeps its place among records that rank the same.
            ids = dict(stored.values_list("object_id", "pk"))
            stored.delete()
            fresh = load_for_search(model.objects.public().filter(pk__in=batch))
            related = related_names(model, [record.pk for record in fresh])
            pairs = [_document(record, content_type, related[record.pk]) for record in fresh]
            for document, _facets in pairs:
                document.pk = ids.get(document.object_id)
            _write(pairs)


@transaction.atomic
def search_index_remove(model: type[models.Model], pks: Iterable[int]) -> None:
    """Drop deleted records from the index."""
    content_changing()
    content_type = ContentType.objects.get_for_model(model)
    SearchDocument.objects.filter(content_type=content_type, object_id__in=list(pks)).delete()


REBUILD_BATCH = 2000


def _insert_rows(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Bulk-insert plain rows, no model instances: COPY on PostgreSQL, multi-row INSERTs on SQLite."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    # SQLite allows at most 32,766 bound parameters in a statement.
    per_statement = 30_000 // len(columns)
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(batch))}",  # noqa: S608 - fixed names
            [value for row in batch for value in row],
        )


def _round(targets: list, number: int, rounds: int) -> tuple[list[tuple], dict]:
    """Round ``number`` of ``rounds``: each record type's share of records, read with what search_data() needs, as
    index rows, and each record's facets by (content type, record id)."""
    rows, facets = [], {}
    for model, content_type_id, pks, related in targets:
        share = math.ceil(len(pks) / rounds)
        # An empty share (a type with fewer records than rounds) reads nothing: Django skips ``IN ()``.
        for record in load_for_search(model.objects.filter(pk__in=pks[number * share : (number + 1) * share])):
            data = record.search_data()
            rows.append(_document_row(record, content_type_id, data, related[record.pk]))
            facets[(content_type_id, record.pk)] = sorted(set(data["facets"]))
    return rows, facets


def _write_round(cursor, rows: list[tuple], facets: dict) -> None:
    """Insert a round's documents, then their facet rows (which need the documents' new ids)."""
    cursor.execute("SELECT coalesce(max(id), 0) FROM search_searchdocument")
    (before,) = cursor.fetchone()
    _insert_rows(cursor, "search_searchdocument", DOCUMENT_COLUMNS, rows)
    cursor.execute("SELECT content_type_id, object_id, id FROM search_searchdocument WHERE id > %s", [before])
    facet_rows = [
        (document_id, facet, value[:120])
        for content_type_id, object_id, document_id in cursor.fetchall()
        for facet, value in facets.get((content_type_id, object_id), ())
    ]
    _insert_rows(cursor, "search_searchfacet", ["document_id", "facet", "value"], facet_rows)


@contextmanager
def _reader(apart: bool) -> Iterator[ThreadPoolExecutor | None]:
    """Where the rebuild reads records: with ``apart``, a second thread, on a database connection of its own.

    Writing a round keeps the database busy for most of a rebuild (the tsvectors, TOAST, the GIN indexes), and
    reading and building the next keeps Python and the database busy. A connection runs one statement at a time, so
    on the rebuild's own the reads waited for every write (at 100,000 records on PostgreSQL, reading took 44 s
    and writing 45 s, one after the other); apart, they overlap. The rebuild writes only the index, so the other
    connection reads the same committed records this one would. A caller's transaction (a test's) holds records no
    other connection sees, so then, as on SQLite (which writes in-process), the records are read here.
    """
    if not apart:
        yield None
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            yield pool
        finally:
            # Run in the reader's thread, it closes that thread's connections only.
            pool.submit(connections.close_all)


def _later(reader: ThreadPoolExecutor | None, function: Callable, *args) -> Future:
    """``function(*args)`` run by the reader, or here and now without one."""
    if reader is not None:
        return reader.submit(function, *args)
    done: Future = Future()
    done.set_result(function(*args))
    return done


def _targets() -> list[tuple]:
    """(model, content type id, public pks, their linked names) of each record type."""
    targets = []
    titles: dict = {}
    for model in indexable_models():
        public = model.objects.public()
        pks = list(public.order_by("pk").values_list("pk", flat=True))
        # Every public record's linked names at once, one query per relation (and each linked type's public titles
        # once for the whole rebuild, in ``titles``): read round by round, each query joined the links of a few
        # hundred records and cost about as much as reading them all (SQLite scans the link tables either way), 50
        # times over at 100,000 records.
        related = related_names(model, pks, records=public, titles=titles)
        targets.append((model, ContentType.objects.get_for_model(model).pk, pks, related))
    return targets


def search_index_rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the public records; returns how many documents were written. Run outside a
    transaction, the backend then tidies its tables (``after_rebuild``), which needs the rebuild committed."""
    from .backends import get_backend

    backend = get_backend()
    # Autocommit off would leave the caller's writes uncommitted, invisible to a second connection, as in a transaction.
    outside = connection.get_autocommit() and not connection.in_atomic_block
    done = _rebuild(backend, progress, read_apart=outside and connection.vendor == "postgresql")
    if outside:
        backend.after_rebuild()
    return done


@transaction.atomic
def _rebuild(backend, progress: Callable[[int, int], None] | None, *, read_apart: bool) -> int:
    """Documents go in by rounds of about REBUILD_BATCH, each holding the same share of every record type. Index
    order then mixes the types evenly, and a broad query, which ranks the first matches in index order
    (``SearchBackend.rank_candidates``), draws on all of them; each type's records come oldest first."""
    content_changing()
    with _reader(read_apart) as reader:
        planned = _later(reader, _targets)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchfacet")
        with backend.bulk_load(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchdocument")
            targets = planned.result()
            total = sum(len(pks) for _model, _type, pks, _related in targets)
            rounds = max(1, math.ceil(total / REBUILD_BATCH))
            ahead = _later(reader, _round, targets, 0, rounds)
            done = 0
            for number in range(1, rounds + 1):
                rows, facets = ahead.result()
                if number < rounds:
                    # Read while this round is written.
                    ahead = _later(reader, _round, targets, number, rounds)
                _write_round(cursor, rows, facets)
                done += len(rows)
                if progress:
                    progress(done, total)
    return done
