"""One record's own state — fields, links, aliases, sources, typed link rows, tags — taken and restored as a unit.

Reverting, recovering and publishing an editor's pending changes all restore exactly one record. A revision may
hold many records (an import, a bulk action made before each record got its own), so nothing here ever restores
"the revision": it picks this record's rows out of it and leaves every other record alone.
"""

from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, transaction

from .links import typed_link_relations
from .models import Alias, Record, Source

ALIAS_FIELDS = ("name", "kind")
SOURCE_FIELDS = ("title", "url", "supports")


@dataclass
class Snapshot:
    """A record as it stood. ``None`` in a part means "not known": restoring leaves that part as it is."""

    record: str  # the record in Django's JSON serialisation, its many-to-many links included
    aliases: list[dict] | None = None
    sources: list[dict] | None = None
    typed: dict[str, list[dict]] | None = None
    tags: list[str] | None = None

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Snapshot":
        return cls(**data)

    def deserialized(self):
        return next(serializers.deserialize("json", self.record, ignorenonexistent=True))

    def same_content(self, other: "Snapshot") -> bool:
        """Whether both hold the same record content (when each was saved aside)."""
        mine, theirs = self.field_values(), other.field_values()
        for bookkeeping in ("updated_at", "body_html"):
            mine.pop(bookkeeping, None)
            theirs.pop(bookkeeping, None)
        return (mine, self.aliases, self.sources, self.typed, self.tags) == (
            theirs,
            other.aliases,
            other.sources,
            other.typed,
            other.tags,
        )

    def field_values(self) -> dict:
        """Field values by attribute name (``issuing_body_id``), many-to-many links as lists of primary keys."""
        restored = self.deserialized()
        values = {f.attname: getattr(restored.object, f.attname) for f in restored.object._meta.concrete_fields}
        values.update({name: list(pks) for name, pks in restored.m2m_data.items()})
        return values


# Rows keep their ids: the admin's inline forms name rows by id, and a form shown over a snapshot must name the
# same rows when it is posted back over the same snapshot.
def _row_values(row: models.Model, names) -> dict:
    return {"id": row.pk, **{name: getattr(row, name) for name in names}}


def _typed_values(row: models.Model, own_field: str) -> dict:
    """What an editor wrote on a typed link row: not the copies the database keeps on it (``kept_copies``), which
    follow the linked record and would show its retitling as a change of this one."""
    return {
        "id": row.pk,
        **{
            f.attname: getattr(row, f.attname)
            for f in row._meta.concrete_fields
            if not f.primary_key and f.name != own_field and f.editable
        },
    }


def snapshot_of(record: Record) -> Snapshot:
    """The record as the database holds it now (read afresh: nothing a prefetch cached)."""
    model = type(record)
    record = model._default_manager.get(pk=record.pk)
    content_type = ContentType.objects.get_for_model(model)
    own = {"content_type": content_type, "object_id": record.pk}
    return Snapshot(
        record=serializers.serialize("json", [record]),
        aliases=[_row_values(row, ALIAS_FIELDS) for row in Alias.objects.filter(**own).order_by("name")],
        sources=[_row_values(row, SOURCE_FIELDS) for row in Source.objects.filter(**own).order_by("title", "pk")],
        typed={
            accessor: [_typed_values(row, own_field) for row in typed.objects.filter(**{own_field: record})]
            for accessor, typed, own_field in typed_link_relations(model)
        },
        tags=sorted(record.tags.names()),
    )


