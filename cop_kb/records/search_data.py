"""What the search index reads of many records at once, loaded without Django's per-record prefetch bookkeeping.

``RecordQuerySet.for_search()`` loads the same for a few records; for a rebuild of 100,000 this fills the caches
``Record.search_data()`` reads (tags, aliases, the public records behind search facets) with one query each.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from taggit.models import Tag, TaggedItem

from .models import Alias, public_q


def prefetch_for_search(model, records: list) -> None:
    """Fill the prefetch caches search_data() reads (tags, aliases, public facet links) with one query each.

    Django's prefetch_related builds a filtered queryset per record and relation to hold the result; at 100,000
    records that bookkeeping costs more than the queries themselves.
    """
    pks = [record.pk for record in records]
    content_type = ContentType.objects.get_for_model(model)
    caches: dict[int, dict[str, list]] = {pk: {"tags": [], "aliases": []} for pk in pks}
    # One instance per tag and per linked record, shared by every record that has it: building model instances is
    # most of the cost here.
    tags: dict[int, Tag] = {}
    tagged = TaggedItem.objects.filter(content_type=content_type, object_id__in=pks)
    for object_id, tag_id, name, slug in tagged.values_list("object_id", "tag_id", "tag__name", "tag__slug"):
        tag = tags.get(tag_id) or tags.setdefault(tag_id, Tag(pk=tag_id, name=name, slug=slug))
        caches[object_id]["tags"].append(tag)
    for alias in Alias.objects.filter(content_type=content_type, object_id__in=pks):
        caches[alias.object_id]["aliases"].append(alias)
    for path in model.search_facet_links.values():
        related = model._meta.get_field(path).related_model
        for cache in caches.values():
            cache[path] = []
        rows = (
            model.objects.filter(public_q(path), pk__in=pks)
            .order_by()
            .values_list("pk", f"{path}__pk", f"{path}__slug")
        )
        linked: dict[int, models.Model] = {}
        for pk, linked_pk, slug in rows:
            instance = linked.get(linked_pk) or linked.setdefault(linked_pk, related(pk=linked_pk, slug=slug))
            caches[pk][path].append(instance)
    for record in records:
        record._prefetched_objects_cache = caches[record.pk]
