"""Keeping records checked: "Mark as verified today", the review queue, and the data-quality report."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cop_kb.directory.models import Organisation
from cop_kb.records.models import AuditAction, Status
from instruments.models import Instrument, Provision
from strategy.models import Sector, StrategicArea

from ..factories import make
from .support import admin_url, audit_events, messages_of

pytestmark = pytest.mark.django_db

SOURCE = {"title": "UN Treaty Collection", "url": "https://treaties.un.org/"}


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def listed(client, url_name: str) -> dict[str, str]:
    """The report's rows as the reader sees them: title → note."""
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    content = response.content.decode()
    rows = {row["record"].title: row["note"] for group in response.context["groups"] for row in group.rows}
    for title, note in rows.items():
        assert title in content and note in content
    return rows


def mark_verified(client, *records):
    return client.post(
        admin_url(type(records[0]), "changelist"),
        {"action": "mark_verified", ACTION_CHECKBOX_NAME: [record.pk for record in records]},
    )


def test_mark_as_verified_today_records_the_date_the_editor_and_an_audit_event(editor_client, editor):
    record = make(Instrument, last_verified_on=days_ago(500))

    response = mark_verified(editor_client, record)

    assert messages_of(response) == ["Marked as verified today."]
    record.refresh_from_db()
    assert (record.last_verified_on, record.last_verified_by) == (timezone.localdate(), editor)
    event = audit_events(record, AuditAction.VERIFY).get()
    assert (event.user, event.username, event.object_repr) == (editor, "editor", record.title)
    page = editor_client.get(admin_url(Instrument, "change", record.pk))
    assert "editor" in page.content.decode()


def test_marking_verified_keeps_the_status_and_the_public_page(client, editor_client):
    record = make(Instrument, status=Status.PUBLISHED)

    mark_verified(editor_client, record)

    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert client.get(record.get_absolute_url()).status_code == 200


def test_review_queue_lists_never_verified_and_overdue_records_by_their_own_interval(editor_client):
    make(Instrument, title="Never verified")
    make(Instrument, title="Verified 400 days ago", last_verified_on=days_ago(400))
    make(Instrument, title="Due today", last_verified_on=days_ago(365))
    make(Instrument, title="Verified 10 days ago", last_verified_on=days_ago(10))
    make(Sector, title="Monthly, 40 days ago", last_verified_on=days_ago(40), review_interval_days=30)
    make(Sector, title="Monthly, 20 days ago", last_verified_on=days_ago(20), review_interval_days=30)
    make(Instrument, title="Biennial, 400 days ago", last_verified_on=days_ago(400), review_interval_days=730)
    make(Instrument, title="Draft never verified", status=Status.DRAFT)

    rows = listed(editor_client, "admin-review-queue")

    assert rows == {
        "Never verified": "never verified",
        "Verified 400 days ago": f"last verified on {days_ago(400).isoformat()}",
        "Due today": f"last verified on {days_ago(365).isoformat()}",
        "Monthly, 40 days ago": f"last verified on {days_ago(40).isoformat()}",
        "Draft never verified": "never verified",
    }


def test_review_queue_links_each_record_to_its_admin_page(editor_client):
    record = make(Instrument, title="Never verified")

    response = editor_client.get(reverse("admin-review-queue"))

    assert f'href="{admin_url(Instrument, "change", record.pk)}"' in response.content.decode()


def test_a_record_marked_verified_leaves_the_review_queue(editor_client):
    record = make(Instrument, title="Checked at last", last_verified_on=days_ago(800))
    assert "Checked at last" in listed(editor_client, "admin-review-queue")

    mark_verified(editor_client, record)

    assert "Checked at last" not in listed(editor_client, "admin-review-queue")


def test_data_quality_report_names_what_each_incomplete_record_lacks(editor_client):
    make(Instrument, title="Bare instrument", summary="")
    make(Instrument, title="Sourced, unlinked instrument", sources=[SOURCE])
    make(Instrument, title="Linked, unsourced instrument", issuing_body=make(Organisation, sources=[SOURCE]))
    make(Instrument, title="Complete instrument", sources=[SOURCE], issuing_body=make(Organisation))

    rows = listed(editor_client, "admin-data-quality")

    assert rows["Bare instrument"] == "no summary, no source, no links"
    assert rows["Sourced, unlinked instrument"] == "no links"
    assert rows["Linked, unsourced instrument"] == "no source"
    assert "Complete instrument" not in rows


def test_data_quality_report_counts_links_made_from_other_records(editor_client):
    from_provision = make(Instrument, title="Has a provision", sources=[SOURCE])
    make(Provision, instrument=from_provision, sources=[SOURCE])
    from_area = make(Instrument, title="Underpins an area", sources=[SOURCE])
    make(StrategicArea, sources=[SOURCE]).instruments.set([from_area])

    rows = listed(editor_client, "admin-data-quality")

    assert "Has a provision" not in rows
    assert "Underpins an area" not in rows


def test_data_quality_report_lists_a_record_with_an_empty_single_link_instead_of_failing(editor_client):
    """An instrument with no issuing body (an optional link) and nothing else linked is a record with no links."""
    make(Instrument, title="No issuing body", sources=[SOURCE], issuing_body=None)

    response = editor_client.get(reverse("admin-data-quality"))

    assert response.status_code == 200
    assert "No issuing body" in response.content.decode()


def _data_quality_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin-data-quality")).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_data_quality_report_runs_the_same_queries_for_ten_times_the_records(editor_client):
    """One loader per record type: no query per row or per link (it used to ask each row about each link)."""

    def add(count: int) -> None:
        for number in range(count):
            make(Instrument, summary="", issuing_body=None)
            make(Sector, sources=[SOURCE] if number % 2 else [])

    add(2)
    few = _data_quality_queries(editor_client)
    add(18)
    many = _data_quality_queries(editor_client)

    assert len(many) == len(few), "\n".join(many)
