"""Import and export of records as CSV and JSON, for the admin (django-import-export).

``record_resource(model)`` builds the one resource every record type uses: a row per record, matched by slug, with
its links written as the slugs of the records they lead to and its tags as names. ``status`` is exported but never
imported: only workflow steps change it, so an import can create drafts and edit records but never publish one.
Rows identical to what is stored are skipped (no save, no new version), so re-importing an export changes nothing.

``RecordImportExportMixin`` puts the Import and Export buttons on a record admin: upload, a dry run previewing every
row (new, update, skipped or the reasons it is refused), then Confirm, offered only when every row is valid. The
confirmed import is one transaction with a version per record; any failing row rolls all of it back. An
editor's changes to a published record wait for review instead of going live (``directory.pending``). Between the
two steps the upload waits in ``settings.IMPORT_UPLOAD_DIR`` under a random name, which the confirm form carries
signed with the uploader's id, so a confirmation can neither name another file nor confirm someone else's upload.
Files over ``IMPORT_MAX_BYTES`` or ``IMPORT_MAX_ROWS`` are refused at upload.
"""

import contextlib
import csv
import functools
import io
import itertools
import json
import os
import re
import time
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import reversion
from diff_match_patch import diff_match_patch
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from import_export import widgets
from import_export.admin import ImportExportMixin
from import_export.fields import Field
from import_export.formats.base_formats import CSV, JSON
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.resources import Diff, ModelResource, modelresource_factory
from import_export.tmp_storages import TempFolderStorage
from taggit.models import Tag

from .index import index_update
from .links import LinkForeignKey, LinkManyToManyField, linked_records
from .models import Record
from .pending import pending_change_save, proposes_changes
from .snapshots import snapshot_of

LINK_SEPARATOR = "|"
TAG_NAME_LENGTH = Tag._meta.get_field("name").max_length


def _text(value) -> str:
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
        slug = _text(value)
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
            slugs = [_text(item) for item in value]
        else:
            slugs = [part.strip() for part in _text(value).split(self.separator)]
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
            names = [_text(item) for item in value]
        else:
            names = next(csv.reader([_text(value).replace("\n", " ")], skipinitialspace=True), [])
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
        self._linked_before: list[Record] = []

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
        slug = _text(row.get("slug"))
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
        """Import one row as one version of its record, so that a revert of one record never touches another.

        An editor's change to a published record is not written: like a save in the admin, it becomes changes
        waiting for review (``directory.pending``), and the record stays as published.
        """
        if kwargs.get("dry_run"):
            return super().import_row(row, instance_loader, **kwargs)
        user = kwargs.get("user")
        stored = self._meta.model._default_manager.filter(slug=_text(row.get("slug"))).first()
        if stored is None or not proposes_changes(user, stored):
            with reversion.create_revision():
                reversion.set_user(user)
                reversion.set_comment(_("Imported from %(file)s") % {"file": kwargs.get("file_name") or ""})
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
            pending_change_save(record=stored, snapshot=snapshot, user=user)
            self._proposed.append(stored)
        return result

    def before_save_instance(self, instance, row, **kwargs):
        # Records linked before the change need their search facets refreshed too (see ``after_import``).
        if not kwargs.get("dry_run") and instance.pk is not None:
            stored = type(instance)._default_manager.filter(pk=instance.pk).first()
            if stored is not None:
                self._linked_before.extend(linked_records(stored))

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            self._saved.append(instance)

    def after_import(self, dataset, result, **kwargs):
        """After a real import that succeeded, refresh the search index for what it changed."""
        super().after_import(dataset, result, **kwargs)
        result.waiting_for_review = self._proposed
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors() or not self._saved:
            return
        linked_now = [other for record in self._saved for other in linked_records(record)]
        index_update([*self._saved, *self._linked_before, *linked_now])


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


