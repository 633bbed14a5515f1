"""Organisations' role rows keep copies of their programme's, partnership's or activity's visibility, slug, title and
year (``cop_kb.records.kept_copies``), kept by the database whoever writes, so an organisation's page can read its
first links from the role rows alone and still show what the linked records say now."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cop_kb.records.kept_copies import COPY_PREFIX, install_kept_copies, kept_models, remove_kept_copy_triggers
from cop_kb.records.link_pages import BACKLINKS_SHOWN, load_links
from cop_kb.records.models import Status
from cop_kb.records.snapshots import snapshot_of
from programmes.models import ActivityOrganisation, PartnershipMember, Programme, ProgrammeOrganisation, Role

from .factories import make, make_organisation, make_typed_link, rename, typed_ends
from .test_pages import get_page

pytestmark = pytest.mark.django_db


def copies(row) -> dict:
    row.refresh_from_db()
    return {name: getattr(row, COPY_PREFIX + name) for name in type(row).kept_source_fields}


def current(record, typed) -> dict:
    record.refresh_from_db()
    return {name: getattr(record, name) for name in typed.kept_source_fields}


def test_every_role_model_keeps_copies_of_its_source():
    assert kept_models() == [ActivityOrganisation, PartnershipMember, ProgrammeOrganisation]


@pytest.fixture(params=[ProgrammeOrganisation, PartnershipMember, ActivityOrganisation], ids=lambda m: m.__name__)
def role(request):
    typed = request.param
    source_type, _organisation_type = typed_ends(typed)
    return make_typed_link(typed, make(source_type, title="First title"), make_organisation())


def test_a_new_role_row_holds_its_sources_columns(role):
    source = getattr(role, type(role).source_field)
    assert copies(role) == current(source, type(role))
    assert copies(role)["title"] == "First title"


def test_a_source_retitled_renamed_or_withdrawn_passes_it_on_to_its_rows(role):
    typed = type(role)
    source = getattr(role, typed.source_field)
    source.title = "Second title"
    if "year" in typed.kept_source_fields:
        source.year = 2001
    source.save()
    rename(source, "second-title")
    source.refresh_from_db()
    source.status = Status.WITHDRAWN
    source.save()

    kept = copies(role)
    assert kept == current(source, typed)
    assert (kept["title"], kept["slug"], kept["status"]) == ("Second title", "second-title", Status.WITHDRAWN)


def test_a_stale_row_saved_over_a_change_keeps_the_sources_new_columns(role):
    typed = type(role)
    stale = typed.objects.get(pk=role.pk)  # read before the source changes, as a form would be
    source = getattr(role, typed.source_field)
    source.title = "Changed meanwhile"
    source.save()

    stale.kind = Role.SUPPORTER
    stale.save()

    assert copies(role)["title"] == "Changed meanwhile"


def test_a_row_moved_to_another_source_takes_that_sources_columns(role):
    typed = type(role)
    source_type, _organisation_type = typed_ends(typed)
    other = make(source_type, title="Another one")
    setattr(role, typed.source_field, other)
    role.save()

    assert copies(role) == current(other, typed)


def test_rows_written_in_bulk_without_models_get_their_copies_too():
    programme, organisation = make(Programme), make_organisation()
    ProgrammeOrganisation.objects.bulk_create(
        [ProgrammeOrganisation(programme=programme, organisation=organisation, kind=Role.LEAD)]
    )

    (row,) = ProgrammeOrganisation.objects.filter(organisation=organisation)
    assert copies(row) == current(programme, ProgrammeOrganisation)


def test_a_migrate_fills_copies_written_before_them(role):
    typed = type(role)
    remove_kept_copy_triggers(connection)
    typed.objects.filter(pk=role.pk).update(**{COPY_PREFIX + name: None for name in typed.kept_source_fields})
    assert set(copies(role).values()) == {None}

    install_kept_copies()

    assert copies(role) == current(getattr(role, typed.source_field), typed)


def test_an_organisations_page_reads_its_roles_without_the_linked_records_tables():
    organisation = make_organisation()
    programme = make(Programme)
    make_typed_link(ProgrammeOrganisation, programme, organisation)

    with CaptureQueriesContext(connection) as queries:
        load_links(organisation)

    (statement,) = [query["sql"] for query in queries.captured_queries if "programmeorganisation" in query["sql"]]
    role_parts = [part for part in statement.split("UNION ALL") if "programmeorganisation" in part]
    assert role_parts and not any('"programmes_programme"' in part for part in role_parts)


def test_an_organisations_page_shows_its_programmes_as_they_are_now_newest_first(client):
    organisation = make_organisation()
    old = make(Programme, title="Older work", year=2010)
    new = make(Programme, title="Newer work", year=2020)
    gone = make(Programme, title="Withdrawn work", year=2015)
    for programme in (old, new, gone):
        make_typed_link(ProgrammeOrganisation, programme, organisation, Role.LEAD)
    new.title = "Newer work, retitled"
    new.save()
    gone.status = Status.WITHDRAWN
    gone.save()

    response, page = get_page(client, organisation.get_absolute_url())

    label = str(ProgrammeOrganisation.LABELS[Role.LEAD][1])
    assert page.groups()[label] == [new.get_absolute_url(), old.get_absolute_url()]
    html = response.content.decode()
    assert "Newer work, retitled" in html and "Withdrawn work" not in html


def test_an_organisations_own_state_does_not_change_when_a_programme_it_leads_is_retitled(role):
    organisation = role.organisation
    before = snapshot_of(organisation)
    source = getattr(role, type(role).source_field)
    source.title = "Retitled elsewhere"
    source.save()

    assert snapshot_of(organisation) == before
    assert all(COPY_PREFIX not in name for rows in before.typed.values() for row in rows for name in row)


def test_the_demo_generators_plain_inserts_get_their_copies():
    call_command("generate_demo_data", records=300, seed=1, no_index=True, verbosity=0)

    for typed in kept_models():
        rows = typed.objects.select_related(typed.source_field)
        assert rows.exists()
        for row in rows:
            assert copies(row) == current(getattr(row, typed.source_field), typed)


def rows_written(typed) -> object:
    """Something that changes whenever a row of ``typed`` is written: its rows' transaction ids on PostgreSQL,
    SQLite's count of rows changed on the connection."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT array_agg(xmin::text ORDER BY id) FROM {typed._meta.db_table}")  # noqa: S608
        else:
            cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


