"""Recovering a deleted record brings it back as a draft, with its content and links, an audit event and an index.

And every record has a first version however it was made — in the admin, by import, by ``load_framework`` or by
the services — so its history can show and restore the text it started with.
"""

import pytest
import reversion
from django.core.management import call_command
from reversion.models import Version

from cop_kb.directory.models import Organisation
from cop_kb.records.models import Alias, AuditAction, AuditEvent, Status
from cop_kb.search.models import SearchDocument
from instruments.models import Instrument
from strategy.models import StrategicArea

from ..factories import make
from ..test_import_export import as_csv, import_file, instrument_row
from .support import admin_url, audit_events, form_data, public_titles, versions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def deleted(publisher_client):
    """A published area with an alias and a link, saved as a version, then deleted in the admin."""
    lanzarote = make(Instrument, title="Lanzarote Convention")
    area = make(StrategicArea, title="Deleted published area", status=Status.PUBLISHED)
    area.instruments.set([lanzarote])
    with reversion.create_revision():
        Alias.objects.create(record=area, name="Area alias")
        area.save()
    version = versions_of(area)[0]
    response = publisher_client.post(admin_url(StrategicArea, "delete", area.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not StrategicArea.objects.filter(pk=area.pk).exists()
    return version, lanzarote


def recover(client, version):
    url = admin_url(StrategicArea, "recover", version.pk)
    page = client.get(url)
    assert page.status_code == 200
    return page, client.post(url, form_data(page))


def test_recovering_a_published_record_brings_it_back_as_a_draft(client, publisher_client, deleted):
    version, lanzarote = deleted

    page, response = recover(publisher_client, version)

    assert "brings this record back as a draft" in page.content.decode()
    assert response.status_code == 302
    area = StrategicArea.objects.get(pk=version.object_id)
    assert (area.title, area.status) == ("Deleted published area", Status.DRAFT)
    assert [alias.name for alias in area.aliases.all()] == ["Area alias"]
    assert list(area.instruments.all()) == [lanzarote]
    assert client.get(area.get_absolute_url()).status_code == 404
    assert public_titles("deleted published area") == []


def test_a_recovery_is_in_the_audit_trail_and_the_index_once_published(client, publisher_client, publisher, deleted):
    version, _lanzarote = deleted

    recover(publisher_client, version)

    area = StrategicArea.objects.get(pk=version.object_id)
    event = audit_events(area, AuditAction.RECOVER).get()
    assert (event.user, event.object_repr) == (publisher, "Deleted published area")
    assert not SearchDocument.objects.filter(url=area.get_absolute_url()).exists()
    publisher_client.post(admin_url(StrategicArea, "transition", area.pk, "publish"))
    assert public_titles("deleted published area", type="strategy.strategicarea") == ["Deleted published area"]


def test_opening_the_recover_page_changes_nothing(publisher_client, deleted):
    version, _lanzarote = deleted

    response = publisher_client.get(admin_url(StrategicArea, "recover", version.pk))

    assert response.status_code == 200
    assert not StrategicArea.objects.filter(pk=version.object_id).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RECOVER).exists()


def test_a_record_whose_slug_was_taken_meanwhile_is_refused_with_a_message(publisher_client, deleted):
    version, _lanzarote = deleted
    make(StrategicArea, slug=version.field_dict["slug"], title="Newcomer with the same slug")

    response = publisher_client.get(admin_url(StrategicArea, "recover", version.pk))

    assert response.status_code == 302
    assert StrategicArea.objects.get(slug=version.field_dict["slug"]).title == "Newcomer with the same slug"


# ---- a first version, however a record is made ---------------------------------------------------------------------


def test_a_record_made_by_the_services_has_a_first_version_with_its_aliases():
    record = make(Instrument, title="Made by a service", aliases=[{"name": "MBS", "kind": "acronym"}])

    (created,) = versions_of(record)
    assert created.field_dict["title"] == "Made by a service"
    assert created.revision.version_set.filter(content_type__model="alias").count() == 1


def test_every_record_loaded_from_the_framework_has_a_first_version_with_its_links():
    call_command("load_framework", verbosity=0)

    lanzarote = Instrument.objects.get(slug="lanzarote-convention")
    (loaded,) = versions_of(lanzarote)
    assert loaded.field_dict["title"] == lanzarote.title
    assert loaded.revision.get_comment() == "Loaded from the Framework for Action"
    assert loaded.field_dict["issuing_body_id"] == lanzarote.issuing_body_id
    for model in (Instrument, StrategicArea, Organisation):
        without = [r.slug for r in model.objects.all() if not Version.objects.get_for_object(r).exists()]
        assert without == []


def test_a_record_created_by_import_has_a_first_version(publisher_client):
    make(Organisation, slug="council-of-europe", title="Council of Europe")

    import_file(publisher_client, Instrument, as_csv([instrument_row(slug="new-by-import", title="New by import")]))

    record = Instrument.objects.get(slug="new-by-import")
    (created,) = versions_of(record)
    assert created.field_dict["title"] == "New by import"


def test_the_first_editor_change_can_be_compared_with_the_text_as_made(editor_client):
    record = make(Instrument, title="As made", status=Status.DRAFT)
    page = editor_client.get(admin_url(Instrument, "change", record.pk))
    editor_client.post(admin_url(Instrument, "change", record.pk), form_data(page, title="As edited"))
    edited, made = versions_of(record)

    response = editor_client.get(admin_url(Instrument, "compare", record.pk), {"a": made.pk, "b": edited.pk})

    assert [(row["label"], row["before"], row["after"]) for row in response.context["rows"]] == [
        ("Title", "As made", "As edited")
    ]
