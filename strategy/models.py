"""UNICEF's child protection strategy on ICTs: areas, principles, rights, stakeholders, sectors, focus areas."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cop_kb.records.facets import ChoiceFacet
from cop_kb.records.links import LinkManyToManyField
from cop_kb.records.models import Record
from cop_kb.records.registry import Through, record_type


class OrderedRecord(Record):
    """A record with a fixed place in the framework's own order (strategic area 1 to 4, and so on)."""

    position = models.PositiveSmallIntegerField(_("position"), help_text=_("Order in the framework."))

    class Meta(Record.Meta):
        abstract = True
        ordering = ["position", "title"]


@record_type(
    content_key="strategic_area",
    brief=True,
    # What serves an area is mostly reached through the topics the editors classify under it: its brief lists those
    # provisions too, said to be the editors' classification, not something the instruments state.
    brief_through=(
        Through(
            "topics__provisions",
            label=_("Editorial classification: provisions on its topics"),
            note=_(
                "The editors classify these topics under this area (see the basis above); the instruments do not "
                "say so. Each provision is listed under the instrument it belongs to."
            ),
        ),
    ),
)
class StrategicArea(OrderedRecord):
    """One of the four strategic areas that should underpin the national and international response."""

    url_name = "strategy:area-detail"
    search_facet_self = "strategic_area"
    detail_fields = ("position", "classification_basis")
    linked_data_type = "DefinedTerm"
    linked_data_fields = {"position": "position"}

    provisions = LinkManyToManyField(
        "instruments.Provision",
        blank=True,
        related_name="strategic_areas",
        verbose_name=_("provisions"),
        label=_("Draws on"),
        inverse_label=_("Strategic areas drawing on it"),
        linked_data="isBasedOn",
    )
    instruments = LinkManyToManyField(
        "instruments.Instrument",
        blank=True,
        related_name="strategic_areas",
        verbose_name=_("instruments"),
        label=_("Draws on"),
        inverse_label=_("Strategic areas drawing on it"),
        linked_data="isBasedOn",
    )
    # The editors' own mapping of topics (and a few single provisions) to the area: not something the framework
    # or any instrument says, so every page labels it "Editorial classification" and shows its basis.
    topics = LinkManyToManyField(
        "instruments.Topic",
        blank=True,
        related_name="classified_areas",
        verbose_name=_("topics (editorial classification)"),
        label=_("Editorial classification: topics"),
        inverse_label=_("Editorial classification: strategic areas"),
    )
    classified_provisions = LinkManyToManyField(
        "instruments.Provision",
        blank=True,
        related_name="classified_areas",
        verbose_name=_("single provisions (editorial classification)"),
        label=_("Editorial classification: single provisions"),
        inverse_label=_("Editorial classification: strategic areas"),
        help_text=_("Provisions classified on their own, beyond their topics (e.g. CRC 17(e))."),
    )
    # Nullable only so that adding it is an ALTER TABLE on SQLite: a NOT NULL column makes Django rebuild the table,
    # which drops the search index's triggers on it (search migrations 0004 and 0010). Empty is "" or NULL alike.
    classification_basis = models.TextField(  # noqa: DJ001 (see above)
        _("editorial classification: basis"),
        null=True,
        blank=True,
        help_text=_("Why the editors classify these topics and provisions under this area (shown with them)."),
    )

    class Meta(OrderedRecord.Meta):
        verbose_name = _("strategic area")
        verbose_name_plural = _("strategic areas")
        constraints = [
            *Record.Meta.constraints,
            models.UniqueConstraint(fields=["position"], name="strategy_strategicarea_unique_position"),
        ]


class RightSide(models.TextChoices):
    PROTECTION = "protection", _("Protection")
    PARTICIPATION = "participation", _("Information, expression and participation")


@record_type(content_key="right")
class Right(Record):
    """A child's right the strategy balances, tied to the articles of the CRC that guarantee it."""

    Side = RightSide

    url_name = "strategy:right-detail"
    detail_fields = ("side",)
    linked_data_type = "DefinedTerm"
    list_facets = (ChoiceFacet("side", "side"),)

    side = models.CharField(_("side of the balance"), max_length=20, choices=Side.choices)
    provisions = LinkManyToManyField(
        "instruments.Provision",
        blank=True,
        related_name="rights",
        verbose_name=_("provisions"),
        label=_("Guaranteed by"),
        inverse_label=_("Rights it guarantees"),
        linked_data="isBasedOn",
    )

    class Meta(Record.Meta):
        verbose_name = _("right")
        verbose_name_plural = _("rights")
        ordering = ["-side", "title"]  # protection first, then the rights it is balanced with
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(condition=Q(side__in=RightSide.values), name="strategy_right_side_valid"),
        ]


