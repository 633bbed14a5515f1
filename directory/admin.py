"""The admin every record type shares (``RecordAdmin``), plus countries and organisations.

The admin is where editors work, so each record page has the same shape: Identity, Content, the type's own
details, Links and Publication. Link fields are read from the ``LinkForeignKey`` / ``LinkManyToManyField``
declarations (see ``directory.links``), so a new link shows up here, with autocomplete, without being listed twice.
"""

import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import get_content_type_for_model
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from .audit import audit_record
from .links import LinkForeignKey, LinkManyToManyField, linked_records
from .models import Alias, AuditAction, AuditEvent, Country, Organisation, Source
from .resources import RecordImportExportMixin  # import/export buttons (CSV, JSON) on every record admin
from .services import (
    WorkflowError,
    allowed_transitions,
    can_publish,
    record_reindex,
    record_slug_changed,
    record_transition,
    record_unindex,
    record_verify,
)


def link_field_names(model) -> tuple[str, ...]:
    """Names of the model's own link fields (foreign keys and many-to-many), in declaration order."""
    return tuple(
        model_field.name
        for model_field in model._meta.get_fields()
        if isinstance(model_field, LinkForeignKey | LinkManyToManyField)
    )


class TagListFilter(admin.SimpleListFilter):
    """Filter by tag, offering only the tags used on this model (the tag table is shared by every model)."""

    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return model_admin.model.tags.order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


# Editors paste addresses without a scheme ("unicef.org/…"); read them as https, as Django 6 will.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class AliasFormSet(BaseGenericInlineFormSet):
    def clean(self) -> None:
        # The database refuses the same alias twice on one record whatever its case; say so before saving.
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            name = (form.cleaned_data.get("name") or "").strip()
            if not name:
                continue
            if name.upper() in seen:
                raise ValidationError(
                    _("The alias “%(name)s” is given twice (capitals do not count); remove one of them."),
                    params={"name": name},
                )
            seen.add(name.upper())


class AliasInline(GenericTabularInline):
    model = Alias
    formset = AliasFormSet
    fields = ("name", "kind")
    extra = 0


class SourceInline(GenericTabularInline):
    model = Source
    fields = ("title", "url", "supports")
    extra = 0
    formfield_overrides = URL_FIELD_OVERRIDES


@dataclass(frozen=True)
class RecordState:
    """What a save must know about the record as it was: its status, slug and linked records."""

    status: str
    slug: str
    linked: list

    @classmethod
    def of(cls, record) -> "RecordState":
        return cls(status=record.status, slug=record.slug, linked=linked_records(record))


