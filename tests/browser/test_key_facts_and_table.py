"""An instrument's page opens with its key facts, as do a programme's and a partnership's (with their countries and
organisations), and the instruments list is a table a reader sorts by clicking a column's header, with or without
JavaScript; all pass an axe scan at desktop and phone width."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import PHONE
from .test_accessibility import scan

pytestmark = pytest.mark.django_db(transaction=True)

BUDAPEST_PAGE = "/instruments/budapest-convention/"


def short_names(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".record-table tbody td:first-child").all_inner_texts()]


def header(page: Page, label: str):
    return page.get_by_role("columnheader", name=label)


def test_instrument_page_opens_with_its_key_facts_and_a_cite_link(open_page, site):
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page = open_page(viewport=viewport)
        assert not scan(page, [BUDAPEST_PAGE]), viewport
        facts = page.locator(".key-facts dl")
        expect(facts).to_contain_text("Budapest Convention")
        expect(facts).to_contain_text("23 November 2001")
        expect(facts).to_contain_text("ETS No. 185")
        expect(facts.get_by_role("link", name="Council of Europe")).to_have_attribute(
            "href", "/organisations/council-of-europe/"
        )
        # "Budapest Convention" and "ETS No. 185" are aliases too, but the panel already shows them.
        expect(page.locator("ul.aliases li")).to_have_count(0)
        page.get_by_role("link", name="Cite this record").click()
        assert page.url.endswith("#cite")
        expect(page.locator("#cite textarea").first).to_be_in_viewport()


def test_programme_and_partnership_pages_open_with_their_countries_and_organisations(open_page, site):
    programme, partnership = "/programmes/digital-citizenship-and-safety/", "/partnerships/itu-child-online-protection/"
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page = open_page(viewport=viewport)
        assert not scan(page, [partnership, programme]), viewport
        facts = page.locator(".key-facts dl")
        expect(facts.get_by_role("link", name="Youth Section, Division of Communications")).to_be_visible()
        # Eight countries: the first three by name, then the rest behind one link.
        countries = facts.locator("dt:text-is('Countries') + dd")
        expect(countries.get_by_role("link")).to_have_text(
            ["Argentina", "Indonesia", "Russian Federation", "and 5 more countries"]
        )
        # The panel fits a phone's width: it wraps, never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    countries.get_by_role("link", name="and 5 more countries").click()
    expect(page.locator(".linked-records li")).to_have_count(8)


def sort_by(page: Page, label: str, direction: str) -> list[str]:
    """Click a column's header, check it says it now sorts the table in ``direction``; the short names in order."""
    header(page, label).get_by_role("link").click()
    expect(header(page, label)).to_have_attribute("aria-sort", direction)
    return short_names(page)


def test_instruments_table_sorts_by_a_header_without_javascript(open_page, site):
    page = open_page(java_script_enabled=False)
    page.goto("/instruments/?kind=convention")
    expect(page.locator(".record-table tbody tr")).to_have_count(4)
    by_short_name = ["Budapest Convention", "CRC", "Lanzarote Convention", "Worst Forms of Child Labour Convention"]

    assert sort_by(page, "Short name", "ascending") == by_short_name
    assert "sort=short-name" in page.url and "kind=convention" in page.url
    assert sort_by(page, "Short name", "descending") == by_short_name[::-1]
    assert "sort=-short-name" in page.url
    in_force = sort_by(page, "In force", "ascending")
    assert in_force == ["CRC", "Worst Forms of Child Labour Convention", "Budapest Convention", "Lanzarote Convention"]
    expect(header(page, "Short name")).not_to_have_attribute("aria-sort", "descending")


def test_instruments_table_passes_axe_at_desktop_and_phone_width(open_page, site):
    problems = scan(open_page(), ["/instruments/", "/instruments/?sort=-body"])
    phone = open_page(viewport=PHONE)
    problems += scan(phone, ["/instruments/?sort=-adopted"])
    assert not problems, "\n\n".join(problems)
    # On a phone the table scrolls inside its own frame, never the page sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(phone.locator(".record-table")).to_contain_text("Budapest Convention")


def test_home_page_shows_the_short_name_under_an_instrument(page: Page, site):
    page.goto("/")
    budapest = page.locator(".timeline li").filter(has_text="Council of Europe Convention on Cybercrime")
    expect(budapest.locator(".subtitle")).to_have_text("Budapest Convention")
