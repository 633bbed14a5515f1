"""The write path every record change takes, and the workflow steps built on it.

Whoever changes a record — the admin form, an import row, a workflow step, a revert, a recovery, published pending
changes, the framework loader — writes the rows and then hands the change to ``records_saved`` (or deletes through
``records_delete``). Those two, and nothing else, write the record's version (django-reversion), its audit event, its
former slug and the search index of the record and of every record it was linked to before or after the change.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .body_links import body_links_refresh
from .index import index_remove, index_update
from .links import linked_records, linked_records_of
from .models import Alias, AuditAction, Record, SlugHistory, Source, Status


@dataclass(frozen=True)
class Attribution:
    """Who made a change and why: the version's author and comment, the audit event's action and detail."""

    action: str
    comment: str = ""
    user: object = None
    detail: str = ""
    request: HttpRequest | None = None


CREATED = Attribution(action=AuditAction.CREATE, comment=_("Created"))


@dataclass(frozen=True)
class RecordBefore:
    """A record as it stood before a change: what following the change needs (its slug, the records it linked)."""

    slug: str = ""
    linked: tuple = ()

    @classmethod
    def of(cls, record: Record | None) -> "RecordBefore":
        """``record`` as the database holds it now (nothing for a record not saved yet)."""
        stored = type(record)._default_manager.filter(pk=record.pk).first() if record and record.pk else None
        return cls(slug=stored.slug, linked=tuple(linked_records(stored))) if stored else cls()

    @classmethod
    def same_links(cls, record: Record) -> "RecordBefore":
        """For a change that leaves the slug and every link as they are (a workflow step, a verification)."""
        return cls(slug=record.slug)


@transaction.atomic
def records_saved(changes: Iterable[tuple[Record, RecordBefore]], *, by: Attribution) -> None:
    """Follow writes of records however they were made: per record one version and one audit event, attributed as
    ``by`` says; a former slug redirects to the new one; the index holds each record and every record it was linked to
    before or after. The one place that decides what a change records and reindexes."""
    changes = list(changes)
    for record, before in changes:
        record_slug_changed(record=record, old_slug=before.slug)
    records = [record for record, _before in changes]
    # Bodies are rendered again before the versions are taken, so that each version holds the body as shown.
    _bodies_refresh(records)
    for record in records:
        with reversion.create_revision(manage_manually=True):
            reversion.add_to_revision(record)
            reversion.set_user(by.user)
            reversion.set_comment(str(by.comment))
        record_audit(record=record, by=by)
    # One index write for the lot (an import saves thousands).
    linked_before = [linked for _record, before in changes for linked in before.linked]
    index_update([*records, *linked_before, *linked_records_of(records)])


@transaction.atomic
def records_delete(records: Iterable[Record], *, by: Attribution) -> None:
    """Delete records and follow it: an audit event each, their documents leave the index, and the records they
    linked are refreshed. Their versions stay, so a publisher can recover them."""
    records = list(records)
    for model in {type(record) for record in records}:
        of_model = [record for record in records if type(record) is model]
        linked = linked_records_of(of_model)
        for record in of_model:
            record_audit(record=record, by=by)
        pks = [record.pk for record in of_model]
        model._default_manager.filter(pk__in=pks).delete()
        record_unindex(model, pks, previously_linked=linked)


def record_audit(*, record: Record, by: Attribution) -> None:
    """The audit event of a change; on its own for a step that changes no record (pending changes kept, submitted
    or discarded)."""
    audit_record(action=by.action, user=by.user, record=record, detail=str(by.detail), request=by.request)


@transaction.atomic
def record_create(
    *,
    model: type[Record],
    fields: Mapping[str, object],
    tags: Iterable[str] = (),
    aliases: Iterable[Mapping[str, str]] = (),
    sources: Iterable[Mapping[str, str]] = (),
    by: Attribution = CREATED,
    follow: bool = True,
) -> Record:
    """Validate and save a new record together with its tags, aliases and sources, all or nothing, and follow it
    (``records_saved``: its first version, its audit event, the index).

    With ``follow`` false the caller adds the record's links first and follows it then (the framework loader), so
    that its first version holds its links.
    """
    record = model(**fields)
    _save_valid(record)
    if tags:
        record.tags.set(list(tags))
    content_type = ContentType.objects.get_for_model(model)
    for alias in aliases:
        _save_valid(Alias(content_type=content_type, object_id=record.pk, **alias))
    for source in sources:
        _save_valid(Source(content_type=content_type, object_id=record.pk, **source))
    if follow:
        records_saved([(record, RecordBefore())], by=by)
    return record


def _bodies_refresh(records: list[Record]) -> None:
    """Bodies naming these records' addresses are rendered again (one pass per record type)."""
    for model in {type(record) for record in records}:
        body_links_refresh(model=model, pks=[record.pk for record in records if type(record) is model])


