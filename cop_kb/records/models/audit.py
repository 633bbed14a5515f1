"""The audit trail: who did what to which record, and who signed in, when."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    IMPORT = "import", _("imported")
    DELETE = "delete", _("deleted")
    SUBMIT = "submit", _("submitted for review")
    PUBLISH = "publish", _("published")
    WITHDRAW = "withdraw", _("withdrew")
    RETURN = "return", _("returned to draft")
    REVERT = "revert", _("reverted")
    RECOVER = "recover", _("recovered as a draft")
    PROPOSE = "propose", _("saved changes for review")
    SUBMIT_CHANGES = "submit_changes", _("submitted changes for review")
    PUBLISH_CHANGES = "publish_changes", _("published changes")
    DISCARD_CHANGES = "discard_changes", _("discarded changes")
    VERIFY = "verify", _("verified")
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed to sign in")
    LOGOUT = "logout", _("signed out")


class AuditEvent(models.Model):
    """Who did what, when: every change to a record (written with its version), reviews, and sign-ins."""

    Action = AuditAction

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(_("record"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        app_label = "directory"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="directory_auditevent_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.object_repr}".strip()
