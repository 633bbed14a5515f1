"""The framework loads completely, with its facts and sources, and loading again changes nothing.

Every source link is one the reference sheets give; the data migration brings an earlier load's sources in line.
"""

import datetime
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.models import Alias, Source, Status
from instruments.models import Instrument, InstrumentRelation, Provision
from programmes.models import Activity, Output, Partnership, Programme
from programmes.services import framework_load
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

from .search.support import search_for

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


# The source pages the reference sheets (shared/reference/framework-facts.md and provisions.md) give.
OHCHR_CRC = "https://www.ohchr.org/en/instruments-mechanisms/instruments/convention-rights-child"
UN_AVL_CRC = "https://legal.un.org/avl/ha/crc/crc.html"
NORMLEX_C182 = "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:C182"
UNODC_UNTOC = "https://www.unodc.org/unodc/en/organized-crime/intro/UNTOC.html"
COE_201 = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=201"
COE_185 = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=185"
UN_A_61_299 = "https://www.un.org/en/ga/search/view_doc.asp?symbol=A/61/299"
UNICEF_RIO_PRESS_RELEASE = "https://www.unicef.org/malaysia/media_9718.html"
CHILDWATCH_RIO = "https://www.childwatch.uio.no/news/2009/rio-declaration.html"
ITU_COP = "https://www.itu.int/en/cop"
TOGETHER_FOR_GIRLS = "https://www.togetherforgirls.org"
ISO_OBP = "https://www.iso.org/obp/ui/#search"
UN_M49 = "https://unstats.un.org/unsd/methodology/m49/"
REFERENCE_URLS = {
    # Given only by provisions.md, for the articles of these two instruments.
    "https://www.ohchr.org/en/instruments-mechanisms/instruments/optional-protocol-convention-rights-child-sale-children-child",
    "https://www.ohchr.org/en/instruments-mechanisms/instruments/protocol-prevent-suppress-and-punish-trafficking-persons",
    OHCHR_CRC,
    UN_AVL_CRC,
    NORMLEX_C182,
    UNODC_UNTOC,
    COE_201,
    COE_185,
    UN_A_61_299,
    UNICEF_RIO_PRESS_RELEASE,
    CHILDWATCH_RIO,
    ITU_COP,
    TOGETHER_FOR_GIRLS,
    ISO_OBP,
    UN_M49,
}


def supported_by(record, fact: str) -> set[str]:
    """The links of the record's sources that say they support ``fact`` (as its "Sources" list shows them)."""
    return {source.url for source in record.sources.all() if fact.lower() in source.supports.lower()}


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


sources_migration = import_module("programmes.migrations.0007_framework_sources_from_reference")

NORMLEX_HOME = "https://normlex.ilo.org"
OLD_ISO_PAGE = "https://www.iso.org/iso-3166-country-codes.html"
OLD_RIO_SUMMARY = (
    "Adopted at the third World Congress against Sexual Exploitation of Children and Adolescents; it follows the "
    "Stockholm Declaration and Agenda for Action (1996) and the Yokohama Global Commitment (2001)."
)
# The corrected records as the earlier content file loaded them (sources, links and text exactly as it had them).
EARLIER_CONTENT = f"""
[sources.seed]
title = "UNICEF's Framework for Action on children and ICTs"
supports = "What the framework contains"

[sources.un-avl-crc]
title = "UN Audiovisual Library of International Law: Convention on the Rights of the Child"
url = "{UN_AVL_CRC}"

[sources.normlex]
title = "ILO NORMLEX: C182 Worst Forms of Child Labour Convention, 1999"
url = "{NORMLEX_HOME}"

[sources.un-a-61-299]
title = "United Nations document A/61/299"
url = "{UN_A_61_299}"

[sources.itu-cop]
title = "ITU: Child Online Protection"
url = "{ITU_COP}"

[sources.iso-3166]
title = "ISO 3166-1 country codes"
url = "{OLD_ISO_PAGE}"
supports = "Country codes and names"

[[organisation]]
slug = "un-general-assembly"
title = "United Nations General Assembly"
kind = "un_body"
sources = [{{ ref = "un-avl-crc", supports = "Adoption of the CRC and the OPSC" }}]

[[organisation]]
slug = "ilo"
title = "International Labour Organization"
kind = "un_agency"
sources = [{{ ref = "normlex", supports = "Adoption of C182" }}]

[[organisation]]
slug = "world-congress-iii"
title = "World Congress III against Sexual Exploitation of Children and Adolescents"
kind = "conference"
summary = "Held in Rio de Janeiro from 25 to 28 November 2008."
sources = [{{ ref = "seed", supports = "World Congresses against Sexual Exploitation of Children" }}]

[[country]]
slug = "viet-nam"
title = "Viet Nam"
iso_alpha2 = "VN"
iso_alpha3 = "VNM"
sources = [{{ ref = "iso-3166" }}]

[[country]]
slug = "argentina"
title = "Argentina"
iso_alpha2 = "AR"
iso_alpha3 = "ARG"
sources = [{{ ref = "iso-3166" }}]

[[instrument]]
slug = "ilo-c182"
title = "ILO Convention 182 on Worst Forms of Child Labour"
official_title = "Worst Forms of Child Labour Convention, 1999 (No. 182)"
kind = "convention"
issuing_body = "ilo"
official_url = "{NORMLEX_HOME}"
sources = [
  {{ ref = "seed" }},
  {{ ref = "normlex", supports = "Titles, adoption, entry into force, fundamental convention" }},
]

[[instrument]]
slug = "un-study-violence-against-children"
title = "UN Study on Violence against Children"
official_title = "Report of the independent expert for the United Nations study on violence against children"
kind = "study"
issuing_body = "un-general-assembly"
sources = [{{ ref = "un-a-61-299", supports = "Title, document symbol and date, independent expert" }}]

[[instrument]]
slug = "rio-declaration"
title = "Rio de Janeiro Declaration and Call for Action"
official_title = "Rio de Janeiro Declaration and Call for Action"
kind = "declaration"
issuing_body = "world-congress-iii"
summary = "{OLD_RIO_SUMMARY}"
sources = [{{ ref = "seed", supports = "Title, year 2008, World Congresses" }}]

[[partnership]]
slug = "itu-child-online-protection"
title = "Child Online Protection Initiative (ITU)"
summary = "A multi-stakeholder initiative launched in November 2008 within ITU's Global Cybersecurity Agenda."
sources = [{{ ref = "itu-cop", supports = "Launch in November 2008 within the Global Cybersecurity Agenda" }}]
"""


