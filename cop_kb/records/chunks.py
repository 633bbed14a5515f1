"""Records read a chunk at a time with what whole-data files write about them, as plain values.

The whole-data downloads and CSV exports write every public record with its tags, aliases, sources and the links it
makes. ``prefetch_related`` would load these in a fixed number of queries too, but it builds a queryset for every
relation of every record it fills (and each ``.all()`` another), which cost about 2 ms per record: the JSON-LD
download took 93 s at 10,000 records. Here each chunk's rows are read with one ``values_list`` query per relation
and handed out as lists, so the time grows with the rows read and the queries with the number of chunks.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .link_groups import LinkEntry, LinkGroup, _grouped, _single_links, link_select_related
from .links import _is_forward, _link_fields, _typed_ends
from .models import Alias, Source, public_q
from .models.record import detail_url

CHUNK_SIZE = 500


@dataclass(frozen=True, slots=True)
class LinkedRecord:
    """A public record at the other end of a link, as outputs name it: its type, slug and title."""

    model: type
    pk: int
    slug: str
    title: str

    is_public = True

    @property
    def _meta(self):
        return self.model._meta

    def get_absolute_url(self, script_prefix: str | None = None) -> str:
        return detail_url(self.model.url_name, self.slug, script_prefix)


@dataclass
class Loaded:
    """A record with its tags' names, aliases' names, sources and the public links it makes (not its backlinks)."""

    record: models.Model
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    sources: list = field(default_factory=list)
    links: list[LinkEntry] = field(default_factory=list)

    def targets(self, relation: str) -> list:
        """The records one relation (a link field's name or a typed link's kind) leads to."""
        return [entry.target for entry in self.links if entry.relation == relation]

    def link_groups(self) -> list[LinkGroup]:
        """The links grouped as ``links.link_groups(record, backlinks=False)`` groups them."""
        return _grouped((entry.shown_label, entry.inverse, entry.linked_data, entry.target) for entry in self.links)


def _forward_relations(model):
    """(many-to-many link field or reverse typed relation, query name, rows, columns) for each relation ``model``
    records state themselves besides single links: the columns of the rows are (record pk, kind, target pk, slug,
    title) of public targets. Each chunk filters the rows first, then selects the columns, so both use one join."""
    for role, model_field in _link_fields(model):
        if role == "many":
            query_name = model_field.related_query_name()
            rows = model_field.related_model._default_manager.public().annotate(
                link_kind=models.Value("", output_field=models.CharField())
            )
            yield model_field, query_name, rows, (query_name, "link_kind", "pk", "slug", "title")
        elif role == "typed" and _is_forward(role, model_field):
            typed = model_field.related_model
            _forward, other = _typed_ends(model_field)
            rows = typed.objects.filter(public_q(other))
            columns = (model_field.field.name, "kind", f"{other}__pk", f"{other}__slug", f"{other}__title")
            yield model_field, model_field.field.name, rows, columns


def _links(model, by_pk: dict) -> None:
    pks = list(by_pk)
    for model_field, query_name, rows, columns in _forward_relations(model):
        if model_field.many_to_many:
            target = model_field.related_model
            labels = (model_field.name, str(model_field.label), str(model_field.inverse_label))

            def entry(kind, linked, labels=labels, term=model_field.linked_data):
                return LinkEntry(*labels, False, linked, term)

        else:
            typed = model_field.related_model
            target = typed._meta.get_field(_typed_ends(model_field)[1]).related_model
            kinds = {kind: (kind, str(label), str(inverse)) for kind, (label, inverse) in typed.LABELS.items()}

            def entry(kind, linked, kinds=kinds, typed=typed):
                return LinkEntry(*kinds[kind], False, linked, typed.linked_data_of(kind))

        for pk, kind, target_pk, slug, title in rows.filter(**{f"{query_name}__in": pks}).values_list(*columns):
            by_pk[pk].links.append(entry(kind, LinkedRecord(target, target_pk, slug, title)))


def _load(model, chunk: list, *, sources: bool, links: bool) -> list[Loaded]:
    by_pk = {record.pk: Loaded(record, links=list(_single_links(record)) if links else []) for record in chunk}
    pks = list(by_pk)
    own = {"content_type": ContentType.objects.get_for_model(model), "object_id__in": pks}
    tagged = model.tags.through.objects.filter(**own).order_by("tag__name", "pk")
    for pk, name in tagged.values_list("object_id", "tag__name"):
        by_pk[pk].tags.append(name)
    for pk, name in Alias.objects.filter(**own).values_list("object_id", "name"):
        by_pk[pk].aliases.append(name)
    if sources:
        for source in Source.objects.filter(**own).only("object_id", "title", "url", "supports"):
            by_pk[source.object_id].sources.append(source)
    if links:
        _links(model, by_pk)
    return list(by_pk.values())


def loaded_in_chunks(
    queryset: models.QuerySet, *, chunk_size: int = CHUNK_SIZE, sources: bool = False, links: bool = True
) -> Iterator[Loaded]:
    """Every record of ``queryset`` (in its order) with its tags, aliases, sources (if asked) and the public links it
    makes (unless not asked), ``chunk_size`` records at a time: one query per relation per chunk, plain rows."""
    model = queryset.model
    queryset = queryset.prefetch_related(None)  # whatever a caller prefetches is read here instead, as plain rows
    if links:
        queryset = queryset.select_related(*link_select_related(model))
    records = queryset.iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(records, chunk_size)):
        yield from _load(model, chunk, sources=sources, links=links)


def queries_per_chunk(model, *, sources: bool = False, links: bool = True) -> int:
    """How many queries ``loaded_in_chunks`` runs for each chunk besides the records' own."""
    return 2 + sources + (len(list(_forward_relations(model))) if links else 0)
