"""A record's own rows (its tags, aliases and sources) for its page, read with statements prepared once per record
type, instead of the prefetches the ORM builds and compiles at every request."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .batch import prepared_rows
from .models import Alias, Source

# The record's relations, as ``prefetch_related`` names them.
OWN_ROWS = ("tags", "aliases", "sources")


def _columns(model) -> list[str]:
    """Every field of ``model``, in the order its records are made from a row (``from_db``)."""
    return [model_field.attname for model_field in model._meta.concrete_fields]


def _every_column(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.values_list(*_columns(queryset.model))


def _reads(model) -> list[Callable[[int], list[models.QuerySet]]]:
    """For each of ``OWN_ROWS``, how to build its read for one record of ``model`` (from its key)."""
    through = model.tags.through
    tagged = through.tag_relname()

    def own(pk: int) -> dict:
        # The key as an expression: these positive fields cannot take the stand-in key (see ``batch._compiled``).
        return {"content_type": ContentType.objects.get_for_model(model), "object_id": models.Value(pk)}

    def tags(pk: int) -> list[models.QuerySet]:
        rows = through.tag_model().objects.filter(**{f"{tagged}__{name}": value for name, value in own(pk).items()})
        # By name, as the whole-data download lists them.
        return [_every_column(rows.order_by("name", "pk"))]

    def aliases(pk: int) -> list[models.QuerySet]:
        return [_every_column(Alias.objects.filter(**own(pk)))]

    def sources(pk: int) -> list[models.QuerySet]:
        return [_every_column(Source.objects.filter(**own(pk)))]

    return [tags, aliases, sources]


def with_own_rows(record):
    """``record`` with its tags, aliases and sources in place, where ``prefetch_related(*OWN_ROWS)`` would put them:
    ``record.tags.all()`` and the others read no more, and remain querysets like any other."""
    model = type(record)
    cache = record.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, read in zip(OWN_ROWS, _reads(model), strict=True):
        # Rows of different columns: a read each (``prepared_rows`` joins only parts of the same columns).
        (rows,) = prepared_rows(("own rows", name, model), read, record.pk)
        queryset = getattr(record, name).get_queryset()
        names = _columns(queryset.model)
        # As Django's prefetch leaves each relation: its queryset, holding the records it read.
        queryset._result_cache = [queryset.model.from_db(queryset.db, names, row) for row in rows]
        queryset._prefetch_done = True
        cache[name] = queryset
    return record
