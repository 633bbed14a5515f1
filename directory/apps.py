from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """Reference records every app may link to (countries, organisations) and the record machinery they share."""

    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        import reversion
        from django.contrib.auth import signals

        from . import audit
        from .links import TypedLink, typed_link_relations
        from .models import Alias, Record, Source

        # Every record's versions carry its aliases, sources and typed link rows, so a revert restores them too.
        # Links (many-to-many fields) are part of the record's own serialised version.
        for model in (Alias, Source, *(typed for typed in apps.get_models() if issubclass(typed, TypedLink))):
            if not reversion.is_registered(model):
                reversion.register(model)
        for model in apps.get_models():
            if issubclass(model, Record) and not reversion.is_registered(model):
                typed = tuple(accessor for accessor, _typed, _own in typed_link_relations(model))
                reversion.register(model, follow=("aliases", "sources", *typed))

        # Sign-ins happen inside django.contrib.auth; its signals are the one place to observe them.
        signals.user_logged_in.connect(audit.record_login, dispatch_uid="cop_kb_audit_login")
        signals.user_logged_out.connect(audit.record_logout, dispatch_uid="cop_kb_audit_logout")
        signals.user_login_failed.connect(audit.record_login_failed, dispatch_uid="cop_kb_audit_login_failed")
