"""The timeline in Chromium: no axe violations at desktop and phone width, years along a row on a wide screen and
one under another on a phone, the filters without JavaScript, and the records reachable by keyboard."""

import re

import pytest
from playwright.sync_api import Page, expect

from strategy.models import StrategicArea

from .conftest import PHONE
from .test_accessibility import scan

pytestmark = pytest.mark.django_db(transaction=True)

TIMELINE = "/timeline/"
CRC = "Convention on the Rights of the Child"


def pages() -> list[str]:
    area = StrategicArea.objects.public().order_by("position").first()
    return [TIMELINE, f"{TIMELINE}?type=instruments&type=activities&area={area.slug}"]


def test_timeline_has_no_axe_violations_at_desktop_and_phone_width(open_page):
    page = open_page()
    problems = scan(page, pages())
    problems += scan(page, [f"{TIMELINE}?type=nothing"], expected_status=400)  # the form says what is wrong
    problems += scan(open_page(viewport=PHONE), pages())
    assert not problems, "\n\n".join(problems)


def year_boxes(page: Page) -> list[dict]:
    return page.locator(".tl-year").evaluate_all("items => items.map(item => item.getBoundingClientRect().toJSON())")


def test_years_run_along_a_row_on_a_wide_screen_and_down_a_list_on_a_phone(page: Page, phone_page: Page):
    page.goto(TIMELINE)
    first, second = year_boxes(page)[:2]
    assert first["top"] == second["top"] and second["left"] > first["right"], (first, second)
    # The row scrolls within itself; the page does not.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280

    phone_page.goto(TIMELINE)
    first, second = year_boxes(phone_page)[:2]
    assert second["top"] >= first["bottom"] and second["left"] == first["left"], (first, second)
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the timeline is {width}px wide"


def test_without_javascript_the_form_narrows_the_timeline(no_js_page: Page):
    page = no_js_page
    page.goto(TIMELINE)
    expect(page.locator(".tl-entries time").first).to_be_visible()
    page.get_by_role("checkbox", name="Instruments", exact=True).check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"type=instruments"))
    kinds = set(page.locator(".tl-entries .type").all_inner_texts())
    assert {kind.strip().lower() for kind in kinds} == {"instrument"}
    expect(page.locator(".tl-entries a", has_text=CRC).first).to_be_visible()


def test_keyboard_alone_reaches_the_last_year_and_follows_a_record(page: Page):
    page.goto(TIMELINE)
    last = page.locator(".tl-entries a").last
    href = last.get_attribute("href")
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('href')") == href:
            break
    else:
        raise AssertionError("Tab never reached the last record on the timeline")
    # Focus scrolled the row so the link is on screen, and visibly marked.
    expect(last).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
