"""Serializers made from the registry: a record's own fields from its model, its links from the link declarations.

One class is built per record type (``record_serializer``), named after the model so the OpenAPI schema has one
component per type; nothing here names a type. Links come from the same declarations the detail pages group by label
(``bounded_link_groups``), so every link appears both ways: on the record that declares it and on its target; each
relation lists its first few links only, with how many there are and where to read them all.
"""

import functools

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cop_kb.records.link_bounds import bounded_link_groups
from cop_kb.records.link_groups import LinkEntry
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.records.models import Record
from cop_kb.records.registry import RecordType, record_type_of

# Fields every record has that say how it is kept, not what it is; the body is given as its rendered, sanitised HTML.
INTERNAL_FIELDS = {"id", "status", "body", "last_verified_by", "last_verified_on", "review_interval_days"}
# Links listed per relation: a detail lists as many as the record's page shows; a list page holds up to 100 records,
# so each lists fewer, keeping a page of records linked to a popular one small (its ``links_url`` has them all).
DETAIL_LINKS = BACKLINKS_SHOWN
LIST_LINKS = 10


def api_url(request, record_type: RecordType, slug: str | None = None) -> str:
    if slug is None:
        return request.build_absolute_uri(reverse("api:list", kwargs={"type_slug": record_type.slug}))
    return request.build_absolute_uri(reverse("api:detail", kwargs={"type_slug": record_type.slug, "slug": slug}))


class TargetSerializer(serializers.Serializer):
    """The record at the other end of a link."""

    type = serializers.CharField(help_text="The target's record type, as named in API addresses.")
    slug = serializers.SlugField()
    title = serializers.CharField()
    api_url = serializers.URLField()
    url = serializers.URLField(help_text="Its page on the site.")


class LinkSerializer(serializers.Serializer):
    """A typed link: ``relation`` as declared, read in ``direction`` from the record that carries this object."""

    relation = serializers.CharField(help_text="The relation's name: a link field, or a typed link's kind.")
    label = serializers.CharField(help_text="What the declaring record does to the other: 'Supplements'.")
    inverse_label = serializers.CharField(help_text="The same relation read backwards: 'Is supplemented by'.")
    direction = serializers.ChoiceField(
        choices=["forward", "inverse"],
        help_text="forward: this record <label> the target; inverse: the target <label> this record.",
    )
    target = TargetSerializer()


class TagSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="An address, or empty.")
    supports = serializers.CharField(help_text="The facts of the record this source backs.")


class LinkGroupSerializer(serializers.Serializer):
    """One relation of the record (one kind of a typed link), read one way: how many links it has in all, how many
    ``links`` shows (the first ones in the linked type's own order), and where to read them all."""

    relation = serializers.CharField(help_text="As in `links`: a link field's name, or a typed link's kind.")
    direction = serializers.ChoiceField(choices=["forward", "inverse"])
    label = serializers.CharField(help_text="How the record reads it: the label, or the inverse label for inverse.")
    count = serializers.IntegerField(min_value=0, help_text="How many public records it links in all.")
    shown = serializers.IntegerField(
        min_value=0,
        help_text=f"How many of them `links` lists: at most {DETAIL_LINKS} in a detail, {LIST_LINKS} in a list.",
    )
    links_url = serializers.URLField(
        allow_null=True, help_text="Every linked record, a page at a time (null for a single link: it is shown)."
    )


def target_of(request, target) -> dict:
    """The record at the other end of a link, as ``TargetSerializer`` describes it."""
    target_type = record_type_of(target._meta.label_lower)
    return {
        "type": target_type.slug,
        "slug": target.slug,
        "title": target.title,
        "api_url": api_url(request, target_type, target.slug),
        "url": request.build_absolute_uri(target.get_absolute_url()),
    }


def _link(request, entry: LinkEntry) -> dict:
    return {
        "relation": entry.relation,
        "label": entry.label,
        "inverse_label": entry.inverse_label,
        "direction": "inverse" if entry.inverse else "forward",
        "target": target_of(request, entry.target),
    }


