"""Editors import and export records from the admin: CSV and JSON, a dry run first, every bad row named, all or nothing.

The framework is loaded once per module (inside a transaction rolled back at the end); each test runs in its own
savepoint, so what one test imports is gone before the next.
"""

import csv
import io
import json
import os
import re
import tempfile
import time
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.models import model_to_dict
from import_export.formats.base_formats import CSV, JSON
from reversion.models import Version
from taggit.models import Tag, TaggedItem

from cop_kb.directory.models import Organisation
from cop_kb.records.admin_import import ImportUploadStorage, RecordImportForm
from cop_kb.records.links import LinkManyToManyField
from cop_kb.records.models import Status
from cop_kb.records.registry import record_models
from cop_kb.records.resources import record_resource
from cop_kb.records.services import record_transition
from instruments.models import Instrument
from strategy.models import Principle, StrategicArea

from .admin.support import admin_url
from .factories import make
from .search.support import hit_titles, search_for

pytestmark = pytest.mark.django_db

CSV_FORMAT, JSON_FORMAT = "0", "1"
FORMATS = {"csv": CSV_FORMAT, "json": JSON_FORMAT}
RECORD_MODELS = record_models()

editors_migration = import_module("programmes.migrations.0003_editors_group")
roles_migration = import_module("programmes.migrations.0006_roles")


@pytest.fixture
def editors_group() -> Group:
    # As tests/admin/test_editors.py: run the idempotent migration steps rather than depend on test order.
    schema_editor = SimpleNamespace(connection=connection)
    editors_migration.create_editors_group(apps, schema_editor)
    roles_migration.create_roles(apps, schema_editor)
    return Group.objects.get(name="Editors")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path) -> Path:
    """Uploads waiting for their confirmation go to a folder of this test's own."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR


# ---- driving the admin -----------------------------------------------------------------------------------------------


def export(client, model, file_format: str = "csv"):
    """Export every record of ``model`` with every column, as the export page's form sends it."""
    url = admin_url(model, "export")
    form = client.get(url).context["form"]
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return client.post(url, {"format": FORMATS[file_format], "resource": "0", **columns})


def rows_of(response, file_format: str = "csv") -> list[dict]:
    text = response.content.decode("utf-8-sig")
    if file_format == "json":
        return json.loads(text)
    return list(csv.DictReader(io.StringIO(text)))


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, model, content: bytes, *, name: str = "records.csv", file_format: str = "csv"):
    """The first step: upload a file; the admin answers with the dry run's preview or the reasons it refuses."""
    return client.post(
        admin_url(model, "import"),
        {"resource": "0", "format": FORMATS[file_format], "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, model, preview, **changed):
    """The second step: confirm what the preview showed (with ``changed`` values, as a hand-made request may)."""
    form = preview.context["confirm_form"]
    posted = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(admin_url(model, "process_import"), {**posted, **changed})


def import_file(client, model, content: bytes, **kwargs):
    preview = upload(client, model, content, **kwargs)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, refusals(preview)
    return preview, confirm(client, model, preview)


def refusals(preview) -> dict[int, dict[str, list[str]]]:
    """``{row number: {column: [reasons]}}`` for every row the dry run refused."""
    result = preview.context.get("result")
    if result is None:
        return {}
    found = {row.number: dict(row.error_dict) for row in result.invalid_rows}
    for row in result.error_rows:
        found.setdefault(row.number, {})["error"] = [str(error.error) for error in row.errors]
    return found


def last_message(response) -> str:
    return str(list(get_messages(response.wsgi_request))[-1])


def file_error(response) -> str:
    return " ".join(response.context["form"].errors.get("import_file", []))


def waiting_uploads(folder: Path) -> list[str]:
    """The names of the uploads waiting in ``folder`` for their confirmation."""
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def snapshot(model) -> dict:
    """Everything stored about the records of ``model``: fields (timestamps too), link sets, tags."""
    many = [f.name for f in model._meta.get_fields() if isinstance(f, LinkManyToManyField)]
    state = {}
    for record in model.objects.prefetch_related("tags", *many):
        fields = model_to_dict(record, fields=[f.name for f in model._meta.concrete_fields])
        fields["updated_at"] = record.updated_at
        fields["links"] = {name: sorted(r.pk for r in getattr(record, name).all()) for name in many}
        fields["tags"] = sorted(tag.name for tag in record.tags.all())
        state[record.slug] = fields
    return state


def counts() -> dict:
    return {
        **{model._meta.label: model.objects.count() for model in RECORD_MODELS},
        "versions": Version.objects.count(),
        "log entries": LogEntry.objects.count(),
        "tags": Tag.objects.count(),
        "tagged items": TaggedItem.objects.count(),
    }


def instrument_row(**values) -> dict:
    row = {
        "slug": "",
        "title": "",
        "official_title": "An official title",
        "kind": "convention",
        "issuing_body": "council-of-europe",
        "adopted_on": "",
        "adopted_precision": "",
        "entry_into_force_on": "",
        "entry_into_force_precision": "",
        "tags": "",
    }
    return {**row, **values}


def links_to(page: str, url: str) -> bool:
    return re.search(rf"""href=["']{re.escape(url)}[?"']""", page) is not None


def staff_user(username: str, *groups: Group, permissions: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username, password="not-used", is_staff=True)
    user.groups.add(*groups)
    for codename in permissions:
        app_label, name = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))
    return user


