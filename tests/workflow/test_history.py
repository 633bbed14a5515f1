"""Version history: every admin save is a version by its editor; versions compare field by field; publishers revert.

The versions here are made the way editors make them, by saving the record's page in the admin; reverting is
done the way a publisher does it, by opening an old version and saving it.
"""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from cop_kb.directory.models import Organisation
from cop_kb.records.models import AuditAction, Status
from instruments.models import Instrument, InstrumentRelation
from strategy.models import StrategicArea

from ..factories import make, make_typed_link
from .support import (
    ALIAS_PREFIX,
    admin_url,
    audit_events,
    edit_in_admin,
    form_data,
    revert,
    saved,
    transition_url,
    versions_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(instruments, publisher_client):
    """A published strategic area with an alias and a link, then edited: its title, alias and link all changed.

    The first admin save records the original with its link; the second changes it. A publisher edits, since an
    editor's edits to a published record wait for review (tests/workflow/test_pending.py).
    """
    lanzarote, budapest = instruments
    area = make(StrategicArea, title="Original area title", aliases=[{"name": "Original alias", "kind": "alternative"}])
    area.instruments.set([lanzarote])
    saved(edit_in_admin(publisher_client, area, summary="Checked against the framework."))
    saved(
        edit_in_admin(
            publisher_client,
            area,
            title="Rewritten area title",
            instruments=[str(budapest.pk)],
            **{f"{ALIAS_PREFIX}-0-DELETE": "on"},
        )
    )
    area.refresh_from_db()
    assert area.title == "Rewritten area title"
    assert list(area.aliases.all()) == []
    assert list(area.instruments.all()) == [budapest]
    return area


def original_version(area) -> Version:
    """The first admin save (the oldest version is the one ``make`` recorded, before the link was set)."""
    return versions_of(area)[-2]


def test_editing_a_draft_makes_a_version_attributed_to_the_editor(editor_client, editor):
    record = make(Instrument, status=Status.DRAFT, title="Edited convention", summary="The summary it was made with.")

    saved(edit_in_admin(editor_client, record, summary="A better summary."))

    edited, created = versions_of(record)
    assert edited.revision.user == editor
    assert edited.field_dict["summary"] == "A better summary."
    assert created.field_dict["summary"] == "The summary it was made with."
    history = editor_client.get(admin_url(Instrument, "history", record.pk))
    assert history.status_code == 200
    assert "<td>editor</td>" in history.content.decode()


def test_history_page_lists_every_version_with_a_link_to_compare_it_with_the_one_before(editor_client, area):
    older, newer = original_version(area), versions_of(area)[0]

    response = editor_client.get(admin_url(StrategicArea, "history", area.pk))

    assert response.status_code == 200
    content = response.content.decode()
    compare = admin_url(StrategicArea, "compare", area.pk) + f"?a={older.pk}&amp;b={newer.pk}"
    assert f'href="{compare}"' in content
    assert "Only publishers can revert." in content
    assert admin_url(StrategicArea, "revision", area.pk, older.pk) not in content


def test_history_page_offers_publishers_each_version_to_revert_to(publisher_client, area):
    response = publisher_client.get(admin_url(StrategicArea, "history", area.pk))

    assert response.status_code == 200
    for version in versions_of(area):
        assert admin_url(StrategicArea, "revision", area.pk, version.pk) in response.content.decode()


def test_compare_lists_changed_fields_before_and_after_with_links_by_title(editor_client, area):
    older, newer = original_version(area), versions_of(area)[0]

    response = editor_client.get(admin_url(StrategicArea, "compare", area.pk), {"a": older.pk, "b": newer.pk})

    assert response.status_code == 200
    rows = {row["label"]: (row["before"], row["after"]) for row in response.context["rows"]}
    assert rows == {
        "Title": ("Original area title", "Rewritten area title"),
        "Instruments": ("Lanzarote Convention", "Budapest Convention"),
    }
    content = response.content.decode()
    for text in ("Original area title", "Rewritten area title", "Lanzarote Convention", "Budapest Convention"):
        assert text in content


def test_compare_names_a_changed_single_link_by_its_title(editor_client):
    unicef, itu = make(Organisation, title="UNICEF"), make(Organisation, title="ITU")
    record = make(Instrument, issuing_body=unicef, status=Status.DRAFT)
    saved(edit_in_admin(editor_client, record))
    saved(edit_in_admin(editor_client, record, issuing_body=str(itu.pk)))
    newer, older, _created = versions_of(record)

    response = editor_client.get(admin_url(Instrument, "compare", record.pk), {"a": older.pk, "b": newer.pk})

    assert [(row["label"], row["before"], row["after"]) for row in response.context["rows"]] == [
        ("Issuing body", "UNICEF", "ITU")
    ]


def test_compare_of_versions_of_another_record_is_not_found(editor_client, area):
    other = make(StrategicArea)
    saved(edit_in_admin(editor_client, other))
    foreign = versions_of(other)[0]

    response = editor_client.get(
        admin_url(StrategicArea, "compare", area.pk), {"a": foreign.pk, "b": versions_of(area)[0].pk}
    )

    assert response.status_code == 404


def test_publisher_revert_restores_title_alias_and_link(client, publisher_client, area, instruments):
    lanzarote, _budapest = instruments

    response = revert(publisher_client, area, original_version(area))

    saved(response)
    area.refresh_from_db()
    assert area.title == "Original area title"
    assert [alias.name for alias in area.aliases.all()] == ["Original alias"]
    assert list(area.instruments.all()) == [lanzarote]
    page = client.get(area.get_absolute_url())
    assert page.status_code == 200
    assert "Original area title" in page.content.decode()
    assert "Lanzarote Convention" in page.content.decode()


def test_revert_is_in_the_audit_trail_and_the_history(publisher_client, publisher, area):
    version = original_version(area)

    saved(revert(publisher_client, area, version))

    event = audit_events(area, AuditAction.REVERT).get()
    assert (event.user, event.username, event.object_repr) == (publisher, "publisher", "Original area title")
    assert event.detail.startswith(f"to version {version.pk} of ")
    assert versions_of(area)[0].revision.user == publisher


def test_editor_cannot_revert_by_opening_or_posting_an_old_version(editor_client, publisher_client, area):
    url = admin_url(StrategicArea, "revision", area.pk, original_version(area).pk)
    data = form_data(publisher_client.get(url))

    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, data).status_code == 403

    area.refresh_from_db()
    assert area.title == "Rewritten area title"
    assert list(area.aliases.all()) == []
    assert not audit_events(area, AuditAction.REVERT).exists()


