"""A revert restores exactly one record: never another record saved by the same bulk action, import or revision.

Each multi-record path — every changelist action and a confirmed import — runs on two records A and B; then B
changes (withdrawn, retitled, given an alias); then a publisher reverts A to the version the path made. B must keep
its status, title, aliases and its place in search, and A must get back what that version held.
"""

import pytest
import reversion
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from cop_kb.directory.models import Organisation
from cop_kb.records.models import Alias, AuditAction, Status
from instruments.models import Instrument

from ..factories import make
from ..test_import_export import as_csv, import_file, instrument_row
from .support import admin_url, audit_events, public_titles, revert, transition_url, versions_of

pytestmark = pytest.mark.django_db


def run_action(client, action: str, *records) -> None:
    data = {"action": action, ACTION_CHECKBOX_NAME: [record.pk for record in records]}
    response = client.post(admin_url(Instrument, "changelist"), data)
    assert response.status_code == 302


def both_move_on(publisher_client, a, b) -> None:
    """After the shared step A is edited, and B is retitled, given an alias and (if published) withdrawn."""
    a.refresh_from_db()
    a.title = "Alpha edited later"
    with reversion.create_revision():
        a.save()
    b.refresh_from_db()
    with reversion.create_revision():
        b.title = "Bravo retitled later"
        b.save()
        Alias.objects.create(record=b, name="Bravo alias added later")
    if b.status == Status.PUBLISHED:
        assert publisher_client.post(transition_url(b, "withdraw")).status_code == 302


def assert_b_untouched(client, b, *, status) -> None:
    b.refresh_from_db()
    assert (b.status, b.title) == (status, "Bravo retitled later")
    assert [alias.name for alias in b.aliases.all()] == ["Bravo alias added later"]
    assert not audit_events(b, AuditAction.REVERT).exists()
    public = client.get(reverse("instruments:detail", kwargs={"slug": b.slug})).status_code
    assert public == (200 if status == Status.PUBLISHED else 404)
    assert ("Bravo retitled later" in public_titles("bravo")) == (status == Status.PUBLISHED)


# (action, the status both records start with, the status they have after it)
ACTIONS = [
    ("submit_for_review", Status.DRAFT, Status.IN_REVIEW),
    ("publish", Status.IN_REVIEW, Status.PUBLISHED),
    ("withdraw", Status.PUBLISHED, Status.WITHDRAWN),
    ("return_to_draft", Status.IN_REVIEW, Status.DRAFT),
    ("mark_verified", Status.PUBLISHED, Status.PUBLISHED),
]


@pytest.mark.parametrize(("action", "start", "after"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_reverting_one_record_to_a_bulk_actions_version_leaves_the_other_alone(
    client, publisher_client, action, start, after
):
    a = make(Instrument, title="Alpha as the action left it", status=start)
    b = make(Instrument, title="Bravo as the action left it", status=start)
    run_action(publisher_client, action, a, b)
    action_version = versions_of(a)[0]
    assert [v.object_id for v in action_version.revision.version_set.all()] == [str(a.pk)], "one version per record"
    both_move_on(publisher_client, a, b)
    b_status = Status.WITHDRAWN if after == Status.PUBLISHED else after

    response = revert(publisher_client, a, action_version)

    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.title, a.status) == ("Alpha as the action left it", after)
    assert_b_untouched(client, b, status=b_status)


def test_the_issues_example_verified_together_withdrawn_apart_stays_withdrawn(client, publisher_client):
    """Bulk-mark two published records verified, withdraw B, revert A to that version: B stays withdrawn."""
    a = make(Instrument, title="Alpha verified", status=Status.PUBLISHED)
    b = make(Instrument, title="Bravo verified", status=Status.PUBLISHED)
    run_action(publisher_client, "mark_verified", a, b)
    assert publisher_client.post(transition_url(b, "withdraw")).status_code == 302

    assert revert(publisher_client, a, versions_of(a)[0]).status_code == 302

    b.refresh_from_db()
    assert b.status == Status.WITHDRAWN
    assert client.get(b.get_absolute_url()).status_code == 404
    assert "Bravo verified" not in public_titles("bravo verified")


def test_reverting_to_a_revision_that_holds_several_records_restores_only_the_one(client, publisher_client):
    """Revisions made before each record got its own (or by code saving many at once) are safe to revert to."""
    a = make(Instrument, title="Alpha in a shared revision", status=Status.PUBLISHED)
    b = make(Instrument, title="Bravo in a shared revision", status=Status.PUBLISHED)
    with reversion.create_revision():
        a.save()
        b.save()
    shared = versions_of(a)[0]
    assert shared.revision.version_set.filter(object_id=str(b.pk)).exists()
    both_move_on(publisher_client, a, b)

    assert revert(publisher_client, a, shared).status_code == 302

    a.refresh_from_db()
    assert a.title == "Alpha in a shared revision"
    assert_b_untouched(client, b, status=Status.WITHDRAWN)


def test_reverting_one_record_to_its_import_version_leaves_the_other_imported_record_alone(client, publisher_client):
    make(Organisation, slug="council-of-europe", title="Council of Europe")
    a = make(Instrument, slug="alpha", title="Alpha before the import", status=Status.PUBLISHED)
    b = make(Instrument, slug="bravo", title="Bravo before the import", status=Status.PUBLISHED)
    rows = [
        instrument_row(slug="alpha", title="Alpha as imported"),
        instrument_row(slug="bravo", title="Bravo as imported"),
    ]
    _preview, done = import_file(publisher_client, Instrument, as_csv(rows))
    assert done.status_code == 302
    imported = versions_of(a)[0]
    assert imported.field_dict["title"] == "Alpha as imported"
    assert [v.object_id for v in imported.revision.version_set.all()] == [str(a.pk)], "one version per record"
    both_move_on(publisher_client, a, b)

    assert revert(publisher_client, a, imported).status_code == 302

    a.refresh_from_db()
    assert (a.title, a.status) == ("Alpha as imported", Status.PUBLISHED)
    assert_b_untouched(client, b, status=Status.WITHDRAWN)
