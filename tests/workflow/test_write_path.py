"""One write path: however a record changes, it gets exactly one version and one audit event, and the index follows.

Each entry point is driven the way people (or the loader) use it: the admin's add and change forms, a changelist
action, an import, a workflow step, publishing waiting changes, a revert, a recovery, ``load_framework``'s service,
deleting, and a typed link row's own admin page. Around most, a strategic area moves its link from one instrument to
another, and the instruments' "strategic area" search facet (which follows links from the other end) shows that both
were indexed afresh.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Max
from reversion.models import Version

from cop_kb.records import services
from cop_kb.records.models import AuditAction, AuditEvent, Status
from cop_kb.records.services import record_reindex
from cop_kb.search.models import SearchDocument
from instruments.models import Instrument, InstrumentRelation
from programmes.services import framework_load
from strategy.models import StrategicArea

from ..admin.support import management_data
from ..factories import make
from ..search.support import facet_counts, search_for
from ..test_import_export import as_csv, import_file
from .support import admin_url, audit_events, edit_in_admin, form_data, public_titles, saved, transition_url

pytestmark = pytest.mark.django_db


class Ledger:
    """The versions and audit events written since the ledger was opened."""

    def __init__(self):
        self.last_version = Version.objects.aggregate(last=Max("pk"))["last"] or 0
        self.last_event = AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0

    def versions(self, record) -> list[Version]:
        versions = Version.objects.get_for_object_reference(type(record), record.pk)
        return list(versions.filter(pk__gt=self.last_version).select_related("revision__user"))

    def actions(self, record) -> list[str]:
        return list(audit_events(record).filter(pk__gt=self.last_event).values_list("action", flat=True))

    def one_each(self, record, action: str, user) -> Version:
        """Exactly one new version and one new audit event of ``record``, both by ``user``; returns the version."""
        versions = self.versions(record)
        assert len(versions) == 1, f"{len(versions)} versions of {record}"
        assert self.actions(record) == [action]
        assert versions[0].revision.user == user
        assert audit_events(record).filter(pk__gt=self.last_event).get().user == user
        return versions[0]

    def nothing(self, record) -> None:
        assert (self.versions(record), self.actions(record)) == ([], [])


def areas_of(word: str) -> dict[str, int]:
    """The strategic areas the search facet offers for the instruments found by ``word``."""
    return facet_counts(search_for(word, type="instruments.instrument"), "strategic_area")


@pytest.fixture
def reindexed(monkeypatch) -> set:
    """(type, pk) of every record the write path sends to the index (a document keeps its id when rewritten)."""
    sent = set()
    write = services.index_update

    def spy(records):
        records = list(records)
        sent.update((type(record), record.pk) for record in records)
        write(records)

    monkeypatch.setattr(services, "index_update", spy)
    return sent


def document_id(record) -> int | None:
    return (
        SearchDocument.objects.filter(record_type=record._meta.label_lower, object_id=record.pk)
        .values_list("pk", flat=True)
        .first()
    )


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"


@pytest.fixture
def scene():
    """A published area linked to the Axolotl treaty (so the treaty's facet names it), and the Quokka treaty."""
    axolotl = make(Instrument, title="Axolotl treaty")
    quokka = make(Instrument, title="Quokka treaty")
    area = make(StrategicArea, title="Wombat area")
    area.instruments.set([axolotl])
    record_reindex(area)
    assert (areas_of("axolotl"), areas_of("quokka")) == ({area.slug: 1}, {})
    return area, axolotl, quokka


def assert_link_moved(area, axolotl, quokka, ledger) -> None:
    """The index shows the area's link on the Quokka treaty, no longer on the Axolotl treaty; neither got a version."""
    assert (areas_of("axolotl"), areas_of("quokka")) == ({}, {area.slug: 1})
    ledger.nothing(axolotl)
    ledger.nothing(quokka)


def test_admin_add_writes_a_first_version_and_an_audit_event_and_reindexes_what_it_links(
    publisher_client, publisher, reindexed
):
    quokka = make(Instrument, title="Quokka treaty")
    ledger = Ledger()
    page = publisher_client.get(admin_url(StrategicArea, "add")).content.decode()
    data = {
        **management_data(page),
        "title": "Numbat area",
        "slug": "numbat-area",
        "position": "77",
        "instruments": [str(quokka.pk)],
        "review_interval_days": "365",
    }

    saved(publisher_client.post(admin_url(StrategicArea, "add"), data))

    area = StrategicArea.objects.get(slug="numbat-area")
    version = ledger.one_each(area, AuditAction.CREATE, publisher)
    assert version.field_dict["instruments"] == [quokka.pk]
    assert version.revision.get_comment() == "Added."
    # A draft is not indexed; the instrument it links to is written afresh (its facets follow links).
    assert document_id(area) is None
    assert (Instrument, quokka.pk) in reindexed and document_id(quokka) is not None
    ledger.nothing(quokka)


def test_admin_change_writes_one_version_and_one_audit_event_and_reindexes_both_ends(
    publisher_client, publisher, scene
):
    area, axolotl, quokka = scene
    ledger = Ledger()

    saved(edit_in_admin(publisher_client, area, title="Numbat area", instruments=[str(quokka.pk)]))

    version = ledger.one_each(area, AuditAction.CHANGE, publisher)
    assert version.field_dict["title"] == "Numbat area"
    assert public_titles("numbat", type="strategy.strategicarea") == ["Numbat area"]
    assert_link_moved(area, axolotl, quokka, ledger)


def test_a_bulk_action_writes_one_version_and_one_audit_event_per_record(publisher_client, publisher, scene):
    area, axolotl, _quokka = scene
    other = make(StrategicArea, title="Wombat second area")
    ledger = Ledger()

    response = publisher_client.post(
        admin_url(StrategicArea, "changelist"), {"action": "withdraw", ACTION_CHECKBOX_NAME: [area.pk, other.pk]}
    )

    assert response.status_code == 302
    for record in (area, other):
        ledger.one_each(record, AuditAction.WITHDRAW, publisher)
    assert public_titles("wombat") == []
    # The withdrawn area is no longer offered as the treaty's facet.
    assert areas_of("axolotl") == {}
    ledger.nothing(axolotl)


def test_an_imported_row_writes_one_version_and_one_audit_event_and_reindexes_both_ends(
    publisher_client, publisher, scene, upload_dir
):
    area, axolotl, quokka = scene
    untouched = make(StrategicArea, title="Untouched area")
    ledger = Ledger()
    rows = [
        {"slug": area.slug, "title": "Numbat area", "instruments": quokka.slug},
        {"slug": untouched.slug, "title": untouched.title, "instruments": ""},
    ]

    _preview, done = import_file(publisher_client, StrategicArea, as_csv(rows), name="areas.csv")

    assert done.status_code == 302
    version = ledger.one_each(area, AuditAction.IMPORT, publisher)
    assert version.revision.get_comment() == "Imported from areas.csv"
    assert audit_events(area, AuditAction.IMPORT).get().detail == "areas.csv"
    ledger.nothing(untouched)  # a row that changes nothing writes nothing
    assert public_titles("numbat", type="strategy.strategicarea") == ["Numbat area"]
    assert_link_moved(area, axolotl, quokka, ledger)


def test_a_workflow_step_writes_one_version_and_one_audit_event_and_reindexes_what_it_links(
    publisher_client, publisher, scene
):
    area, axolotl, _quokka = scene
    ledger = Ledger()

    response = publisher_client.post(transition_url(area, "withdraw"))

    assert response.status_code == 302
    ledger.one_each(area, AuditAction.WITHDRAW, publisher)
    assert areas_of("axolotl") == {}
    ledger.nothing(axolotl)


@pytest.mark.parametrize("how", ["button", "form"])
def test_publishing_waiting_changes_writes_one_version_and_one_audit_event(
    editor_client, publisher_client, publisher, scene, how
):
    area, axolotl, quokka = scene
    saved(edit_in_admin(editor_client, area, title="Numbat area", instruments=[str(quokka.pk)]))
    assert public_titles("numbat") == []
    ledger = Ledger()

    if how == "button":
        assert publisher_client.post(transition_url(area, "publish_changes")).status_code == 302
    else:
        saved(edit_in_admin(publisher_client, area, summary="Checked by the publisher."))

    version = ledger.one_each(area, AuditAction.PUBLISH_CHANGES, publisher)
    assert "saved by editor" in version.revision.get_comment()
    assert version.field_dict["title"] == "Numbat area"
    assert public_titles("numbat", type="strategy.strategicarea") == ["Numbat area"]
    assert_link_moved(area, axolotl, quokka, ledger)


def test_a_revert_writes_one_version_and_one_audit_event_and_reindexes_both_ends(publisher_client, publisher, scene):
    area, axolotl, quokka = scene
    saved(edit_in_admin(publisher_client, area, summary="First saved with its first link."))
    with_axolotl = Version.objects.get_for_object(area).first()
    saved(edit_in_admin(publisher_client, area, instruments=[str(quokka.pk)]))
    assert (areas_of("axolotl"), areas_of("quokka")) == ({}, {area.slug: 1})
    ledger = Ledger()

    url = admin_url(StrategicArea, "revision", area.pk, with_axolotl.pk)
    saved(publisher_client.post(url, form_data(publisher_client.get(url))))

    version = ledger.one_each(area, AuditAction.REVERT, publisher)
    assert version.revision.get_comment().startswith("Reverted: the version of ")
    assert (areas_of("axolotl"), areas_of("quokka")) == ({area.slug: 1}, {})
    ledger.nothing(axolotl)
    ledger.nothing(quokka)


def test_deleting_writes_one_audit_event_and_reindexes_what_was_linked(publisher_client, publisher, scene):
    area, axolotl, _quokka = scene
    ledger = Ledger()

    saved(publisher_client.post(admin_url(StrategicArea, "delete", area.pk), {"post": "yes"}))

    assert ledger.actions(area) == [AuditAction.DELETE]
    assert audit_events(area).get(action=AuditAction.DELETE).user == publisher
    assert ledger.versions(area) == []  # its versions stay for a recovery; a deletion adds none
    assert document_id(area) is None
    assert areas_of("axolotl") == {}
    ledger.nothing(axolotl)


def test_a_recovery_writes_one_version_and_one_audit_event_and_reindexes_what_it_links(
    publisher_client, publisher, scene, reindexed
):
    area, axolotl, _quokka = scene
    saved(edit_in_admin(publisher_client, area, summary="Saved before it was deleted."))
    version = Version.objects.get_for_object(area).first()
    saved(publisher_client.post(admin_url(StrategicArea, "delete", area.pk), {"post": "yes"}))
    reindexed.clear()
    ledger = Ledger()

    url = admin_url(StrategicArea, "recover", version.pk)
    saved(publisher_client.post(url, form_data(publisher_client.get(url))))

    recovered = StrategicArea.objects.get(pk=area.pk)
    assert recovered.status == Status.DRAFT
    ledger.one_each(recovered, AuditAction.RECOVER, publisher)
    # A draft links nowhere in public, but the treaty it links to is written afresh.
    assert list(recovered.instruments.all()) == [axolotl]
    assert (Instrument, axolotl.pk) in reindexed and document_id(axolotl) is not None
    ledger.nothing(axolotl)


def test_the_loader_writes_one_version_and_one_audit_event_per_record_it_creates_or_links(tmp_path, scene):
    area, axolotl, quokka = scene
    content = tmp_path / "framework.toml"
    content.write_text(
        f"""
[[instrument]]
slug = "numbat-treaty"
title = "Numbat treaty"
official_title = "Numbat treaty"
kind = "convention"

[[strategic_area]]
slug = "{area.slug}"
title = "{area.title}"
position = {area.position}
instruments = ["numbat-treaty"]

[[strategic_area]]
slug = "dingo-area"
title = "Dingo area"
position = 78
instruments = ["{quokka.slug}"]
""",
        encoding="utf-8",
    )
    ledger = Ledger()

    framework_load(path=content)

    numbat = Instrument.objects.get(slug="numbat-treaty")
    new_area = StrategicArea.objects.get(slug="dingo-area")
    for created in (numbat, new_area):
        version = ledger.one_each(created, AuditAction.CREATE, None)
        assert version.revision.get_comment() == "Loaded from the Framework for Action"
    # The existing area now links to the new treaty: a version of its own, and the treaty's facet names it.
    relinked = ledger.one_each(area, AuditAction.CHANGE, None)
    assert sorted(relinked.field_dict["instruments"]) == sorted([axolotl.pk, numbat.pk])
    assert areas_of("numbat") == {area.slug: 1}
    assert areas_of("quokka") == {new_area.slug: 1}
    ledger.nothing(axolotl)
    ledger.nothing(quokka)


def test_a_typed_link_saved_or_deleted_on_its_own_page_is_a_change_of_the_record_it_belongs_to(
    publisher_client, publisher, reindexed
):
    protocol = make(Instrument, title="Axolotl protocol")
    convention = make(Instrument, title="Quokka convention")
    ledger = Ledger()
    data = {"subject": str(protocol.pk), "kind": "supplements", "object": str(convention.pk)}

    saved(publisher_client.post(admin_url(InstrumentRelation, "add"), data))

    version = ledger.one_each(protocol, AuditAction.CHANGE, publisher)
    assert version.revision.get_comment() == f"Link saved: {InstrumentRelation.objects.get()}"
    ledger.nothing(convention)
    # The other end, linked after, is indexed afresh.
    assert (Instrument, convention.pk) in reindexed and document_id(convention) is not None
    ledger = Ledger()
    reindexed.clear()

    relation = InstrumentRelation.objects.get()
    saved(publisher_client.post(admin_url(InstrumentRelation, "delete", relation.pk), {"post": "yes"}))

    assert ledger.one_each(protocol, AuditAction.CHANGE, publisher).revision.get_comment().startswith("Link removed")
    ledger.nothing(convention)
    assert (Instrument, convention.pk) in reindexed and document_id(convention) is not None  # linked before
