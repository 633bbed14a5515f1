"""Publishing a record with no source goes through, with a warning that says so and where to add one.

Every way a record gets published is taken: the Publish button (alone, and with the form), the bulk action, a
publisher's save of a published record, publishing an editor's waiting changes, and a revert of a published record.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from cop_kb.records.models import Status
from instruments.models import Instrument
from strategy.models import Sector

from ..factories import make
from .support import admin_url, edit_in_admin, form_data, revert, saved, transition_url, versions_of, warnings_of

pytestmark = pytest.mark.django_db

SOURCE = {"title": "UN Treaty Collection", "url": "https://treaties.un.org/"}
SOURCES_ANCHOR = "#directory-source-content_type-object_id-group"


def no_source_warning(record) -> str:
    return (
        f'Published with no source: <a href="{admin_url(type(record), "change", record.pk)}{SOURCES_ANCHOR}">'
        f"{record.title}</a> — readers cannot check where the facts come from. Add a source (the title and address "
        "of the document the facts come from) under “Sources” on the record’s page, and save."
    )


def test_the_publish_button_publishes_a_record_with_no_source_and_warns(publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW, title="Unsourced convention")

    response = publisher_client.post(transition_url(record, "publish"))

    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert warnings_of(response) == [no_source_warning(record)]
    # The warning's link takes the publisher to the sources on the record's page.
    page = publisher_client.get(admin_url(Instrument, "change", record.pk)).content.decode()
    assert f'id="{SOURCES_ANCHOR[1:]}"' in page


def test_the_publish_button_with_the_form_warns_once(publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW, title="Unsourced convention")
    page = publisher_client.get(admin_url(Instrument, "change", record.pk))

    response = publisher_client.post(transition_url(record, "publish"), {**form_data(page), "_with_form": "publish"})

    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert warnings_of(response) == [no_source_warning(record)]


def test_the_publish_action_warns_about_each_published_record_with_no_source(publisher_client):
    bare = make(Instrument, status=Status.IN_REVIEW, title="Unsourced convention")
    sourced = make(Instrument, status=Status.IN_REVIEW, title="Sourced convention", sources=[SOURCE])

    response = publisher_client.post(
        admin_url(Instrument, "changelist"), {"action": "publish", ACTION_CHECKBOX_NAME: [bare.pk, sourced.pk]}
    )

    bare.refresh_from_db()
    sourced.refresh_from_db()
    assert (bare.status, sourced.status) == (Status.PUBLISHED, Status.PUBLISHED)
    assert warnings_of(response) == [no_source_warning(bare)]


def test_a_publishers_save_of_a_published_record_with_no_source_warns(publisher_client):
    record = make(Sector, status=Status.PUBLISHED, title="Unsourced sector")

    response = edit_in_admin(publisher_client, record, summary="Settled by the publisher.")

    saved(response)
    record.refresh_from_db()
    assert (record.status, record.summary) == (Status.PUBLISHED, "Settled by the publisher.")
    assert no_source_warning(record) in warnings_of(response)


def test_publishing_an_editors_waiting_changes_to_a_record_with_no_source_warns(editor_client, publisher_client):
    record = make(Sector, status=Status.PUBLISHED, title="Unsourced sector")
    saved(edit_in_admin(editor_client, record, summary="Proposed."))

    response = publisher_client.post(transition_url(record, "publish_changes"))

    record.refresh_from_db()
    assert record.summary == "Proposed."
    assert warnings_of(response) == [no_source_warning(record)]


def test_reverting_a_published_record_to_a_version_with_no_source_warns(publisher_client):
    record = make(Sector, status=Status.PUBLISHED, title="Unsourced sector")
    saved(edit_in_admin(publisher_client, record, summary="Later summary."))

    response = revert(publisher_client, record, versions_of(record)[-1])

    saved(response)
    assert no_source_warning(record) in warnings_of(response)


def test_publishing_a_record_with_a_source_does_not_warn(publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW, sources=[SOURCE])

    response = publisher_client.post(transition_url(record, "publish"))

    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert warnings_of(response) == []


@pytest.mark.parametrize("step", ["submit", "return"])
def test_steps_that_do_not_publish_do_not_warn(editor_client, step):
    record = make(Instrument, status=Status.DRAFT if step == "submit" else Status.IN_REVIEW)

    response = editor_client.post(transition_url(record, step))

    assert response.status_code == 302
    assert warnings_of(response) == []


def test_withdrawing_with_the_form_does_not_warn(publisher_client):
    record = make(Instrument, status=Status.PUBLISHED)
    page = publisher_client.get(admin_url(Instrument, "change", record.pk))

    response = publisher_client.post(transition_url(record, "withdraw"), {**form_data(page), "_with_form": "withdraw"})

    record.refresh_from_db()
    assert record.status == Status.WITHDRAWN
    assert warnings_of(response) == []


def test_an_editors_save_of_a_published_record_proposes_changes_and_does_not_warn(editor_client):
    record = make(Sector, status=Status.PUBLISHED)

    response = edit_in_admin(editor_client, record, summary="Proposed.")

    saved(response)
    assert warnings_of(response) == []


def test_the_warning_escapes_the_title(publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW, title="<b>Bold</b> convention")

    response = publisher_client.post(transition_url(record, "publish"), follow=True)

    page = response.content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; convention</a> — readers cannot check" in page
    assert "<b>Bold</b>" not in page