# ---- buttons and permissions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model._meta.label)
def test_every_record_changelist_offers_import_and_export(admin_client, model):
    page = admin_client.get(admin_url(model, "changelist")).content.decode()

    assert links_to(page, admin_url(model, "import"))
    assert links_to(page, admin_url(model, "export"))
    assert admin_url(model, "recoverlist") in page  # the history admin's own button is still there


def test_only_csv_and_json_are_offered(admin_client):
    for view in ("import", "export"):
        form = admin_client.get(admin_url(Instrument, view)).context["form"]
        assert [label for value, label in form.fields["format"].choices if value] == ["csv", "json"]


def test_editor_can_export_and_import(client, framework, editors_group):
    client.force_login(staff_user("editor", editors_group))

    assert client.get(admin_url(Instrument, "changelist")).context["has_import_permission"]
    exported = export(client, Instrument)
    assert exported.status_code == 200
    assert {row["slug"] for row in rows_of(exported)} == set(Instrument.objects.values_list("slug", flat=True))

    content = as_csv([instrument_row(slug="editor-made", title="Made by an editor")])
    _preview, done = import_file(client, Instrument, content)

    assert done.status_code == 302
    made = Instrument.objects.get(slug="editor-made")
    assert made.status == Status.DRAFT
    assert Version.objects.get_for_object(made).get().revision.user.username == "editor"


def test_staff_without_permissions_can_neither_import_nor_export(client):
    client.force_login(staff_user("visitor"))
    content = as_csv([instrument_row(slug="sneaky", title="Sneaky")])

    assert client.get(admin_url(Instrument, "import")).status_code == 403
    assert upload(client, Instrument, content).status_code == 403
    assert client.post(admin_url(Instrument, "process_import"), {"format": "0"}).status_code == 403
    assert client.get(admin_url(Instrument, "export")).status_code == 403
    assert client.post(admin_url(Instrument, "export"), {"format": "0"}).status_code == 403
    assert not Instrument.objects.filter(slug="sneaky").exists()


def test_viewing_is_enough_to_export_but_importing_needs_add_and_change(client):
    client.force_login(
        staff_user("reader", permissions=("instruments.view_instrument", "instruments.change_instrument"))
    )

    assert export(client, Instrument).status_code == 200
    page = client.get(admin_url(Instrument, "changelist"))
    assert not page.context["has_import_permission"]
    assert not links_to(page.content.decode(), admin_url(Instrument, "import"))
    assert client.get(admin_url(Instrument, "import")).status_code == 403


# ---- export ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_lists_every_instrument_with_the_slugs_of_its_links(admin_client, framework, file_format):
    response = export(admin_client, Instrument, file_format)

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = {row["slug"]: row for row in rows_of(response, file_format)}
    assert set(rows) == set(Instrument.objects.values_list("slug", flat=True))
    crc = rows["crc"]
    assert crc["title"] == "Convention on the Rights of the Child"
    assert crc["issuing_body"] == "un-general-assembly"
    assert crc["adopted_on"] == "1989-11-20"
    assert crc["tags"] == "children's rights"
    assert crc["status"] == "published"
    assert not {"id", "body_html", "created_at", "updated_at", "last_verified_on", "last_verified_by"} & set(crc)


