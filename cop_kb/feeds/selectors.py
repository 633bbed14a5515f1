"""What a feed lists: the most recently updated public records of a set of querysets, read in one query."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from cop_kb.records.batch import prepared_over, rows_of_each
from cop_kb.records.links import linked_public
from cop_kb.records.models import Record, Status
from cop_kb.records.registry import RecordType, record_models, record_type_by_slug, record_type_of

# A feed says what changed lately, not everything: the 50 most recently updated records.
FEED_LENGTH = 50
_COLUMNS = ("pk", "slug", "title", "summary", "created_at", "updated_at")


@dataclass(frozen=True)
class Change:
    """One entry of a feed: a public record as it is now, and its type."""

    record: Record
    record_type: RecordType


def has_record_feeds(record_type: RecordType) -> bool:
    """Whether each record of the type has a feed of what is linked to it: the types other records are filed
    under (countries, strategic areas: a search facet's values), read from the registry."""
    return bool(record_type.search_facet_self)


def feed_record_type(slug: str, *, of_records: bool = False) -> RecordType | None:
    """The record type a feed address names, or None; ``of_records``: only a type whose records have feeds."""
    found = record_type_by_slug(slug)
    if found is None or (of_records and not has_record_feeds(found)):
        return None
    return found


def _as_datetime(value) -> datetime:
    """A time as the database sent it in a raw row: PostgreSQL an aware datetime, SQLite a string in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _latest(querysets: list[QuerySet], length: int) -> list[QuerySet]:
    """Each queryset's ``length`` public records updated last, as rows of ``_COLUMNS``, newest first."""
    return [queryset.public().order_by("-updated_at", "-pk").values_list(*_COLUMNS)[:length] for queryset in querysets]


def _change(model: type[Record], row: tuple) -> Change:
    """A feed's entry for a row of ``_COLUMNS`` of a public record of ``model``."""
    pk, slug, title, summary, created, updated = row
    record = model.shown(
        pk=pk,
        slug=slug,
        title=title,
        summary=summary,
        status=Status.PUBLISHED,
        created_at=_as_datetime(created),
        updated_at=_as_datetime(updated),
    )
    return Change(record=record, record_type=record_type_of(model._meta.label_lower))


def _changes(models: list[type[Record]], every_rows: list[list[tuple]], length: int) -> list[Change]:
    """The ``length`` newest of the rows ``_latest`` read for ``models`` (one model each), each record once."""
    seen, dated = set(), []
    for model, rows in zip(models, every_rows, strict=True):
        slug = record_type_of(model._meta.label_lower).slug  # reverses a URL: once per type, not once per comparison
        for row in rows:
            if (model, row[0]) not in seen:
                seen.add((model, row[0]))
                dated.append(((_as_datetime(row[5]), row[0], slug), model, row))
    dated.sort(key=lambda entry: entry[0], reverse=True)
    return [_change(model, row) for _key, model, row in dated[:length]]


def recent_changes(querysets: list[QuerySet]) -> list[Change]:
    """The ``FEED_LENGTH`` public records of ``querysets`` (each of one record type) updated last, newest first,
    each once; one query whatever the number of querysets, each part bounded by its own index order."""
    every_rows = rows_of_each(_latest(querysets, FEED_LENGTH))
    return _changes([queryset.model for queryset in querysets], every_rows, FEED_LENGTH)


def _of_types(models: list[type[Record]], length: int) -> list[Change]:
    """The latest ``length`` changes to public records of ``models`` (each once in the list, so each record once):
    each type's newest, and of those the newest, picked by the database, which sends only them. A read that depends
    on nothing else, so its statement is prepared once (``prepared_over``)."""
    newest = f"SELECT * FROM batch ORDER BY updated_at DESC, pk DESC, batch_part DESC LIMIT {int(length)}"  # noqa: S608
    shape = ("latest changes", *models, length)
    rows = prepared_over(shape, lambda: _latest([model.objects.all() for model in models], length), _COLUMNS, newest)
    return [_change(models[part], row) for part, _row, *row in rows]


def site_changes(length: int = FEED_LENGTH) -> list[Change]:
    """The latest changes to public records of every type (``length`` of them: the home page names a few)."""
    return _of_types(record_models(), length)


def type_changes(record_type: RecordType) -> list[Change]:
    """The latest changes to public records of one type."""
    return _of_types([record_type.model], FEED_LENGTH)


def linked_changes(record: Record) -> list[Change]:
    """The latest changes to public records linked to or from ``record``, in either direction."""
    return recent_changes(linked_public(record))
