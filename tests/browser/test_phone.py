"""At phone width (375×740) pages fit the screen, lead with their own heading (the navigation folds behind a menu
button), and the navigation, search and filters stay within reach."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, PHONE

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

    # Every main navigation item can be reached (behind the menu button) and is a usable target.
    page.goto("/instruments/crc/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Menu").click()
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box["height"] >= 24, (link.inner_text(), box)
    nav.get_by_role("link", name="Coverage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage of the strategic areas")
    # On the new page the menu is closed again; its current item is marked all the same.
    current = nav.get_by_role("link", name="Coverage", include_hidden=True)
    expect(current).to_have_attribute("aria-current", "page")

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


# A home page, a list and a detail page (with breadcrumbs and a long title) each lead with their heading.
FIRST_SCREEN_PAGES = ["/", "/instruments/", "/programmes/digital-citizenship-and-safety/"]


def test_phone_pages_show_their_heading_in_the_first_quarter_of_the_screen(phone_page: Page, site):
    low = {}
    for path in FIRST_SCREEN_PAGES:
        phone_page.goto(path)
        top = phone_page.get_by_role("heading", level=1).bounding_box()["y"]
        if top > PHONE["height"] * 0.25:
            low[path] = top
    assert not low, f"h1 below the first {PHONE['height'] * 0.25:.0f}px of the screen: {low}"


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["js", "no-js"])
def test_phone_menu_opens_from_the_keyboard_with_or_without_javascript(open_page, site, java_script_enabled):
    page = open_page(viewport=PHONE, java_script_enabled=java_script_enabled)
    page.goto("/instruments/")
    nav = page.get_by_role("navigation", name="Main")
    coverage = nav.get_by_role("link", name="Coverage")
    expect(coverage).to_be_hidden()

    # The menu button is reached with Tab (after the skip link, the site's name and the search) and has a name.
    menu = nav.locator("summary")
    expect(menu).to_have_accessible_name("Menu")
    for _ in range(10):
        page.keyboard.press("Tab")
        if menu.evaluate("element => element === document.activeElement"):
            break
    expect(menu).to_be_focused()
    outline = menu.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused menu button shows no focus outline"
    page.keyboard.press("Enter")

    expect(coverage).to_be_visible()
    expect(nav.get_by_role("link", name="Instruments", exact=True)).to_have_attribute("aria-current", "page")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Framework")).to_be_focused()
    coverage.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage of the strategic areas")


def test_desktop_shows_the_navigation_in_one_row_without_a_menu_button(open_page, site):
    page = open_page(viewport=DESKTOP)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator("summary")).to_be_hidden()
    tops = {round(link.bounding_box()["y"]) for link in nav.get_by_role("link").all()}
    assert len(tops) == 1, f"navigation links on several rows: {sorted(tops)}"


def test_phone_pages_with_the_menu_closed_and_open_have_no_axe_violations(phone_page: Page, site):
    problems = []
    for path in FIRST_SCREEN_PAGES:
        phone_page.goto(path)
        for state in ("closed", "open"):
            if state == "open":
                phone_page.get_by_role("navigation", name="Main").get_by_text("Menu").click()
            results = Axe().run(phone_page)
            if results.violations_count:
                problems.append(f"{path} (menu {state}): {results.generate_report()}")
    assert not problems, "\n\n".join(problems)