def test_export_writes_many_links_as_slugs_separated_by_bars(admin_client, framework):
    rows = {row["slug"]: row for row in rows_of(export(admin_client, Principle))}

    for principle in Principle.objects.all():
        slugs = sorted(principle.stakeholders.values_list("slug", flat=True))
        assert rows[principle.slug]["stakeholders"] == "|".join(slugs)
    assert any("|" in row["stakeholders"] for row in rows.values()), "some principle names several stakeholders"


def test_csv_export_starts_with_a_byte_order_mark_for_spreadsheets(admin_client, framework):
    assert export(admin_client, Instrument).content.startswith("\ufeff".encode())


# ---- re-importing an export ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "json"])
@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model._meta.label)
def test_reimporting_an_export_changes_nothing(admin_client, framework, model, file_format):
    assert model.objects.exists()
    exported = export(admin_client, model, file_format).content
    before, stored = counts(), snapshot(model)

    preview, done = import_file(admin_client, model, exported, name=f"export.{file_format}", file_format=file_format)

    totals = preview.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, model.objects.count())
    assert done.status_code == 302
    assert f"0 new, 0 updated, 0 deleted and {model.objects.count()} skipped" in last_message(done)
    assert counts() == before
    assert snapshot(model) == stored


def test_reimport_keeps_line_breaks_and_tag_names_with_commas_or_quotes(admin_client):
    instrument = make(Instrument, tags=['Hague "1996"', "sale, trafficking", "online safety"])
    Instrument.objects.filter(pk=instrument.pk).update(body="First line.\r\nSecond line.")
    exported = export(admin_client, Instrument).content
    before, stored = counts(), snapshot(Instrument)

    preview, _done = import_file(admin_client, Instrument, exported)

    assert preview.context["result"].totals["skip"] == Instrument.objects.count()
    assert counts() == before
    assert snapshot(Instrument) == stored


# ---- a real import: preview first, then confirm ----------------------------------------------------------------------


def test_import_previews_first_and_applies_only_on_confirm(admin_client, framework):
    rows = rows_of(export(admin_client, Instrument))
    for row in rows:
        if row["slug"] == "crc":
            row["title"] = "Convention on the Rights of the Child (wombat edition)"
    rows.append(
        {
            **{column: "" for column in rows[0]},
            **instrument_row(slug="quokka-convention", title="Quokka Convention", tags="online safety, quokkas"),
            "review_interval_days": "180",
            "status": "published",
        }
    )
    before = counts()
    instrument_versions = Version.objects.get_for_model(Instrument).count()

    preview = upload(admin_client, Instrument, as_csv(rows))

    totals = preview.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (1, 1, len(rows) - 2)
    page = preview.content.decode()
    assert "Nothing has been saved yet" in page
    assert "Confirm import" in page
    assert counts() == before
    assert Instrument.objects.get(slug="crc").title == "Convention on the Rights of the Child"
    assert hit_titles(search_for("wombat")) == []

    done = confirm(admin_client, Instrument, preview)

    assert done.status_code == 302
    assert done["Location"] == admin_url(Instrument, "changelist")
    crc = Instrument.objects.get(slug="crc")
    assert crc.title == "Convention on the Rights of the Child (wombat edition)"
    assert crc.status == Status.PUBLISHED
    assert hit_titles(search_for("wombat", type="instruments.instrument"))[0] == crc.title
    new = Instrument.objects.get(slug="quokka-convention")
    assert new.status == Status.DRAFT
    assert new.issuing_body == Organisation.objects.get(slug="council-of-europe")
    assert sorted(new.tags.names()) == ["online safety", "quokkas"]
    assert new.review_interval_days == 180
    # One new version of each changed record (with its aliases and sources, as the change form saves them).
    assert Version.objects.get_for_model(Instrument).count() == instrument_versions + 2
    assert Version.objects.get_for_object(new).get().revision.get_comment() == "Imported from records.csv"
    assert hit_titles(search_for("quokka")) == []

    record_transition(record=new, action="publish", user=User.objects.get(username="admin"))

    assert hit_titles(search_for("quokka", type="instruments.instrument")) == ["Quokka Convention"]


