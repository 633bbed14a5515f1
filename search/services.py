"""Writes to the search index. Services that change records call these; ``rebuild_search_index`` rebuilds it all.

A record takes part in search by providing ``search_data()`` (see ``directory.models.Record``) and ``is_public``;
only public records are ever written to the index, and a record that stops being public is removed from it.
"""

import html
from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.html import strip_tags

from .backends.base import PRIVATE_MARKERS
from .models import SearchDocument, SearchFacet

BATCH_SIZE = 1000


def indexable_models() -> list[type[models.Model]]:
    """Every model that can describe itself to the index."""
    return [model for model in apps.get_models() if hasattr(model, "search_data")]


def plain_text(value: str, *, markup: bool = False) -> str:
    """Text as the index stores it: single spaces, none of search's private markers, and no tags if ``markup``.

    Only the body is HTML (rendered Markdown); a title such as "Guide to <script> filtering" is kept as written.
    """
    text = html.unescape(strip_tags(value or "")) if markup else value or ""
    for marker in PRIVATE_MARKERS:
        text = text.replace(marker, " ")
    return " ".join(text.split())


def _document(record, content_type: ContentType) -> tuple[SearchDocument, list[tuple[str, str]]]:
    data = record.search_data()
    document = SearchDocument(
        content_type=content_type,
        object_id=record.pk,
        record_type=record._meta.label_lower,
        slug=record.slug,
        url=data["url"],
        title=plain_text(data["title"]),
        aliases="\n".join(plain_text(alias) for alias in data["aliases"]),
        summary=plain_text(data["summary"]),
        tags=" ".join(plain_text(tag) for tag in data["tags"]),
        body=plain_text(data["body"], markup=True),
        year=data["year"],
    )
    return document, sorted(set(data["facets"]))


def _write(pairs: list[tuple[SearchDocument, list[tuple[str, str]]]]) -> None:
    documents = SearchDocument.objects.bulk_create([document for document, _facets in pairs])
    SearchFacet.objects.bulk_create(
        [
            SearchFacet(document=document, facet=facet, value=value[:120])
            for document, (_unsaved, facets) in zip(documents, pairs, strict=True)
            for facet, value in facets
        ],
        batch_size=BATCH_SIZE,
    )


@transaction.atomic
def search_index_update(records: Iterable[models.Model]) -> None:
    """Bring the index up to date for ``records``: write public ones afresh, drop the others.

    Records are reloaded with what the index needs (aliases, tags, linked records), so callers may pass what
    they have at hand after a save, including records whose links just changed.
    """
    by_model: dict[type, set[int]] = {}
    for record in records:
        by_model.setdefault(type(record), set()).add(record.pk)
    for model, pks in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        SearchDocument.objects.filter(content_type=content_type, object_id__in=pks).delete()
        fresh = model.objects.for_search().filter(pk__in=pks)
        _write([_document(record, content_type) for record in fresh])


@transaction.atomic
def search_index_remove(model: type[models.Model], pks: Iterable[int]) -> None:
    """Drop deleted records from the index."""
    content_type = ContentType.objects.get_for_model(model)
    SearchDocument.objects.filter(content_type=content_type, object_id__in=list(pks)).delete()


@transaction.atomic
def search_index_rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the public records, in batches; returns how many documents were written."""
    SearchFacet.objects.all().delete()
    SearchDocument.objects.all().delete()
    targets = [(model, model.objects.for_search()) for model in indexable_models()]
    total = sum(queryset.count() for _model, queryset in targets)
    done = 0
    for model, queryset in targets:
        content_type = ContentType.objects.get_for_model(model)
        batch = []
        for record in queryset.iterator(chunk_size=BATCH_SIZE):
            batch.append(_document(record, content_type))
            if len(batch) == BATCH_SIZE:
                _write(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            _write(batch)
            done += len(batch)
            if progress:
                progress(done, total)
    return done
