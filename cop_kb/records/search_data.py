"""What the search index reads of many records at once, loaded without Django's per-record prefetch bookkeeping.

``load_for_search`` loads records with the caches ``Record.search_data()`` reads (tags, aliases, the public records
behind search facets) filled with one query each, for one record written or a rebuild's round of 2,000.
``related_names`` reads, for any number of records, the names of the public records linked to them, which the index
stores beside their own text so that a search for a linked organisation, country or instrument finds them.
"""

import heapq
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db import models
from taggit.models import Tag, TaggedItem

from .links import link_pairs, linked_keys, model_at, named_paths
from .models import Alias, public_q

# A document carries the names of at most this many linked records (the first by title): a country linked from
# thousands of activities must not carry all their titles.
RELATED_NAMES_LIMIT = 50
_TITLE_THEN_ID = itemgetter(0, 1)
# Titles and aliases of more records of a type than this are read for the whole type, not by a list of ids.
IDS_LIMIT = 10_000


def load_for_search(records: models.QuerySet) -> list:
    """The records of ``records``, by key, with what ``search_data()`` reads. The Markdown source is not indexed
    (its rendering, body_html, is): it is not loaded."""
    loaded = list(records.defer("body").order_by("pk"))
    _prefetch_for_search(records.model, loaded)
    return loaded


def _prefetch_for_search(model, records: list) -> None:
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


def related_names(
    model, pks: list[int], records: models.QuerySet | None = None, titles: dict[type, dict[int, str]] | None = None
) -> dict[int, tuple[list[str], list[str]]]:
    """For each record of ``model`` in ``pks``: the titles and aliases of the public records it links to, and of those
    linking to it, whatever their type (read from the link declarations), the first ``RELATED_NAMES_LIMIT`` of each
    by title.

    The two are kept apart because they say different things: an activity's country says where the activity is,
    while the activities linking to a country say little about the country. One query per relation of the type for
    the links, one per type linked for the titles of its public records and one for all the aliases, however many
    records. A record that is not public is never named.

    ``records``, a queryset of ``model`` holding ``pks`` (and no more than it needs), is read instead of the list
    of ``pks``: a full rebuild reads every public record's names at once, which SQLite could not take as a list
    of ids (at most 32,766 parameters a statement). ``titles``, one dict shared by the calls of a full rebuild, which
    names most public records, gets the titles of every public record of each type linked, read once for them all.
    """
    found: dict[int, tuple[dict, dict]] = {pk: ({}, {}) for pk in pks}
    paths = named_paths(model)
    just_paths = [path for path, _forward in paths]
    # A rebuild's (``records``): one query per relation, each read as it comes (one for all would sort every link).
    rows_read = linked_keys(model, pks, just_paths) if records is None else link_pairs(records, just_paths)
    for (path, forward), rows in zip(paths, rows_read, strict=True):
        target = model_at(model, path)
        for pk, linked_pk in rows:
            # ``records`` is read again by each query: one published since ``pks`` were read is not asked for here.
            if pk in found and (target, linked_pk) != (model, pk):
                found[pk][0 if forward else 1][(target, linked_pk)] = None
    titles = _public_titles({key for sides in found.values() for linked in sides for key in linked}, titles)
    chosen = {pk: [_first_by_title(linked, titles) for linked in sides] for pk, sides in found.items()}
    aliases = _aliases_of({key for sides in chosen.values() for entries in sides for key, _title in entries})
    return {
        pk: tuple([name for key, title in entries for name in (title, *aliases.get(key, ()))] for entries in sides)
        for pk, sides in chosen.items()
    }


def _first_by_title(linked: dict[tuple, None], titles: dict[type, dict[int, str]]) -> list[tuple[tuple, str]]:
    """The first RELATED_NAMES_LIMIT of the ``linked`` records that are public, as ((model, pk), title), by title
    and then id."""
    public = [(title, pk, target) for target, pk in linked if (title := titles[target].get(pk)) is not None]
    # A record linked from thousands (a country) keeps 50 of them: sorting all its links was a quarter of a full
    # rebuild's reading of the names.
    first = heapq.nsmallest(RELATED_NAMES_LIMIT, public, key=_TITLE_THEN_ID)
    return [((target, pk), title) for title, pk, target in first]


def _by_model(keys: set[tuple]) -> dict[type, list[int]]:
    by_model: dict[type, list[int]] = {}
    for target, pk in keys:
        by_model.setdefault(target, []).append(pk)
    return by_model


def _public_titles(keys: set[tuple], every: dict[type, dict[int, str]] | None) -> dict[type, dict[int, str]]:
    """By model, the titles of its public records among those named by (model, pk): one query per model. With
    ``every``, those of all its public records, kept there for the next call."""
    titles = {} if every is None else every
    for target, pks in _by_model(keys).items():
        if target in titles:
            continue
        public = target._default_manager.public().order_by()
        # More ids than SQLite takes in a statement: the whole type.
        if every is None and len(pks) <= IDS_LIMIT:
            public = public.filter(pk__in=pks)
        titles[target] = dict(public.values_list("pk", "title"))
    return titles


def _aliases_of(keys: set[tuple]) -> dict[tuple, list[str]]:
    """The aliases of the records named by (model, pk), in one query."""
    by_model = _by_model(keys)
    if not by_model:
        return {}
    content_types = ContentType.objects.get_for_models(*by_model)
    condition = models.Q()
    for target, pks in by_model.items():
        # A full rebuild names most records of a type: then all its aliases are read, not a list of ids longer than
        # SQLite takes in a statement.
        ids = {} if len(pks) > IDS_LIMIT else {"object_id__in": pks}
        condition |= models.Q(content_type=content_types[target], **ids)
    models_of = {content_types[target].pk: target for target in by_model}
    aliases: dict[tuple, list[str]] = {}
    rows = Alias.objects.filter(condition).order_by("name", "pk").values_list("content_type_id", "object_id", "name")
    for content_type_id, object_id, name in rows:
        key = (models_of[content_type_id], object_id)
        if key in keys:
            aliases.setdefault(key, []).append(name)
    return aliases
