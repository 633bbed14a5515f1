"""The record admin's history: versions listed and compared, one record reverted or recovered at a time.

A revision can hold many records (a bulk action or an import), so a revert or a recovery never replays the
revision: it restores this record's own snapshot (``cop_kb.records.snapshots``) and nothing else.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from .models import AuditAction, Status
from .services import Attribution, RecordBefore, can_publish
from .snapshots import snapshot_from_version, snapshot_restore


class _RolledBack(Exception):
    """Carries a rendered page out of a savepoint that must leave nothing behind."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def form_over(request, view, *, prepare, keep):
    """Run an admin form ``view`` over the record as ``prepare`` writes it, inside a savepoint.

    ``prepare`` writes a state (an old version, pending changes) to the database, so the form, its inlines and
    its validation read it as they would a saved record. After a successful save ``keep()`` says whether what was
    written stays; otherwise, and always when a page is only shown, the page is rendered and the savepoint rolled
    back, so that showing a form changes nothing.
    """
    try:
        with transaction.atomic():
            prepare()
            response = view()
            if request.method == "POST" and response.status_code == 302 and keep():
                return response
            if hasattr(response, "render"):
                response.render()
            raise _RolledBack(response)
    except _RolledBack as rolled_back:
        return rolled_back.response


# The two forms shown over an old version: their title and template, by what saving them does.
SNAPSHOT_FORMS = {
    AuditAction.REVERT: (_("Revert %(name)s"), "admin/directory/record_revision_form.html"),
    AuditAction.RECOVER: (_("Recover %(name)s as a draft"), "admin/directory/record_recover_form.html"),
}


class RecordHistoryMixin:
    """History, compare, revert and recover for ``RecordAdmin`` (which adds django-reversion's ``VersionAdmin``)."""

    object_history_template = "admin/directory/record_history.html"

    def _snapshot_form(self, request, version, *, status: str, action: str):
        """Show (GET) or save (POST) the change form over ``version``'s snapshot of its record, with ``status``."""
        title, template = SNAPSHOT_FORMS[action]
        title = title % {"name": version.object_repr}
        snapshot = snapshot_from_version(version)
        version_date = f"{version.revision.date_created:%Y-%m-%d %H:%M}"
        # The form is saved over the snapshot; what the record linked before is read before the snapshot is written.
        request.record_write = (
            RecordBefore.of(self.model._default_manager.filter(pk=version.object_id).first()),
            Attribution(
                action=action,
                comment=_("%(action)s: the version of %(date)s")
                % {"action": capfirst(AuditAction(action).label), "date": version_date},
                user=request.user,
                detail=f"to version {version.pk} of {version_date}",
                request=request,
            ),
        )

        def view():
            response = self.changeform_view(request, quote(version.object_id), request.path, context)
            if response.status_code == 200:
                response.template_name = template
            return response

        context = {"title": title, "revert": action == AuditAction.REVERT, "recover": action == AuditAction.RECOVER}
        try:
            return form_over(
                request, view, prepare=lambda: snapshot_restore(snapshot, status=status), keep=lambda: True
            )
        except ValidationError as error:
            messages.error(request, _("This version cannot be restored: %(why)s") % {"why": " ".join(error.messages)})
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert one record to an old version: its content and links come back, its status stays."""
        if not can_publish(request.user):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404
        version = get_object_or_404(Version.objects.get_for_object(record), pk=version_id)
        return self._snapshot_form(request, version, status=record.status, action=AuditAction.REVERT)

    def recover_view(self, request, version_id, extra_context=None):
        """Bring a deleted record back as a draft, so a publisher decides again whether the public sees it."""
        if not can_publish(request.user) or not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        return self._snapshot_form(request, version, status=Status.DRAFT, action=AuditAction.RECOVER)

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
            "rows": field_differences(self.model, older.field_dict, newer.field_dict),
            "object_id": object_id,
        }
        return TemplateResponse(request, "admin/directory/record_compare.html", context)


def field_differences(model, before: dict, after: dict) -> list[dict]:
    """The fields that differ between two states of a record, as readable text (links shown by title)."""
    rows = []
    for model_field in model._meta.get_fields():
        if not getattr(model_field, "concrete", False) or model_field.name in {"body_html", "updated_at"}:
            continue
        name = model_field.attname if model_field.many_to_one else model_field.name
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        rows.append(
            {
                "label": capfirst(model_field.verbose_name),
                "before": _readable(model_field, old),
                "after": _readable(model_field, new),
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
