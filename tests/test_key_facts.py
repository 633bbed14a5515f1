"""Key facts first: a detail page opens with a panel of the record's stored facts (each type's ``detail_fields``),
empty ones left out, linked records as links, each other name once, and a link to the citation."""

import re

import pytest

from cop_kb.directory.models import Organisation
from instruments.models import Instrument, Provision
from programmes.models import Output

from .factories import make
from .test_pages import get_page

pytestmark = pytest.mark.django_db

BLANK_DATES = {
    "adopted_on": None,
    "adopted_precision": "",
    "entry_into_force_on": None,
    "entry_into_force_precision": "",
}


def panel(html: str) -> str:
    found = re.search(r'<section class="key-facts".*?</section>', html, re.S)
    assert found, "the page has no key facts panel"
    return found.group(0)


def aliases_shown(html: str) -> list[str]:
    found = re.search(r'<ul class="aliases">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_instrument_panel_shows_its_stored_facts_in_order_before_the_body(client):
    body = make(Organisation, title="Council of Things")
    instrument = make(
        Instrument,
        title="Convention on Widgets",
        official_title="Convention on Widgets",  # the title again: not repeated as a fact
        short_title="Widget Convention",
        acronym="",
        place="",
        reference_number="CETS No. 999",
        issuing_body=body,
        **BLANK_DATES,
    )

    response, page = get_page(client, instrument.get_absolute_url())
    html = response.content.decode()
    facts = panel(html)

    assert list(page.facts) == [
        "Short title",
        "Kind",
        "Opened for signature on",
        "Reference number",
        "Issuing body",
        "Official URL",
    ]
    assert page.facts["Short title"] == "Widget Convention"
    assert page.facts["Reference number"] == "CETS No. 999"
    assert f'<a href="{body.get_absolute_url()}">Council of Things</a>' in facts
    # Empty facts are simply absent: no placeholder stands in for them.
    assert "Unknown" not in facts and "Official title" not in facts and "Acronym" not in facts
    # The panel comes before the body and everything else on the page.
    assert html.index('class="key-facts"') < html.index('class="prose"')


def test_a_hidden_issuing_body_is_left_out_of_the_facts(client):
    body = make(Organisation, title="Drafted body", status="draft")

    response, page = get_page(client, make(Instrument, issuing_body=body).get_absolute_url())

    assert "Issuing body" not in page.facts
    assert "Drafted body" not in response.content.decode()


def test_cite_link_leads_to_the_cite_box(client):
    response, _page = get_page(client, make(Instrument).get_absolute_url())
    html = response.content.decode()

    assert re.search(r'<a href="#cite">Cite\b', panel(html))
    assert re.search(r'<section[^>]* id="cite"', html)


def test_each_alias_is_shown_once_and_none_repeats_a_name_the_page_shows(client):
    instrument = make(
        Instrument,
        title="Convention on Gadgets",
        short_title="Gadget Convention",
        acronym="GC",
        reference_number="ETS No. 123",
        aliases=[
            {"name": "gadget convention", "kind": "short_title"},
            {"name": "CONVENTION ON GADGETS", "kind": "alternative"},
            {"name": "ETS No. 123", "kind": "alternative"},
            {"name": "GC", "kind": "acronym"},
            {"name": "Gizmo Treaty", "kind": "alternative"},
            {"name": "Ottawa Gadgets", "kind": "alternative"},
        ],
    )

    response, _page = get_page(client, instrument.get_absolute_url())

    assert aliases_shown(response.content.decode()) == ["Gizmo Treaty", "Ottawa Gadgets"]


def test_provision_panel_names_its_instrument_and_number(client):
    instrument = make(Instrument, title="Convention on Sprockets")
    provision = make(Provision, instrument=instrument, number="3 bis", title="Article 3 bis")

    response, page = get_page(client, provision.get_absolute_url())

    assert page.facts["Instrument"] == "Convention on Sprockets"
    assert page.facts["Number"] == "3 bis"
    assert f'<a href="{instrument.get_absolute_url()}">Convention on Sprockets</a>' in panel(response.content.decode())


def test_output_panel_names_its_publisher(client):
    publisher = make(Organisation, title="Research Office")

    _response, page = get_page(client, make(Output, publisher=publisher).get_absolute_url())

    assert page.facts["Publisher"] == "Research Office"


def test_brief_shows_a_linked_fact_with_its_full_address(client):
    body = make(Organisation, title="Council of Briefs")
    instrument = make(Instrument, issuing_body=body)

    response, _page = get_page(client, instrument.get_absolute_url() + "brief/")

    assert f'<a href="http://testserver{body.get_absolute_url()}">Council of Briefs</a>' in response.content.decode()
