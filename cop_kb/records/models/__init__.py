"""The record base every content type shares, and the rows every record has: aliases, sources, former slugs,
versions' pending changes, links in bodies, and the audit trail.

The concrete models here belong to the ``directory`` app (``app_label``), whose migrations hold their tables: the
record core is a package every app builds on, not an app of its own.

The base and its queryset are in ``record``, the rows in ``rows`` and the audit trail in ``audit``; everything is
imported from here (``cop_kb.records.models``), as from any app's models module.
"""

from .audit import AuditAction, AuditEvent
from .record import DatePrecision, Record, RecordQuerySet, Status, date_precision_ok, format_partial_date, public_q
from .rows import Alias, AliasKind, BodyLink, PendingChange, SlugHistory, Source, Workflow

__all__ = [
    "Alias",
    "AliasKind",
    "AuditAction",
    "AuditEvent",
    "BodyLink",
    "DatePrecision",
    "PendingChange",
    "Record",
    "RecordQuerySet",
    "SlugHistory",
    "Source",
    "Status",
    "Workflow",
    "date_precision_ok",
    "format_partial_date",
    "public_q",
]
