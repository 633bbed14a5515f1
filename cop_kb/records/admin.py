"""The admin every record type shares (``RecordAdmin``), and the read-only admin of rows the system writes.

The admin is where editors work, so each record page has the same shape: Identity, Content, the type's own
details, Links and Publication. Link fields are read from the ``LinkForeignKey`` / ``LinkManyToManyField``
declarations (see ``cop_kb.records.links``), so a new link shows up here, with autocomplete, without being listed twice.
"""

import json
from contextlib import nullcontext

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from .admin_history import RecordHistoryMixin
from .admin_import import RecordImportExportMixin  # import/export buttons (CSV, JSON) on every record admin
from .admin_pickers import LinkPickerMixin
from .admin_workflow import RecordWorkflowMixin, warn_if_sourceless
from .links import LinkForeignKey, LinkManyToManyField
from .models import Alias, AuditAction, Source
from .services import Attribution, RecordBefore, records_delete, records_saved


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


SLUG_ON_ADD = _(
    "The page's permanent address, filled in from the title as you type it (type it yourself if JavaScript is off). "
    "Change it here if you like; once saved it stays, and a later change redirects the old address."
)


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


class RecordAdmin(LinkPickerMixin, RecordImportExportMixin, RecordWorkflowMixin, RecordHistoryMixin, VersionAdmin):
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

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        links = link_field_names(model)
        # Set on the instance so Django's admin checks still validate them.
        self.autocomplete_fields = (*links, *self.autocomplete_fields)
        if self.fieldsets is None:
            self.fieldsets = self.record_fieldsets(links)

    def get_prepopulated_fields(self, request, obj=None):
        # A saved record's slug is its permanent address: only a new record's follows the title.
        return self.prepopulated_fields if obj is None else {}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and "slug" in form.base_fields:
            form.base_fields["slug"].help_text = SLUG_ON_ADD
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # An empty nullable text box means NULL, as Django already does for a nullable CharField: otherwise a save
        # that changes nothing would turn NULL into "" and count as a change waiting for review.
        if isinstance(db_field, models.TextField) and db_field.null:
            kwargs.setdefault("empty_value", None)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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

    def create_revision(self, request):
        # django-reversion's admin would wrap each view in a revision of whatever it saves; the write path
        # (``records_saved``) writes each record's version itself, with its audit event.
        return nullcontext()

    # Whatever a save changes (the record, its links, its inline rows), ``records_saved`` follows: it needs the
    # record as it was, which the form carries from save_model to save_related (it lives for one request). A view
    # that saves the form for a reason of its own (a revert, a recovery, publishing waiting changes) says so in
    # ``request.record_write``: the record as it was before that view wrote anything, and the attribution.
    def save_model(self, request, obj, form, change):
        form.record_before = RecordBefore.of(obj) if change else RecordBefore()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, by = getattr(request, "record_write", (form.record_before, None))
        if by is None:
            message = self.construct_change_message(request, form, formsets, not change)
            by = Attribution(
                action=AuditAction.CHANGE if change else AuditAction.CREATE,
                comment=LogEntry(change_message=json.dumps(message)).get_change_message(),
                user=request.user,
                request=request,
            )
        records_saved([(form.instance, before)], by=by)
        # A save that leaves the record public publishes what was saved (an editor's save of a published record
        # only proposes changes; a workflow step sent with the form warns for itself once it is taken).
        if (
            form.instance.is_public
            and not getattr(request, "proposing_changes", False)
            and not hasattr(request, "workflow_step")
        ):
            warn_if_sourceless(request, [form.instance])

    def delete_model(self, request, obj):
        records_delete([obj], by=self._deleted_by(request))

    def delete_queryset(self, request, queryset):
        records_delete(queryset, by=self._deleted_by(request))

    @staticmethod
    def _deleted_by(request) -> Attribution:
        return Attribution(action=AuditAction.DELETE, user=request.user, request=request)


class TypedLinkAdmin(LinkPickerMixin, admin.ModelAdmin):
    """The admin of typed link rows on their own pages (instrument relations, organisations' roles).

    A row belongs to the record at its ``source_field`` end, as on that record's form, so saving or deleting one is a
    change to that record, followed by the write path like any other: a version and an audit event of the record,
    and the records at the other end, before and after, reindexed.
    """

    def _owners(self, rows) -> dict:
        """The records the rows belong to, as they are now (their links before the change)."""
        owners = {}
        for row in rows:
            owner = getattr(row, row.source_field, None) if row is not None else None
            if owner is not None:
                owners.setdefault((type(owner), owner.pk), RecordBefore.of(owner))
        return owners

    def _follow(self, request, owners: dict, comment) -> None:
        by = Attribution(action=AuditAction.CHANGE, comment=comment, user=request.user, detail=comment, request=request)
        records_saved([(model._default_manager.get(pk=pk), before) for (model, pk), before in owners.items()], by=by)

    def save_model(self, request, obj, form, change):
        stored = self.model._default_manager.filter(pk=obj.pk).first() if change else None
        owners = self._owners([stored, obj])
        super().save_model(request, obj, form, change)
        self._follow(request, owners, format_lazy(_("Link saved: {link}"), link=obj))

    def delete_model(self, request, obj):
        owners = self._owners([obj])
        link = str(obj)
        super().delete_model(request, obj)
        self._follow(request, owners, format_lazy(_("Link removed: {link}"), link=link))

    def delete_queryset(self, request, queryset):
        rows = list(queryset)
        owners = self._owners(rows)
        super().delete_queryset(request, queryset)
        self._follow(request, owners, format_lazy(_("Links removed: {links}"), links="; ".join(map(str, rows))))


def columns(*fields) -> tuple:
    """A record changelist's columns: title first, then the type's own, then status and last change."""
    return ("title", *fields, "status", "updated_at")


def filters(*fields) -> tuple:
    """A record changelist's filters: status first, then the type's own, then tags."""
    return ("status", *fields, TagListFilter)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system (history, waiting changes) that nobody adds, edits or deletes here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
