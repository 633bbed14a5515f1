"""Serializers made from the registry: a record's own fields from its model, its links from the link declarations.

One class is built per record type (``record_serializer``), named after the model so the OpenAPI schema has one
component per type; nothing here names a type. Links come from ``link_entries``, the same declarations the detail
pages group by label, so every link appears both ways: on the record that declares it and on its target.
"""

import functools

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cop_kb.records.link_groups import LinkEntry, link_entries
from cop_kb.records.models import Record
from cop_kb.records.registry import RecordType, record_type_of

# Fields every record has that say how it is kept, not what it is; the body is given as its rendered, sanitised HTML.
INTERNAL_FIELDS = {"id", "status", "body", "last_verified_by", "last_verified_on", "review_interval_days"}


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


def _link(request, entry: LinkEntry) -> dict:
    target = entry.target
    target_type = record_type_of(target._meta.label_lower)
    return {
        "relation": entry.relation,
        "label": entry.label,
        "inverse_label": entry.inverse_label,
        "direction": "inverse" if entry.inverse else "forward",
        "target": {
            "type": target_type.slug,
            "slug": target.slug,
            "title": target.title,
            "api_url": api_url(request, target_type, target.slug),
            "url": request.build_absolute_uri(target.get_absolute_url()),
        },
    }


class RecordSerializer(serializers.ModelSerializer):
    """What every record type shares; ``record_serializer`` adds each model's own fields."""

    type = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    aliases = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    SHARED = ("type", "slug", "title", "url", "api_url", "summary", "body_html", "created_at", "updated_at")
    RELATED = ("aliases", "tags", "sources", "links")

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

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, record) -> list[dict]:
        return [_link(self.context["request"], entry) for entry in link_entries(record)]


def own_fields(model: type[Record]) -> tuple[str, ...]:
    """The model's own stored fields that describe the record (not links, which are listed as links)."""
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if field.name not in INTERNAL_FIELDS and field.name not in RecordSerializer.SHARED and not field.is_relation
    )


@functools.cache
def record_serializer(model: type[Record]) -> type[RecordSerializer]:
    """The serializer of one record type: shared fields, the model's own, then aliases, tags, sources and links."""
    fields = (*RecordSerializer.SHARED, *own_fields(model), *RecordSerializer.RELATED)
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}Record", (RecordSerializer,), {"Meta": meta, "__module__": __name__})
