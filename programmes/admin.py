"""Admin for programmes, partnerships, their activities and outputs, and the organisations' roles in them."""

from django.contrib import admin

from cop_kb.records.admin import RecordAdmin, TypedLinkAdmin, columns, filters
from cop_kb.records.admin_pickers import LinkPickerMixin

from .models import (
    Activity,
    ActivityOrganisation,
    Output,
    Partnership,
    PartnershipMember,
    Programme,
    ProgrammeOrganisation,
)

INITIATIVE_DETAILS = (("kind", "level", "year"),)


class RoleInline(LinkPickerMixin, admin.TabularInline):
    """An organisation and its role, edited on the record it takes part in."""

    fields = ("organisation", "kind")
    autocomplete_fields = ("organisation",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class ProgrammeOrganisationInline(RoleInline):
    model = ProgrammeOrganisation


class PartnershipMemberInline(RoleInline):
    model = PartnershipMember


class ActivityOrganisationInline(RoleInline):
    model = ActivityOrganisation


@admin.register(Programme)
class ProgrammeAdmin(RecordAdmin):
    type_fields = INITIATIVE_DETAILS
    list_display = columns("kind", "level", "year", "focus_area")
    list_filter = filters("kind", "level")
    list_select_related = ("focus_area",)
    inlines = (ProgrammeOrganisationInline, *RecordAdmin.inlines)


@admin.register(Partnership)
class PartnershipAdmin(RecordAdmin):
    type_fields = (("launched_on", "launched_precision"), "website")
    list_display = columns("launched", "focus_area")
    list_select_related = ("focus_area",)
    date_hierarchy = "launched_on"
    inlines = (PartnershipMemberInline, *RecordAdmin.inlines)

    @admin.display(description=Partnership._meta.get_field("launched_on").verbose_name, ordering="launched_on")
    def launched(self, partnership: Partnership) -> str:
        return partnership.launched_on_display


@admin.register(Activity)
class ActivityAdmin(RecordAdmin):
    type_fields = (*INITIATIVE_DETAILS, "place")
    list_display = columns("partnership", "kind", "level", "year")
    list_filter = filters("kind", "level", ("partnership", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("partnership",)
    inlines = (ActivityOrganisationInline, *RecordAdmin.inlines)


@admin.register(Output)
class OutputAdmin(RecordAdmin):
    type_fields = (("kind", "year"), "url")
    list_display = columns("kind", "year", "programme", "publisher")
    list_filter = filters("kind")
    list_select_related = ("programme", "publisher")


class RoleAdmin(TypedLinkAdmin):
    """The role rows of one kind on their own page, for finding every piece of work an organisation takes part in.

    Each role model names the record it belongs to in ``source_field``; the columns, joins and search follow it.
    """

    list_filter = ("kind",)

    def __init__(self, model, admin_site):
        source = model.source_field
        self.list_display = (source, "kind", "organisation")
        self.list_select_related = (source, "organisation")
        self.autocomplete_fields = (source, "organisation")
        self.search_fields = ("organisation__title", "organisation__acronym", f"{source}__title")
        super().__init__(model, admin_site)


admin.site.register((ProgrammeOrganisation, PartnershipMember, ActivityOrganisation), RoleAdmin)
