"""Pending changes: what an editor changed on a published record, kept apart until a publisher publishes it.

Nothing reaches the public without a publisher. An editor's save of a published record therefore leaves the record's
row — and so its page, search, the index and every other public path — exactly as published, and stores the edited
record as a snapshot here. The editor submits the changes for review; a publisher publishes or discards them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, PendingChange, Record
from .services import Attribution, RecordBefore, WorkflowError, can_change, can_publish, record_audit, records_saved
from .snapshots import Snapshot, snapshot_restore


def pending_change_for(record: Record) -> PendingChange | None:
    """The changes waiting for ``record``, if an editor saved any since it was published."""
    content_type = ContentType.objects.get_for_model(record)
    return PendingChange.objects.filter(content_type=content_type, object_id=record.pk).first()


def proposes_changes(user, record: Record) -> bool:
    """Whether ``user``'s save of ``record`` waits for review: an editor's, on a published record."""
    return record.is_public and not can_publish(user)


@transaction.atomic
def pending_change_save(*, record: Record, snapshot: Snapshot, user, request=None) -> PendingChange:
    """Keep ``snapshot`` as the changes waiting for ``record``; the record itself is not touched.

    A new save replaces earlier waiting changes (the snapshot is the whole record, so nothing is lost) and needs
    submitting again, so a publisher never reviews something other than what was submitted.
    """
    content_type = ContentType.objects.get_for_model(record)
    change, _created = PendingChange.objects.update_or_create(
        content_type=content_type,
        object_id=record.pk,
        defaults={"snapshot": snapshot.as_json(), "changed_by": user, "submitted_at": None},
    )
    record_audit(record=record, by=Attribution(action=AuditAction.PROPOSE, user=user, request=request))
    return change


def _waiting(record: Record) -> PendingChange:
    change = pending_change_for(record)
    if change is None:
        raise WorkflowError(_("“%(title)s” has no changes waiting for review.") % {"title": record})
    return change


@transaction.atomic
def pending_change_submit(*, record: Record, user, request=None) -> Record:
    """Ask a publisher to review the changes waiting for ``record``."""
    change = _waiting(record)
    if change.submitted_at is not None:
        raise WorkflowError(_("The changes to “%(title)s” are already waiting for review.") % {"title": record})
    change.submitted_at = timezone.now()
    change.save(update_fields=["submitted_at"])
    record_audit(record=record, by=Attribution(action=AuditAction.SUBMIT_CHANGES, user=user, request=request))
    return record


def changes_published_by(change: PendingChange, user, request=None) -> Attribution:
    """How publishing ``change`` is recorded, from its button or from a publisher's save of the record's form."""
    editor = change.changed_by.get_username() if change.changed_by else _("an editor")
    return Attribution(
        action=AuditAction.PUBLISH_CHANGES,
        comment=_("Published the changes saved by %(editor)s") % {"editor": editor},
        user=user,
        request=request,
    )


@transaction.atomic
def pending_change_publish(*, record: Record, user, request=None) -> Record:
    """Make the waiting changes the published record: a new version, an audit event and a fresh index."""
    change = _waiting(record)
    before = RecordBefore.of(record)
    try:
        published = snapshot_restore(Snapshot.from_json(change.snapshot), status=record.status)
    except ValidationError as error:
        raise WorkflowError(_("The changes cannot be published: %(why)s") % {"why": " ".join(error.messages)}) from None
    change.delete()
    records_saved([(published, before)], by=changes_published_by(change, user, request))
    return published


@transaction.atomic
def pending_change_discard(*, record: Record, user, request=None) -> Record:
    """Drop the changes waiting for ``record``; the published version stays as it is."""
    _waiting(record).delete()
    record_audit(record=record, by=Attribution(action=AuditAction.DISCARD_CHANGES, user=user, request=request))
    return record


@dataclass(frozen=True)
class ChangeStep:
    label: str
    needs_publisher: bool
    run: Callable
    done: str  # what the editor is told afterwards


CHANGE_STEPS: dict[str, ChangeStep] = {
    "submit_changes": ChangeStep(
        _("Submit changes for review"),
        False,
        pending_change_submit,
        _("The changes to “%(title)s” are waiting for a publisher's review."),
    ),
    "publish_changes": ChangeStep(
        _("Publish changes"), True, pending_change_publish, _("The changes to “%(title)s” are published.")
    ),
    "discard_changes": ChangeStep(
        _("Discard changes"),
        False,
        pending_change_discard,
        _("The changes to “%(title)s” are discarded; the published version stays."),
    ),
}


def allowed_change_steps(user, record: Record, change: PendingChange | None) -> list[tuple[str, ChangeStep]]:
    """The steps ``user`` may take now with the changes waiting for ``record`` (none if nothing waits)."""
    if change is None or not can_change(user, record):
        return []
    return [
        (name, step)
        for name, step in CHANGE_STEPS.items()
        if (can_publish(user) or not step.needs_publisher)
        and not (name == "submit_changes" and change.submitted_at is not None)
    ]


def pending_change_step(*, record: Record, step: str, user, request=None) -> str:
    """Take one of ``CHANGE_STEPS`` on ``record``'s waiting changes; returns the message for the user."""
    change_step = CHANGE_STEPS[step]
    if not can_change(user, record) or (change_step.needs_publisher and not can_publish(user)):
        raise PermissionDenied(_("Only publishers can publish changes."))
    change_step.run(record=record, user=user, request=request)
    return str(change_step.done % {"title": record})