def migrate_sources() -> None:
    sources_migration.forwards(apps, SimpleNamespace(connection=connection))


def all_sources() -> list[tuple]:
    return sorted(Source.objects.values_list("content_type", "object_id", "title", "url", "supports"))


@pytest.fixture
def earlier_framework(tmp_path):
    content = tmp_path / "framework.toml"
    content.write_text(EARLIER_CONTENT, encoding="utf-8")
    framework_load(path=content)


def test_migration_attaches_the_sources_to_a_database_loaded_earlier(earlier_framework):
    assert search_for('"Agenda for Action"').hits

    migrate_sources()

    rio = Instrument.objects.get(slug="rio-declaration")
    assert supported_by(rio, "Yokohama (2001)") == {UNICEF_RIO_PRESS_RELEASE, CHILDWATCH_RIO}
    assert rio.summary == (
        "Adopted at the third World Congress against Sexual Exploitation of Children and Adolescents, in November "
        "2008; it follows on from the World Congresses of Stockholm (1996) and Yokohama (2001)."
    )
    assert not search_for('"Agenda for Action"').hits
    assert [hit.title for hit in search_for('"World Congresses of Stockholm"').hits] == [rio.title]
    congress = Organisation.objects.get(slug="world-congress-iii")
    assert supported_by(congress, "25–28 November 2008") == {UNICEF_RIO_PRESS_RELEASE, CHILDWATCH_RIO}
    argentina, viet_nam = Country.objects.get(slug="argentina"), Country.objects.get(slug="viet-nam")
    assert {(s.url, s.supports) for s in argentina.sources.all()} == {
        (ISO_OBP, "ISO 3166-1 alpha-2 and alpha-3 codes"),
        (UN_M49, "Short name used by the UN"),
    }
    assert {(s.url, s.supports) for s in viet_nam.sources.all()} == {
        ("", 'The spelling "Vietnam"'),
        (ISO_OBP, "ISO 3166-1 alpha-2 and alpha-3 codes"),
        (UN_M49, "Short name used by the UN"),
    }
    initiative = Partnership.objects.get(slug="itu-child-online-protection")
    assert supported_by(initiative, "multi-stakeholder") == {ITU_COP}
    assembly = Organisation.objects.get(slug="un-general-assembly")
    assert supported_by(assembly, "Palermo Protocol") == {UNODC_UNTOC}
    assert supported_by(assembly, "UN Study") == {UN_A_61_299}
    c182 = Instrument.objects.get(slug="ilo-c182")
    assert c182.official_url == NORMLEX_C182
    assert supported_by(c182, "adoption") == {NORMLEX_C182}
    assert supported_by(Organisation.objects.get(slug="ilo"), "C182") == {NORMLEX_C182}
    study = Instrument.objects.get(slug="un-study-violence-against-children")
    assert supported_by(study, "World Report") == {UN_A_61_299}
    assert not Source.objects.filter(url__in=[NORMLEX_HOME, OLD_ISO_PAGE]).exists()


def test_migration_leaves_what_an_editor_changed_since_the_load(earlier_framework):
    rio = Instrument.objects.get(slug="rio-declaration")
    Instrument.objects.filter(pk=rio.pk).update(summary="Edited by an editor.")
    initiative = Partnership.objects.get(slug="itu-child-online-protection")
    initiative.sources.filter(url=ITU_COP).update(supports="Checked by an editor")
    argentina = Country.objects.get(slug="argentina")
    argentina.sources.update(title="ISO 3166 Maintenance Agency", supports="Codes")
    c182 = Instrument.objects.get(slug="ilo-c182")
    Instrument.objects.filter(pk=c182.pk).update(official_url="https://www.ilo.org/")

    migrate_sources()

    rio.refresh_from_db()
    c182.refresh_from_db()
    assert rio.summary == "Edited by an editor."
    assert c182.official_url == "https://www.ilo.org/"
    assert [(s.url, s.supports) for s in initiative.sources.all()] == [(ITU_COP, "Checked by an editor")]
    assert [(s.title, s.url) for s in argentina.sources.all()] == [("ISO 3166 Maintenance Agency", OLD_ISO_PAGE)]
    # What the editor did not touch is still corrected.
    assert supported_by(c182, "adoption") == {NORMLEX_C182}
    assert {s.url for s in Country.objects.get(slug="viet-nam").sources.all()} == {"", ISO_OBP, UN_M49}


def test_migration_run_again_changes_nothing(earlier_framework):
    migrate_sources()
    once = all_sources()
    migrate_sources()
    assert all_sources() == once


def test_migration_changes_nothing_in_an_empty_database():
    migrate_sources()
    assert not Source.objects.exists()
    assert not Instrument.objects.exists()
