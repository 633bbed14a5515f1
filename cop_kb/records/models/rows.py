"""The rows every record has besides its own table: aliases, sources, former slugs, links in its body and changes
waiting for review (and the workflow's permission, which has no table)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class AliasKind(models.TextChoices):
    ACRONYM = "acronym", _("Acronym")
    SHORT_TITLE = "short_title", _("Short title")
    ALTERNATIVE = "alternative", _("Alternative name")
    NUMBER = "number", _("Reference number")


class Alias(models.Model):
    """Another name a record is known by: an acronym, short title, former or alternative name, or number."""

    Kind = AliasKind

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ALTERNATIVE)

    class Meta:
        app_label = "directory"
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                "content_type", "object_id", Upper("name"), name="directory_alias_unique_per_record"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="directory_alias_name_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=AliasKind.values), name="directory_alias_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Where a record's facts were read: stored with the record so every date and number can be checked."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    supports = models.CharField(
        _("supports"),
        max_length=300,
        blank=True,
        help_text=_("Which facts this source gives, e.g. dates, number."),
    )

    class Meta:
        app_label = "directory"
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="directory_source_title_not_empty")]

    def __str__(self) -> str:
        return self.title


class Workflow(models.Model):
    """Holds the one workflow permission (publish, withdraw, revert); it has no table of its own."""

    class Meta:
        app_label = "directory"
        managed = False
        default_permissions = ()
        permissions = [("publish_records", _("Can publish, withdraw and revert records"))]

    def __str__(self) -> str:
        return str(_("workflow"))


class SlugHistory(models.Model):
    """A slug a record had before it was renamed, so old links keep working (permanent redirect)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    slug = models.SlugField(max_length=120)
    renamed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "directory"
        verbose_name = _("former slug")
        verbose_name_plural = _("former slugs")
        ordering = ["-renamed_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "slug"], name="directory_slughistory_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.slug


class BodyLink(models.Model):
    """A link in a record's body to a record's page, by the record type and slug its address names.

    Stored when the body is saved (``cop_kb.records.body_links``), so the bodies that name a record are found by an
    index lookup, not by reading every body, when that record is published, withdrawn, renamed or deleted. The slug
    may name no record (yet): the record may be created, or renamed to it, later.
    """

    # Looked up by source (the unique constraint's index) and by target (Meta.indexes); no index per column.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    target_slug = models.SlugField(max_length=120, db_index=False)

    class Meta:
        app_label = "directory"
        verbose_name = _("link in a body")
        verbose_name_plural = _("links in bodies")
        ordering = ["content_type", "object_id", "target_type", "target_slug"]
        # Derived from bodies and never edited: no add, change or delete permission to grant anyone.
        default_permissions = ()
        indexes = [models.Index(fields=["target_type", "target_slug"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "target_type", "target_slug"], name="directory_bodylink_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.target_slug


class PendingChange(models.Model):
    """An editor's changes to a published record, kept apart until a publisher publishes them.

    The record's row stays as published, so its page, search and every other public path keep showing the
    published version; the changes live here as a snapshot of the whole record (see ``cop_kb.records.snapshots``).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    snapshot = models.JSONField(_("changed record"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)

    class Meta:
        app_label = "directory"
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["-changed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="directory_pendingchange_one_per_record"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Changes to %(record)s") % {"record": self.record})
