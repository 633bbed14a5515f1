"""Import and export of records as CSV and JSON, for the admin (django-import-export).

``record_resource(model)`` builds the one resource every record type uses: a row per record, matched by slug, with
its links written as the slugs of the records they lead to and its tags as names. ``status`` is exported but never
imported: only workflow steps change it, so an import can create drafts and edit records but never publish one.
Rows identical to what is stored are skipped (no save, no new version), so re-importing an export changes nothing.

Each imported row is its own version of its record; an editor's changes to a published record wait for review
instead of going live (``cop_kb.records.pending``). The admin side — upload, preview, confirmation — is in
``cop_kb.records.admin_import``.
"""

import csv
import functools
from decimal import Decimal

from diff_match_patch import diff_match_patch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field
from import_export.resources import Diff, ModelResource, modelresource_factory
from taggit.models import Tag

from .links import LinkForeignKey, LinkManyToManyField
from .models import AuditAction, Record
from .pending import pending_change_save, proposes_changes
from .services import Attribution, RecordBefore, records_saved
from .snapshots import snapshot_of

LINK_SEPARATOR = "|"
TAG_NAME_LENGTH = Tag._meta.get_field("name").max_length


def cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def _quoted(name: str) -> str:
    escaped = name.replace('"', '""')
    return f'"{escaped}"'


def _verbose(model) -> str:
    return str(model._meta.verbose_name)


class IsoDateWidget(widgets.DateWidget):
    """Dates as YYYY-MM-DD only, so 01/02/2006 is never silently read as the 2nd of January."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("Write the date as YYYY-MM-DD, e.g. 1989-11-20.")) from None


class WholeNumberWidget(widgets.IntegerWidget):
    """Whole numbers; "abc" or 1.5 is a row error saying so, not a crash or a silently rounded value."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("Enter a whole number."))
        return int(number)


class SlugWidget(widgets.ForeignKeyWidget):
    """A single link, written as the slug of the record it leads to."""

    def __init__(self, model):
        super().__init__(model, field="slug")

    def clean(self, value, row=None, **kwargs):
        slug = cell_text(value)
        if not slug:
            return None
        try:
            return self.model._default_manager.get(slug=slug)
        except self.model.DoesNotExist:
            raise ValueError(
                _("No %(type)s has the slug “%(slug)s”.") % {"type": _verbose(self.model), "slug": slug}
            ) from None


