"""Search suggestions in a real browser: the header's and the search page's boxes as ARIA 1.2 comboboxes, used by
keyboard alone, announced to screen readers, clean under axe with the list open, and the plain form without
JavaScript exactly as before.

Each test loads the whole framework, so a test walks through several steps rather than one.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

LANZAROTE = "/instruments/lanzarote-convention/"
BUDAPEST = "/instruments/budapest-convention/"
AUTOCOMPLETE = "/search/autocomplete/"


def suggestions(page: Page, box: str = "site-search"):
    return page.locator(f"#{box}-suggestions")


def expect_open(page: Page, box: str = "site-search") -> None:
    combobox = page.locator(f"#{box}")
    expect(suggestions(page, box)).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")


def expect_closed(page: Page, box: str = "site-search") -> None:
    expect(suggestions(page, box)).to_be_hidden()
    expect(page.locator(f"#{box}")).to_have_attribute("aria-expanded", "false")


def axe_report(page: Page) -> str:
    results = Axe().run(page)
    return results.generate_report() if results.violations_count else ""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_keyboard_alone_chooses_a_suggestion_closes_the_list_and_leaves_the_box(open_page, viewport):
    page = open_page(viewport=viewport)
    page.goto("/")
    for _ in range(3):  # skip link, site name, search box
        page.keyboard.press("Tab")
    box = page.get_by_role("combobox", name="Search the framework")
    expect(box).to_be_focused()

    page.keyboard.type("lanz")
    expect_open(page)
    first = suggestions(page).get_by_role("option").first
    expect(first).to_contain_text("Sexual Exploitation and Sexual Abuse")
    expect(first).to_contain_text("Lanzarote Convention")  # its short name, as lists show it
    expect(first).to_contain_text("Instrument")
    assert axe_report(page) == ""

    # Escape closes the list and keeps the text; a second Escape clears the box.
    page.keyboard.press("Escape")
    expect_closed(page)
    expect(box).to_have_value("lanz")
    page.keyboard.press("Escape")
    expect(box).to_have_value("")

    # Tab leaves the box for the Search button and closes the list on the way, choosing nothing.
    page.keyboard.type("lanz")
    expect_open(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search").first).to_be_focused()
    expect_closed(page)
    expect(box).to_have_value("lanz")

    # Back in the box: the arrow keys highlight a suggestion, Enter follows it to the record's page.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("End")  # coming back by keyboard selects the text; type after it
    page.keyboard.type("a")
    expect_open(page)
    page.keyboard.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(LANZAROTE) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sexual Exploitation and Sexual Abuse")


def test_screen_readers_are_told_the_role_state_and_number_of_suggestions(page: Page, site):
    page.goto("/search/?q=convention")
    box = page.get_by_role("combobox", name="Search the framework").nth(1)
    expect(box).to_have_attribute("id", "search-page-q")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", "search-page-q-suggestions")
    expect(box).to_have_attribute("aria-expanded", "false")
    status = page.get_by_role("search", name="Search again").get_by_role("status")
    expect(status).to_have_attribute("aria-live", "polite")

    box.fill("")
    box.press_sequentially("budapest conv")
    expect_open(page, "search-page-q")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_have_attribute("id", "search-page-q-suggestions")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("aria-selected", "false")
    expect(status).to_have_text("1 suggestion. Use the up and down arrow keys to choose one.")
    assert not box.get_attribute("aria-activedescendant")

    # Up from the box wraps to the last suggestion; Down from the last returns to the box.
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "search-page-q-option-0")
    box.press("ArrowDown")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(options.first).to_have_attribute("aria-selected", "false")

    box.fill("zqxw")
    expect(status).to_have_text("No suggestions.")
    expect_closed(page, "search-page-q")

    box.fill("child")
    expect(status).to_have_text(re.compile(r"^8 suggestions\. Use the up and down arrow keys"))
    expect(listbox.get_by_role("option")).to_have_count(8)
    box.press("ArrowDown")
    box.press("ArrowDown")
    chosen = listbox.get_by_role("option").nth(1)
    expect(box).to_have_attribute("aria-activedescendant", chosen.get_attribute("id"))
    assert axe_report(page) == ""


def test_enter_without_a_highlighted_suggestion_submits_the_search_and_typing_asks_once(page: Page, site):
    asked = []
    page.on("request", lambda request: AUTOCOMPLETE in request.url and asked.append(request.url))
    page.goto("/")
    box = page.locator("#site-search")

    box.press_sequentially("lanzarote")
    expect_open(page)
    # Typed without a pause: a request for the whole word, not one a key from the second on (eight); a very busy
    # machine may pause between keys now and then, hence not exactly one.
    assert asked[-1] == f"{page.url.rstrip('/')}{AUTOCOMPLETE}?q=lanzarote"
    assert len(asked) <= 3, asked

    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=lanzarote$"))
    expect(page.get_by_role("link", name=re.compile("Sexual Exploitation and Sexual Abuse")).first).to_be_visible()


def test_a_slower_answer_to_earlier_text_is_abandoned(page: Page, site):
    held = []
    abandoned = []
    # The answer for "lanz" is held back; once the box says more, the script must abort that request.
    page.route(re.compile(r"/search/autocomplete/\?q=lanz$"), lambda route: held.append(route))
    page.on("requestfailed", lambda request: abandoned.append((request.url, request.failure)))
    page.goto("/")
    box = page.locator("#site-search")

    with page.expect_request(re.compile(r"\?q=lanz$")):
        box.press_sequentially("lanz")
    box.press_sequentially("arote")
    expect_open(page)
    expect(suggestions(page).get_by_role("option").first).to_contain_text("Sexual Abuse")
    assert len(held) == 1
    assert [failure for url, failure in abandoned if url.endswith("?q=lanz")] == ["net::ERR_ABORTED"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_mouse_choice_and_axe_with_the_list_open(open_page, site, viewport):
    page = open_page(viewport=viewport)
    page.goto("/search/?q=convention")
    box = page.locator("#search-page-q")
    box.fill("")
    box.press_sequentially("budapest")
    expect_open(page, "search-page-q")
    assert axe_report(page) == ""
    suggestions(page, "search-page-q").get_by_role("option").first.click()
    expect(page).to_have_url(re.compile(re.escape(BUDAPEST) + "$"))


def test_without_javascript_both_forms_submit_as_before(no_js_page: Page, site):
    page = no_js_page
    page.goto("/search/?q=convention")
    header_box = page.locator("#site-search")
    assert header_box.get_attribute("role") is None
    assert header_box.get_attribute("autocomplete") is None
    expect(page.get_by_role("listbox")).to_have_count(0)

    header_box.fill("lanzarote")
    header_box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=lanzarote$"))
    expect(page.get_by_role("link", name=re.compile("Sexual Exploitation and Sexual Abuse")).first).to_be_visible()

    page.locator("#search-page-q").fill("budapest")
    page.get_by_role("search", name="Search again").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=budapest$"))
    expect(page.get_by_role("link", name=re.compile("Convention on Cybercrime")).first).to_be_visible()
