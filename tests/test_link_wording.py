"""Words around links and counts as a reader meets them: each side of a link says what it lists, and a count line
has no separator left dangling before a link that is hidden at this width."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.links import LinkForeignKey
from cop_kb.records.registry import record_models
from instruments.models import Instrument
from programmes.models import Activity, Programme

from .factories import make

pytestmark = pytest.mark.django_db

# Inverse labels a reader could not place ("Hosts" on a country page for the programmes there).
UNCLEAR = {
    "Hosts",
    "Concerned by",
    "Cited by",
    "Served by",
    "Involved in",
    "Engaged by",
    "Carried out through",
    "Focus of",
    "Worked with in",
    "Has units",
    "Issued",
    "Published",
    "Addressed by",
}


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def test_a_country_page_lists_the_programmes_and_the_activities_there_apart_under_words_that_say_so(client):
    country = make(Country, title="Axolotl Republic")
    make(Programme, title="Safer schools programme").countries.add(country)
    make(Activity, title="Safer schools workshop").countries.add(country)

    page = client.get(country.get_absolute_url()).content.decode()

    headings = _headings(page)
    assert "Programmes in this country" in headings
    assert "Activities in this country" in headings
    assert "Hosts" not in headings
    programmes = page.split("Programmes in this country", 1)[1].split("</section>", 1)[0]
    assert "Safer schools programme" in programmes
    assert "Safer schools workshop" not in programmes


def test_labels_declared_once_on_a_shared_base_name_each_models_records():
    assert str(Programme._meta.get_field("provisions").inverse_label) == "Programmes citing it"
    assert str(Activity._meta.get_field("provisions").inverse_label) == "Activities citing it"
    assert str(Programme._meta.get_field("provisions").label) == "Cites provisions"


def test_an_organisation_page_names_the_instruments_it_issued():
    assert str(Organisation._meta.get_field("issued_instruments").field.inverse_label) == "Instruments it issued"


def test_no_link_declaration_keeps_a_label_a_reader_could_not_place():
    labels = set()
    for model in record_models():
        for field in model._meta.get_fields():
            if hasattr(field, "inverse_label") and not field.auto_created:
                labels |= {str(field.label), str(field.inverse_label)}

    assert labels
    assert not labels & UNCLEAR


def test_changing_a_label_alters_no_table():
    # A table SQLite rebuilt for a label would lose the triggers the search index relies on (canary crawl).
    old = Instrument._meta.get_field("issuing_body")
    name, _path, args, kwargs = old.deconstruct()
    new = LinkForeignKey(*args, **{**kwargs, "label": "Other words", "inverse_label": "Other words again"})
    new.set_attributes_from_name(name)
    new.model, new.remote_field.model = old.model, old.remote_field.model

    assert not connection.schema_editor()._field_should_be_altered(old, new)


def _count_line_as_shown_at_desktop(html: str) -> str:
    line = re.search(r'<p class="count">(.*?)</p>', html, re.S).group(1)
    # Whatever has the class to-filters is display: none at desktop.
    line = re.sub(r'<(span|a) class="to-filters"[^>]*>.*?</\1>', "", line, flags=re.S)
    line = re.sub(r'<span class="visually-hidden">.*?</span>', "", line, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", line).split())


@pytest.mark.parametrize("count", [0, 2])
def test_a_list_count_line_has_no_stray_separator(client, count):
    for number in range(count):
        make(Programme, title=f"Axolotl programme {number}")

    line = _count_line_as_shown_at_desktop(client.get(Programme.get_list_url()).content.decode())

    assert line.startswith(f"{count} record")
    assert not line.endswith("·")
    assert "· ·" not in line


def test_a_search_count_line_has_no_stray_separator(client):
    make(Programme, title="Axolotl programme")

    line = _count_line_as_shown_at_desktop(client.get(reverse("search:search"), {"q": "axolotl"}).content.decode())

    assert line == "1 result for “axolotl” · Export CSV"
