"""At phone width (375×740) pages fit the screen, and the navigation, search and filters stay within reach."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 375

# Long titles, a long official URL, wide tables, facets: the pages most likely to push the layout sideways.
PAGES = [
    "/",
    "/instruments/crc/",
    "/instruments/palermo-protocol/",
    "/programmes/digital-citizenship-and-safety/",
    "/programmes/",
    "/instruments/?kind=convention",
    "/coverage/",
    "/tags/",
    "/search/?q=convention",
    "/no-such-page/",
]


def test_phone_pages_have_no_sideways_scroll_and_keep_nav_search_and_filters_usable(phone_page: Page, site):
    page = phone_page
    too_wide = {}
    for path in PAGES:
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > WIDTH + 1:
            too_wide[path] = width
    assert not too_wide, f"pages wider than the {WIDTH}px screen: {too_wide}"

    # Every main navigation item can be reached (the bar scrolls sideways on its own) and is a usable target.
    page.goto("/instruments/crc/")
    nav = page.get_by_role("navigation", name="Main")
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box["height"] >= 24, (link.inner_text(), box)
    nav.get_by_role("link", name="Coverage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage of the strategic areas")
    expect(nav.get_by_role("link", name="Coverage")).to_have_attribute("aria-current", "page")

    # The search box fits on screen and searches.
    search = page.get_by_role("banner").get_by_role("search")
    field = search.get_by_label("Search the framework")
    expect(field).to_be_in_viewport()
    box = field.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    field.fill("Lanzarote")
    field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(
        page.get_by_role("main").get_by_role("link", name="Council of Europe Convention on the Protection")
    ).to_be_visible()

    # Filters sit below the list on a phone, so the list offers a jump link to them.
    page.goto("/programmes/")
    jump = page.get_by_role("link", name="Narrow the list")
    expect(jump).to_be_visible()
    expect(page.get_by_role("heading", name="Narrow the list")).not_to_be_in_viewport()
    jump.click()
    expect(page).to_have_url(f"{site}/programmes/#filters-heading")
    expect(page.get_by_role("heading", name="Narrow the list")).to_be_in_viewport()
