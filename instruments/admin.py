"""Admin for instruments, their provisions and the typed relations between instruments."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cop_kb.records.admin import RecordAdmin, TypedLinkAdmin, columns, filters
from cop_kb.records.admin_pickers import LinkPickerMixin

from .models import Instrument, InstrumentRelation, Provision, Topic


class RelationInline(LinkPickerMixin, admin.TabularInline):
    """Typed relations on an instrument's page, from the end ``fk_name`` names; the other end is picked."""

    model = InstrumentRelation
    extra = 0
    other = ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.other)


class RelationOutInline(RelationInline):
    """Relations this instrument has to others: *this* supplements / amends / … *that*."""

    fk_name, other = "subject", "object"
    fields = ("kind", "object")
    autocomplete_fields = ("object",)
    verbose_name = _("relation to another instrument")
    verbose_name_plural = _("relations to other instruments")


class RelationInInline(RelationInline):
    """Relations other instruments have to this one: *that* supplements / amends / … *this*."""

    fk_name, other = "object", "subject"
    fields = ("subject", "kind")
    autocomplete_fields = ("subject",)
    verbose_name = _("relation from another instrument")
    verbose_name_plural = _("relations from other instruments")


@admin.register(Instrument)
class InstrumentAdmin(RecordAdmin):
    identity_fields = ("official_title", ("short_title", "acronym"), "reference_number")
    type_fields = (
        "kind",
        ("adopted_on", "adopted_precision"),
        ("opened_for_signature_on", "opened_for_signature_precision"),
        ("entry_into_force_on", "entry_into_force_precision"),
        "place",
        "official_url",
    )
    list_display = columns("acronym", "kind", "adopted", "issuing_body")
    list_filter = filters("kind")
    list_select_related = ("issuing_body",)
    search_fields = (*RecordAdmin.search_fields, "official_title", "short_title", "acronym", "reference_number")
    date_hierarchy = "adopted_on"
    inlines = (*RecordAdmin.inlines, RelationOutInline, RelationInInline)

    @admin.display(description=_("adopted"), ordering="adopted_on")
    def adopted(self, instrument: Instrument) -> str:
        return instrument.adopted_on_display


@admin.register(Provision)
class ProvisionAdmin(RecordAdmin):
    identity_fields = (("number", "position"),)
    list_display = columns("number", "instrument")
    list_filter = filters(("instrument", admin.RelatedOnlyFieldListFilter), "topics")
    list_select_related = ("instrument",)
    search_fields = (*RecordAdmin.search_fields, "number", "instrument__title", "instrument__acronym")


@admin.register(Topic)
class TopicAdmin(RecordAdmin):
    """Topics of the concordance: editors write their description (the summary) and set their order."""

    type_fields = ("position",)
    list_display = columns("position")


@admin.register(InstrumentRelation)
class InstrumentRelationAdmin(TypedLinkAdmin):
    list_display = ("subject", "kind", "object")
    list_filter = ("kind",)
    list_select_related = ("subject", "object")
    search_fields = ("subject__title", "subject__acronym", "object__title", "object__acronym")
    autocomplete_fields = ("subject", "object")
