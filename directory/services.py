"""Writes shared by every record type: create a record with its aliases, sources and tags; set its links."""

from collections.abc import Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from search.services import search_index_remove, search_index_update

from .links import linked_records
from .models import Alias, Record, Source


@transaction.atomic
def record_create(
    *,
    model: type[Record],
    fields: Mapping[str, object],
    tags: Iterable[str] = (),
    aliases: Iterable[Mapping[str, str]] = (),
    sources: Iterable[Mapping[str, str]] = (),
) -> Record:
    """Validate and save a new record together with its tags, aliases and sources, all or nothing."""
    record = model(**fields)
    record.full_clean()
    record.save()
    if tags:
        record.tags.set(list(tags))
    content_type = ContentType.objects.get_for_model(model)
    for alias in aliases:
        row = Alias(content_type=content_type, object_id=record.pk, **alias)
        row.full_clean()
        row.save()
    for source in sources:
        row = Source(content_type=content_type, object_id=record.pk, **source)
        row.full_clean()
        row.save()
    search_index_update([record])
    return record


@transaction.atomic
def record_reindex(record: Record, *, previously_linked: Iterable[Record] = ()) -> None:
    """Refresh the search index after ``record`` or its links changed.

    Linked records are refreshed too, because their search facets (strategic area, country) follow links in
    either direction; ``previously_linked`` names the records it was linked to before the change.
    """
    search_index_update([record, *previously_linked, *linked_records(record)])


@transaction.atomic
def record_unindex(model: type[Record], pks: Iterable[int], *, previously_linked: Iterable[Record] = ()) -> None:
    """Drop deleted records from the search index and refresh the records they were linked to."""
    search_index_remove(model, pks)
    search_index_update(previously_linked)


@transaction.atomic
def typed_link_create(*, model: type[models.Model], fields: Mapping[str, object]) -> models.Model:
    """Validate and save one typed link row (an instrument relation, an organisation's role)."""
    row = model(**fields)
    row.full_clean()
    row.save()
    return row
