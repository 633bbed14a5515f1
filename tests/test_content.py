"""The framework loads completely, with its facts and sources, and loading it again keeps what an editor changed.

Every source link is one the reference sheets give. The tests only read the framework, except the two that edit and
load again inside their own savepoint, so it is loaded once for the module (``framework``, tests/conftest.py).
Loading into an empty database, bad content files and the sources migration: tests/test_content_loading.py.
"""

import datetime

import pytest
from django.core.management import call_command

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.models import Alias, Source, Status
from instruments.models import Instrument, InstrumentRelation, Provision
from programmes.models import Activity, Output, Partnership, Programme
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

from .content_sources import (
    CHILDWATCH_RIO,
    ISO_OBP,
    ITU_COP,
    NORMLEX_C182,
    REFERENCE_URLS,
    UN_A_61_299,
    UN_AVL_CRC,
    UN_M49,
    UNICEF_RIO_PRESS_RELEASE,
    UNODC_UNTOC,
    supported_by,
)
from .search.support import search_for

pytestmark = pytest.mark.django_db

DIGITAL_CITIZENSHIP_COUNTRIES = {"ZA", "RU", "UA", "TR", "VN", "ID", "ZM", "AR"}


def test_every_instrument_of_the_framework_is_loaded(framework):
    acronyms_or_short = {i.acronym or i.short_title for i in Instrument.objects.all()}
    assert acronyms_or_short == {
        "CRC",
        "OPSC",
        "C182",
        "Palermo Protocol",
        "Lanzarote Convention",
        "Budapest Convention",
        "UN Study on Violence against Children",
        "Rio Declaration",
    }
    assert not Instrument.objects.exclude(status=Status.PUBLISHED).exists()


def test_instrument_facts_come_with_their_sources(framework):
    lanzarote = Instrument.objects.get(slug="lanzarote-convention")
    assert lanzarote.reference_number == "CETS No. 201"
    assert lanzarote.opened_for_signature_on == datetime.date(2007, 10, 25)
    assert lanzarote.entry_into_force_on == datetime.date(2010, 7, 1)
    assert lanzarote.issuing_body.title == "Council of Europe"
    assert any("treatynum=201" in source.url for source in lanzarote.sources.all())

    crc = Instrument.objects.get(slug="crc")
    assert (crc.adopted_on, crc.entry_into_force_on) == (datetime.date(1989, 11, 20), datetime.date(1990, 9, 2))
    assert crc.adopted_on_display == "20 November 1989"

    rio = Instrument.objects.get(slug="rio-declaration")
    assert rio.adopted_on_display == "November 2008"  # only the month is known
    assert rio.entry_into_force_on is None


def test_every_record_carries_a_source(framework):
    for model in (Instrument, Provision, Organisation, Country, StrategicArea, Programme, Partnership, Activity):
        for record in model.objects.all():
            assert record.sources.exists(), f"{model.__name__} {record.slug} has no source"


def test_aliases_are_stored_for_instruments_and_countries(framework):
    names = set(Alias.objects.values_list("name", flat=True))
    assert {"OPSC", "C182", "CETS No. 201", "Lanzarote Convention", "Budapest Convention", "Vietnam"} <= names
    viet_nam = Country.objects.get(iso_alpha2="VN")
    assert viet_nam.title == "Viet Nam"
    assert "Vietnam" in {alias.name for alias in viet_nam.aliases.all()}


def test_opsc_supplements_the_crc(framework):
    relation = InstrumentRelation.objects.get(subject__slug="opsc")
    assert (relation.kind, relation.object.slug) == ("supplements", "crc")
    assert relation.labels() == ("Supplements", "Is supplemented by")


def test_strategy_has_four_ordered_areas_and_its_principles(framework):
    assert list(StrategicArea.objects.values_list("title", flat=True)) == [
        "Empowering children and enhancing resilience to harm",
        "Preventing impunity for abusers",
        "Reducing availability and access to harm",
        "Promoting the recovery of children exposed to harm",
    ]
    balance = Principle.objects.get(slug="balancing-rights")
    assert balance.rights.count() == 6
    expression = Right.objects.get(slug="freedom-of-expression")
    assert [p.number for p in expression.provisions.all()] == ["13"]
    assert Principle.objects.get(slug="multi-stakeholder-approach").stakeholders.count() == 7
    assert StakeholderGroup.objects.count() == 10


def test_country_level_focus_areas_name_their_sectors(framework):
    laws = FocusArea.objects.get(slug="laws-policies-and-services")
    assert {s.title for s in laws.sectors.all()} == {"Justice", "Social welfare", "Education", "Health", "ICT sector"}
    assert Sector.objects.count() == 5
    assert FocusArea.objects.filter(level="country").count() == 4


def test_global_research_has_leads_years_and_countries(framework):
    child_safety = Programme.objects.get(slug="child-safety-online")
    assert child_safety.year == 2011
    roles = {(r.kind, r.organisation.slug) for r in child_safety.organisation_roles.all()}
    assert roles == {("lead", "unicef-innocenti-research-centre"), ("collaborator", "unicef-headquarters")}

    digital = Programme.objects.get(slug="digital-citizenship-and-safety")
    assert {c.iso_alpha2 for c in digital.countries.all()} == DIGITAL_CITIZENSHIP_COUNTRIES
    assert digital.organisation_roles.get().organisation.title == "Youth Section, Division of Communications"
    assert Programme.objects.filter(year=2013, kind="research").count() == 2
    assert Output.objects.count() == 3