class RecordImportForm(ImportForm):
    """The upload step, which refuses a file it cannot read as records of this type, or too large, saying why."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats
        self.resources = resources

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        # Django has received the upload (in memory when small, else in a file); its size is known without reading it.
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _(
                    "This file is larger than %(limit)s, the most that can be imported at once. "
                    "Split it into smaller files."
                )
                % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
                code="too_large",
            )
        return upload

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("import_file")
        chosen = cleaned_data.get("format")
        if upload is None or not chosen or not str(chosen).isdigit():
            return cleaned_data
        resource_index = cleaned_data.get("resource") or "0"
        resource = self.resources[int(resource_index) if str(resource_index).isdigit() else 0]
        problem = file_problem(upload, self.formats[int(chosen)], resource())
        if problem:
            self.add_error("import_file", problem)
        return cleaned_data


def file_problem(upload, file_format, resource: RecordResource) -> str | None:
    """Why an uploaded file cannot be imported as it stands, or None; the rows themselves are checked later."""
    raw = b"".join(upload.chunks())
    upload.seek(0)
    name = file_format().get_title().upper()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("The file is not UTF-8 text. Save it as “CSV UTF-8” or JSON and upload it again.")
    if "\x00" in text:
        return _("The file is not a %(format)s file.") % {"format": name}
    limit = settings.IMPORT_MAX_ROWS
    if _more_rows_than(limit, text, file_format):
        return ngettext(
            "The file has more than %(limit)s row, the most that can be imported at once. Split it into smaller files.",
            "The file has more than %(limit)s rows, the most that can be imported at once. "
            "Split it into smaller files.",
            limit,
        ) % {"limit": number_format(limit, force_grouping=True)}
    try:
        dataset = file_format(encoding="utf-8-sig").create_dataset(text)
    except Exception:  # tablib raises many kinds of error for unreadable input; all mean the same to an editor.
        return _("The file could not be read as %(format)s. Check the format chosen matches the file.") % {
            "format": name
        }
    headers = [_text(header) for header in dataset.headers or []]
    if not headers or not len(dataset):
        return _("The file has no records to import.")
    known = [field.column_name for field in resource.get_import_fields()]
    if "slug" not in headers:
        return _("The file has no “slug” column, which says which record each row is.")
    unknown = [header for header in headers if header not in known]
    if unknown:
        return _("Unknown columns: %(unknown)s. The columns are: %(known)s.") % {
            "unknown": ", ".join(unknown),
            "known": ", ".join(known),
        }
    return None


def _more_rows_than(limit: int, text: str, file_format) -> bool:
    """Whether ``text`` holds more than ``limit`` records, counted before the dataset (a copy of every row) is built.

    CSV records are counted as the reader finds them (a quoted line break stays inside its record; blank lines are
    not records, as tablib skips them), stopping one past the limit. Unreadable text counts as within the limit:
    reading it properly says what is wrong with it.
    """
    if issubclass(file_format, JSON):
        try:
            records = json.loads(text)
        except ValueError:
            return False
        return isinstance(records, list) and len(records) > limit
    reader = csv.reader(io.StringIO(text))
    try:
        # The header row and ``limit`` records, plus one more if there is one.
        found = sum(1 for _row in itertools.islice(filter(None, reader), limit + 2))
    except csv.Error:
        return False
    return found - 1 > limit


UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")
UPLOAD_SIGNING_SALT = "directory.resources.import-upload"
UPLOAD_GONE = _("This import can no longer be confirmed. Upload the file again.")
UPLOAD_NOT_YOURS = _(
    "This confirmation is not for a file you uploaded, or it was altered. Nothing was imported: upload the file again."
)


class ImportUploadStorage(TempFolderStorage):
    """Where an upload waits between its dry run and its confirmation: ``settings.IMPORT_UPLOAD_DIR`` and nowhere else.

    A new upload gets a random name and first clears out uploads left longer than ``IMPORT_UPLOAD_MAX_AGE`` (dry runs
    never confirmed). A name this class could not have made is refused before any path is built from it, so reading
    or removing never reaches a file outside the folder.
    """

    @staticmethod
    def folder() -> Path:
        return Path(settings.IMPORT_UPLOAD_DIR)

    def get_full_path(self) -> str:
        if not isinstance(self.name, str) or not UPLOAD_NAME.fullmatch(self.name):
            raise SuspiciousFileOperation(f"Not the name of an import upload: {self.name!r}")
        return str(self.folder() / self.name)

    def exists(self) -> bool:
        return os.path.isfile(self.get_full_path())

    def _open(self, mode="r"):
        if self.name:
            return super()._open(mode)
        folder = self.folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._remove_stale(folder)
        self.name = uuid4().hex
        return open(self.get_full_path(), "xb")  # new, never an existing file

    @staticmethod
    def _remove_stale(folder: Path) -> None:
        # Only names of our own making: a folder set by mistake to a shared one loses nothing else.
        cutoff = time.time() - settings.IMPORT_UPLOAD_MAX_AGE
        for entry in os.scandir(folder):
            if (
                UPLOAD_NAME.fullmatch(entry.name)
                and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < cutoff
            ):
                with contextlib.suppress(FileNotFoundError):  # another import's sweep got there first
                    os.remove(entry.path)


class RecordConfirmImportForm(ConfirmImportForm):
    """The confirm step, which accepts only an upload of its own user's, by the signed name its dry run gave."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    @staticmethod
    def signed_name(upload_name: str, user) -> str:
        return signing.dumps({"upload": upload_name, "user": user.pk}, salt=UPLOAD_SIGNING_SALT)

    def clean_import_file_name(self) -> str:
        try:
            signed = signing.loads(
                self.cleaned_data["import_file_name"],
                salt=UPLOAD_SIGNING_SALT,
                max_age=settings.IMPORT_UPLOAD_MAX_AGE,
            )
        except signing.SignatureExpired:
            raise ValidationError(UPLOAD_GONE, code="gone") from None
        except signing.BadSignature:
            raise ValidationError(UPLOAD_NOT_YOURS, code="not_yours") from None
        if signed["user"] != self.user.pk:
            raise ValidationError(UPLOAD_NOT_YOURS, code="not_yours")
        return signed["upload"]


