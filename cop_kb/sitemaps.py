"""The sitemap: every public record page, read through ``public()`` like every other public path."""

from collections.abc import Iterator, Mapping

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Value
from django.views.decorators.http import require_safe

from cop_kb.records.facet_counts import kept_public_count
from cop_kb.records.registry import record_models


class RecordSitemap(Sitemap):
    """One section per record type; ``lastmod`` is the record's last update.

    Given ``summary`` (how many public records, and when the latest changed), the index reads nothing more.
    """

    # Entries per page of a section: the protocol allows 50,000, but a page renders every entry it lists, and a
    # thousand keep a fresh one quick. The index lists every page of every section.
    limit = 1000

    def __init__(self, model, summary: tuple | None = None):
        self.model = model
        self.summary = summary

    def items(self):
        # A sitemap entry needs only the address and the last change; bodies are the bulk of a row.
        return self.model.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, record):
        return record.updated_at

    def get_latest_lastmod(self):
        # Django's default reads every record of the section for this.
        if self.summary is None:
            return self.items().aggregate(latest=Max("updated_at"))["latest"]
        return self.summary[1]

    @property
    def paginator(self):
        paginator = super().paginator
        if self.summary is not None:
            paginator.count = self.summary[0]
        return paginator


class RecordSitemaps(Mapping):
    """A section per record type, read from the registry at each request (not frozen when the URLs load)."""

    def __init__(self, summaries: dict | None = None):
        self.summaries = summaries or {}

    def _sections(self) -> dict[str, RecordSitemap]:
        return {
            model._meta.label_lower: RecordSitemap(model, self.summaries.get(model._meta.label_lower))
            for model in record_models()
        }

    def __getitem__(self, section: str) -> RecordSitemap:
        return self._sections()[section]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sections())

    def __len__(self) -> int:
        return len(record_models())

    # URL reversing compares a path's extra arguments with themselves; sections built afresh never compare equal.
    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__


def sitemaps() -> RecordSitemaps:
    return RecordSitemaps()


def section_summaries() -> dict[str, tuple]:
    """For every record type: how many public records it has (as the database keeps it) and when the latest
    changed (from the end of its status index), in one query."""
    parts = [
        model.objects.public()
        .order_by()
        .values(section=Value(model._meta.label_lower))
        .annotate(latest=Max("updated_at"), n=kept_public_count(model))
        .values_list("section", "n", "latest")
        for model in record_models()
    ]
    rows = parts[0].union(*parts[1:], all=True)
    return {section: (count or 0, latest) for section, count, latest in rows}


@require_safe
def sitemap_index(request):
    """The sitemap index: a link per section and page, with each section's latest change, in one query."""
    return sitemap_views.index(request, sitemaps=RecordSitemaps(section_summaries()))