def test_partnerships_list_every_activity_with_place_and_year(framework):
    itu = Partnership.objects.get(slug="itu-child-online-protection")
    assert itu.activities.count() == 4
    bynd = itu.activities.get(slug="be-safe-be-smart-bynd-2015")
    assert (bynd.year, [c.iso_alpha2 for c in bynd.countries.all()]) == (2015, ["CR"])
    assert itu.activities.get(slug="un-roundtable-c4d-2011").year == 2011
    assert {(m.kind, m.organisation.slug) for m in itu.members.all()} == {("convener", "itu"), ("partner", "unicef")}

    girls = Partnership.objects.get(slug="together-for-girls")
    surveys = girls.activities.get(slug="national-household-surveys-violence")
    assert {r.organisation.slug for r in surveys.organisation_roles.all()} == {"unicef", "cdc"}
    assert girls.activities.get(slug="survey-questions-ict-violence").part_of == surveys


def test_guidance_note_is_a_global_programme_for_field_offices(framework):
    note = Programme.objects.get(slug="guidance-note-child-online-protection")
    assert note.kind == "guidance"
    roles = {(role.kind, role.organisation.slug) for role in note.organisation_roles.all()}
    assert ("audience", "unicef-field-offices") in roles


def test_loading_again_keeps_what_an_editor_changed(framework):
    crc = Instrument.objects.get(slug="crc")
    crc.summary = "Edited by an editor."
    crc.save()
    crc.aliases.filter(name="UNCRC").delete()
    programme = Programme.objects.get(slug="digital-citizenship-and-safety")
    programme.countries.remove(Country.objects.get(iso_alpha2="AR"))

    call_command("load_framework", verbosity=0)

    crc.refresh_from_db()
    assert crc.summary == "Edited by an editor."
    assert not crc.aliases.filter(name="UNCRC").exists()
    assert not programme.countries.filter(iso_alpha2="AR").exists()


def test_loading_restores_a_deleted_record_with_its_links(framework):
    Activity.objects.get(slug="be-safe-be-smart-bynd-2015").delete()
    call_command("load_framework", verbosity=0)
    restored = Activity.objects.get(slug="be-safe-be-smart-bynd-2015")
    assert restored.partnership.slug == "itu-child-online-protection"
    assert [c.iso_alpha2 for c in restored.countries.all()] == ["CR"]


def test_every_link_in_the_content_is_a_page_the_reference_sheets_give(framework):
    links = set(Source.objects.exclude(url="").values_list("url", flat=True))
    links |= set(Instrument.objects.exclude(official_url="").values_list("official_url", flat=True))
    links |= set(Partnership.objects.exclude(website="").values_list("website", flat=True))
    assert links - REFERENCE_URLS == set()


def test_rio_declaration_month_and_lineage_cite_the_press_release_and_declaration(framework):
    rio = Instrument.objects.get(slug="rio-declaration")
    assert supported_by(rio, "November 2008") == {UNICEF_RIO_PRESS_RELEASE, CHILDWATCH_RIO}
    assert supported_by(rio, "Stockholm (1996)") == {UNICEF_RIO_PRESS_RELEASE, CHILDWATCH_RIO}
    assert supported_by(rio, "Yokohama (2001)") == {UNICEF_RIO_PRESS_RELEASE, CHILDWATCH_RIO}


def test_world_congress_dates_cite_the_press_release_and_declaration(framework):
    congress = Organisation.objects.get(slug="world-congress-iii")
    assert "25 to 28 November 2008" in congress.summary
    assert supported_by(congress, "25–28 November 2008") == {UNICEF_RIO_PRESS_RELEASE, CHILDWATCH_RIO}


def test_country_codes_and_names_cite_the_iso_platform_and_un_m49(framework):
    for country in Country.objects.all():
        assert supported_by(country, "ISO 3166-1") == {ISO_OBP}, country.slug
        assert supported_by(country, "name") == {UN_M49}, country.slug


def test_itu_initiative_is_multi_stakeholder_by_itu_own_page(framework):
    initiative = Partnership.objects.get(slug="itu-child-online-protection")
    assert "multi-stakeholder" in initiative.summary
    assert supported_by(initiative, "multi-stakeholder") == {ITU_COP}


def test_general_assembly_cites_the_palermo_protocol_and_un_study_pages(framework):
    assembly = Organisation.objects.get(slug="un-general-assembly")
    assert supported_by(assembly, "Palermo Protocol") == {UNODC_UNTOC}
    assert supported_by(assembly, "UN Study") == {UN_A_61_299}
    assert supported_by(assembly, "CRC") == {UN_AVL_CRC}


def test_c182_links_to_its_normlex_page_not_the_home_page(framework):
    c182 = Instrument.objects.get(slug="ilo-c182")
    assert c182.official_url == NORMLEX_C182
    assert supported_by(c182, "adoption") == {NORMLEX_C182}
    assert supported_by(Organisation.objects.get(slug="ilo"), "C182") == {NORMLEX_C182}


def test_no_record_names_the_stockholm_and_yokohama_documents_no_sheet_gives(framework):
    rio = Instrument.objects.get(slug="rio-declaration")
    assert "Stockholm (1996)" in rio.summary
    for words in ("Agenda for Action", "Global Commitment"):
        assert not search_for(f'"{words}"').hits, words
