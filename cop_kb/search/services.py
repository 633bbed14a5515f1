"""Writes to the search index. Services that change records call these; ``rebuild_search_index`` rebuilds it all.

A record takes part in search by providing ``search_data()`` (see ``cop_kb.records.models.Record``) and ``is_public``;
only public records are ever written to the index, and a record that stops being public is removed from it.
"""

import html
import math
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

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


def _read_round(targets: list, number: int, rounds: int) -> list[tuple[int, list, dict]]:
    """Round ``number`` of ``rounds``: each record type's share of records, with what search_data() reads and the
    names of their linked records (read beforehand, ``_linked_names``)."""
    loaded = []
    for model, content_type_id, pks, related in targets:
        share = math.ceil(len(pks) / rounds)
        chunk = pks[number * share : (number + 1) * share]
        if chunk:
            loaded.append((content_type_id, load_for_search(model.objects.filter(pk__in=chunk)), related))
    return loaded


def _build_round(loaded: list[tuple[int, list, dict]]) -> tuple[list[tuple], dict]:
    """Index rows for a round, and each record's facets by (content type, record id)."""
    rows, facets = [], {}
    for content_type_id, records, related in loaded:
        for record in records:
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
def _round_writer():
    """Runs ``_write_round`` for the rebuild; on PostgreSQL in a second thread, on the same connection.

    Computing the tsvectors of a round keeps the server busy for most of a rebuild, and preparing the next round
    keeps Python busy; on PostgreSQL the two overlap. A psycopg connection may be shared between threads: it runs
    one statement at a time, so the writer works in the rebuild's own transaction and the next round's reads
    simply wait for it. SQLite writes in-process, where a thread would gain nothing: its rounds are written in turn.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield lambda rows, facets: _write_round(cursor, rows, facets)
        return
    connection.ensure_connection()
    raw = connection.connection
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: list[Future] = []

        def write(rows, facets):
            for future in pending:
                future.result()
            pending[:] = [pool.submit(_write_in_thread, raw, rows, facets)]

        yield write
        for future in pending:
            future.result()


def _write_in_thread(raw, rows: list[tuple], facets: dict) -> None:
    with raw.cursor() as cursor:
        _write_round(cursor, rows, facets)


def search_index_rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the public records; returns how many documents were written. Run outside a
    transaction, the backend then tidies its tables (``after_rebuild``), which needs the rebuild committed."""
    from .backends import get_backend

    backend = get_backend()
    done = _rebuild(backend, progress)
    if not connection.in_atomic_block:
        backend.after_rebuild()
    return done


@transaction.atomic
def _rebuild(backend, progress: Callable[[int, int], None] | None) -> int:
    """Documents go in by rounds of about REBUILD_BATCH, each holding the same share of every record type. Index
    order then mixes the types evenly, and a broad query, which ranks the first matches in index order
    (``SearchBackend.rank_candidates``), draws on all of them; each type's records come oldest first."""
    content_changing()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_searchfacet")
    with backend.bulk_load():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchdocument")
        targets = []
        titles: dict = {}
        for model in indexable_models():
            public = model.objects.public()
            pks = list(public.order_by("pk").values_list("pk", flat=True))
            # Every public record's linked names at once, one query per relation (and each linked type's public
            # titles once for the whole rebuild, in ``titles``): read round by round, each query joined the links of
            # a few hundred records and cost about as much as reading them all (SQLite scans the link tables either
            # way), 50 times over at 100,000 records.
            related = related_names(model, pks, records=public, titles=titles)
            targets.append((model, ContentType.objects.get_for_model(model).pk, pks, related))
        total = sum(len(pks) for _model, _type, pks, _related in targets)
        rounds = max(1, math.ceil(total / REBUILD_BATCH))
        done = 0
        with _round_writer() as write:
            built = None
            for number in range(rounds):
                loaded = _read_round(targets, number, rounds)
                if built:
                    write(*built)
                # On PostgreSQL this overlaps the write of the previous round.
                built = _build_round(loaded)
                done += len(built[0])
                if progress:
                    progress(done, total)
            if built:
                write(*built)
    return done
