"""The audit trail's one writer: the events of record changes, which only the write path
(``cop_kb.records.services``) asks for, and sign-ins, sign-outs and failed sign-ins; and what the admin reads of it."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest

from cop_kb.client_address import client_ip

from .models import AuditAction, AuditEvent


def audit_record(*, action: str, user, record=None, detail: str = "", request: HttpRequest | None = None) -> AuditEvent:
    """Write one audit event; ``record`` is optional for sign-in events."""
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "get_username", lambda: "")() if user is not None else "",
        action=action,
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
        object_repr=str(record)[:300] if record is not None else "",
        detail=detail[:300],
        ip_address=client_ip(request),
    )


def record_login(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.LOGIN, user=user, request=request)


def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, user=user, request=request)


def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the user name is kept from the attempt: never the password.
    event = audit_record(action=AuditAction.LOGIN_FAILED, user=None, request=request)
    event.username = str(credentials.get("username", ""))[:150]
    event.save(update_fields=["username"])


def submissions_of(content_type: ContentType) -> QuerySet:
    """The submissions for review of the record at ``OuterRef("pk")``, of one type, newest first (for a subquery)."""
    return AuditEvent.objects.filter(
        content_type=content_type, object_id=OuterRef("pk"), action=AuditAction.SUBMIT
    ).order_by("-at", "-pk")
