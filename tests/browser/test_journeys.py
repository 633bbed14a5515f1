"""A newcomer's way through the framework: in by keyboard, along links both ways, ending with a citation.

One story rather than several small tests: each browser test loads the whole framework, so the steps share a load.
"""

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

CRC = "Convention on the Rights of the Child"
OPSC = "Optional Protocol to the CRC on the sale of children, child prostitution and child pornography"
RECOVERY = "Promoting the recovery of children exposed to harm"
DIGITAL_CITIZENSHIP = "Digital Citizenship and Safety Project"


def expect_page(page: Page, heading: str, nav_item: str | None) -> None:
    """The page is titled ``heading`` (h1 and window title) and the main navigation marks ``nav_item`` as current."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_title(f"{heading} · Child Online Protection Knowledge Base")
    current = page.get_by_role("navigation", name="Main").locator('a[aria-current="page"]')
    if nav_item is None:
        expect(current).to_have_count(0)
    else:
        expect(current).to_have_text([nav_item])


FOCUSED_OUTLINE = (
    "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
)


def expect_visible_focus(page: Page) -> None:
    style, width = page.evaluate(FOCUSED_OUTLINE)
    assert style != "none" and width != "0px", (style, width, page.evaluate("() => document.activeElement.outerHTML"))


def expect_skip_link_leads_to_main(page: Page) -> None:
    """On a freshly loaded page the first Tab shows the skip link; following it puts focus in main."""
    url = page.url
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect_visible_focus(page)

    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
    expect(page).to_have_url(f"{url}#main-content")

    # The next Tab continues inside main (not back in the header), and that element shows its focus too.
    page.keyboard.press("Tab")
    inside_main = page.evaluate("() => document.activeElement.closest('main') !== null")
    assert inside_main, page.evaluate("() => document.activeElement.outerHTML")
    expect_visible_focus(page)


def expect_citation(page: Page, title: str, url: str) -> None:
    """The citation box names the record and its absolute address, and (with JavaScript) copies it."""
    citation = page.get_by_role("textbox", name=f"Citation of this record in the {settings.SITE_NAME}")
    expect(citation).to_have_attribute("readonly", "")
    text = citation.input_value()
    assert title in text
    assert url in text

    copy = page.get_by_role("button", name="Copy the citation of this record")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator(".cite [role=status]")).to_have_text("Copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == text


def test_newcomer_follows_links_both_ways_from_the_home_page_and_cites_a_record(page: Page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.goto("/")
    expect_page(page, "UNICEF's Framework for Action on children and ICTs", "Framework")
    expect_skip_link_leads_to_main(page)

    # From a strategic area to the article it draws on, the convention, its protocol and back to the list.
    page.get_by_role("region", name="Four strategic areas").get_by_role("link", name=RECOVERY).click()
    expect(page).to_have_url(f"{site}/strategic-areas/promoting-recovery/")
    expect_page(page, RECOVERY, "Strategic areas")

    page.get_by_role("region", name="Draws on").get_by_role("link", name="Article 39").click()
    # Provisions have no item of their own in the main navigation, so none is marked.
    expect_page(page, "Article 39", None)
    # The link is followed back: the article names the area that drew on it.
    expect(page.get_by_role("region", name="Strategic areas drawing on it")).to_contain_text(RECOVERY)

    page.get_by_role("region", name="Provision of").get_by_role("link", name=CRC).click()
    expect(page).to_have_url(f"{site}/instruments/crc/")
    expect_page(page, CRC, "Instruments")
    expect_skip_link_leads_to_main(page)

    page.get_by_role("region", name="Is supplemented by").get_by_role("link", name=OPSC).click()
    expect(page).to_have_url(f"{site}/instruments/opsc/")
    expect_page(page, OPSC, "Instruments")
    expect(page.get_by_role("region", name="Supplements")).to_contain_text(CRC)

    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.locator('[aria-current="page"]')).to_have_text(OPSC)
    breadcrumb.get_by_role("link", name="Instruments").click()
    expect(page).to_have_url(f"{site}/instruments/")
    expect_page(page, "Instruments", "Instruments")
    expect(page.locator(".results-bar .count")).to_contain_text("8 records")
    expect_skip_link_leads_to_main(page)

    # From a programme to a country where it takes place, and back through the country's backlinks.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Framework").click()
    expect_page(page, "UNICEF's Framework for Action on children and ICTs", "Framework")
    page.get_by_role("region", name="UNICEF's work at global level").get_by_role(
        "link", name=DIGITAL_CITIZENSHIP
    ).click()
    expect(page).to_have_url(f"{site}/programmes/digital-citizenship-and-safety/")
    expect_page(page, DIGITAL_CITIZENSHIP, "Programmes")

    places = page.get_by_role("region", name="Takes place in")
    expect(places.get_by_role("link")).to_have_count(8)
    places.get_by_role("link", name="Viet Nam").click()
    expect(page).to_have_url(f"{site}/countries/viet-nam/")
    expect_page(page, "Viet Nam", "Countries")

    hosts = page.get_by_role("region", name="Programmes in this country")
    expect(hosts).to_have_class("link-group backlinks")
    hosts.get_by_role("link", name=DIGITAL_CITIZENSHIP).click()
    expect(page).to_have_url(f"{site}/programmes/digital-citizenship-and-safety/")
    expect_page(page, DIGITAL_CITIZENSHIP, "Programmes")
    expect_citation(page, DIGITAL_CITIZENSHIP, f"{site}/programmes/digital-citizenship-and-safety/")