class _RowRolledBack(Exception):
    """Carries a row's result out of the savepoint that undoes its writes (changes waiting for review)."""

    def __init__(self, result):
        super().__init__()
        self.result = result


class _ImportRefused(Exception):
    """Raised inside the import's revision so that records and versions roll back together."""

    def __init__(self, result):
        super().__init__("import refused")
        self.result = result


class RecordImportExportMixin(ImportExportMixin):
    """Import and Export buttons for a record admin: CSV and JSON; dry run first; all rows or none.

    Importing needs the add and change permissions of the model, exporting its view permission.
    """

    formats = import_formats = export_formats = (CSV, JSON)
    import_form_class = RecordImportForm
    confirm_form_class = RecordConfirmImportForm
    tmp_storage_class = ImportUploadStorage
    import_template_name = "admin/import_export/record_import.html"

    def get_resource_classes(self, request):
        return [record_resource(self.model)]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # Spreadsheet programs read a CSV file as UTF-8 only when it starts with a byte-order mark.
        if isinstance(file_format, CSV):
            kwargs["encoding"] = "utf-8-sig"
        return super().get_export_data(file_format, request, queryset, **kwargs)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial:
            initial["import_file_name"] = RecordConfirmImportForm.signed_name(initial["import_file_name"], request.user)
        return initial

    def _import_url(self) -> str:
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_import")

    def _still_confirmable(self, form) -> bool:
        chosen = form.cleaned_data["format"]
        if not chosen.isdigit() or int(chosen) >= len(self.get_import_formats()):
            return False
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"], **self.get_tmp_storage_class_kwargs()
        )
        return storage.exists()

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm: import the file the dry run checked, unless it has gone (confirmed twice, or stale) or the
        confirmation does not name this user's own upload; a refusal reads, writes and removes nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not (form.is_valid() and self._still_confirmable(form)):
            not_yours = form.has_error("import_file_name", code="not_yours")
            messages.error(request, UPLOAD_NOT_YOURS if not_yours else UPLOAD_GONE)
            return redirect(self._import_url())
        return super().process_import(request, **kwargs)

    def process_dataset(self, dataset, form, request, **kwargs):
        """The confirmed import, a version per record attributed to the editor; any failing row undoes all of it."""
        try:
            with transaction.atomic():
                result = super().process_dataset(dataset, form, request, **kwargs)
                if result.has_errors() or result.has_validation_errors():
                    raise _ImportRefused(result)
        except _ImportRefused as refused:
            return refused.result
        return result

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _("Nothing was imported: the file no longer passes the checks. Upload it again to see why."),
            )
            return redirect(self._import_url())
        waiting = getattr(result, "waiting_for_review", [])
        if waiting:
            messages.info(
                request,
                _("Changes to published records wait for a publisher's review: %(titles)s.")
                % {"titles": ", ".join(str(record) for record in waiting)},
            )
        return super().process_result(result, request)
