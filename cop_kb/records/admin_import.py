"""The admin side of importing and exporting records: upload, a dry run, then a confirmation.

``RecordImportExportMixin`` puts the Import and Export buttons on a record admin: upload, a dry run previewing every
row (new, update, skipped or the reasons it is refused), then Confirm, offered only when every row is valid. The
confirmed import is one transaction with a version per record; any failing row rolls all of it back. Between the
two steps the upload waits in ``settings.IMPORT_UPLOAD_DIR`` under a random name, which the confirm form carries
signed with the uploader's id, so a confirmation can neither name another file nor confirm someone else's upload.
Files over ``IMPORT_MAX_BYTES`` or ``IMPORT_MAX_ROWS`` are refused at upload.
"""

import contextlib
import csv
import io
import itertools
import json
import os
import re
import time
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import TempFolderStorage

from .resources import RecordResource, cell_text, record_resource


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
    headers = [cell_text(header) for header in dataset.headers or []]
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
