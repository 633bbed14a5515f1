"""Partnerships UNICEF works in, and what they did (activities)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cop_kb.records.facets import ChoiceFacet, RelatedFacet
from cop_kb.records.links import LinkForeignKey
from cop_kb.records.models import DatePrecision, Record
from cop_kb.records.partial_dates import DateYear, PartialDate
from cop_kb.records.registry import record_type
from strategy.models import Level

from .initiatives import Initiative, InitiativeKind, year_is_sane

LAUNCHED = PartialDate("launched_on", "launched_precision")


@record_type(content_key="partnership")
class Partnership(Record):
    """A partnership UNICEF works in (ITU Child Online Protection, Together for Girls), with its partners."""

    url_name = "programmes:partnership-detail"
    detail_fields = ("launched_on_display", "website", "focus_area")
    detail_links = ("members",)
    year_expression = DateYear("launched_on")
    dated_by = (LAUNCHED,)
    linked_data_type = "Organization"
    linked_data_fields = {"launched_on": "foundingDate", "website": "sameAs"}

    focus_area = LinkForeignKey(
        "strategy.FocusArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("focus area"),
        label=_("Part of the work on"),
        inverse_label=_("Partnerships in this focus area"),
        linked_data="isPartOf",
    )
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    launched_precision = models.CharField(
        _("launch date precision"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    website = models.URLField(_("website"), max_length=500, blank=True)

    launched_on_display = LAUNCHED  # what pages show: the launch date as far as it is known

    class Meta(Record.Meta):
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            *Record.Meta.constraints,
            LAUNCHED.constraint("programmes_partnership_launch_precision"),
        ]

    def clean(self) -> None:
        super().clean()
        if errors := LAUNCHED.errors(self):
            raise ValidationError(errors)

    @property
    def year(self) -> int | None:
        return self.launched_on.year if self.launched_on else None


@record_type(content_key="activity")
class Activity(Initiative):
    """Something a partnership did: a session, a review, a meeting, a survey."""

    url_name = "programmes:activity-detail"
    search_facet_links = {"strategic_area": "strategic_areas", "country": "countries"}
    detail_fields = ("partnership", "kind", "level", "year", "place")
    detail_links = ("countries", "organisation_roles")
    linked_data_type = "Event"
    linked_data_fields = {"year": "startDate", "place": "location"}
    list_facets = (
        RelatedFacet("partnership", "partnership"),
        ChoiceFacet("kind", "kind"),
        ChoiceFacet("level", "level"),
        ChoiceFacet("year", "year"),
        RelatedFacet("strategic_area", "strategic_areas"),
        RelatedFacet("country", "countries"),
        RelatedFacet("sector", "sectors"),
        RelatedFacet("stakeholder", "stakeholders"),
        RelatedFacet("instrument", "instruments"),
    )
    year_expression = F("year")
    dated_by = "year"

    partnership = LinkForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("partnership"),
        label=_("Activity of"),
        inverse_label=_("Activities"),
        linked_data="isPartOf",
    )
    part_of = LinkForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
        label=_("Part of"),
        inverse_label=_("Includes activities"),
        linked_data="superEvent",
    )
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Venue or event, as the source names it.")
    )

    class Meta(Initiative.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        # As for outputs: the timeline's count and first few of each year, read in order from the index.
        indexes = [
            *Initiative.Meta.indexes,
            models.Index(fields=["status", "year", "title"], name="activity_timeline_idx"),
        ]
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=InitiativeKind.values), name="programmes_activity_kind_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="programmes_activity_level_valid"),
            year_is_sane("year", "programmes_activity_year_sane"),
        ]

    def clean(self) -> None:
        super().clean()
        if self.part_of_id and self.part_of_id == self.pk:
            raise ValidationError({"part_of": _("An activity cannot be part of itself.")})
