"""Key facts first: a detail page opens with a panel of the record's stored facts (each type's ``detail_fields``),
empty ones left out, linked records as links, each other name once, and a link to the citation."""

import re

import pytest

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.registry import record_models
from instruments.models import Instrument, Provision
from programmes.models import (
    Activity,
    ActivityOrganisation,
    Output,
    Partnership,
    PartnershipMember,
    Programme,
    ProgrammeOrganisation,
)

from .factories import make, make_typed_link
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


def linked_names(html: str, label: str) -> list[tuple[str, str]]:
    """The links (address, text) of one fact of the panel."""
    found = re.search(rf"<dt>{label}</dt>\s*<dd>(.*?)</dd>", panel(html), re.S)
    assert found, f"the panel has no {label!r} fact"
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', found.group(1))


def test_programme_panel_names_its_countries_and_organisations_by_role(client):
    # Made in an order other than the natural one (titles A-Z), and a draft country among them.
    countries = [make(Country, title=title) for title in ("Zambia", "Kenya", "Brazil", "Mexico")]
    hidden = make(Country, title="Atlantis", status="draft")
    programme = make(Programme, title="Safer online")
    programme.countries.set([*countries, hidden])
    unicef, itu = make(Organisation, title="UNICEF"), make(Organisation, title="ITU")
    make_typed_link(ProgrammeOrganisation, programme, itu, "partner")
    make_typed_link(ProgrammeOrganisation, programme, unicef, "lead")

    response, page = get_page(client, programme.get_absolute_url())
    html = response.content.decode()

    by_title = {country.title: country for country in countries}
    assert linked_names(html, "Countries") == [
        (by_title[title].get_absolute_url(), title) for title in ("Brazil", "Kenya", "Mexico")
    ] + [(f"{programme.get_absolute_url()}links/countries/", "and 1 more country")]
    assert "Atlantis" not in html
    # Roles in the order they are declared (lead first), each a link to the organisation.
    assert list(page.facts)[-2:] == ["Led by", "Partners"]
    assert linked_names(html, "Led by") == [(unicef.get_absolute_url(), "UNICEF")]
    assert linked_names(html, "Partners") == [(itu.get_absolute_url(), "ITU")]


def test_the_more_link_leads_to_every_linked_record(client):
    countries = [make(Country, title=f"Country {number}") for number in range(5)]
    programme = make(Programme)
    programme.countries.set(countries)

    response, _page = get_page(client, programme.get_absolute_url())
    more_url, text = linked_names(response.content.decode(), "Countries")[-1]
    _response, every = get_page(client, more_url)

    assert text == "and 2 more countries"
    assert {country.get_absolute_url() for country in countries} <= every.main_hrefs


def test_a_programme_without_public_links_shows_no_link_facts(client):
    programme = make(Programme)
    programme.countries.set([make(Country, status="draft")])

    _response, page = get_page(client, programme.get_absolute_url())

    assert "Countries" not in page.facts and "Led by" not in page.facts


def test_partnership_and_activity_panels_name_their_partners_partnership_and_countries(client):
    partnership = make(Partnership, title="Together for Safety")
    make_typed_link(PartnershipMember, partnership, make(Organisation, title="Member Org"), "partner")
    activity = make(Activity, partnership=partnership)
    activity.countries.set([make(Country, title="Viet Nam")])
    make_typed_link(ActivityOrganisation, activity, make(Organisation, title="Convening Org"), "convener")

    response, page = get_page(client, partnership.get_absolute_url())
    assert linked_names(response.content.decode(), "Partners")[0][1] == "Member Org"

    response, page = get_page(client, activity.get_absolute_url())
    html = response.content.decode()
    assert page.facts["Partnership"] == "Together for Safety"
    assert linked_names(html, "Countries")[0][1] == "Viet Nam"
    assert linked_names(html, "Convened by")[0][1] == "Convening Org"


def test_every_declared_link_fact_names_a_relation_of_its_type(client):
    # A misspelt name in ``detail_links`` would break the page: each type's page renders with its links declared.
    for model in record_models():
        if model.detail_links:
            response, _page = get_page(client, make(model).get_absolute_url())
            assert response.status_code == 200, model
