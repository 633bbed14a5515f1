"""The workflow as editors meet it: draft → in review → published → withdrawn → draft, each step recorded.

Steps are taken the way the admin takes them (a POST from the record's page, or a changelist action); what is
checked is what people notice: the status and message on the page, the audit trail, search results and the
public page.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from reversion.models import Version

from cop_kb.records.models import AuditAction, AuditEvent, Status
from instruments.models import Instrument

from ..admin.support import form_errors
from ..factories import make
from .support import (
    admin_url,
    audit_events,
    edit_in_admin,
    events_since_made,
    form_data,
    messages_of,
    transition_url,
    warnings_of,
)

pytestmark = pytest.mark.django_db

SOURCE = {"title": "Council of Europe Treaty Office", "url": "https://www.coe.int/en/web/conventions/"}


def search_urls(client, text: str) -> list[str]:
    response = client.get(reverse("search:search"), {"q": text})
    assert response.status_code == 200
    return [hit.url for hit in response.context["results"].hits]


def take_step(client, record, step: str):
    response = client.post(transition_url(record, step))
    record.refresh_from_db()
    return response


def test_record_goes_from_draft_through_review_and_publication_to_withdrawn_and_back(publisher_client):
    # With a source, so that publishing says only that it published (see test_publishing_without_source).
    record = make(Instrument, status=Status.DRAFT, title="Convention on cybercrime", sources=[SOURCE])
    seen = []

    for step in ("submit", "publish", "withdraw", "return"):
        # Back on the record's page, the message says what happened.
        response = publisher_client.post(transition_url(record, step), follow=True)
        assert response.redirect_chain == [(admin_url(Instrument, "change", record.pk), 302)]
        record.refresh_from_db()
        seen.append((record.status, [str(message) for message in response.context["messages"]]))

    assert seen == [
        (Status.IN_REVIEW, ["“Convention on cybercrime” is now in review."]),
        (Status.PUBLISHED, ["“Convention on cybercrime” is now published."]),
        (Status.WITHDRAWN, ["“Convention on cybercrime” is now withdrawn."]),
        (Status.DRAFT, ["“Convention on cybercrime” is now draft."]),
    ]


@pytest.mark.parametrize(
    ("status", "step", "message"),
    [
        (Status.PUBLISHED, "publish", "“Already out” is published, so it cannot be changed with “Publish”."),
        (Status.DRAFT, "withdraw", "“Already out” is draft, so it cannot be changed with “Withdraw”."),
        (Status.DRAFT, "return", "“Already out” is draft, so it cannot be changed with “Return to draft”."),
        (Status.IN_REVIEW, "submit", "“Already out” is in review, so it cannot be changed with “Submit for review”."),
        (Status.DRAFT, "delete-everything", "Unknown workflow step."),
    ],
)
def test_a_step_that_does_not_apply_says_why_and_changes_nothing(publisher_client, status, step, message):
    record = make(Instrument, status=status, title="Already out")
    updated_at = record.updated_at
    versions = Version.objects.get_for_object(record).count()

    response = take_step(publisher_client, record, step)

    assert response.status_code == 302
    assert warnings_of(response) == [message]
    assert record.status == status
    assert record.updated_at == updated_at
    assert not events_since_made(record).exists()
    assert Version.objects.get_for_object(record).count() == versions


def test_workflow_step_refuses_a_get_so_a_link_cannot_publish(publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW)

    response = publisher_client.get(transition_url(record, "publish"))

    assert response.status_code == 405
    record.refresh_from_db()
    assert record.status == Status.IN_REVIEW


def test_bulk_step_changes_the_records_it_applies_to_and_names_the_others(publisher_client):
    ready = make(Instrument, status=Status.IN_REVIEW, title="Ready to publish", sources=[SOURCE])
    out = make(Instrument, status=Status.PUBLISHED, title="Already published")

    response = publisher_client.post(
        admin_url(Instrument, "changelist"), {"action": "publish", ACTION_CHECKBOX_NAME: [ready.pk, out.pk]}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["1 records changed.", "Not changed, because of their status: Already published."]
    ready.refresh_from_db()
    assert ready.status == Status.PUBLISHED
    assert audit_events(ready, AuditAction.PUBLISH).count() == 1
    assert not events_since_made(out).exists()


def test_editor_posting_the_publish_step_is_refused_and_nothing_changes(editor_client):
    record = make(Instrument, status=Status.IN_REVIEW)

    response = take_step(editor_client, record, "publish")

    assert response.status_code == 403
    assert record.status == Status.IN_REVIEW
    assert not events_since_made(record).exists()


def test_editor_running_the_publish_action_is_refused_and_nothing_changes(editor_client):
    record = make(Instrument, status=Status.IN_REVIEW)

    response = editor_client.post(
        admin_url(Instrument, "changelist"), {"action": "publish", ACTION_CHECKBOX_NAME: [record.pk]}
    )

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert warnings_of(response), "the editor is told nothing happened"
    record.refresh_from_db()
    assert record.status == Status.IN_REVIEW
    assert not events_since_made(record).exists()


def test_status_posted_in_the_change_form_is_ignored(editor_client):
    record = make(Instrument, status=Status.DRAFT, title="Quietly edited")
    url = admin_url(Instrument, "change", record.pk)
    data = form_data(editor_client.get(url), summary="A new summary.", status=Status.PUBLISHED)

    response = editor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    record.refresh_from_db()
    assert record.summary == "A new summary."
    assert record.status == Status.DRAFT
    assert search_urls(editor_client, "quietly") == []
    assert editor_client.get(record.get_absolute_url()).status_code == 404


def test_status_posted_in_the_add_form_is_ignored(editor_client):
    url = admin_url(Instrument, "add")
    data = form_data(
        editor_client.get(url),
        title="Sneaked in",
        slug="sneaked-in",
        official_title="Sneaked in",
        kind="convention",
        status=Status.PUBLISHED,
    )

    response = editor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    record = Instrument.objects.get(slug="sneaked-in")
    assert record.status == Status.DRAFT
    assert editor_client.get(record.get_absolute_url()).status_code == 404


def test_a_publishers_edit_to_a_published_record_keeps_it_published_and_live(publisher_client):
    record = make(Instrument, status=Status.PUBLISHED)

    response = edit_in_admin(publisher_client, record, summary="Corrected summary.")

    assert response.status_code == 302, form_errors(response)
    record.refresh_from_db()
    assert (record.status, record.summary) == (Status.PUBLISHED, "Corrected summary.")


def test_every_step_is_in_the_audit_trail_with_who_and_what(editor_client, publisher_client, editor, publisher):
    record = make(Instrument, status=Status.DRAFT, title="Audited convention")
    content_type = ContentType.objects.get_for_model(Instrument)

    take_step(editor_client, record, "submit")
    take_step(editor_client, record, "return")
    take_step(editor_client, record, "submit")
    take_step(publisher_client, record, "publish")
    take_step(publisher_client, record, "withdraw")

    events = events_since_made(record).order_by("at", "pk")
    assert [(e.action, e.user, e.username, e.content_type, e.object_id, e.object_repr) for e in events] == [
        (AuditAction.SUBMIT, editor, "editor", content_type, record.pk, "Audited convention"),
        (AuditAction.RETURN, editor, "editor", content_type, record.pk, "Audited convention"),
        (AuditAction.SUBMIT, editor, "editor", content_type, record.pk, "Audited convention"),
        (AuditAction.PUBLISH, publisher, "publisher", content_type, record.pk, "Audited convention"),
        (AuditAction.WITHDRAW, publisher, "publisher", content_type, record.pk, "Audited convention"),
    ]
    assert all(event.ip_address == "127.0.0.1" for event in events)


def test_audit_trail_shows_the_steps_to_a_publisher(publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW, title="Visible in the trail")
    take_step(publisher_client, record, "publish")

    response = publisher_client.get(admin_url(AuditEvent, "changelist"))

    assert response.status_code == 200
    rows = [(e.username, e.action, e.object_repr) for e in response.context["cl"].result_list]
    assert ("publisher", AuditAction.PUBLISH, "Visible in the trail") in rows
    assert "Visible in the trail" in response.content.decode()


def test_bulk_steps_are_audited_one_event_per_record(publisher_client, publisher):
    records = [make(Instrument, status=Status.PUBLISHED) for _ in range(2)]

    publisher_client.post(
        admin_url(Instrument, "changelist"),
        {"action": "withdraw", ACTION_CHECKBOX_NAME: [record.pk for record in records]},
    )

    events = AuditEvent.objects.filter(action=AuditAction.WITHDRAW, user=publisher)
    assert sorted(event.object_id for event in events) == sorted(record.pk for record in records)


def test_publishing_puts_the_record_in_search_and_withdrawing_takes_it_out(client, publisher_client):
    record = make(Instrument, status=Status.IN_REVIEW, title="Quokka convention")
    assert search_urls(client, "quokka") == []

    take_step(publisher_client, record, "publish")
    assert search_urls(client, "quokka") == [record.get_absolute_url()]

    take_step(publisher_client, record, "withdraw")
    assert search_urls(client, "quokka") == []


def test_withdrawn_record_answers_404_like_a_page_that_never_existed(client, publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, title="Soon withdrawn convention")
    assert client.get(record.get_absolute_url()).status_code == 200

    take_step(publisher_client, record, "withdraw")

    withdrawn = client.get(record.get_absolute_url())
    never = client.get(reverse("instruments:detail", kwargs={"slug": "never-existed"}))
    assert withdrawn.status_code == never.status_code == 404
    assert withdrawn.content == never.content
    assert b"Soon withdrawn" not in withdrawn.content
    list_page = client.get(reverse("instruments:list"))
    assert b"Soon withdrawn" not in list_page.content
