"""The record admin's workflow: status steps, pending changes on published records, and the bulk actions.

Steps are buttons of the record's own change form: pressing one saves the form first (with its validation) and
takes the step only if the save succeeded, so typing and then pressing "Submit for review" never loses the typing.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import get_content_type_for_model
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .admin_history import field_differences, form_over
from .admin_views import change_url
from .links import typed_link_relations
from .models import PendingChange, Source, Status
from .pending import (
    CHANGE_STEPS,
    allowed_change_steps,
    changes_published_by,
    pending_change_for,
    pending_change_save,
    pending_change_step,
    proposes_changes,
)
from .services import RecordBefore, WorkflowError, allowed_transitions, can_publish, record_transition, record_verify
from .snapshots import ALIAS_FIELDS, SOURCE_FIELDS, Snapshot, snapshot_of, snapshot_restore


def pending_differences(model, published: Snapshot, pending: Snapshot) -> list[dict]:
    """What the waiting changes change: fields and links, then aliases, sources and tags, as readable text."""
    rows = field_differences(model, published.field_values(), pending.field_values())
    for label, names, before, after in (
        (_("Aliases"), ALIAS_FIELDS, published.aliases, pending.aliases),
        (_("Sources"), SOURCE_FIELDS, published.sources, pending.sources),
    ):
        if _listed(before, names) != _listed(after, names):
            rows.append({"label": label, "before": _listed(before, names), "after": _listed(after, names)})
    if published.tags != pending.tags:
        rows.append({"label": _("Tags"), "before": ", ".join(published.tags), "after": ", ".join(pending.tags)})
    for accessor, typed, own_field in typed_link_relations(model):
        before, after = (published.typed or {}).get(accessor), (pending.typed or {}).get(accessor)
        if before != after:
            label = capfirst(typed._meta.verbose_name_plural)
            rows.append(
                {"label": label, "before": _typed(typed, own_field, before), "after": _typed(typed, own_field, after)}
            )
    return rows


def _listed(rows: list[dict], names: tuple[str, ...]) -> str:
    return "; ".join(" · ".join(str(row[name]) for name in names if row.get(name)) for row in rows) or "—"


def _typed(typed, own_field: str, rows: list[dict] | None) -> str:
    """Typed link rows as their labels read from this record: "Supplements: Convention on the Rights of the Child"."""
    other = typed._meta.get_field(typed.target_field if own_field == typed.source_field else typed.source_field)
    titles = dict(
        other.related_model._default_manager.filter(pk__in=[row[other.attname] for row in rows or []]).values_list(
            "pk", "title"
        )
    )
    forward = own_field == typed.source_field
    return (
        "; ".join(
            f"{typed.LABELS[row['kind']][0 if forward else 1]}: {titles.get(row[other.attname], '?')}"
            for row in rows or []
        )
        or "—"
    )


# The steps after which a record is public with what was just approved: its sources matter from then on.
PUBLISHING_STEPS = frozenset({"publish", "publish_changes"})
# Where a record's form lists its sources (the source inline's formset prefix, and "-group").
SOURCES_ANCHOR = f"#{Source._meta.app_label}-{Source._meta.model_name}-content_type-object_id-group"


def warn_if_sourceless(request, records) -> None:
    """Publishing a record with no source is allowed (the source may come later), but readers then cannot check
    where its facts come from: the publisher is told which records lack one, and where on each page to add it."""
    sourceless = []
    for model in {type(record) for record in records}:
        of_model = [record for record in records if type(record) is model]
        with_sources = set(
            Source.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[r.pk for r in of_model]
            ).values_list("object_id", flat=True)
        )
        sourceless += [record for record in of_model if record.pk not in with_sources]
    if not sourceless:
        return
    links = format_html_join(
        ", ",
        '<a href="{}{}">{}</a>',
        ((change_url(record), SOURCES_ANCHOR, record.title) for record in sourceless),
    )
    messages.warning(
        request,
        format_html(
            "{} {} {}",
            _("Published with no source:"),
            links,
            _(
                "— readers cannot check where the facts come from. Add a source (the title and address of the "
                "document the facts come from) under “Sources” on the record’s page, and save."
            ),
        ),
    )


def status_badge(record, waiting: PendingChange | None) -> dict:
    """What the badge at the top of a record's form says: its status, and whether changes wait for review."""
    if record is None or record.pk is None:
        return {"status": Status.DRAFT, "label": _("Draft, not saved yet")}
    if waiting is not None:
        # Whether they are submitted yet is said beside them, in the "Changes waiting for review" section.
        return {"status": record.status, "label": _("Published, with changes waiting for review")}
    return {"status": record.status, "label": record.get_status_display()}


def _step_action(step: str, description, permission: str):
    """A changelist action taking the selected records through one workflow step (those whose status allows it)."""

    @admin.action(description=description, permissions=[permission])
    def action(self, request, queryset):
        self._bulk_step(request, queryset, step)

    return action


