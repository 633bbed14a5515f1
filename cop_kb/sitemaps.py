"""The sitemap: every public record page, read through ``public()`` like every other public path."""

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


def sitemaps() -> dict[str, RecordSitemap]:
    return {model._meta.label_lower: RecordSitemap(model) for model in record_models()}