def snapshot_from_version(version) -> Snapshot:
    """The record of ``version`` with the aliases, sources and typed links saved in the same revision for it alone.

    Tags are not versioned, so a snapshot from a version leaves them as they are.
    """
    model = version.content_type.model_class()
    object_id = int(version.object_id)
    own_type = ContentType.objects.get_for_model(model)
    alias_type, source_type = ContentType.objects.get_for_models(Alias, Source).values()
    relations = typed_link_relations(model)
    # A typed link model may name this record type at both ends (an instrument relation): one entry per end.
    typed_types: dict[int, list[tuple[str, str]]] = {}
    for accessor, typed, own_field in relations:
        typed_types.setdefault(ContentType.objects.get_for_model(typed).pk, []).append((accessor, own_field))
    aliases, sources = [], []
    typed: dict[str, list[dict]] = {accessor: [] for accessor, _typed, _own in relations}
    for other in version.revision.version_set.exclude(pk=version.pk):
        if other.content_type_id in (alias_type.pk, source_type.pk):
            row = other._object_version.object
            if row.content_type_id == own_type.pk and row.object_id == object_id:
                if other.content_type_id == alias_type.pk:
                    aliases.append(_row_values(row, ALIAS_FIELDS))
                else:
                    sources.append(_row_values(row, SOURCE_FIELDS))
        elif other.content_type_id in typed_types:
            row = other._object_version.object
            for accessor, own_field in typed_types[other.content_type_id]:
                if getattr(row, f"{own_field}_id") == object_id:
                    typed[accessor].append(_typed_values(row, own_field))
    # Revisions made before typed links were versioned hold none; "none in the revision" cannot tell "had none" from
    # "not recorded", so such a relation is left as it stands rather than emptied.
    known = {accessor: rows for accessor, rows in typed.items() if rows}
    return Snapshot(record=version.serialized_data, aliases=aliases, sources=sources, typed=known)


def _replace_rows(queryset, model: type[models.Model], rows: list[dict], fixed: dict) -> None:
    """Make the record's rows exactly ``rows``, each under its former id unless another record's row has it now."""
    queryset.delete()
    for values in rows:
        values = dict(values)
        pk = values.pop("id", None)
        if pk is not None and model._default_manager.filter(pk=pk).exists():
            pk = None
        row = model(pk=pk, **values, **fixed)
        row.full_clean()
        row.save(force_insert=True)


def snapshot_restore(snapshot: Snapshot, *, status: str) -> Record:
    """Write ``snapshot`` back as its record (creating it again if it was deleted), with the workflow ``status``.

    The status is the caller's: a revert or recovery brings back content, never publication. Links to records
    deleted since are left out; anything the record's own rules refuse raises ``ValidationError`` and, the caller
    being atomic, changes nothing.
    """
    restored = snapshot.deserialized()
    record = restored.object
    model = type(record)
    record.status = status
    # A deserialised record counts as new; it is new only when it was deleted (so uniqueness excludes itself).
    record._state.adding = not model._default_manager.filter(pk=record.pk).exists()
    record.full_clean()
    record.save()
    for name, pks in restored.m2m_data.items():
        related = model._meta.get_field(name).related_model
        getattr(record, name).set(related._default_manager.filter(pk__in=pks))
    content_type = ContentType.objects.get_for_model(model)
    own = {"content_type": content_type, "object_id": record.pk}
    if snapshot.aliases is not None:
        _replace_rows(Alias.objects.filter(**own), Alias, snapshot.aliases, own)
    if snapshot.sources is not None:
        _replace_rows(Source.objects.filter(**own), Source, snapshot.sources, own)
    for accessor, typed, own_field in typed_link_relations(model):
        rows = (snapshot.typed or {}).get(accessor)
        if rows is None:
            continue
        other_field = typed._meta.get_field(
            typed.target_field if own_field == typed.source_field else typed.source_field
        )
        present = set(
            other_field.related_model._default_manager.filter(
                pk__in=[row[other_field.attname] for row in rows]
            ).values_list("pk", flat=True)
        )
        kept = [row for row in rows if row[other_field.attname] in present]
        _replace_rows(typed.objects.filter(**{own_field: record}), typed, kept, {own_field: record})
    if snapshot.tags is not None:
        record.tags.set(snapshot.tags)
    return record


@contextmanager
def snapshot_shown(snapshot: Snapshot, *, status: str):
    """Inside the block the database holds ``snapshot`` as its record; afterwards it is as it was (for previews)."""
    with transaction.atomic():
        snapshot_restore(snapshot, status=status)
        yield
        transaction.set_rollback(True)
