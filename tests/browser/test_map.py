"""The world map in Chromium with the framework loaded: no axe violations at desktop and phone width, a picture that
fits a phone's screen, a keyboard-only way to the countries, and the whole map without JavaScript."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import PHONE
from .test_accessibility import scan

pytestmark = pytest.mark.django_db(transaction=True)

MAP = "/map/"
COUNTRY = "svg#world-map a.map-country"


def test_the_map_has_no_axe_violations_at_desktop_and_phone_width(open_page):
    problems = scan(open_page(), [MAP]) + scan(open_page(viewport=PHONE), [MAP])
    assert not problems, "\n\n".join(problems)


def test_the_map_fits_a_phone_screen(phone_page: Page):
    phone_page.goto(MAP)
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page is {width}px wide"
    box = phone_page.locator("svg#world-map").bounding_box()
    assert 250 < box["width"] <= PHONE["width"], box  # scaled down to the column, not cropped
    expect(phone_page.locator(COUNTRY).first).to_be_visible()


def test_keyboard_alone_reaches_the_countries_and_follows_one(page: Page):
    page.goto(MAP)
    names = []
    for _ in range(120):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => document.activeElement.matches('svg a.map-country') ?"
            " document.activeElement.getAttribute('aria-label') : null"
        )
        if name:
            names.append(name)
        elif names:
            break
    assert len(names) == page.locator(COUNTRY).count() == 9, names
    assert all(re.fullmatch(r".+: \d+ published records? linked", name) for name in names), names
    page.keyboard.press("Shift+Tab")
    width = page.evaluate("() => getComputedStyle(document.activeElement.querySelector('path')).strokeWidth")
    assert width == "3px", width  # focus is visible: the country's outline thickens
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator("h1")).to_be_visible()


def test_without_javascript_the_map_table_and_list_are_whole(no_js_page: Page):
    no_js_page.goto(MAP)
    drawn = no_js_page.locator(COUNTRY)
    expect(drawn).to_have_count(9)
    rows = no_js_page.locator("table.map-table tbody tr")
    expect(rows).to_have_count(9)
    # Costa Rica is too small at this scale: circled on the map and listed beside it.
    expect(no_js_page.locator(".map-small a", has_text="Costa Rica")).to_be_visible()
    expect(no_js_page.locator('svg#world-map a.map-country[aria-label^="Costa Rica:"] circle')).to_have_count(1)