def test_preview_marks_changes_without_inline_styles_and_escapes_values(admin_client):
    instrument = make(Instrument, title="Old title")
    row = instrument_row(slug=instrument.slug, title="<b>New</b> title", issuing_body="")
    row.update(official_title=instrument.official_title, kind=instrument.kind)

    preview = upload(admin_client, Instrument, as_csv([row]))

    table = preview.content.decode().split('<table class="import-preview">')[1].split("</table>")[0]
    assert "<del>Old</del><ins>&lt;b&gt;New&lt;/b&gt;</ins><span> title</span>" in table
    assert "style=" not in table


def test_json_import_may_give_links_as_lists(admin_client, framework):
    area = {
        "slug": "quokka-area",
        "title": "Quokka area",
        "position": 9,
        "instruments": ["crc", "opsc"],
        "provisions": [],
        "tags": ["quokkas"],
    }

    import_file(admin_client, StrategicArea, json.dumps([area]).encode(), name="areas.json", file_format="json")

    made = StrategicArea.objects.get(slug="quokka-area")
    assert sorted(made.instruments.values_list("slug", flat=True)) == ["crc", "opsc"]
    assert made.position == 9


def test_a_status_column_never_publishes_or_withdraws(admin_client):
    draft = make(Instrument, status=Status.DRAFT)
    published = make(Instrument)
    rows = [
        {"slug": draft.slug, "title": "Draft, renamed", "status": "published"},
        {"slug": published.slug, "title": "Published, renamed", "status": "withdrawn"},
        {**instrument_row(slug="brand-new", title="Brand new"), "status": "published"},
    ]
    rows = [{**instrument_row(), **row} for row in rows]
    for row, record in zip(rows, (draft, published), strict=False):
        row["issuing_body"] = ""
        row["official_title"] = record.official_title
        row["kind"] = record.kind

    import_file(admin_client, Instrument, as_csv(rows))

    assert Instrument.objects.get(slug=draft.slug).status == Status.DRAFT
    assert Instrument.objects.get(slug=draft.slug).title == "Draft, renamed"
    assert Instrument.objects.get(slug=published.slug).status == Status.PUBLISHED
    assert Instrument.objects.get(slug="brand-new").status == Status.DRAFT


# ---- bad rows: every one named, nothing written ----------------------------------------------------------------------


def test_a_file_with_bad_rows_names_each_and_writes_nothing(admin_client, framework):
    rows = [
        instrument_row(slug="crc", title="Renamed", official_title="Convention on the Rights of the Child"),
        instrument_row(slug="good-new", title="A good new instrument"),
        instrument_row(slug="bad-body", title="Unknown issuer", issuing_body="nobody-at-all"),
        instrument_row(slug="bad-kind", title="Unknown kind", kind="treaty"),
        instrument_row(
            slug="bad-dates",
            title="In force too early",
            adopted_on="2000-05-25",
            adopted_precision="day",
            entry_into_force_on="1999-01-01",
            entry_into_force_precision="day",
        ),
        instrument_row(slug="no-title", title=""),
        instrument_row(slug="bad-date", title="Bad date", adopted_on="25/05/2000", adopted_precision="day"),
        instrument_row(slug="good-new", title="The same slug again"),
    ]
    before, stored = counts(), snapshot(Instrument)

    preview = upload(admin_client, Instrument, as_csv(rows))

    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    found = refusals(preview)
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert found[3]["issuing_body"] == ["No organisation has the slug “nobody-at-all”."]
    assert "not a valid choice" in found[4]["kind"][0]
    assert found[5]["entry_into_force_on"] == ["Entry into force cannot be before adoption (2000-05-25)."]
    assert found[6]["title"] == ["This field cannot be blank."]
    assert found[7]["adopted_on"] == ["Write the date as YYYY-MM-DD, e.g. 1989-11-20."]
    assert found[8]["slug"] == ["The slug “good-new” is also on row 2."]
    page = preview.content.decode()
    assert "Confirm import" not in page
    assert "No organisation has the slug “nobody-at-all”." in page
    assert counts() == before
    assert snapshot(Instrument) == stored

    # Even a confirm sent by hand for the refused file writes nothing.
    upload_form = preview.context["form"]
    forced = admin_client.post(
        admin_url(Instrument, "process_import"),
        {
            "import_file_name": upload_form.cleaned_data["import_file"].tmp_storage_name,
            "original_file_name": "records.csv",
            "format": CSV_FORMAT,
            "resource": "0",
        },
    )
    assert forced.status_code == 302
    assert forced["Location"] == admin_url(Instrument, "import")
    assert "Nothing was imported" in last_message(forced)
    assert counts() == before
    assert snapshot(Instrument) == stored