@record_type(content_key="stakeholder")
class StakeholderGroup(Record):
    """A group the strategy needs to work with: governments, the private sector, parents, children, …"""

    url_name = "strategy:stakeholder-detail"
    detail_fields = ()
    linked_data_type = "Audience"

    class Meta(Record.Meta):
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")


@record_type(content_key="sector")
class Sector(Record):
    """A social sector whose laws, policies and services must respond: justice, social welfare, education, …"""

    url_name = "strategy:sector-detail"
    detail_fields = ()
    linked_data_type = "DefinedTerm"

    class Meta(Record.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class Level(models.TextChoices):
    COUNTRY = "country", _("Country level")
    REGIONAL = "regional", _("Regional level")
    GLOBAL = "global", _("Global level")


@record_type(content_key="focus_area")
class FocusArea(OrderedRecord):
    """A line of UNICEF's work at country or global level (national systems, laws and services, research, …)."""

    url_name = "strategy:focus-area-detail"
    detail_fields = ("level", "statement")
    linked_data_type = "DefinedTerm"
    linked_data_fields = {"statement": "text"}
    list_facets = (ChoiceFacet("level", "level"),)

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    statement = models.TextField(_("statement"), blank=True, help_text=_("The framework's own words."))
    sectors = LinkManyToManyField(
        Sector,
        blank=True,
        related_name="focus_areas",
        verbose_name=_("sectors"),
        label=_("Across sectors"),
        inverse_label=_("Focus areas across this sector"),
    )
    stakeholders = LinkManyToManyField(
        StakeholderGroup,
        blank=True,
        related_name="focus_areas",
        verbose_name=_("stakeholder groups"),
        label=_("Works with"),
        inverse_label=_("Focus areas working with this group"),
    )

    class Meta(OrderedRecord.Meta):
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["level", "position", "title"]
        constraints = [
            *Record.Meta.constraints,
            models.UniqueConstraint(fields=["level", "position"], name="strategy_focusarea_unique_position"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="strategy_focusarea_level_valid"),
        ]


class PrincipleScope(models.TextChoices):
    STRATEGY = "strategy", _("Child protection strategy and ICTs")
    COUNTRY = "country", _("Work at country level")


@record_type(content_key="principle")
class Principle(OrderedRecord):
    """A principle the strategy states, in its own words, linked to what it names."""

    Scope = PrincipleScope

    url_name = "strategy:principle-detail"
    search_facet_links = {"strategic_area": "strategic_areas"}
    detail_fields = ("scope", "statement")
    linked_data_type = "CreativeWork"
    linked_data_fields = {"statement": "text"}
    list_facets = (ChoiceFacet("scope", "scope"),)

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    statement = models.TextField(_("statement"), help_text=_("The framework's own words."))
    rights = LinkManyToManyField(
        Right,
        blank=True,
        related_name="principles",
        verbose_name=_("rights"),
        label=_("Balances"),
        inverse_label=_("Principles balancing this right"),
    )
    stakeholders = LinkManyToManyField(
        StakeholderGroup,
        blank=True,
        related_name="principles",
        verbose_name=_("stakeholder groups"),
        label=_("Requires collaboration with"),
        inverse_label=_("Principles calling for work with this group"),
    )
    strategic_areas = LinkManyToManyField(
        StrategicArea,
        blank=True,
        related_name="principles",
        verbose_name=_("strategic areas"),
        label=_("Underpinned by"),
        inverse_label=_("Principles it underpins"),
        linked_data="isBasedOn",
    )
    focus_areas = LinkManyToManyField(
        FocusArea,
        blank=True,
        related_name="principles",
        verbose_name=_("focus areas"),
        label=_("Focuses on"),
        inverse_label=_("Principles calling for this focus"),
    )

    class Meta(OrderedRecord.Meta):
        verbose_name = _("principle")
        verbose_name_plural = _("principles")
        ordering = ["-scope", "position", "title"]  # the strategy's own principles before country-level ones
        constraints = [
            *Record.Meta.constraints,
            models.UniqueConstraint(fields=["scope", "position"], name="strategy_principle_unique_position"),
            models.CheckConstraint(condition=Q(scope__in=PrincipleScope.values), name="strategy_principle_scope_valid"),
        ]