def links_url(request, record, path: str, kind: str) -> str:
    """The API address listing every record one relation of ``record`` leads to."""
    record_type = record_type_of(record._meta.label_lower)
    kwargs = {"type_slug": record_type.slug, "slug": record.slug, "relation": path}
    address = reverse("api:links", kwargs=kwargs) + (f"?kind={kind}" if kind else "")
    return request.build_absolute_uri(address)


class RecordListSerializer(serializers.ListSerializer):
    """A page of records: the links of every record on it read together, ``LIST_LINKS`` per relation, in one query
    whatever the page size."""

    def to_representation(self, data):
        records = list(data)
        groups = bounded_link_groups(records, LIST_LINKS)
        for record in records:
            record._api_link_groups = groups[record.pk]
        return super().to_representation(records)


class RecordSerializer(serializers.ModelSerializer):
    """What every record type shares; ``record_serializer`` adds each model's own fields. ``links`` lists each
    relation's first links, ``link_groups`` says for each how many there are and where to read them all: in a
    detail ``DETAIL_LINKS`` per relation, in a list ``LIST_LINKS`` (``RecordListSerializer`` reads them)."""

    type = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    aliases = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    link_groups = serializers.SerializerMethodField()

    SHARED = ("type", "slug", "title", "url", "api_url", "summary", "body_html", "created_at", "updated_at")
    RELATED = ("aliases", "tags", "sources", "links", "link_groups")

    def get_type(self, record) -> str:
        return record_type_of(record._meta.label_lower).slug

    def get_url(self, record) -> str:
        return self.context["request"].build_absolute_uri(record.get_absolute_url())

    def get_api_url(self, record) -> str:
        return api_url(self.context["request"], record_type_of(record._meta.label_lower), record.slug)

    def get_aliases(self, record) -> list[str]:
        return [alias.name for alias in record.aliases.all()]

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, record) -> list[dict]:
        return [{"slug": tag.slug, "name": tag.name} for tag in record.tags.all()]

    @extend_schema_field(SourceSerializer(many=True))
    def get_sources(self, record) -> list[dict]:
        return [{"title": s.title, "url": s.url, "supports": s.supports} for s in record.sources.all()]

    def _groups(self, record):
        # A record on its own (a detail); a list has read every record's links already.
        if not hasattr(record, "_api_link_groups"):
            record._api_link_groups = bounded_link_groups([record], DETAIL_LINKS)[record.pk]
        return record._api_link_groups

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, record) -> list[dict]:
        request = self.context["request"]
        return [_link(request, entry) for group in self._groups(record) for entry in group.entries]

    @extend_schema_field(LinkGroupSerializer(many=True))
    def get_link_groups(self, record) -> list[dict]:
        request = self.context["request"]
        return [
            {
                "relation": group.relation,
                "direction": "inverse" if group.entries[0].inverse else "forward",
                "label": group.entries[0].shown_label,
                "count": group.count,
                "shown": len(group.entries),
                "links_url": links_url(request, record, group.path, group.kind) if group.path else None,
            }
            for group in self._groups(record)
        ]


def own_fields(model: type[Record]) -> tuple[str, ...]:
    """The model's own stored fields that describe the record (not links, which are listed as links)."""
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if field.name not in INTERNAL_FIELDS and field.name not in RecordSerializer.SHARED and not field.is_relation
    )


@functools.cache
def record_serializer(model: type[Record]) -> type[RecordSerializer]:
    """The serializer of one record type, for its lists and its details alike: shared fields, the model's own, then
    aliases, tags, sources, links and link groups."""
    fields = (*RecordSerializer.SHARED, *own_fields(model), *RecordSerializer.RELATED)
    meta = type("Meta", (), {"model": model, "fields": fields, "list_serializer_class": RecordListSerializer})
    return type(f"{model.__name__}Record", (RecordSerializer,), {"Meta": meta, "__module__": __name__})
