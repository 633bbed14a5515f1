"""What the record core sets up once Django has loaded every app: versioning of every record type, and the audit of
sign-ins. Called by the ``directory`` app, which holds the core's tables."""

import reversion
from django.contrib.auth import signals

from . import audit
from .links import typed_link_relations
from .models import Alias, Source
from .registry import record_models


def versioning_register(model) -> None:
    """Version ``model``: every record's versions carry its aliases, sources and typed link rows, so a revert restores
    them too. Links (many-to-many fields) are part of the record's own serialised version."""
    relations = typed_link_relations(model)
    for followed in (Alias, Source, *(typed for _accessor, typed, _own in relations)):
        if not reversion.is_registered(followed):
            reversion.register(followed)
    if not reversion.is_registered(model):
        reversion.register(model, follow=("aliases", "sources", *(accessor for accessor, *_ in relations)))


def records_ready() -> None:
    for model in record_models():
        versioning_register(model)

    # Sign-ins happen inside django.contrib.auth; its signals are the one place to observe them.
    signals.user_logged_in.connect(audit.record_login, dispatch_uid="cop_kb_audit_login")
    signals.user_logged_out.connect(audit.record_logout, dispatch_uid="cop_kb_audit_logout")
    signals.user_login_failed.connect(audit.record_login_failed, dispatch_uid="cop_kb_audit_login_failed")
