"""The publication queue on the admin home, and the status badge at the top of each record's form.

The queue lists what waits for a publisher across every record type: records submitted for review, and published
records whose changes were submitted; newest submission first, with who submitted it, and bounded on the home page.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cop_kb.records import admin_views
from cop_kb.records.models import Status
from cop_kb.records.services import record_transition
from instruments.models import Instrument
from programmes.models import Programme
from strategy.models import Sector

from ..factories import make
from .support import admin_url, edit_in_admin, saved, transition_url

pytestmark = pytest.mark.django_db


def queue(client) -> list[tuple[str, str, str]]:
    """The admin home's queue as a publisher reads it: (title, type, submitted by), top first."""
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    content = response.content.decode()
    rows = [(row.title, row.type_name, row.submitted_by) for row in response.context["queue"]["rows"]]
    for title, type_name, by in rows:
        assert title in content and type_name in content and by in content
    return rows


def submitted(record, user):
    record_transition(record=record, action="submit", user=user)
    return record


def test_the_queue_lists_records_submitted_for_review_of_every_type_newest_first(publisher_client, editor, publisher):
    programme = submitted(make(Programme, status=Status.DRAFT, title="Submitted programme"), editor)
    sector = submitted(make(Sector, status=Status.DRAFT, title="Submitted sector"), publisher)
    instrument = submitted(make(Instrument, status=Status.DRAFT, title="Submitted instrument"), editor)

    assert queue(publisher_client) == [
        (instrument.title, "Instrument", "editor"),
        (sector.title, "Sector", "publisher"),
        (programme.title, "Programme", "editor"),
    ]


def test_the_queue_lists_only_what_was_submitted(publisher_client, editor):
    make(Programme, status=Status.DRAFT, title="Draft programme")
    make(Programme, status=Status.PUBLISHED, title="Published programme")
    make(Programme, status=Status.WITHDRAWN, title="Withdrawn programme")
    submitted(make(Programme, status=Status.DRAFT, title="Programme in review"), editor)

    assert queue(publisher_client) == [("Programme in review", "Programme", "editor")]


def test_submitted_changes_to_a_published_record_are_queued_once_submitted(editor_client, publisher_client):
    sector = make(Sector, status=Status.PUBLISHED, title="Published sector")
    saved(edit_in_admin(editor_client, sector, summary="A better summary."))
    assert queue(publisher_client) == []

    editor_client.post(transition_url(sector, "submit_changes"))

    assert queue(publisher_client) == [("Published sector", "Sector", "editor")]
    page = publisher_client.get(reverse("admin:index")).content.decode()
    assert "(changes to the published record)" in page


def test_each_row_links_to_the_record_form_and_the_queue_comes_before_the_due_report(publisher_client, editor):
    programme = submitted(make(Programme, status=Status.DRAFT, title="Linked programme"), editor)

    page = publisher_client.get(reverse("admin:index")).content.decode()

    assert f'href="{admin_url(Programme, "change", programme.pk)}"' in page
    assert page.index("Waiting for review (1)") < page.index("Records due for review")


def test_the_home_shows_the_newest_few_and_links_to_the_full_list(publisher_client, editor, monkeypatch):
    monkeypatch.setattr(admin_views, "WAITING_ON_HOME", 2)
    for number in range(3):
        submitted(make(Sector, status=Status.DRAFT, title=f"Sector {number}"), editor)

    assert [title for title, _type, _by in queue(publisher_client)] == ["Sector 2", "Sector 1"]
    page = publisher_client.get(reverse("admin:index")).content.decode()
    assert "Waiting for review (3) — the newest 2" in page
    assert f'href="{reverse("admin-waiting")}">All 3 waiting for review' in page

    full = publisher_client.get(reverse("admin-waiting"))
    assert [row.title for row in full.context["waiting"]] == ["Sector 2", "Sector 1", "Sector 0"]


def test_a_record_in_review_with_no_submission_on_record_comes_last_with_no_one_named(publisher_client, editor):
    make(Sector, status=Status.IN_REVIEW, title="Imported in review")
    submitted(make(Sector, status=Status.DRAFT, title="Submitted sector"), editor)

    assert queue(publisher_client) == [("Submitted sector", "Sector", "editor"), ("Imported in review", "Sector", "")]


def test_the_queue_shows_only_types_the_user_may_see(client_as, editor):
    submitted(make(Sector, status=Status.DRAFT, title="Submitted sector"), editor)
    staff = client_as("staff")

    response = staff.get(reverse("admin:index"))

    assert response.status_code == 200
    assert response.context["queue"] == {"rows": [], "count": 0}


def test_the_queue_runs_the_same_queries_whatever_the_number_of_records_and_types(publisher_client, editor):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            publisher_client.get(reverse("admin:index"))
        return len(queries)

    submitted(make(Sector, status=Status.DRAFT), editor)
    publisher_client.get(reverse("admin:index"))  # warm per-process caches (content types, session)
    few = count()
    for model in (Sector, Programme, Instrument, Programme):
        submitted(make(model, status=Status.DRAFT), editor)

    assert count() == few


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.DRAFT, "Draft"),
        (Status.IN_REVIEW, "In review"),
        (Status.PUBLISHED, "Published"),
        (Status.WITHDRAWN, "Withdrawn"),
    ],
)
def test_the_form_starts_with_a_badge_naming_the_status_in_words(editor_client, status, label):
    record = make(Programme, status=status)

    page = editor_client.get(admin_url(Programme, "change", record.pk)).content.decode()

    badge = f'Status: <strong class="status-badge status-badge-{status}">{label}</strong>'
    assert badge in page
    assert page.index(badge) < page.index('id="programme_form"')


def test_a_new_record_is_badged_as_an_unsaved_draft(editor_client):
    page = editor_client.get(admin_url(Programme, "add")).content.decode()

    assert '<strong class="status-badge status-badge-draft">Draft, not saved yet</strong>' in page


def test_a_published_record_with_waiting_changes_says_so_on_its_badge(editor_client):
    sector = make(Sector, status=Status.PUBLISHED)
    saved(edit_in_admin(editor_client, sector, summary="Proposed."))

    page = editor_client.get(admin_url(Sector, "change", sector.pk)).content.decode()

    assert "Published, with changes waiting for review</strong>" in page


def test_the_queue_escapes_titles(publisher_client, editor):
    submitted(make(Sector, status=Status.DRAFT, title="<b>Bold</b> sector"), editor)

    page = publisher_client.get(reverse("admin:index")).content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt; sector</a>" in page
    assert "<b>Bold</b>" not in page
