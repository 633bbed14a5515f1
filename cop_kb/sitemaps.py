"""The sitemap: every public record page, read through ``public()`` like every other public path."""

from collections.abc import Iterator, Mapping

from django.contrib.sitemaps import Sitemap

from cop_kb.records.registry import record_models


class RecordSitemap(Sitemap):
    """One section per record type; ``lastmod`` is the record's last update."""

    limit = 5000

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.public().order_by("pk")

    def lastmod(self, record):
        return record.updated_at


class RecordSitemaps(Mapping):
    """A section per record type, read from the registry at each request (not frozen when the URLs load)."""

    def _sections(self) -> dict[str, RecordSitemap]:
        return {model._meta.label_lower: RecordSitemap(model) for model in record_models()}

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