class SlugListWidget(widgets.ManyToManyWidget):
    """Many links, written as slugs separated by ``|``; every slug must name an existing record."""

    def __init__(self, model):
        super().__init__(model, separator=LINK_SEPARATOR, field="slug")

    def clean(self, value, row=None, **kwargs) -> list:
        if isinstance(value, list | tuple):  # JSON files may give a list
            slugs = [cell_text(item) for item in value]
        else:
            slugs = [part.strip() for part in cell_text(value).split(self.separator)]
        slugs = list(dict.fromkeys(slug for slug in slugs if slug))
        found = {record.slug: record for record in self.model._default_manager.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise ValueError(
                _("No %(type)s has the slug %(slugs)s.")
                % {"type": _verbose(self.model), "slugs": ", ".join(f"“{slug}”" for slug in missing)}
            )
        return [found[slug] for slug in slugs]

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        return self.separator.join(sorted(record.slug for record in value.all()))

    def members(self, records) -> frozenset:
        """What makes two link sets the same: the records, whatever their order."""
        return frozenset(record.pk for record in records)


class TagsWidget(widgets.ManyToManyWidget):
    """Tag names separated by commas; a name that itself holds a comma is written in double quotes."""

    def __init__(self):
        super().__init__(Tag, separator=",", field="name")

    def clean(self, value, row=None, **kwargs) -> list[str]:
        if isinstance(value, list | tuple):  # JSON files may give a list
            names = [cell_text(item) for item in value]
        else:
            names = next(csv.reader([cell_text(value).replace("\n", " ")], skipinitialspace=True), [])
        unique = {}
        for name in (name.strip() for name in names):
            if name:
                unique.setdefault(name.casefold(), name)
        too_long = [name for name in unique.values() if len(name) > TAG_NAME_LENGTH]
        if too_long:
            raise ValueError(
                _("A tag name has at most %(length)d characters: %(names)s.")
                % {"length": TAG_NAME_LENGTH, "names": ", ".join(too_long)}
            )
        return list(unique.values())

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        names = sorted((tag.name for tag in value.all()), key=str.casefold)
        return ", ".join(_quoted(name) if "," in name or '"' in name else name for name in names)

    def members(self, tags) -> frozenset:
        """Tags match without regard to case, as taggit stores them (TAGGIT_CASE_INSENSITIVE)."""
        return frozenset(getattr(tag, "name", tag).casefold() for tag in tags)


def _same(imported, stored) -> bool:
    # A CSV file read as text turns the \r\n an admin textarea stored into \n; that is not a change.
    if isinstance(imported, str) and isinstance(stored, str):
        return imported.replace("\r\n", "\n") == stored.replace("\r\n", "\n")
    return imported == stored


class RecordDiff(Diff):
    """The preview's change to each field as <del>/<ins>, without the inline styles the CSP refuses."""

    TAGS = {
        diff_match_patch.DIFF_DELETE: "del",
        diff_match_patch.DIFF_EQUAL: "span",
        diff_match_patch.DIFF_INSERT: "ins",
    }

    def as_html(self) -> list:
        matcher = diff_match_patch()
        cells = []
        for before, after in zip(self.left, self.right, strict=False):
            changes = matcher.diff_main("" if self.new else force_str(before), force_str(after))
            matcher.diff_cleanupSemantic(changes)
            cells.append(format_html_join("", "<{0}>{1}</{0}>", ((self.TAGS[op], text) for op, text in changes)))
        return cells


class RecordResource(ModelResource):
    """What every record resource shares; ``record_resource`` adds the fields of one record type."""

    WIDGETS_MAP = {
        **ModelResource.WIDGETS_MAP,
        "TextField": widgets.CharWidget,
        "DateField": IsoDateWidget,
        "IntegerField": WholeNumberWidget,
        "PositiveIntegerField": WholeNumberWidget,
        "PositiveSmallIntegerField": WholeNumberWidget,
        "SmallIntegerField": WholeNumberWidget,
        "BigIntegerField": WholeNumberWidget,
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reset()

    @classmethod
    def get_diff_class(cls):
        return RecordDiff

    def _reset(self) -> None:
        self._rows_by_slug: dict[str, int] = {}
        self._saved: list[Record] = []
        self._proposed: list[Record] = []
        self._before: dict = {}

    def _many_fields(self) -> list[Field]:
        return [
            field
            for field in self.get_import_fields()
            if isinstance(field.widget, widgets.ManyToManyWidget) and not field.readonly
        ]

    # ---- export --------------------------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        """Load every link and tag up front, so an export runs a fixed number of queries per page of rows."""
        model = self._meta.model
        single = [f.name for f in model._meta.get_fields() if isinstance(f, LinkForeignKey)]
        many = [f.name for f in model._meta.get_fields() if isinstance(f, LinkManyToManyField)]
        return queryset.select_related(*single).prefetch_related(*many, "tags")

    # ---- import --------------------------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self._reset()

    def before_import_row(self, row, **kwargs):
        slug = cell_text(row.get("slug"))
        if not slug:
            return
        earlier = self._rows_by_slug.setdefault(slug, kwargs.get("row_number", 0))
        if earlier != kwargs.get("row_number", 0):
            raise ValidationError(
                {"slug": _("The slug “%(slug)s” is also on row %(row)d.") % {"slug": slug, "row": earlier}}
            )

    def import_instance(self, instance, row, **kwargs):
        """Read the row into ``instance``; unreadable values, links included, are errors named by column."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The library sets many-to-many links only after saving; check them now so a bad slug names its column.
        for field in self._many_fields():
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Skip a row that would change nothing stored: its fields, its links and its tags."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                if field.widget.members(field.clean(row)) != field.widget.members(field.get_value(original).all()):
                    return False
            elif not _same(field.get_value(instance), field.get_value(original)):
                return False
        return True

    def import_row(self, row, instance_loader, **kwargs):
        """Import one row; ``after_import`` follows the records it saved (a version and an audit event each).

        An editor's change to a published record is not written: like a save in the admin, it becomes changes
        waiting for review (``cop_kb.records.pending``), and the record stays as published.
        """
        if kwargs.get("dry_run"):
            return super().import_row(row, instance_loader, **kwargs)
        user = kwargs.get("user")
        stored = self._meta.model._default_manager.filter(slug=cell_text(row.get("slug"))).first()
        if stored is None or not proposes_changes(user, stored):
            return super().import_row(row, instance_loader, **kwargs)
        saved_before = len(self._saved)
        try:
            with transaction.atomic():
                result = super().import_row(row, instance_loader, **kwargs)
                snapshot = snapshot_of(stored) if result.import_type == result.IMPORT_TYPE_UPDATE else None
                raise _RowRolledBack(result)
        except _RowRolledBack as rolled_back:
            result = rolled_back.result
        del self._saved[saved_before:]
        if snapshot is not None:
            pending_change_save(record=stored, snapshot=snapshot, user=user, request=kwargs.get("request"))
            self._proposed.append(stored)
        return result

    def before_save_instance(self, instance, row, **kwargs):
        # What the record was (its slug, its links) is needed to follow the change (see ``after_import``).
        if not kwargs.get("dry_run"):
            self._before[instance.pk] = RecordBefore.of(instance)

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            self._saved.append(instance)

    def after_import(self, dataset, result, **kwargs):
        """After a real import that succeeded, follow what it changed: per record a version of its own (so that a
        revert of one record never touches another) and an audit event, former slugs, the index."""
        super().after_import(dataset, result, **kwargs)
        result.waiting_for_review = self._proposed
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        file_name = kwargs.get("file_name") or ""
        by = Attribution(
            action=AuditAction.IMPORT,
            comment=_("Imported from %(file)s") % {"file": file_name},
            user=kwargs.get("user"),
            detail=file_name,
            request=kwargs.get("request"),
        )
        records_saved([(record, self._before.get(record.pk) or RecordBefore()) for record in self._saved], by=by)


def _base_field_names() -> set[str]:
    return {model_field.name for model_field in Record._meta.get_fields()}


@functools.cache
def record_resource(model: type[Record]) -> type[RecordResource]:
    """The import/export resource of a record type, built from its fields and link declarations.

    Columns: slug (identifies the row), title, summary, body, the type's own fields, each own link (the linked
    records' slugs, ``|`` between several), tags (names, comma-separated), the review interval, and status
    (exported only). Ids, rendered HTML, timestamps and verification fields stay out.
    """
    base = _base_field_names()
    links = [f for f in model._meta.get_fields() if isinstance(f, LinkForeignKey | LinkManyToManyField)]
    link_names = {f.name for f in links}
    own = [
        f.name
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in base and f.name not in link_names
    ]
    custom_fields = {
        "tags": Field(attribute="tags", column_name="tags", widget=TagsWidget()),
        "status": Field(attribute="status", column_name="status", readonly=True),
    }
    for link in links:
        widget = SlugListWidget(link.related_model) if link.many_to_many else SlugWidget(link.related_model)
        custom_fields[link.name] = Field(attribute=link.name, column_name=link.name, widget=widget)
    links_and_tags = (*(f.name for f in links), "tags")
    order = ("slug", "title", "summary", "body", *own, *links_and_tags, "review_interval_days", "status")
    return modelresource_factory(
        model,
        resource_class=RecordResource,
        meta_options={
            "fields": order,
            "import_order": order,
            "export_order": order,
            "import_id_fields": ("slug",),
            "skip_unchanged": True,
            "report_skipped": True,
            "clean_model_instances": True,
            "use_transactions": True,
            "name": str(model._meta.verbose_name_plural).capitalize(),
        },
        custom_fields=custom_fields,
    )


class _RowRolledBack(Exception):
    """Carries a row's result out of the savepoint that undoes its writes (changes waiting for review)."""

    def __init__(self, result):
        super().__init__()
        self.result = result
