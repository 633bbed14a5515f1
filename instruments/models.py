"""International instruments (treaties, protocols, declarations, studies), their articles and their relations."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cop_kb.records.citations import Document
from cop_kb.records.facets import ChoiceFacet, RelatedFacet
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField, TypedLink
from cop_kb.records.list_columns import ListColumn
from cop_kb.records.models import DatePrecision, Record
from cop_kb.records.partial_dates import DateYear, PartialDate
from cop_kb.records.registry import record_type


class InstrumentKind(models.TextChoices):
    CONVENTION = "convention", _("Convention")
    OPTIONAL_PROTOCOL = "optional_protocol", _("Optional protocol")
    PROTOCOL = "protocol", _("Protocol")
    DECLARATION = "declaration", _("Declaration or outcome document")
    STUDY = "study", _("Study")


ADOPTED = PartialDate("adopted_on", "adopted_precision")
OPENED_FOR_SIGNATURE = PartialDate("opened_for_signature_on", "opened_for_signature_precision")
IN_FORCE = PartialDate("entry_into_force_on", "entry_into_force_precision")


@record_type(content_key="instrument", brief=True)
class Instrument(Record):
    """A legal or policy instrument the framework builds on, with its dates, numbers and issuing body."""

    Kind = InstrumentKind

    url_name = "instruments:detail"
    search_facet_links = {"strategic_area": "strategic_areas"}
    search_name_fields = ("official_title", "short_title", "acronym")
    subtitle_fields = ("short_title", "acronym")
    # Key facts first: what it is called and is, when it was made and took effect, its number and who issued it.
    detail_fields = (
        "short_title",
        "acronym",
        "kind",
        "adopted_on_display",
        "opened_for_signature_on_display",
        "entry_into_force_on_display",
        "place",
        "reference_number",
        "issuing_body",
        "official_title",
        "official_url",
    )
    list_columns = (
        ListColumn("short-name", _("Short name"), "subtitle"),
        ListColumn("title", _("Title"), "title", primary=True),
        ListColumn("kind", _("Kind"), "get_kind_display", order=("kind",)),
        ListColumn(
            "adopted",
            _("Adopted"),
            "adopted_or_opened_display",
            order=(Coalesce("adopted_on", "opened_for_signature_on"),),
        ),
        ListColumn("in-force", _("In force"), "entry_into_force_on_display", order=("entry_into_force_on",)),
        ListColumn("number", _("Number"), "reference_number"),
        ListColumn("body", _("Issuing body"), "issuing_body"),
    )
    list_facets = (
        ChoiceFacet("kind", "kind"),
        RelatedFacet("issuing_body", "issuing_body", _("issuing body")),
        RelatedFacet("strategic_area", "strategic_areas"),
    )
    year_expression = Coalesce(DateYear("adopted_on"), DateYear("opened_for_signature_on"))
    dated_by = (ADOPTED, OPENED_FOR_SIGNATURE)  # as its year: adopted, or else opened for signature
    # Its own citation: "Convention on Cybercrime, Budapest, 23 November 2001, ETS No. 185", from these fields only.
    cited_as = Document(
        title="official_title",
        dates=dated_by,
        place="place",
        number="reference_number",
        short_title="short_title",
        body="issuing_body",
        url="official_url",
        report_kinds=(InstrumentKind.STUDY,),
    )
    # No schema.org or ELI property says "opened for signature" (it is not the date of signature), so that date
    # is left out.
    linked_data_type = "Legislation"
    linked_data_fields = {
        "official_title": "alternateName",
        "short_title": "alternateName",
        "acronym": "alternateName",
        "kind": "legislationType",
        "adopted_on": "legislationDate",
        "entry_into_force_on": "eli:first_date_entry_in_force",
        "place": "locationCreated",
        "reference_number": "legislationIdentifier",
        "official_url": "sameAs",
    }

    official_title = models.CharField(_("official title"), max_length=500)
    short_title = models.CharField(_("short title"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    issuing_body = LinkForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_instruments",
        verbose_name=_("issuing body"),
        label=_("Issued by"),
        inverse_label=_("Instruments it issued"),
        linked_data="legislationPassedBy",
    )
    adopted_on = models.DateField(_("adopted / issued on"), null=True, blank=True)
    adopted_precision = models.CharField(
        _("adoption date precision"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    opened_for_signature_on = models.DateField(_("opened for signature on"), null=True, blank=True)
    opened_for_signature_precision = models.CharField(
        _("signature date precision"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    entry_into_force_on = models.DateField(_("entry into force"), null=True, blank=True)
    entry_into_force_precision = models.CharField(
        _("entry into force precision"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    place = models.CharField(_("place of adoption or signature"), max_length=200, blank=True)
    reference_number = models.CharField(
        _("reference number"), max_length=60, blank=True, help_text=_("E.g. CETS No. 201, A/RES/54/263.")
    )
    official_url = models.URLField(_("official URL"), max_length=500, blank=True)

    # What pages show: each date as far as it is known.
    adopted_on_display = ADOPTED
    opened_for_signature_on_display = OPENED_FOR_SIGNATURE
    entry_into_force_on_display = IN_FORCE

    class Meta(Record.Meta):
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        # Chronological: a convention known only by its opening for signature sorts by that date.
        ordering = [Coalesce("adopted_on", "opened_for_signature_on").asc(nulls_last=True), "title"]
        # The first public ones in that order (the home page, a page of the list) read in order from the index: at
        # 100,000 records PostgreSQL otherwise joined every instrument to its issuing body and sorted them, 26 ms.
        indexes = [
            *Record.Meta.indexes,
            models.Index(
                F("status"), Coalesce("adopted_on", "opened_for_signature_on"), F("title"), name="instrument_list_idx"
            ),
            # Provisions sort by their instrument's title, whatever its status: a bounded group of provisions (a
            # strategic area's, a topic's) walks the instruments in title order and stops at its 50th, where
            # PostgreSQL otherwise joined every provision to its instrument and sorted them (a strategic area's at
            # 100,000 records: 14 → 3 ms).
            models.Index(fields=["title", "id"], name="instrument_any_title_idx"),
        ]
        constraints = [
            *Record.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=InstrumentKind.values), name="instruments_instrument_kind_valid"
            ),
            ADOPTED.constraint("instruments_instrument_adopted_precision"),
            OPENED_FOR_SIGNATURE.constraint("instruments_instrument_signature_precision"),
            IN_FORCE.constraint("instruments_instrument_in_force_precision"),
            models.CheckConstraint(
                condition=Q(entry_into_force_on__isnull=True)
                | Q(adopted_on__isnull=True)
                | Q(entry_into_force_on__gte=F("adopted_on")),
                name="instruments_instrument_in_force_after_adoption",
            ),
            models.CheckConstraint(
                condition=Q(entry_into_force_on__isnull=True)
                | Q(opened_for_signature_on__isnull=True)
                | Q(entry_into_force_on__gte=F("opened_for_signature_on")),
                name="instruments_instrument_in_force_after_signature",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        errors = {**ADOPTED.errors(self), **OPENED_FOR_SIGNATURE.errors(self), **IN_FORCE.errors(self)}
        in_force = self.entry_into_force_on
        for start_field, start_name in (
            ("adopted_on", _("adoption")),
            ("opened_for_signature_on", _("signature")),
        ):
            start = getattr(self, start_field)
            if in_force and start and in_force < start:
                errors["entry_into_force_on"] = _("Entry into force cannot be before %(event)s (%(date)s).") % {
                    "event": start_name,
                    "date": start.isoformat(),
                }
        if errors:
            raise ValidationError(errors)

    @property
    def year(self) -> int | None:
        first = self.adopted_on or self.opened_for_signature_on
        return first.year if first else None

    @property
    def adopted_or_opened_display(self) -> str:
        """When it was made, as its list's table shows it: the adoption, or else the opening for signature, said so
        (the Budapest Convention's adoption date is not recorded; its opening for signature is)."""
        if self.adopted_on:
            return self.adopted_on_display
        if self.opened_for_signature_on:
            return _("%(date)s (opened for signature)") % {"date": self.opened_for_signature_on_display}
        return ""


class RelationKind(models.TextChoices):
    SUPPLEMENTS = "supplements", _("supplements")
    AMENDS = "amends", _("amends")
    FOLLOWS_UP = "follows_up", _("follows up")
    REFERS_TO = "refers_to", _("refers to")


class InstrumentRelation(TypedLink):
    """A typed relation between two instruments, read both ways: the OPSC *supplements* the CRC."""

    Kind = RelationKind

    LABELS = {
        Kind.SUPPLEMENTS: (_("Supplements"), _("Is supplemented by")),
        Kind.AMENDS: (_("Amends"), _("Is amended by")),
        Kind.FOLLOWS_UP: (_("Follows up"), _("Is followed up by")),
        Kind.REFERS_TO: (_("Refers to"), _("Is referred to by")),
    }
    # "Follows up" has no closer property than the generic one.
    LINKED_DATA = {
        Kind.SUPPLEMENTS: "eli:based_on",
        Kind.AMENDS: "legislationChanges",
        Kind.REFERS_TO: "citation",
    }
    source_field = "subject"
    target_field = "object"

    subject = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="relations_out", verbose_name=_("instrument")
    )
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    object = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="relations_in",
        verbose_name=_("related instrument"),
    )

    class Meta:
        verbose_name = _("instrument relation")
        verbose_name_plural = _("instrument relations")
        ordering = ["subject", "kind", "object"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "kind", "object"], name="instruments_relation_unique"),
            models.CheckConstraint(condition=~Q(subject=F("object")), name="instruments_relation_not_self"),
            models.CheckConstraint(condition=Q(kind__in=RelationKind.values), name="instruments_relation_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()} {self.object}"

    def clean(self) -> None:
        super().clean()
        if self.subject_id and self.subject_id == self.object_id:
            raise ValidationError({"object": _("An instrument cannot be related to itself.")})


# Its search document names the strategic areas its topics are classified under, as its page does.
@record_type(content_key="provision", part_of="instrument", names_through=("topics__classified_areas",))
class Provision(Record):
    """An article (or other numbered provision) of an instrument, so rights and programmes can cite it exactly."""

    url_name = "instruments:provision-detail"
    search_facet_links = {"strategic_area": "strategic_areas"}
    # "Article 16" alone does not say of what: wherever articles are listed, their instrument's short name says it.
    subtitle_fields = ("instrument__acronym", "instrument__short_title")
    detail_fields = ("instrument", "number")
    list_facets = (RelatedFacet("instrument", "instrument"), RelatedFacet("topic", "topics"))
    linked_data_type = "Legislation"
    linked_data_fields = {"number": "position"}
    cited_within = "instrument"  # "<the instrument's citation>, Article 34"

    instrument = LinkForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("instrument"),
        label=_("Provision of"),
        inverse_label=_("Provisions"),
        linked_data="isPartOf",
    )
    number = models.CharField(_("number"), max_length=20, help_text=_("As the instrument numbers it, e.g. 13."))
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Order within the instrument: the article number as a number, so that 9 comes before 10."),
    )
    topics = LinkManyToManyField(
        "Topic",
        blank=True,
        related_name="provisions",
        verbose_name=_("topics"),
        label=_("Topics"),
        inverse_label=_("Provisions on this topic"),
        linked_data="about",
    )

    class Meta(Record.Meta):
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        ordering = ["instrument__title", "position", "number"]
        constraints = [
            *Record.Meta.constraints,
            models.UniqueConstraint(fields=["instrument", "number"], name="instruments_provision_unique_number"),
            models.CheckConstraint(condition=~Q(number=""), name="instruments_provision_number_not_empty"),
        ]

    def clean(self) -> None:
        super().clean()
        if not self.position:
            # Left at 0, the position is the number's leading digits, so a provision an editor numbers "19" still
            # sorts after "2" ("3 bis" after "3", by number); a number without digits (or with too many for the
            # column) keeps 0.
            digits = re.match(r"\d{1,9}(?!\d)", self.number or "")
            if digits:
                self.position = int(digits.group())


@record_type(content_key="topic", brief=True)
class Topic(Record):
    """What provisions are about, across instruments (the concordance's rows): an editorial grouping, judged from
    each article's own words, never part of an instrument."""

    url_name = "instruments:topic-detail"
    detail_fields = ()
    linked_data_type = "DefinedTerm"
    linked_data_fields = {"position": "position"}

    position = models.PositiveIntegerField(_("position"), help_text=_("Order in the concordance."))

    class Meta(Record.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "title"]
        constraints = [
            *Record.Meta.constraints,
            models.UniqueConstraint(fields=["position"], name="instruments_topic_unique_position"),
        ]
