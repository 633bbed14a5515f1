"""The product's identity in a real browser: at 1024, 1100, 1280 and 1440 px the header is one compact band with the
whole navigation in one row; on a phone the navigation folds behind Menu and the about page is one tap away. Every
page tested shows its favicon and meta description, logs no console error and has no axe violation at each width."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
SMALL_LAPTOP = {"width": 1024, "height": 768}
# The name and search box over one row of navigation; two rows of navigation (the old header) reach 150 px.
HEADER_MAX_HEIGHT = 120
PAGES = {
    "/": "UNICEF's Framework for Action on children and ICTs",
    "/about/": f"About the {settings.SITE_NAME}",
    "/instruments/crc/": "Convention on the Rights of the Child",
}


def open_watched(open_page, viewport: dict) -> tuple[Page, list[str]]:
    """A page whose console errors and uncaught exceptions are collected in the returned list."""
    page = open_page(viewport=viewport)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def check_page(page: Page, path: str, heading: str) -> list[str]:
    """Open ``path``; report what is wrong with its heading, favicon, meta description or accessibility."""
    problems = []
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_title(f"{page.title().rsplit(' · ', 1)[0]} · {settings.SITE_NAME}")
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    answer = page.request.get(icon.get_attribute("href"))
    if answer.status != 200 or answer.headers["content-type"] != "image/svg+xml":
        problems.append(f"{path}: favicon answered {answer.status} {answer.headers.get('content-type')}")
    description = page.locator('meta[name="description"]').get_attribute("content")
    if not description or len(description) > 160:
        problems.append(f"{path}: meta description {description!r}")
    results = Axe().run(page)
    if results.violations_count:
        problems.append(f"{path} ({page.viewport_size['width']}px): {results.generate_report()}")
    return problems


def header_problems(page: Page, path: str) -> list[str]:
    """What is wrong with the open page's header: too tall, a menu button showing, navigation on several rows."""
    problems = []
    header = page.get_by_role("banner").bounding_box()
    if header["height"] > HEADER_MAX_HEIGHT:
        problems.append(f"{path}: header {header['height']:.0f}px tall")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator("summary")).to_be_hidden()
    links = nav.get_by_role("link").all()
    rows = {round(link.bounding_box()["y"]) for link in links}
    if len(rows) != 1:
        problems.append(f"{path}: navigation on {len(rows)} rows: {[link.inner_text() for link in links]}")
    return problems


@pytest.mark.parametrize("viewport", [SMALL_LAPTOP, LAPTOP], ids=lambda viewport: f"{viewport['width']}px")
def test_at_desktop_widths_the_header_is_one_band_with_the_navigation_in_one_row(open_page, site, viewport):
    page, console = open_watched(open_page, viewport)
    problems = []
    for path, heading in PAGES.items():
        problems += check_page(page, path, heading)
        problems += header_problems(page, path)
    assert not problems, "\n\n".join(problems)
    assert not console, console

    expect(page.get_by_role("banner").get_by_role("link", name=settings.SITE_NAME)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Built on UNICEF's Framework for Action on children and ICTs")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="About").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGES["/about/"])


@pytest.mark.parametrize("width", [1100, 1440])
def test_between_and_above_those_widths_the_navigation_stays_in_one_row(open_page, site, width):
    page = open_page(viewport={"width": width, "height": 800})
    page.goto("/instruments/crc/")

    assert not header_problems(page, "/instruments/crc/")


def test_on_a_phone_the_pages_work_and_the_menu_leads_to_the_about_page(open_page, site):
    page, console = open_watched(open_page, PHONE)
    problems = []
    for path, heading in PAGES.items():
        problems += check_page(page, path, heading)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width}px wide")
    assert not problems, "\n\n".join(problems)
    assert not console, console

    # The menu button ends the search row, clear of the search box, and the name has a line of its own above them.
    name = page.get_by_role("banner").get_by_role("link", name=settings.SITE_NAME).bounding_box()
    search = page.get_by_role("banner").get_by_role("search").bounding_box()
    menu = page.get_by_role("navigation", name="Main").locator("summary")
    button = menu.bounding_box()
    assert search["x"] + search["width"] <= button["x"], (search, button)
    same_row = search["y"] < button["y"] + button["height"] and button["y"] < search["y"] + search["height"]
    assert same_row, (search, button)
    assert name["y"] + name["height"] <= min(search["y"], button["y"]), (name, search, button)
    about = page.get_by_role("navigation", name="Main").get_by_role("link", name="About")
    expect(about).to_be_hidden()
    menu.click()
    about.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGES["/about/"])
    # On the new page the menu is closed again; its item for the page is marked all the same.
    current = page.get_by_role("navigation", name="Main").get_by_role("link", name="About", include_hidden=True)
    expect(current).to_have_attribute("aria-current", "page")
