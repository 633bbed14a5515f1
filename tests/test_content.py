"""The framework loads completely, with its facts and sources, and loading again changes nothing."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from directory.models import Alias, Country, Organisation, Source, Status
from instruments.models import Instrument, InstrumentRelation, Provision
from programmes.models import Activity, Output, Partnership, Programme
from programmes.services import framework_load
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

pytestmark = pytest.mark.django_db

DIGITAL_CITIZENSHIP_COUNTRIES = {"ZA", "RU", "UA", "TR", "VN", "ID", "ZM", "AR"}


@pytest.fixture
def framework():
    call_command("load_framework", verbosity=0)


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


def test_loading_twice_creates_no_duplicates():
    first = framework_load()
    counts = {model: model.objects.count() for model in (Instrument, Alias, Source, Programme, Activity)}
    second = framework_load()
    assert first.created and not second.created
    assert second.links_added == 0
    assert second.existing == len(first.created)
    assert {model: model.objects.count() for model in counts} == counts


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


def test_a_broken_content_file_loads_nothing(tmp_path):
    broken = tmp_path / "framework.toml"
    broken.write_text(
        '[[country]]\nslug = "atlantis"\ntitle = "Atlantis"\niso_alpha2 = "AT"\niso_alpha3 = "ATL"\n'
        '[[instrument]]\nslug = "x"\ntitle = "X"\nofficial_title = "X"\nkind = "convention"\n'
        'issuing_body = "nobody"\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="no organisation with slug 'nobody'"):
        call_command("load_framework", file=broken, verbosity=0)
    assert not Country.objects.exists()


def test_an_invalid_value_in_the_content_file_is_reported(tmp_path):
    bad = tmp_path / "framework.toml"
    bad.write_text('[[country]]\nslug = "x"\ntitle = "X"\niso_alpha2 = "xx"\niso_alpha3 = "XXX"\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"country\[0\] \(x\)"):
        call_command("load_framework", file=bad, verbosity=0)
    assert not Country.objects.exists()