def test_an_unknown_slug_among_many_links_is_a_row_error(admin_client, framework):
    content = as_csv(
        [
            {"slug": "ok-area", "title": "Fine", "position": "21", "instruments": "crc|opsc"},
            {"slug": "bad-area", "title": "Broken", "position": "22", "instruments": "crc|no-such-thing|nor-this"},
            {"slug": "bad-position", "title": "Broken", "position": "two", "instruments": ""},
        ]
    )
    before = counts()

    preview = upload(admin_client, StrategicArea, content)

    found = refusals(preview)
    assert found[2]["instruments"] == ["No instrument has the slug “no-such-thing”, “nor-this”."]
    assert found[3]["position"] == ["Enter a whole number."]
    assert sorted(found) == [2, 3]
    assert preview.context.get("confirm_form") is None
    assert counts() == before


def test_a_confirm_after_the_data_changed_under_it_writes_nothing(admin_client, framework):
    rows = [
        instrument_row(slug="crc", title="Renamed", official_title="Convention on the Rights of the Child"),
        instrument_row(slug="coe-thing", title="A Council of Europe instrument", issuing_body="council-of-europe"),
    ]
    rows[0].update(issuing_body="un-general-assembly", adopted_on="1989-11-20", adopted_precision="day")
    preview = upload(admin_client, Instrument, as_csv(rows))
    assert preview.context.get("confirm_form") is not None, refusals(preview)
    Organisation.objects.filter(slug="council-of-europe").update(slug="coe")
    before, stored = counts(), snapshot(Instrument)

    done = confirm(admin_client, Instrument, preview)

    assert done["Location"] == admin_url(Instrument, "import")
    assert "Nothing was imported" in last_message(done)
    assert counts() == before
    assert snapshot(Instrument) == stored


def test_confirming_twice_imports_once_and_never_fails(admin_client):
    preview = upload(admin_client, Instrument, as_csv([instrument_row(slug="once", title="Once")]))

    first = confirm(admin_client, Instrument, preview)
    second = confirm(admin_client, Instrument, preview)

    assert first.status_code == 302
    assert second.status_code == 302
    assert second["Location"] == admin_url(Instrument, "import")
    assert "can no longer be confirmed" in last_message(second)
    assert Instrument.objects.filter(slug="once").count() == 1