def test_a_migrate_with_nothing_to_fill_rewrites_no_row(role):
    typed = type(role)
    before = rows_written(typed)

    install_kept_copies()

    assert rows_written(typed) == before
    assert copies(role) == current(getattr(role, typed.source_field), typed)


def test_a_withdrawn_programme_leaves_its_organisations_count_of_each_role(client):
    organisation = make_organisation()
    programmes = [make(Programme, title=f"Programme {number:03d}") for number in range(BACKLINKS_SHOWN + 1)]
    for programme in programmes:
        make_typed_link(ProgrammeOrganisation, programme, organisation, Role.LEAD)
    _response, page = get_page(client, organisation.get_absolute_url())
    assert f"Show all {BACKLINKS_SHOWN + 1} programmes" in [link.text for link in page.links]

    programmes[0].status = Status.WITHDRAWN
    programmes[0].save()

    _response, page = get_page(client, organisation.get_absolute_url())
    label = str(ProgrammeOrganisation.LABELS[Role.LEAD][1])
    assert page.groups()[label] == [programme.get_absolute_url() for programme in programmes[1:]]
    assert not [link for link in page.links if link.text.startswith("Show all")]


@pytest.mark.parametrize("typed", [ProgrammeOrganisation, PartnershipMember, ActivityOrganisation], ids=str)
def test_rows_written_before_their_source_in_one_transaction_get_its_columns(typed):
    """Links are checked at commit, so a loader may write a role before the programme it names."""
    source_type, _organisation_type = typed_ends(typed)
    organisation = make_organisation()
    future = (source_type.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100
    with transaction.atomic():
        row = typed.objects.create(
            **{f"{typed.source_field}_id": future, "organisation": organisation, "kind": Role.LEAD}
        )
        source = make(source_type, id=future, title="Written second")

    assert copies(row) == current(source, typed)
    assert copies(row)["title"] == "Written second"
