"""Publications programmes produced."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cop_kb.records.facets import ChoiceFacet, RelatedFacet
from cop_kb.records.links import LinkForeignKey
from cop_kb.records.models import Record
from cop_kb.records.registry import record_type

from .initiatives import YEAR_VALIDATORS, Programme, year_is_sane


class OutputKind(models.TextChoices):
    REPORT = "report", _("Report")
    GUIDANCE_NOTE = "guidance_note", _("Guidance note")


@record_type(content_key="output")
class Output(Record):
    """A publication a programme produced."""

    Kind = OutputKind

    url_name = "programmes:output-detail"
    detail_fields = ("programme", "kind", "year", "publisher", "url")
    linked_data_type = "CreativeWork"
    linked_data_kind_types = {OutputKind.REPORT: "Report"}
    linked_data_fields = {"kind": "genre", "year": "datePublished", "url": "sameAs"}
    list_facets = (ChoiceFacet("kind", "kind"), ChoiceFacet("year", "year"), RelatedFacet("publisher", "publisher"))
    year_expression = F("year")
    dated_by = "year"

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, validators=YEAR_VALIDATORS)
    programme = LinkForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="outputs",
        verbose_name=_("programme"),
        label=_("Output of"),
        inverse_label=_("Outputs"),
        linked_data="producer",
    )
    publisher = LinkForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("publisher"),
        label=_("Published by"),
        inverse_label=_("Outputs it published"),
        linked_data="publisher",
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("output")
        indexes = [
            *Record.Meta.indexes,
            # The timeline counts each year's public outputs and takes its first few by title from this, not by
            # sorting them all (tens of thousands).
            models.Index(fields=["status", "year", "title"], name="output_timeline_idx"),
            # Narrowed to a strategic area, it counts by year the public outputs of the area's programmes from this,
            # a programme at a time, without reading the outputs' rows.
            models.Index(fields=["programme", "status", "year"], name="output_programme_year_idx"),
        ]
        verbose_name_plural = _("outputs")
        ordering = ["-year", "title"]
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=OutputKind.values), name="programmes_output_kind_valid"),
            year_is_sane("year", "programmes_output_year_sane"),
        ]
