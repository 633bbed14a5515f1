"""Reference records every app may link to: countries and the organisations that issue, lead or join the work.

The ``directory`` app also holds the tables of the record core's shared rows (``cop_kb.records.models``) and of
the site's content version (``cop_kb.records.content_version``) and the kept facet counts
(``cop_kb.records.facet_counts``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cop_kb.records.content_version import ContentVersion  # noqa: F401 - its table is this app's
from cop_kb.records.facet_counts import FacetCount  # noqa: F401 - its table is this app's
from cop_kb.records.facets import ChoiceFacet, RelatedFacet
from cop_kb.records.links import LinkForeignKey
from cop_kb.records.models import Record
from cop_kb.records.registry import record_type


@record_type(content_key="country", brief=True)
class Country(Record):
    """A country, identified by its ISO 3166-1 codes; other spellings ("Viet Nam", "Turkey") are aliases."""

    url_name = "directory:country-detail"
    search_facet_self = "country"
    detail_fields = ("iso_alpha2", "iso_alpha3")
    linked_data_type = "Country"
    linked_data_fields = {"iso_alpha2": "identifier", "iso_alpha3": "identifier"}

    iso_alpha2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    iso_alpha3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)

    class Meta(Record.Meta):
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(
                condition=Q(iso_alpha2__regex=r"^[A-Z]{2}$"),
                name="directory_country_alpha2_format",
            ),
            models.CheckConstraint(
                condition=Q(iso_alpha3__regex=r"^[A-Z]{3}$"), name="directory_country_alpha3_format"
            ),
        ]


class OrganisationKind(models.TextChoices):
    UN_BODY = "un_body", _("UN body")
    UN_AGENCY = "un_agency", _("UN agency")
    UNICEF_UNIT = "unicef_unit", _("UNICEF office or unit")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    CONFERENCE = "conference", _("Conference")


@record_type(content_key="organisation")
class Organisation(Record):
    """A body that issues instruments, leads work or joins partnerships: UN bodies, UNICEF offices, agencies."""

    Kind = OrganisationKind

    url_name = "directory:organisation-detail"
    detail_fields = ("acronym", "kind", "parent", "website")
    subtitle_fields = ("acronym",)
    linked_data_type = "Organization"
    linked_data_fields = {"acronym": "alternateName", "website": "sameAs"}
    list_facets = (ChoiceFacet("kind", "kind"), RelatedFacet("part_of", "parent", _("part of")))

    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = LinkForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("part of"),
        label=_("Part of"),
        inverse_label=_("Units"),
        linked_data="parentOrganization",
    )
    website = models.URLField(_("website"), max_length=500, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="directory_organisation_kind_valid"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        ancestor = self.parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An organisation cannot be part of itself or of its own units.")})
            ancestor = ancestor.parent