# ---- files that cannot be read ---------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("name", "content", "file_format", "reason"),
    [
        ("empty.csv", b"", "csv", "empty"),
        ("picture.csv", PNG, "csv", "not UTF-8"),
        ("latin1.csv", "slug,title\ncrc,Droits de l’enfant é\n".encode("cp1252"), "csv", "UTF-8"),
        ("utf16.csv", "slug,title\ncrc,CRC\n".encode("utf-16"), "csv", "UTF-8"),
        ("binary.csv", b"slug,title\n\x00\x01\x02\x03", "csv", "not a CSV file"),
        ("notes.csv", b"Dear editors,\nplease import this.\n", "csv", "no “slug” column"),
        ("header-only.csv", b"slug,title\n", "csv", "no records"),
        ("ragged.csv", b"slug,title\ncrc,CRC,extra\n", "csv", "could not be read as CSV"),
        ("typo.csv", b"slug,titel\ncrc,CRC\n", "csv", "Unknown columns: titel"),
        ("records.csv", b"slug,title\ncrc,CRC\n", "json", "could not be read as JSON"),
        ("object.json", b'{"slug": "crc"}', "json", "could not be read as JSON"),
        ("numbers.json", b"[1, 2, 3]", "json", "could not be read as JSON"),
        ("empty-list.json", b"[]", "json", "no records"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.count(".") == 1 and " " not in value else "",
)
def test_a_file_that_cannot_be_read_is_a_form_error(admin_client, name, content, file_format, reason):
    before = counts()

    response = upload(admin_client, Instrument, content, name=name, file_format=file_format)

    assert response.status_code == 200
    assert reason in file_error(response)
    assert response.context.get("result") is None
    assert response.context.get("confirm_form") is None
    assert counts() == before


# ---- uploads waiting for their confirmation --------------------------------------------------------------------------

NOT_YOURS = (
    "This confirmation is not for a file you uploaded, or it was altered. Nothing was imported: upload the file again."
)


def test_an_upload_waits_in_the_import_folder_until_it_is_confirmed(admin_client, framework, upload_dir):
    preview = upload(admin_client, Instrument, as_csv([instrument_row(slug="waiting", title="Waiting")]))
    assert len(waiting_uploads(upload_dir)) == 1

    done = confirm(admin_client, Instrument, preview)

    assert done.status_code == 302
    assert Instrument.objects.get(slug="waiting").title == "Waiting"
    assert waiting_uploads(upload_dir) == []


@pytest.mark.parametrize("posted", ["../..{folder}/{name}", "{name}", "{folder}/{name}"])
def test_a_confirmation_naming_another_file_deletes_nothing(admin_client, framework, upload_dir, posted):
    handle, path = tempfile.mkstemp(suffix=".csv")  # a file of someone else's in the server's temp folder
    os.close(handle)
    victim = Path(path)
    content = as_csv([instrument_row(slug="from-elsewhere", title="From elsewhere")])
    victim.write_bytes(content)
    try:
        preview = upload(admin_client, Instrument, as_csv([instrument_row(slug="honest", title="Honest")]))
        waiting = waiting_uploads(upload_dir)
        before = counts()

        done = confirm(
            admin_client, Instrument, preview, import_file_name=posted.format(folder=victim.parent, name=victim.name)
        )

        assert done["Location"] == admin_url(Instrument, "import")
        assert last_message(done) == NOT_YOURS
        assert victim.read_bytes() == content
        assert counts() == before
        assert waiting_uploads(upload_dir) == waiting
    finally:
        victim.unlink(missing_ok=True)


def test_an_editor_cannot_confirm_another_users_upload(admin_client, client, framework, editors_group, upload_dir):
    client.force_login(staff_user("editor", editors_group))
    preview = upload(admin_client, Instrument, as_csv([instrument_row(slug="admins-own", title="The admin's own")]))
    before = counts()

    refused = confirm(client, Instrument, preview)

    assert refused["Location"] == admin_url(Instrument, "import")
    assert last_message(refused) == NOT_YOURS
    assert counts() == before
    assert len(waiting_uploads(upload_dir)) == 1
    assert confirm(admin_client, Instrument, preview).status_code == 302  # its owner still can
    assert Instrument.objects.filter(slug="admins-own").exists()


@pytest.mark.parametrize(
    "tamper",
    [lambda signed: "x" + signed[1:], lambda signed: signed[:-1] + ("y" if signed[-1] != "y" else "z")],
    ids=["start changed", "end changed"],
)
def test_an_altered_confirmation_is_refused(admin_client, framework, upload_dir, tamper):
    preview = upload(admin_client, Instrument, as_csv([instrument_row(slug="altered", title="Altered")]))
    signed = preview.context["confirm_form"].initial["import_file_name"]
    before = counts()

    refused = confirm(admin_client, Instrument, preview, import_file_name=tamper(signed))

    assert last_message(refused) == NOT_YOURS
    assert counts() == before
    assert len(waiting_uploads(upload_dir)) == 1


@pytest.mark.parametrize("name", ["../victim", "{folder}/victim", "victim", ""])
def test_the_upload_storage_never_opens_a_path_outside_its_folder(upload_dir, name):
    upload_dir.mkdir()
    for victim in (upload_dir.parent / "victim", upload_dir / "victim"):
        victim.write_text("keep me")

    with pytest.raises(SuspiciousFileOperation):
        ImportUploadStorage(name=name.format(folder=upload_dir.parent)).remove()

    assert (upload_dir.parent / "victim").read_text() == "keep me"
    assert (upload_dir / "victim").read_text() == "keep me"


def test_uploads_left_over_an_hour_are_deleted_when_a_new_import_starts(admin_client, framework, upload_dir):
    abandoned = upload(admin_client, Instrument, as_csv([instrument_row(slug="abandoned", title="Abandoned")]))
    [abandoned_file] = waiting_uploads(upload_dir)
    recent = upload(admin_client, Instrument, as_csv([instrument_row(slug="recent", title="Recent")]))
    [recent_file] = [name for name in waiting_uploads(upload_dir) if name != abandoned_file]
    now = time.time()
    os.utime(upload_dir / abandoned_file, (now - 61 * 60, now - 61 * 60))
    os.utime(upload_dir / recent_file, (now - 59 * 60, now - 59 * 60))

    upload(admin_client, Instrument, as_csv([instrument_row(slug="new", title="New")]))

    left = waiting_uploads(upload_dir)
    assert abandoned_file not in left
    assert recent_file in left
    assert len(left) == 2
    gone = confirm(admin_client, Instrument, abandoned)
    assert "can no longer be confirmed" in last_message(gone)
    assert not Instrument.objects.filter(slug="abandoned").exists()
    assert confirm(admin_client, Instrument, recent).status_code == 302
    assert Instrument.objects.filter(slug="recent").exists()


# ---- files too large to import ---------------------------------------------------------------------------------------

FIVE_MB = 5 * 1024 * 1024


def test_a_file_over_five_megabytes_is_refused(admin_client, upload_dir):
    content = b"slug,title,body\nbig,Big," + b"x" * FIVE_MB
    before = counts()

    response = upload(admin_client, Instrument, content)

    assert response.status_code == 200
    assert file_error(response) == (
        "This file is larger than 5.0\xa0MB, the most that can be imported at once. Split it into smaller files."
    )
    assert response.context.get("result") is None
    assert counts() == before
    assert waiting_uploads(upload_dir) == []


def test_the_size_limit_is_a_setting_and_is_checked_before_the_file_is_read(settings):
    class Unread(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("the file was read")

        def read(self, *args):
            raise AssertionError("the file was read")

    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    unread = Unread("records.csv", b"slug,title\n")
    unread.size = 2 * 1024 * 1024 + 1
    form = RecordImportForm(
        [CSV, JSON],
        [record_resource(Instrument)],
        data={"format": CSV_FORMAT, "resource": "0"},
        files={"import_file": unread},
    )

    assert not form.is_valid()
    assert form.errors["import_file"] == [
        "This file is larger than 2.0\xa0MB, the most that can be imported at once. Split it into smaller files."
    ]


def csv_or_json(rows: list[dict], file_format: str) -> bytes:
    return json.dumps(rows).encode() if file_format == "json" else as_csv(rows)


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_file_over_the_row_limit_is_refused(admin_client, framework, settings, upload_dir, file_format):
    settings.IMPORT_MAX_ROWS = 2
    rows = [instrument_row(slug=f"row-{n}", title=f"Row {n}", body="First line,\nsecond line") for n in (1, 2, 3)]
    before = counts()

    name = f"rows.{file_format}"
    refused = upload(admin_client, Instrument, csv_or_json(rows, file_format), name=name, file_format=file_format)
    accepted = upload(admin_client, Instrument, csv_or_json(rows[:2], file_format), name=name, file_format=file_format)

    assert file_error(refused) == (
        "The file has more than 2 rows, the most that can be imported at once. Split it into smaller files."
    )
    assert refused.context.get("result") is None
    assert accepted.context.get("confirm_form") is not None, refusals(accepted)
    assert counts() == before
    assert len(waiting_uploads(upload_dir)) == 1  # the accepted file's only


def test_a_file_over_five_thousand_rows_is_refused(admin_client, upload_dir):
    rows = [instrument_row(slug=f"row-{n}", title=f"Row {n}") for n in range(5001)]
    before = counts()

    response = upload(admin_client, Instrument, as_csv(rows))

    assert file_error(response) == (
        "The file has more than 5,000 rows, the most that can be imported at once. Split it into smaller files."
    )
    assert counts() == before
    assert waiting_uploads(upload_dir) == []