@transaction.atomic
def record_reindex(record: Record, *, previously_linked: Iterable[Record] = ()) -> None:
    """Refresh the index after ``record`` or its links were changed beside the write path (the shell, a data
    migration, a test arranging data): no version, no audit event.

    Linked records are refreshed too, because their search facets (strategic area, country) follow links in
    either direction; ``previously_linked`` names the records it was linked to before the change.
    """
    _bodies_refresh([record])
    index_update([record, *previously_linked, *linked_records(record)])


@transaction.atomic
def record_unindex(model: type[Record], pks: Iterable[int], *, previously_linked: Iterable[Record] = ()) -> None:
    """Drop deleted records from the search index and refresh the records they were linked to (also for demo
    records, which are removed in bulk without versions or audit events)."""
    pks = list(pks)
    body_links_refresh(model=model, pks=pks)
    index_remove(model, pks)
    index_update(previously_linked)


@transaction.atomic
def typed_link_create(*, model: type[models.Model], fields: Mapping[str, object]) -> models.Model:
    """Validate and save one typed link row (an instrument relation, an organisation's role)."""
    row = model(**fields)
    _save_valid(row)
    return row


def _save_valid(row: models.Model) -> None:
    """Validate and save ``row``, raising ValidationError with Django's own wording for any breach.

    The database checks the table's constraints on insert anyway, so they are checked in Python only when it refuses:
    Django asks the database once per constraint, and a load or an import saves thousands of rows.
    """
    row.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        row.validate_constraints()
        raise


class WorkflowError(Exception):
    """A status change that is not allowed: the message says why, in words an editor understands."""


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str
    needs_publisher: bool
    audit_action: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        _("Submit for review"), frozenset({Status.DRAFT}), Status.IN_REVIEW, False, AuditAction.SUBMIT
    ),
    "publish": Transition(
        _("Publish"),
        frozenset({Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN}),
        Status.PUBLISHED,
        True,
        AuditAction.PUBLISH,
    ),
    "withdraw": Transition(_("Withdraw"), frozenset({Status.PUBLISHED}), Status.WITHDRAWN, True, AuditAction.WITHDRAW),
    "return": Transition(
        _("Return to draft"), frozenset({Status.IN_REVIEW, Status.WITHDRAWN}), Status.DRAFT, False, AuditAction.RETURN
    ),
}


def can_publish(user) -> bool:
    return user.has_perm("directory.publish_records")


def can_change(user, record: Record) -> bool:
    opts = record._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


def allowed_transitions(user, record: Record) -> list[tuple[str, Transition]]:
    """The status changes ``user`` may make to ``record`` now, for buttons and actions."""
    if not can_change(user, record):
        return []
    return [
        (name, transition)
        for name, transition in TRANSITIONS.items()
        if record.status in transition.sources and (can_publish(user) or not transition.needs_publisher)
    ]


@transaction.atomic
def record_transition(*, record: Record, action: str, user, request=None) -> Record:
    """Move a record along the workflow (draft → in review → published, withdrawn), recorded and attributed.

    Checks the transition exists from the record's current status and that ``user`` holds the permission it
    needs; saves the change as a new version, writes an audit event and refreshes the search index.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(_("Unknown workflow step."))
    if not can_change(user, record) or (transition.needs_publisher and not can_publish(user)):
        raise PermissionDenied(_("Only publishers can publish, withdraw or revert records."))
    if record.status not in transition.sources:
        raise WorkflowError(
            _("“%(title)s” is %(status)s, so it cannot be changed with “%(step)s”.")
            % {"title": record, "status": record.get_status_display().lower(), "step": transition.label}
        )
    record.status = transition.target
    record.save(update_fields=["status", "updated_at"])
    by = Attribution(action=transition.audit_action, comment=transition.label, user=user, request=request)
    records_saved([(record, RecordBefore.same_links(record))], by=by)
    return record


@transaction.atomic
def record_verify(*, record: Record, user, request=None) -> Record:
    """Note that ``user`` checked the record against its sources today."""
    record.last_verified_on = timezone.localdate()
    record.last_verified_by = user
    record.save(update_fields=["last_verified_on", "last_verified_by", "updated_at"])
    by = Attribution(action=AuditAction.VERIFY, comment=_("Verified against its sources"), user=user, request=request)
    records_saved([(record, RecordBefore.same_links(record))], by=by)
    return record


@transaction.atomic
def record_slug_changed(*, record: Record, old_slug: str) -> None:
    """Remember a record's former slug so its old address redirects to the new one."""
    content_type = ContentType.objects.get_for_model(record)
    SlugHistory.objects.filter(content_type=content_type, slug=record.slug).delete()
    if old_slug and old_slug != record.slug:
        SlugHistory.objects.update_or_create(
            content_type=content_type, slug=old_slug, defaults={"object_id": record.pk}
        )
