"""UNICEF's work at country and global level: programmes, partnerships, their activities and outputs."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from cop_kb.records.facets import ChoiceFacet, RelatedFacet
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField, TypedLink
from cop_kb.records.models import DatePrecision, Record
from cop_kb.records.partial_dates import PartialDate
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
        inverse_label=_("Hosts"),
        linked_data="location",
    )
    instruments = LinkManyToManyField(
        "instruments.Instrument",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("instruments"),
        label=_("Concerns instruments"),
        inverse_label=_("Concerned by"),
        linked_data="about",
    )
    provisions = LinkManyToManyField(
        "instruments.Provision",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("provisions"),
        label=_("Cites provisions"),
        inverse_label=_("Cited by"),
        linked_data="citation",
    )
    strategic_areas = LinkManyToManyField(
        "strategy.StrategicArea",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("strategic areas"),
        label=_("Contributes to"),
        inverse_label=_("Served by"),
    )
    sectors = LinkManyToManyField(
        "strategy.Sector",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("sectors"),
        label=_("Involves sectors"),
        inverse_label=_("Involved in"),
    )
    stakeholders = LinkManyToManyField(
        "strategy.StakeholderGroup",
        blank=True,
        related_name="%(class)s_set",
        verbose_name=_("stakeholder groups"),
        label=_("Engages"),
        inverse_label=_("Engaged by"),
        linked_data="audience",
    )

    class Meta(Record.Meta):
        abstract = True
        ordering = ["-year", "title"]


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
        inverse_label=_("Carried out through"),
        linked_data="isPartOf",
    )

    class Meta(Initiative.Meta):
        abstract = True


@record_type(content_key="programme")
class Programme(FocusedInitiative):
    """A piece of UNICEF's work at country or global level: research, guidance, surveys, advocacy."""

    url_name = "programmes:detail"
    search_facet_links = {"strategic_area": "strategic_areas", "country": "countries"}
    detail_fields = ("kind", "level", "year")
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
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=InitiativeKind.values), name="programmes_programme_kind_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="programmes_programme_level_valid"),
            year_is_sane("year", "programmes_programme_year_sane"),
        ]


LAUNCHED = PartialDate("launched_on", "launched_precision")


@record_type(content_key="partnership")
class Partnership(Record):
    """A partnership UNICEF works in (ITU Child Online Protection, Together for Girls), with its partners."""

    url_name = "programmes:partnership-detail"
    detail_fields = ("launched_on_display", "website")
    year_expression = ExtractYear("launched_on")
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
        inverse_label=_("Carried out through"),
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
    detail_fields = ("kind", "level", "year", "place")
    linked_data_type = "Event"
    linked_data_fields = {"year": "startDate", "place": "location"}
    list_facets = (
        RelatedFacet("partnership", "partnership"),
        ChoiceFacet("kind", "kind"),
        ChoiceFacet("level", "level"),
        ChoiceFacet("year", "year"),
        RelatedFacet("strategic_area", "strategic_areas"),
        RelatedFacet("country", "countries"),
        RelatedFacet("stakeholder", "stakeholders"),
    )
    year_expression = F("year")

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
        inverse_label=_("Includes"),
        linked_data="superEvent",
    )
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Venue or event, as the source names it.")
    )

    class Meta(Initiative.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
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


class OutputKind(models.TextChoices):
    REPORT = "report", _("Report")
    GUIDANCE_NOTE = "guidance_note", _("Guidance note")


@record_type(content_key="output")
class Output(Record):
    """A publication a programme produced."""

    Kind = OutputKind

    url_name = "programmes:output-detail"
    detail_fields = ("kind", "year", "url")
    linked_data_type = "CreativeWork"
    linked_data_kind_types = {OutputKind.REPORT: "Report"}
    linked_data_fields = {"kind": "genre", "year": "datePublished", "url": "sameAs"}
    list_facets = (ChoiceFacet("kind", "kind"), ChoiceFacet("year", "year"), RelatedFacet("publisher", "publisher"))
    year_expression = F("year")

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
        inverse_label=_("Published"),
        linked_data="publisher",
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["-year", "title"]
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=OutputKind.values), name="programmes_output_kind_valid"),
            year_is_sane("year", "programmes_output_year_sane"),
        ]


class Role(models.TextChoices):
    LEAD = "lead", _("lead")
    COLLABORATOR = "collaborator", _("collaborator")
    CONVENER = "convener", _("convener")
    PARTNER = "partner", _("partner")
    SUPPORTER = "supporter", _("supporter")
    AUDIENCE = "audience", _("audience")


ROLE_LABELS = {
    Role.LEAD: (_("Led by"), _("Leads")),
    Role.COLLABORATOR: (_("In collaboration with"), _("Collaborates on")),
    Role.CONVENER: (_("Convened by"), _("Convenes")),
    Role.PARTNER: (_("Partners"), _("Partner in")),
    Role.SUPPORTER: (_("Supported by"), _("Supports")),
    Role.AUDIENCE: (_("Addressed to"), _("Addressed by")),
}
# No role is funding: nothing the records hold says who paid for what.
ROLE_LINKED_DATA = {
    Role.LEAD: "organizer",
    Role.COLLABORATOR: "contributor",
    Role.CONVENER: "organizer",
    Role.PARTNER: "member",
    Role.SUPPORTER: "sponsor",
    Role.AUDIENCE: "audience",
}


def role_constraints(source: str, short: str) -> list:
    """One role per organisation and kind on a record, and only known roles (named as the tables always were)."""
    return [
        models.UniqueConstraint(fields=[source, "organisation", "kind"], name=f"programmes_{short}_unique"),
        models.CheckConstraint(condition=Q(kind__in=Role.values), name=f"programmes_{short}_role_valid"),
    ]


class OrganisationRole(TypedLink):
    """An organisation's part in a piece of work, with the role read both ways ("Led by" / "Leads")."""

    LABELS = ROLE_LABELS
    LINKED_DATA = ROLE_LINKED_DATA
    target_field = "organisation"

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        abstract = True
        ordering = ["kind", "organisation__title"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_kind_display()})"


class ProgrammeOrganisation(OrganisationRole):
    source_field = "programme"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="organisation_roles", verbose_name=_("programme")
    )

    class Meta(OrganisationRole.Meta):
        verbose_name = _("programme organisation")
        verbose_name_plural = _("programme organisations")
        constraints = role_constraints("programme", "progorg")


class PartnershipMember(OrganisationRole):
    source_field = "partnership"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="members", verbose_name=_("partnership")
    )

    class Meta(OrganisationRole.Meta):
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        constraints = role_constraints("partnership", "member")


class ActivityOrganisation(OrganisationRole):
    source_field = "activity"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="organisation_roles", verbose_name=_("activity")
    )

    class Meta(OrganisationRole.Meta):
        verbose_name = _("activity organisation")
        verbose_name_plural = _("activity organisations")
        constraints = role_constraints("activity", "actorg")
