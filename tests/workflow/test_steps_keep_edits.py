"""Workflow buttons are part of the record's form: a step saves what was typed first, or is not taken at all.

The buttons post the whole change form to the step's address (``_with_form``); the browser test in
tests/browser/test_editor_flows.py presses them as an editor would.
"""

import pytest

from cop_kb.records.models import AuditAction, PendingChange, Status
from instruments.models import Instrument

from ..factories import make
from .support import admin_url, audit_events, form_data, transition_url

pytestmark = pytest.mark.django_db


def step_with_form(client, record, step: str, **changes):
    page = client.get(admin_url(Instrument, "change", record.pk))
    assert page.status_code == 200
    return client.post(transition_url(record, step), {**form_data(page, **changes), "_with_form": step})


def test_a_step_pressed_after_typing_saves_the_typing_and_takes_the_step(editor_client):
    record = make(Instrument, status=Status.DRAFT, title="Typed before the step")

    response = step_with_form(editor_client, record, "submit", summary="Summary typed just before submitting.")

    assert response.status_code == 302
    assert response["Location"] == admin_url(Instrument, "change", record.pk)
    record.refresh_from_db()
    assert (record.status, record.summary) == (Status.IN_REVIEW, "Summary typed just before submitting.")
    assert audit_events(record, AuditAction.SUBMIT).exists()


def test_a_step_pressed_with_an_invalid_form_shows_the_errors_and_takes_no_step(editor_client):
    record = make(Instrument, status=Status.DRAFT, title="Kept title")

    response = step_with_form(editor_client, record, "submit", title="", summary="Typed, not yet saved.")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"]
    assert "Typed, not yet saved." in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.title) == (Status.DRAFT, "Kept title")
    assert not audit_events(record, AuditAction.SUBMIT).exists()


def test_an_editor_submitting_edits_to_a_published_record_submits_them_as_waiting_changes(client, editor_client):
    record = make(Instrument, status=Status.PUBLISHED, title="Published title")
    page = editor_client.get(admin_url(Instrument, "change", record.pk))
    editor_client.post(admin_url(Instrument, "change", record.pk), form_data(page, title="Pending title"))

    response = step_with_form(editor_client, record, "submit_changes", summary="Also changed before submitting.")

    assert response.status_code == 302
    change = PendingChange.objects.get()
    assert change.submitted_at is not None
    assert '"summary": "Also changed before submitting."' in change.snapshot["record"]
    assert '"title": "Pending title"' in change.snapshot["record"]
    record.refresh_from_db()
    assert record.title == "Published title"


def test_a_publisher_withdrawing_after_typing_keeps_the_typing(publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, title="To be withdrawn")

    step_with_form(publisher_client, record, "withdraw", summary="Reason noted before withdrawing.")

    record.refresh_from_db()
    assert (record.status, record.summary) == (Status.WITHDRAWN, "Reason noted before withdrawing.")
