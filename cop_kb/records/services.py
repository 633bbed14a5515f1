"""Writes shared by every record type: create a record with its aliases, sources and tags; set its links."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .body_links import body_links_refresh
from .index import index_remove, index_update
from .links import linked_records
from .models import Alias, AuditAction, Record, SlugHistory, Source, Status


@transaction.atomic
def record_create(
    *,
    model: type[Record],
    fields: Mapping[str, object],
    tags: Iterable[str] = (),
    aliases: Iterable[Mapping[str, str]] = (),
    sources: Iterable[Mapping[str, str]] = (),
    index: bool = True,
    version: bool = True,
) -> Record:
    """Validate and save a new record together with its tags, aliases and sources, all or nothing.

    The record is added to the search index (and bodies naming its address are rendered again) unless ``index`` is
    false, for bulk loads that do both once at the end.
    Its first version is recorded, so that its history can show and restore the text it was created with, unless
    ``version`` is false: for a caller that adds the record's links afterwards and records the version then.
    """
    # Managed manually, a revision saves only what is added to it, so with ``version`` false nothing is saved.
    with reversion.create_revision(manage_manually=not version):
        record = model(**fields)
        record.full_clean()
        record.save()
        if tags:
            record.tags.set(list(tags))
        content_type = ContentType.objects.get_for_model(model)
        for alias in aliases:
            row = Alias(content_type=content_type, object_id=record.pk, **alias)
            row.full_clean()
            row.save()
        for source in sources:
            row = Source(content_type=content_type, object_id=record.pk, **source)
            row.full_clean()
            row.save()
        reversion.set_comment(str(_("Created")))
    if index:
        # Bodies written earlier may name this record's address: they show it as a link once it is public.
        body_links_refresh(model=model, pks=[record.pk])
        index_update([record])
    return record


def record_version_create(*, record: Record, comment: str, user=None) -> None:
    """Save ``record`` as it stands now (links, aliases, sources included) as a version of its own."""
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(record)
        reversion.set_user(user)
        reversion.set_comment(comment)


@transaction.atomic
def record_reindex(record: Record, *, previously_linked: Iterable[Record] = ()) -> None:
    """Refresh the search index after ``record`` or its links changed.

    Linked records are refreshed too, because their search facets (strategic area, country) follow links in
    either direction; ``previously_linked`` names the records it was linked to before the change.
    """
    body_links_refresh(model=type(record), pks=[record.pk])
    index_update([record, *previously_linked, *linked_records(record)])


@transaction.atomic
def record_unindex(model: type[Record], pks: Iterable[int], *, previously_linked: Iterable[Record] = ()) -> None:
    """Drop deleted records from the search index and refresh the records they were linked to."""
    body_links_refresh(model=model, pks=pks)
    index_remove(model, pks)
    index_update(previously_linked)


@transaction.atomic
def typed_link_create(*, model: type[models.Model], fields: Mapping[str, object]) -> models.Model:
    """Validate and save one typed link row (an instrument relation, an organisation's role)."""
    row = model(**fields)
    row.full_clean()
    row.save()
    return row


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
    with reversion.create_revision():
        record.status = transition.target
        record.save(update_fields=["status", "updated_at"])
        reversion.set_user(user)
        reversion.set_comment(str(transition.label))
    audit_record(action=transition.audit_action, user=user, record=record, request=request)
    record_reindex(record)
    return record


@transaction.atomic
def record_verify(*, record: Record, user, request=None) -> Record:
    """Note that ``user`` checked the record against its sources today."""
    with reversion.create_revision():
        record.last_verified_on = timezone.localdate()
        record.last_verified_by = user
        record.save(update_fields=["last_verified_on", "last_verified_by", "updated_at"])
        reversion.set_user(user)
        reversion.set_comment(str(_("Verified against its sources")))
    audit_record(action=AuditAction.VERIFY, user=user, record=record, request=request)
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


@transaction.atomic
def records_saved(changes: Iterable[tuple[Record, RecordBefore]]) -> None:
    """Follow writes of records however they were made — the admin form, an import, a revert, a recovery, published
    changes: a former slug redirects to the new one, and the index holds each record and every record it was linked
    to before or after. The one place that decides what a change reindexes."""
    changes = list(changes)
    for record, before in changes:
        record_slug_changed(record=record, old_slug=before.slug)
    # One pass for the lot (an import saves thousands): bodies naming them per record type, then one index write.
    for model in {type(record) for record, _before in changes}:
        body_links_refresh(model=model, pks=[record.pk for record, _before in changes if type(record) is model])
    index_update([linked for record, before in changes for linked in (record, *before.linked, *linked_records(record))])


@transaction.atomic
def records_delete(records: Iterable[Record]) -> None:
    """Delete records and follow it: their documents leave the index, the records they linked are refreshed."""
    records = list(records)
    for model in {type(record) for record in records}:
        of_model = [record for record in records if type(record) is model]
        linked = [other for record in of_model for other in linked_records(record)]
        pks = [record.pk for record in of_model]
        model._default_manager.filter(pk__in=pks).delete()
        record_unindex(model, pks, previously_linked=linked)
