"""Organisations' parts in programmes, partnerships and activities: typed links whose kind is the role."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cop_kb.records.links import TypedLink

from .initiatives import Programme
from .partnerships import Activity, Partnership


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
    Role.AUDIENCE: (_("Addressed to"), _("Audience of")),
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

    # Thousands of these may name one organisation (a UN body in the synthetic data), so each row keeps its
    # programme's, partnership's or activity's visibility, slug and title, written by the database
    # (``cop_kb.records.kept_copies``), never by a form: not editable, null until filled.
    kept_source_fields = ("status", "slug", "title")
    source_status = models.CharField(max_length=20, null=True, editable=False)  # noqa: DJ001 - a copy, null until kept
    source_slug = models.CharField(max_length=120, null=True, editable=False)  # noqa: DJ001 - the same
    source_title = models.CharField(max_length=300, null=True, editable=False)  # noqa: DJ001 - the same

    class Meta:
        abstract = True
        ordering = ["kind", "organisation__title"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_kind_display()})"


class InitiativeRole(OrganisationRole):
    """An organisation's part in a programme or an activity, whose rows also keep their source's year (its order)."""

    kept_source_fields = (*OrganisationRole.kept_source_fields, "year")

    source_year = models.PositiveSmallIntegerField(null=True, editable=False)

    class Meta(OrganisationRole.Meta):
        abstract = True


def kept_order_index(source: str, short: str, order: tuple[str, ...]) -> models.Index:
    """An organisation's public links of each role in their source's own ``order`` (as copied on the rows). The
    slug comes last, after the source's key, only so that the index alone answers (SQLite has no ``INCLUDE``)."""
    return models.Index(
        fields=["organisation", "source_status", "kind", *order, source, "source_slug"],
        name=f"programmes_{short}_kept_order",
    )


INITIATIVE_ORDER = ("-source_year", "source_title")


class ProgrammeOrganisation(InitiativeRole):
    source_field = "programme"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="organisation_roles", verbose_name=_("programme")
    )

    class Meta(OrganisationRole.Meta):
        verbose_name = _("programme organisation")
        verbose_name_plural = _("programme organisations")
        constraints = role_constraints("programme", "progorg")
        indexes = [kept_order_index("programme", "progorg", INITIATIVE_ORDER)]


class PartnershipMember(OrganisationRole):
    source_field = "partnership"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="members", verbose_name=_("partnership")
    )

    class Meta(OrganisationRole.Meta):
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        constraints = role_constraints("partnership", "member")
        indexes = [kept_order_index("partnership", "member", ("source_title",))]


class ActivityOrganisation(InitiativeRole):
    source_field = "activity"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="organisation_roles", verbose_name=_("activity")
    )

    class Meta(OrganisationRole.Meta):
        verbose_name = _("activity organisation")
        verbose_name_plural = _("activity organisations")
        constraints = role_constraints("activity", "actorg")
        indexes = [kept_order_index("activity", "actorg", INITIATIVE_ORDER)]
