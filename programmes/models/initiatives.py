"""Programmes and what they share with partnership activities (kind, level, year, what the work concerns)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cop_kb.records.facets import ChoiceFacet, RelatedFacet
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField
from cop_kb.records.models import Record
from cop_kb.records.registry import record_type
from strategy.models import Level

YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]


def year_is_sane(field_name: str, label: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__gte": 1900, f"{field_name}__lte": 2100}),
        name=label,
    )


class InitiativeKind(models.TextChoices):
    RESEARCH = "research", _("Research")
    GUIDANCE = "guidance", _("Guidance")
    SURVEY = "survey", _("Survey")
    EVENT = "event", _("Event")
    MEETING = "meeting", _("Meeting")
    REVIEW = "review", _("Review")
    ADVOCACY = "advocacy", _("Advocacy")


class Initiative(Record):
    """What programmes and partnership activities share: kind, level, year and what the work concerns."""

    Kind = InitiativeKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, validators=YEAR_VALIDATORS)
    countries = LinkManyToManyField(
        "directory.Country",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("countries"),
        label=_("Takes place in"),
        inverse_label=_("{records} in this country"),
        linked_data="location",
    )
    instruments = LinkManyToManyField(
        "instruments.Instrument",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("instruments"),
        label=_("Concerns instruments"),
        inverse_label=_("{records} concerning it"),
        linked_data="about",
    )
    provisions = LinkManyToManyField(
        "instruments.Provision",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("provisions"),
        label=_("Cites provisions"),
        inverse_label=_("{records} citing it"),
        linked_data="citation",
    )
    strategic_areas = LinkManyToManyField(
        "strategy.StrategicArea",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("strategic areas"),
        label=_("Contributes to"),
        inverse_label=_("{records} contributing to it"),
    )
    sectors = LinkManyToManyField(
        "strategy.Sector",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("sectors"),
        label=_("Involves sectors"),
        inverse_label=_("{records} in this sector"),
    )
    stakeholders = LinkManyToManyField(
        "strategy.StakeholderGroup",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("stakeholder groups"),
        label=_("Engages"),
        inverse_label=_("{records} engaging this group"),
        linked_data="audience",
    )

    class Meta(Record.Meta):
        abstract = True
        ordering = ["-year", "title"]
        # A record with thousands of initiatives linked (the CRC, a sector, at 100,000 records) shows the first 50 in
        # this order: each linked one is looked up by id for its status and order. This index answers the look-up
        # alone (on PostgreSQL for rows a vacuum has marked visible to all); the table's rows, a few kilobytes of
        # text each, took SQLite three times as long to read.
        indexes = [
            *Record.Meta.indexes,
            models.Index(fields=["id", "status", "year", "title", "slug"], name="%(class)s_link_idx"),
        ]


class FocusedInitiative(Initiative):
    """An initiative that belongs to one of the framework's lines of work (a focus area)."""

    focus_area = LinkForeignKey(
        "strategy.FocusArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("focus area"),
        label=_("Part of the work on"),
        inverse_label=_("{records} in this focus area"),
        linked_data="isPartOf",
    )

    class Meta(Initiative.Meta):
        abstract = True


@record_type(content_key="programme")
class Programme(FocusedInitiative):
    """A piece of UNICEF's work at country or global level: research, guidance, surveys, advocacy."""

    url_name = "programmes:detail"
    search_facet_links = {"strategic_area": "strategic_areas", "country": "countries"}
    detail_fields = ("kind", "level", "year", "focus_area")
    detail_links = ("countries", "organisation_roles")
    list_facets = (
        ChoiceFacet("kind", "kind"),
        ChoiceFacet("level", "level"),
        ChoiceFacet("year", "year"),
        RelatedFacet("focus_area", "focus_area"),
        RelatedFacet("strategic_area", "strategic_areas"),
        RelatedFacet("country", "countries"),
        RelatedFacet("sector", "sectors"),
        RelatedFacet("stakeholder", "stakeholders"),
        RelatedFacet("instrument", "instruments"),
    )
    year_expression = F("year")
    # What a programme's year counts from (start, publication) is not recorded, so it is left out.
    linked_data_type = "Project"

    class Meta(Initiative.Meta):
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        # Read in order, the first few only: a focus area's latest programmes (the home page), and a page of the list
        # in its usual order (by year), which otherwise sorts every published programme for 50 of them.
        indexes = [
            *Initiative.Meta.indexes,
            models.Index(fields=["focus_area", "-year", "title"], name="programme_focus_area_year_idx"),
            models.Index(fields=["status", "year", "title"], name="programme_list_idx"),
        ]
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=InitiativeKind.values), name="programmes_programme_kind_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="programmes_programme_level_valid"),
            year_is_sane("year", "programmes_programme_year_sane"),
        ]