class RecordAdmin(RecordImportExportMixin, VersionAdmin):
    """What every record admin shares; subclasses add their own columns, filters and fields.

    Subclasses name their extra fields in ``identity_fields`` (shown after title and slug), ``content_fields``
    (defaults to summary and body) and ``type_fields`` (the type's own facts); link fields need not be named.
    """

    identity_fields: tuple = ()
    content_fields: tuple = ("summary", "body")
    type_fields: tuple = ()

    list_display = ("title", "status", "updated_at")
    list_filter = ("status", TagListFilter)
    search_fields = ("title", "slug", "summary", "aliases__name")
    prepopulated_fields = {"slug": ("title",)}
    # Status changes only through the workflow buttons and actions, which check who may make them.
    readonly_fields = ("status", "last_verified_on", "last_verified_by", "created_at", "updated_at")
    save_on_top = True
    inlines = (AliasInline, SourceInline)
    formfield_overrides = URL_FIELD_OVERRIDES
    change_form_template = "admin/directory/record_change_form.html"
    object_history_template = "admin/directory/record_history.html"
    actions = ("submit_for_review", "publish", "withdraw", "return_to_draft", "mark_verified")

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        links = link_field_names(model)
        # Set on the instance so Django's admin checks still validate them.
        self.autocomplete_fields = (*links, *self.autocomplete_fields)
        if self.fieldsets is None:
            self.fieldsets = self.record_fieldsets(links)

    def record_fieldsets(self, links: tuple[str, ...]) -> list:
        fieldsets = [
            (_("Identity"), {"fields": ("title", "slug", *self.identity_fields)}),
            (_("Content"), {"fields": self.content_fields}),
        ]
        if self.type_fields:
            title = format_lazy(_("{type} details"), type=capfirst(self.model._meta.verbose_name))
            fieldsets.append((title, {"fields": self.type_fields}))
        if links:
            fieldsets.append(
                (
                    _("Links"),
                    {
                        "fields": links,
                        "description": _("Type a few letters of a title or alias to find the record to link."),
                    },
                )
            )
        fieldsets.append(
            (
                _("Publication and review"),
                {
                    "fields": (
                        "status",
                        "tags",
                        "review_interval_days",
                        ("last_verified_on", "last_verified_by"),
                        ("created_at", "updated_at"),
                    )
                },
            )
        )
        return fieldsets

    # The search index follows every admin change: the record itself and the records linked to it before and
    # after, since their facets read links in both directions.
    # The form carries what was there before the save (it lives for one request; the admin is shared).
    def save_model(self, request, obj, form, change):
        state = getattr(request, "state_before_revert", None)
        if state is None:
            before = self.model.objects.filter(pk=obj.pk).first() if change else None
            state = RecordState.of(before) if before else RecordState(status=obj.status, slug="", linked=[])
        else:
            # A revert restores content and links, never the workflow status: only workflow steps change that.
            obj.status = state.status
        form.linked_before = state.linked
        super().save_model(request, obj, form, change)
        if state.slug and state.slug != obj.slug:
            record_slug_changed(record=obj, old_slug=state.slug)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_reindex(form.instance, previously_linked=getattr(form, "linked_before", []))

    def delete_model(self, request, obj):
        linked = linked_records(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        record_unindex(self.model, [pk], previously_linked=linked)

    def delete_queryset(self, request, queryset):
        records = list(queryset)
        linked = [other for record in records for other in linked_records(record)]
        super().delete_queryset(request, queryset)
        record_unindex(self.model, [record.pk for record in records], previously_linked=linked)

    # ---- workflow ----------------------------------------------------------------------------------------------

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user)

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        own = [
            path(
                "<path:object_id>/transition/<str:step>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["workflow_steps"] = allowed_transitions(request.user, obj)
            context["preview_url"] = reverse(
                "record-preview", kwargs={"content_type_id": get_content_type_for_model(obj).pk, "pk": obj.pk}
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @method_decorator(require_POST)
    def transition_view(self, request, object_id, step):
        """One workflow step from the record's page (a POST with the CSRF token); the service checks who may."""
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404
        try:
            record_transition(record=record, action=step, user=request.user, request=request)
        except WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("“%(title)s” is now %(status)s.") % {"title": record, "status": record.get_status_display().lower()},
                messages.SUCCESS,
            )
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", record.pk)

    def _bulk_step(self, request, queryset, step: str) -> None:
        done, refused = 0, []
        for record in queryset:
            try:
                record_transition(record=record, action=step, user=request.user, request=request)
                done += 1
            except WorkflowError:
                refused.append(str(record))
        if done:
            self.message_user(request, _("%(count)d records changed.") % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("Not changed, because of their status: %(titles)s.") % {"titles": ", ".join(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._bulk_step(request, queryset, "submit")

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        self._bulk_step(request, queryset, "publish")

    @admin.action(description=_("Withdraw"), permissions=["publish"])
    def withdraw(self, request, queryset):
        self._bulk_step(request, queryset, "withdraw")

    @admin.action(description=_("Return to draft"), permissions=["change"])
    def return_to_draft(self, request, queryset):
        self._bulk_step(request, queryset, "return")

    @admin.action(description=_("Mark as verified today"), permissions=["change"])
    def mark_verified(self, request, queryset):
        for record in queryset:
            record_verify(record=record, user=request.user, request=request)
        self.message_user(request, _("Marked as verified today."), messages.SUCCESS)

    # ---- history: compare any two versions; reverting is for publishers --------------------------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        if request.method == "POST":
            # django-reversion rewrites the row before the form is saved; remember what it was first.
            current = self.model.objects.filter(pk=unquote(object_id)).first()
            request.state_before_revert = RecordState.of(current) if current else None
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = Version.objects.get(pk=version_id)
            record = self.model.objects.filter(pk=version.object_id).first()
            audit_record(
                action=AuditAction.REVERT,
                user=request.user,
                record=record,
                detail=f"to version {version.pk} of {version.revision.date_created:%Y-%m-%d %H:%M}",
                request=request,
            )
        return response

    def recover_view(self, request, version_id, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        versions = list(
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision", "revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        context = {
            "versions": [
                (version, versions[index + 1] if index + 1 < len(versions) else None)
                for index, version in enumerate(versions)
            ],
            "can_revert": can_publish(request.user),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        """Two versions side by side, field by field, with links named by title; for anyone who may view."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = Version.objects.get_for_object_reference(self.model, unquote(object_id))
        older = versions.filter(pk=request.GET.get("a", "") if request.GET.get("a", "").isdigit() else None).first()
        newer = versions.filter(pk=request.GET.get("b", "") if request.GET.get("b", "").isdigit() else None).first()
        if older is None or newer is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compare versions of %(name)s") % {"name": newer.object_repr},
            "older": older,
            "newer": newer,
            "rows": version_differences(self.model, older, newer),
            "object_id": object_id,
        }
        return TemplateResponse(request, "admin/directory/record_compare.html", context)


def version_differences(model, older, newer) -> list[dict]:
    """The fields that differ between two versions, as readable text (links shown by title)."""
    rows = []
    old_fields, new_fields = older.field_dict, newer.field_dict
    for model_field in model._meta.get_fields():
        if not getattr(model_field, "concrete", False) or model_field.name in {"body_html", "updated_at"}:
            continue
        name = model_field.attname if model_field.many_to_one else model_field.name
        before, after = old_fields.get(name), new_fields.get(name)
        if before == after:
            continue
        rows.append(
            {
                "label": capfirst(model_field.verbose_name),
                "before": _readable(model_field, before),
                "after": _readable(model_field, after),
            }
        )
    return rows


def _readable(model_field, value) -> str:
    if value in (None, "", []):
        return "—"
    if model_field.many_to_many or model_field.many_to_one:
        pks = list(value) if model_field.many_to_many else [value]
        titles = model_field.related_model._default_manager.filter(pk__in=pks).values_list("title", flat=True)
        return ", ".join(sorted(titles)) or "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def columns(*fields) -> tuple:
    """A record changelist's columns: title first, then the type's own, then status and last change."""
    return ("title", *fields, "status", "updated_at")


def filters(*fields) -> tuple:
    """A record changelist's filters: status first, then the type's own, then tags."""
    return ("status", *fields, TagListFilter)


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
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody edits history."""

    list_display = ("at", "username", "action", "object_repr", "detail", "ip_address")
    list_filter = ("action", "at")
    search_fields = ("username", "object_repr", "detail")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