def test_search_follows_a_revert(client, publisher_client, area):
    saved(revert(publisher_client, area, original_version(area)))

    # Only areas: the instruments linked to it are found by its title too, lower down.
    search = reverse("search:search")
    found = client.get(search, {"q": "original area title", "type": "strategy.strategicarea"}).context["results"].hits
    assert [hit.url for hit in found] == [area.get_absolute_url()]
    assert client.get(reverse("search:search"), {"q": "rewritten"}).context["results"].hits == []


def test_search_filter_by_area_follows_a_revert_of_its_links(client, publisher_client, area, instruments):
    """Instruments are found under the strategic area they are linked to; after a revert, under the old link."""
    lanzarote, budapest = instruments

    def under_area() -> list[str]:
        params = {"q": "convention", "strategic_area": area.slug, "type": "instruments.instrument"}
        response = client.get(reverse("search:search"), params)
        return [hit.url for hit in response.context["results"].hits]

    assert under_area() == [budapest.get_absolute_url()]

    saved(revert(publisher_client, area, original_version(area)))

    assert under_area() == [lanzarote.get_absolute_url()]


def test_reverting_content_does_not_republish_a_withdrawn_record(client, publisher_client):
    """Status changes only through the workflow steps: a revert brings back content, not publication."""
    record = make(Instrument, status=Status.PUBLISHED, title="Published then withdrawn")
    saved(edit_in_admin(publisher_client, record, summary="Content worth keeping."))
    published_version = versions_of(record)[0]
    publisher_client.post(transition_url(record, "withdraw"))
    record.refresh_from_db()
    assert record.status == Status.WITHDRAWN

    saved(revert(publisher_client, record, published_version))

    record.refresh_from_db()
    assert record.status == Status.WITHDRAWN
    assert client.get(record.get_absolute_url()).status_code == 404


def test_revert_restores_an_instruments_typed_relations_and_leaves_the_other_instruments_alone(publisher_client):
    convention, protocol, treaty = (
        make(Instrument, title=title) for title in ("Convention A", "Protocol B", "Treaty C")
    )
    make_typed_link(InstrumentRelation, protocol, convention, "supplements")
    with reversion.create_revision():
        protocol.save()
    version = versions_of(protocol)[0]
    InstrumentRelation.objects.filter(subject=protocol).delete()
    make_typed_link(InstrumentRelation, protocol, treaty, "refers_to")

    saved(revert(publisher_client, protocol, version))

    rows = InstrumentRelation.objects.filter(subject=protocol).select_related("object")
    assert [(row.kind, row.object.title) for row in rows] == [("supplements", "Convention A")]
    assert Instrument.objects.filter(title__in=["Convention A", "Treaty C"]).count() == 2


def test_revert_to_a_version_without_typed_rows_leaves_the_relations_as_they_are(publisher_client):
    """Versions made before typed links were versioned hold none: such a revert must not empty the relations."""
    protocol, treaty = make(Instrument, title="Protocol B"), make(Instrument, title="Treaty C")
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(protocol)  # the record alone, as an older version was saved
    version = versions_of(protocol)[0]
    make_typed_link(InstrumentRelation, protocol, treaty, "refers_to")

    saved(revert(publisher_client, protocol, version))

    assert InstrumentRelation.objects.filter(subject=protocol, object=treaty).exists()
