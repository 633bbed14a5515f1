"""What a feed lists: the most recently updated public records of a set of querysets, read in one query."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from cop_kb.records.batch import rows_of_each
from cop_kb.records.links import linked_public
from cop_kb.records.models import Record, Status
from cop_kb.records.registry import RecordType, record_type_by_slug, record_type_of, record_types

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


def recent_changes(querysets: list[QuerySet]) -> list[Change]:
    """The ``FEED_LENGTH`` public records of ``querysets`` (each of one record type) updated last, newest first,
    each once; one query whatever the number of querysets, each part bounded by its own index order."""
    parts = [
        queryset.public().order_by("-updated_at", "-pk").values_list(*_COLUMNS)[:FEED_LENGTH] for queryset in querysets
    ]
    seen, changes = set(), []
    for queryset, rows in zip(querysets, rows_of_each(parts), strict=True):
        model = queryset.model
        record_type = record_type_of(model._meta.label_lower)
        for pk, slug, title, summary, created, updated in rows:
            if (model, pk) in seen:
                continue
            seen.add((model, pk))
            record = model(
                pk=pk,
                slug=slug,
                title=title,
                summary=summary,
                status=Status.PUBLISHED,
                created_at=_as_datetime(created),
                updated_at=_as_datetime(updated),
            )
            changes.append(Change(record=record, record_type=record_type))
    changes.sort(key=lambda change: (change.record.updated_at, change.record.pk, change.record_type.slug), reverse=True)
    return changes[:FEED_LENGTH]


def site_changes() -> list[Change]:
    """The latest changes to public records of every type."""
    return recent_changes([entry.model.objects.public() for entry in record_types()])


def type_changes(record_type: RecordType) -> list[Change]:
    """The latest changes to public records of one type."""
    return recent_changes([record_type.model.objects.public()])


def linked_changes(record: Record) -> list[Change]:
    """The latest changes to public records linked to or from ``record``, in either direction."""
    return recent_changes(linked_public(record))
