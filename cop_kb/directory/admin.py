"""Admin for countries and organisations, and for the shared rows the directory app holds: the audit trail and
pending changes."""

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cop_kb.records.admin import ReadOnlyAdmin, RecordAdmin, columns, filters
from cop_kb.records.models import AuditEvent, PendingChange

from .models import Country, Organisation


class CountryForm(forms.ModelForm):
    """Accepts codes in any case and says what shape a code must have, instead of naming a constraint."""

    def _clean_code(self, field_name: str, length: int, example: str) -> str:
        value = self.cleaned_data[field_name].strip().upper()
        if not re.fullmatch(rf"[A-Z]{{{length}}}", value):
            raise ValidationError(
                _("Enter the %(length)s-letter ISO 3166-1 code, e.g. %(example)s."),
                params={"length": length, "example": example},
            )
        return value

    def clean_iso_alpha2(self) -> str:
        return self._clean_code("iso_alpha2", 2, "KE")

    def clean_iso_alpha3(self) -> str:
        return self._clean_code("iso_alpha3", 3, "KEN")


@admin.register(Country)
class CountryAdmin(RecordAdmin):
    form = CountryForm
    identity_fields = (("iso_alpha2", "iso_alpha3"),)
    list_display = columns("iso_alpha2", "iso_alpha3")
    search_fields = (*RecordAdmin.search_fields, "iso_alpha2", "iso_alpha3")


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin):
    identity_fields = ("acronym",)
    type_fields = ("kind", "website")
    list_display = columns("acronym", "kind", "parent")
    list_filter = filters("kind")
    list_select_related = ("parent",)
    search_fields = (*RecordAdmin.search_fields, "acronym")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail, read-only: nobody edits history."""

    list_display = ("at", "username", "action", "object_repr", "detail", "ip_address")
    list_filter = ("action", "at")
    search_fields = ("username", "object_repr", "detail")
    date_hierarchy = "at"


@admin.register(PendingChange)
class PendingChangeAdmin(ReadOnlyAdmin):
    """Where publishers find editors' changes to published records; each row opens the record with its diff."""

    list_display = ("record_link", "changed_by", "changed_at", "submitted_at")
    list_filter = (("submitted_at", admin.EmptyFieldListFilter),)
    list_select_related = ("changed_by", "content_type")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    @admin.display(description=_("record"))
    def record_link(self, change: PendingChange) -> str:
        record = change.record
        if record is None:
            return "—"
        opts = record._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        return format_html('<a href="{}">{}</a> ({})', url, record, opts.verbose_name)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("directory.publish_records") or super().has_view_permission(request, obj)