class RecordWorkflowMixin:
    """Workflow for ``RecordAdmin``: buttons on the change form, pending changes, and changelist actions."""

    change_form_template = "admin/directory/record_change_form.html"
    actions = ("submit_for_review", "publish", "withdraw", "return_to_draft", "mark_verified")

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

    # ---- pending changes ---------------------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A published record's form shows and edits its waiting changes; an editor's save adds to them."""
        record = self.get_object(request, unquote(object_id))
        change = pending_change_for(record) if record is not None and record.is_public else None
        if record is None or (change is None and not proposes_changes(request.user, record)):
            return super().change_view(request, object_id, form_url, extra_context)
        proposing = proposes_changes(request.user, record)
        request.proposing_changes = proposing
        published = snapshot_of(record)
        pending = Snapshot.from_json(change.snapshot) if change else None
        before = RecordBefore.of(record)
        context = {
            "pending_change": change,
            "pending_rows": pending_differences(self.model, published, pending) if pending else [],
            **(extra_context or {}),
        }
        saved = {}

        def keep() -> bool:
            saved["snapshot"] = snapshot_of(record)
            return not proposing

        def prepare() -> None:
            if pending is not None:
                snapshot_restore(pending, status=record.status)
                if not proposing:
                    # A publisher's save publishes the waiting changes with their own edits, followed from the
                    # record as published (the form is saved over the changes).
                    request.record_write = (before, changes_published_by(change, request.user, request))

        def view():
            return super(RecordWorkflowMixin, self).change_view(request, object_id, form_url, context)

        try:
            response = form_over(request, view, prepare=prepare, keep=keep)
        except ValidationError as error:
            messages.error(
                request,
                _("The changes waiting for review no longer fit the record (%(why)s); discard them to edit it.")
                % {"why": " ".join(error.messages)},
            )
            return super().change_view(request, object_id, form_url, extra_context)
        if "snapshot" in saved and proposing:
            self._keep_for_review(
                request,
                record,
                saved["snapshot"],
                unchanged=change is None and saved["snapshot"].same_content(published),
            )
        elif "snapshot" in saved:
            PendingChange.objects.filter(pk=change.pk).delete()
        return response

    def _keep_for_review(self, request, record, snapshot: Snapshot, *, unchanged: bool) -> None:
        """An editor's save of a published record: its changes wait for review (unless it changed nothing)."""
        if unchanged:
            self.message_user(request, _("Nothing was changed: “%(title)s” is as published.") % {"title": record})
            return
        pending_change_save(record=record, snapshot=snapshot, user=request.user, request=request)
        self.message_user(
            request,
            _(
                "Your changes to “%(title)s” are saved and wait for review: the public page shows the published "
                "version until a publisher publishes them. Submit them for review when they are ready."
            )
            % {"title": record},
            messages.SUCCESS,
        )

    def response_change(self, request, obj):
        if getattr(request, "proposing_changes", False):
            # Back to the record, where the waiting changes are shown; ``change_view`` says what happened, since
            # the admin's own message would say the record changed, and publicly it has not.
            return HttpResponseRedirect(change_url(obj))
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["status_badge"] = status_badge(obj, context.get("pending_change"))
        if obj is not None and obj.pk:
            waiting = context.get("pending_change")
            context["workflow_steps"] = [
                *allowed_transitions(request.user, obj),
                *allowed_change_steps(request.user, obj, waiting),
            ]
            context["preview_url"] = reverse(
                "record-preview", kwargs={"content_type_id": get_content_type_for_model(obj).pk, "pk": obj.pk}
            )
            if obj.is_public and not context.get("revert") and self.has_change_permission(request, obj):
                # Our submit row replaces the plain "Save" buttons with ones that say what saving does.
                context.update(
                    save_label=_("Save and publish") if can_publish(request.user) else _("Save changes for review"),
                    show_save=False,
                    show_save_and_continue=False,
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # ---- steps -------------------------------------------------------------------------------------------------

    @method_decorator(require_POST)
    def transition_view(self, request, object_id, step):
        """One step from the record's page. Sent with the form (``_with_form``), the form is saved first; a form
        with errors is shown again and the step is not taken."""
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404
        if "_with_form" in request.POST:
            # The step says what the save leads to; the save alone does not warn (see ``RecordAdmin.save_related``).
            request.workflow_step = step
            response = self.change_view(request, object_id, form_url=change_url(record))
            if response.status_code != 302:
                return response
            record = self.get_object(request, unquote(object_id))
        try:
            if step in CHANGE_STEPS:
                done = pending_change_step(record=record, step=step, user=request.user, request=request)
            else:
                record_transition(record=record, action=step, user=request.user, request=request)
                done = _("“%(title)s” is now %(status)s.") % {
                    "title": record,
                    "status": record.get_status_display().lower(),
                }
        except WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
            if step in PUBLISHING_STEPS:
                warn_if_sourceless(request, [record])
        return redirect(change_url(record))

    def _bulk_step(self, request, queryset, step: str) -> None:
        done, refused = [], []
        for record in queryset:
            try:
                record_transition(record=record, action=step, user=request.user, request=request)
                done.append(record)
            except WorkflowError:
                refused.append(str(record))
        if done:
            self.message_user(request, _("%(count)d records changed.") % {"count": len(done)}, messages.SUCCESS)
            if step in PUBLISHING_STEPS:
                warn_if_sourceless(request, done)
        if refused:
            self.message_user(
                request,
                _("Not changed, because of their status: %(titles)s.") % {"titles": ", ".join(refused)},
                messages.WARNING,
            )

    submit_for_review = _step_action("submit", _("Submit for review"), "change")
    publish = _step_action("publish", _("Publish"), "publish")
    withdraw = _step_action("withdraw", _("Withdraw"), "publish")
    return_to_draft = _step_action("return", _("Return to draft"), "change")

    @admin.action(description=_("Mark as verified today"), permissions=["change"])
    def mark_verified(self, request, queryset):
        for record in queryset:
            record_verify(record=record, user=request.user, request=request)
        self.message_user(request, _("Marked as verified today."), messages.SUCCESS)
