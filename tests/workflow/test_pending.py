"""Pending changes: an editor's edit of a published record waits for a publisher; the public keeps the published one.

The editor saves in the admin (or imports) as usual; the record's page, search and the index go on showing the
published version. The admin shows "Published, with changes waiting for review" and a diff; the editor submits the
changes for review; a publisher publishes or discards them. A publisher's own save publishes at once.
"""

import pytest
from django.urls import reverse
from reversion.models import Version

from cop_kb.directory.models import Organisation
from cop_kb.records.models import AuditAction, PendingChange, Status
from instruments.models import Instrument
from strategy.models import StrategicArea

from ..factories import make
from ..test_import_export import as_csv, import_file, instrument_row
from .support import (
    ALIAS_PREFIX,
    admin_url,
    audit_events,
    edit_in_admin,
    messages_of,
    preview_url,
    public_titles,
    saved,
    transition_url,
    versions_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(instruments):
    lanzarote, _budapest = instruments
    area = make(StrategicArea, title="Published area title", summary="Published summary.", status=Status.PUBLISHED)
    area.instruments.set([lanzarote])
    return area


@pytest.fixture
def edited(area, instruments, editor_client):
    """The area as an editor changed it: title, summary, an alias added and its link moved to Budapest."""
    _lanzarote, budapest = instruments
    saved(
        edit_in_admin(
            editor_client,
            area,
            title="Proposed area title",
            summary="Proposed summary.",
            instruments=[str(budapest.pk)],
            **{
                f"{ALIAS_PREFIX}-TOTAL_FORMS": "1",
                f"{ALIAS_PREFIX}-0-name": "Proposed alias",
                f"{ALIAS_PREFIX}-0-kind": "alternative",
            },
        )
    )
    return area


def change_page(client, record) -> str:
    response = client.get(admin_url(type(record), "change", record.pk))
    assert response.status_code == 200
    return response.content.decode()


def test_an_editors_edit_of_a_published_record_leaves_the_public_version_everywhere(client, edited, instruments):
    lanzarote, _budapest = instruments

    edited.refresh_from_db()
    assert (edited.title, edited.summary, edited.status) == ("Published area title", "Published summary.", "published")
    assert list(edited.instruments.all()) == [lanzarote]
    assert list(edited.aliases.all()) == []
    page = client.get(edited.get_absolute_url()).content.decode()
    assert "Published area title" in page and "Lanzarote Convention" in page
    assert "Proposed" not in page
    assert public_titles("published area title") == ["Published area title"]
    assert public_titles("proposed") == []
    assert PendingChange.objects.count() == 1


def test_the_editor_is_told_the_changes_wait_and_the_form_shows_them_with_a_diff(editor_client, edited):
    response = editor_client.get(admin_url(StrategicArea, "change", edited.pk))

    content = response.content.decode()
    assert "Published, with changes waiting for review" in content
    assert response.context["adminform"].form["title"].value() == "Proposed area title"
    rows = {row["label"]: (row["before"], row["after"]) for row in response.context["pending_rows"]}
    assert rows["Title"] == ("Published area title", "Proposed area title")
    assert rows["Summary"] == ("Published summary.", "Proposed summary.")
    assert rows["Instruments"] == ("Lanzarote Convention", "Budapest Convention")
    assert rows["Aliases"] == ("—", "Proposed alias · alternative")
    assert ">Submit changes for review</button>" in content
    assert ">Discard changes</button>" in content
    assert ">Publish changes</button>" not in content
    assert 'value="Save changes for review"' in content
    assert 'value="Save"' not in content


def test_the_editors_save_says_the_changes_wait_for_review(editor_client, area):
    response = edit_in_admin(editor_client, area, title="Proposed area title")

    assert response.status_code == 302
    assert response["Location"] == admin_url(StrategicArea, "change", area.pk)
    assert any("wait for review" in message for message in messages_of(response))
    event = audit_events(area, AuditAction.PROPOSE).get()
    assert event.username == "editor"


def test_a_second_edit_builds_on_the_waiting_changes(editor_client, edited):
    saved(edit_in_admin(editor_client, edited, summary="Proposed summary, improved."))

    change = PendingChange.objects.get()
    fields = change.snapshot["record"]
    assert '"title": "Proposed area title"' in fields
    assert '"summary": "Proposed summary, improved."' in fields
    assert [alias["name"] for alias in change.snapshot["aliases"]] == ["Proposed alias"]
    edited.refresh_from_db()
    assert edited.title == "Published area title"


def test_the_editor_submits_the_changes_for_review(editor_client, edited):
    response = editor_client.post(transition_url(edited, "submit_changes"))

    assert response.status_code == 302
    assert PendingChange.objects.get().submitted_at is not None
    assert audit_events(edited, AuditAction.SUBMIT_CHANGES).get().username == "editor"
    content = change_page(editor_client, edited)
    assert "submitted for review on" in content
    assert ">Submit changes for review</button>" not in content


def test_an_editor_cannot_publish_the_changes(client, editor_client, edited):
    response = editor_client.post(transition_url(edited, "publish_changes"))

    assert response.status_code == 403
    edited.refresh_from_db()
    assert edited.title == "Published area title"
    assert PendingChange.objects.count() == 1


def test_a_publisher_publishes_the_changes_and_the_public_sees_them(client, publisher_client, publisher, edited):
    _lanzarote_title, budapest_title = "Lanzarote Convention", "Budapest Convention"
    content = change_page(publisher_client, edited)
    assert ">Publish changes</button>" in content
    assert 'value="Save and publish"' in content

    response = publisher_client.post(transition_url(edited, "publish_changes"))

    assert response.status_code == 302
    edited.refresh_from_db()
    assert (edited.title, edited.summary, edited.status) == ("Proposed area title", "Proposed summary.", "published")
    assert [alias.name for alias in edited.aliases.all()] == ["Proposed alias"]
    page = client.get(edited.get_absolute_url()).content.decode()
    assert "Proposed area title" in page and budapest_title in page
    assert public_titles("proposed area title", type="strategy.strategicarea") == ["Proposed area title"]
    assert public_titles("published area title") == []
    assert not PendingChange.objects.exists()
    newest = versions_of(edited)[0]
    assert (newest.revision.user, newest.field_dict["title"]) == (publisher, "Proposed area title")
    assert "saved by editor" in newest.revision.get_comment()
    assert audit_events(edited, AuditAction.PUBLISH_CHANGES).get().user == publisher


def test_a_publisher_discards_the_changes_and_the_published_version_stays(client, publisher_client, edited):
    response = publisher_client.post(transition_url(edited, "discard_changes"))

    assert response.status_code == 302
    assert not PendingChange.objects.exists()
    edited.refresh_from_db()
    assert edited.title == "Published area title"
    assert "Published, with changes waiting for review" not in change_page(publisher_client, edited)
    assert audit_events(edited, AuditAction.DISCARD_CHANGES).exists()


def test_a_publishers_save_publishes_at_once_with_the_waiting_changes(client, publisher_client, edited):
    saved(edit_in_admin(publisher_client, edited, summary="Summary the publisher settled on."))

    edited.refresh_from_db()
    assert (edited.title, edited.summary) == ("Proposed area title", "Summary the publisher settled on.")
    assert not PendingChange.objects.exists()
    assert "Summary the publisher settled on." in client.get(edited.get_absolute_url()).content.decode()
    assert audit_events(edited, AuditAction.PUBLISH_CHANGES).exists()


def test_a_publishers_save_of_a_published_record_without_waiting_changes_goes_live(client, publisher_client, area):
    assert 'value="Save and publish"' in change_page(publisher_client, area)

    saved(edit_in_admin(publisher_client, area, title="Retitled by the publisher"))

    assert "Retitled by the publisher" in client.get(area.get_absolute_url()).content.decode()
    assert not PendingChange.objects.exists()


def test_an_editors_edit_of_a_draft_is_saved_directly(editor_client):
    draft = make(StrategicArea, title="Draft title", status=Status.DRAFT)

    content = change_page(editor_client, draft)
    saved(edit_in_admin(editor_client, draft, title="Draft retitled"))

    assert 'value="Save"' in content
    draft.refresh_from_db()
    assert draft.title == "Draft retitled"
    assert not PendingChange.objects.exists()


def test_an_editors_import_of_a_published_record_waits_for_review(client, editor_client):
    make(Organisation, slug="council-of-europe", title="Council of Europe")
    record = make(Instrument, slug="cets-201", title="Lanzarote as published", status=Status.PUBLISHED)
    versions = Version.objects.get_for_object(record).count()

    _preview, done = import_file(editor_client, Instrument, as_csv([instrument_row(slug="cets-201", title="Imported")]))

    assert done.status_code == 302
    record.refresh_from_db()
    assert record.title == "Lanzarote as published"
    assert "Lanzarote as published" in client.get(record.get_absolute_url()).content.decode()
    assert public_titles("imported") == []
    assert '"title": "Imported"' in PendingChange.objects.get().snapshot["record"]
    assert Version.objects.get_for_object(record).count() == versions
    assert any("wait for a publisher" in message for message in messages_of(done))


def test_a_publishers_import_of_a_published_record_goes_live(client, publisher_client):
    make(Organisation, slug="council-of-europe", title="Council of Europe")
    record = make(Instrument, slug="cets-201", title="Lanzarote as published", status=Status.PUBLISHED)

    import_file(publisher_client, Instrument, as_csv([instrument_row(slug="cets-201", title="Imported")]))

    record.refresh_from_db()
    assert record.title == "Imported"
    assert not PendingChange.objects.exists()


def test_pending_changes_are_listed_for_publishers(publisher_client, edited):
    response = publisher_client.get(reverse("admin:directory_pendingchange_changelist"))

    assert response.status_code == 200
    assert admin_url(StrategicArea, "change", edited.pk) in response.content.decode()


def test_an_editors_save_that_changes_nothing_leaves_no_changes_waiting(editor_client, area):
    response = edit_in_admin(editor_client, area)

    assert response.status_code == 302
    assert not PendingChange.objects.exists()
    assert any("Nothing was changed" in message for message in messages_of(response))
    assert "waiting for review" not in change_page(editor_client, area)


def test_the_preview_shows_the_record_with_the_waiting_changes_and_changes_nothing(client, editor_client, edited):
    response = editor_client.get(preview_url(edited))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Proposed area title</h1>" in content
    assert "Budapest Convention" in content
    assert "once the changes waiting for review are published" in content
    edited.refresh_from_db()
    assert edited.title == "Published area title"
    assert "Published area title" in client.get(edited.get_absolute_url()).content.decode()
