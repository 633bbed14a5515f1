"""Loading the framework's content file into an empty database, and the data migrations that bring an earlier load
in line with the reference sheets (its sources; the provisions' descriptions and the editorial classification).

Loading twice creates nothing twice; a broken or invalid file loads nothing. The loaded framework's own facts:
tests/test_content.py.
"""

from importlib import import_module
from pathlib import Path
from string import Template
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.models import Alias, Source
from instruments.models import Instrument, Provision
from programmes.models import Activity, Partnership, Programme
from programmes.services import framework_load
from strategy.models import StrategicArea

from .content_sources import (
    CHILDWATCH_RIO,
    ISO_OBP,
    ITU_COP,
    NORMLEX_C182,
    UN_A_61_299,
    UN_AVL_CRC,
    UN_M49,
    UNICEF_RIO_PRESS_RELEASE,
    UNODC_UNTOC,
    supported_by,
)
from .search.support import search_for

pytestmark = pytest.mark.django_db


def test_loading_twice_creates_no_duplicates():
    first = framework_load()
    counts = {model: model.objects.count() for model in (Instrument, Alias, Source, Programme, Activity)}
    second = framework_load()
    assert first.created and not second.created
    assert second.links_added == 0
    assert second.existing == len(first.created)
    assert {model: model.objects.count() for model in counts} == counts


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


def test_a_breach_only_the_database_checks_is_reported_in_djangos_words(tmp_path):
    """Constraints are left to the database on insert (one query each otherwise); a breach still names the entry."""
    bad = tmp_path / "framework.toml"
    bad.write_text(
        '[[country]]\nslug = "x"\ntitle = "X"\niso_alpha2 = "XX"\niso_alpha3 = "XXX"\n'
        'aliases = [{ name = "Ex", kind = "acronym" }, { name = "EX", kind = "acronym" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"country\[0\] \(x\).*directory_alias_unique_per_record"):
        call_command("load_framework", file=bad, verbosity=0)
    assert not Country.objects.exists()


sources_migration = import_module("programmes.migrations.0007_framework_sources_from_reference")

NORMLEX_HOME = "https://normlex.ilo.org"
OLD_ISO_PAGE = "https://www.iso.org/iso-3166-country-codes.html"
OLD_RIO_SUMMARY = (
    "Adopted at the third World Congress against Sexual Exploitation of Children and Adolescents; it follows the "
    "Stockholm Declaration and Agenda for Action (1996) and the Yokohama Global Commitment (2001)."
)
# The corrected records as the earlier content file loaded them (sources, links and text exactly as it had them).
EARLIER_CONTENT = Template((Path(__file__).parent / "earlier_framework.toml").read_text(encoding="utf-8")).substitute(
    ITU_COP=ITU_COP,
    NORMLEX_HOME=NORMLEX_HOME,
    OLD_ISO_PAGE=OLD_ISO_PAGE,
    OLD_RIO_SUMMARY=OLD_RIO_SUMMARY,
    UN_AVL_CRC=UN_AVL_CRC,
    UN_A_61_299=UN_A_61_299,
)


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


# ---- a database loaded before the provisions --------------------------------------------------------------------

provisions_migration = import_module("programmes.migrations.0009_provisions_from_reference")
BEFORE_PROVISIONS_CONTENT = """
[[organisation]]
slug = "un-general-assembly"
title = "United Nations General Assembly"
kind = "un_body"

[[instrument]]
slug = "crc"
title = "Convention on the Rights of the Child"
official_title = "Convention on the Rights of the Child"
kind = "convention"
issuing_body = "un-general-assembly"

[[provision]]
slug = "crc-article-16"
title = "CRC Article 16"
instrument = "crc"
number = "16"
position = 16
summary = "Privacy."

[[provision]]
slug = "crc-article-17"
title = "CRC Article 17"
instrument = "crc"
number = "17"
position = 17
summary = "Information."

[[strategic_area]]
slug = "reducing-availability-of-harm"
title = "Reducing availability and access to harm"
position = 3
"""


def test_an_earlier_load_gets_the_sheets_descriptions_and_the_classification(tmp_path):
    content = tmp_path / "framework.toml"
    content.write_text(BEFORE_PROVISIONS_CONTENT, encoding="utf-8")
    framework_load(path=content)
    Provision.objects.filter(slug="crc-article-17").update(summary="Edited by an editor.")

    provisions_migration.forwards(apps, SimpleNamespace(connection=connection))
    provisions_migration.forwards(apps, SimpleNamespace(connection=connection))  # again: nothing more changes
    report = framework_load()

    privacy = Provision.objects.get(slug="crc-article-16")
    assert privacy.summary.startswith("Protection from arbitrary or unlawful interference with privacy")
    assert privacy.title == "Article 16"
    assert Provision.objects.get(slug="crc-article-17").summary == "Edited by an editor."
    area = StrategicArea.objects.get(slug="reducing-availability-of-harm")
    assert "17(e) guards against injurious material" in area.classification_basis
    assert [p.slug for p in area.classified_provisions.all()] == ["crc-article-17"]
    # The load then adds what is new, linked to what was there: topics, the other articles, the area's topics.
    assert report.created
    assert [topic.slug for topic in privacy.topics.all()] == ["privacy"]
    assert sorted(area.topics.values_list("slug", flat=True)) == ["abuse-material", "solicitation"]
    assert Provision.objects.count() == 67  # as many as shared/reference/provisions.md lists


def test_the_migration_changes_nothing_in_an_empty_database():
    provisions_migration.forwards(apps, SimpleNamespace(connection=connection))
    assert not Provision.objects.exists()
    assert not StrategicArea.objects.exists()
