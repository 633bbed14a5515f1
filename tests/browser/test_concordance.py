"""The concordance in a real browser: axe on its pages (desktop and phone), comparing instruments with the keyboard
and without JavaScript, the message for too many instruments, and the printed page."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE
from .test_accessibility import scan

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/concordance/",
    "/concordance/?instrument=crc&instrument=lanzarote-convention&topic=privacy&topic=recovery",
    "/topics/solicitation/",
    "/provisions/lanzarote-article-23/",
]
BAD = "/concordance/?instrument=crc&instrument=opsc&instrument=ilo-c182&instrument=palermo-protocol&instrument=x"


def test_the_concordance_pages_have_no_axe_violations(open_page, site):
    problems = scan(open_page(), PAGES)
    problems += scan(open_page(), [BAD], expected_status=400)
    problems += scan(open_page(viewport=PHONE), PAGES[:2])
    assert not problems, "\n\n".join(problems)


def test_two_instruments_are_compared_with_the_keyboard_and_no_javascript(no_js_page):
    page = no_js_page
    page.goto("/concordance/")
    for label in ("Council of Europe Convention on Cybercrime", "Council of Europe Convention on the Protection"):
        checkbox = page.get_by_label(label)
        checkbox.focus()
        page.keyboard.press("Space")
        expect(checkbox).to_be_checked()
    page.get_by_role("button", name="Compare").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/concordance/?*")
    table = page.get_by_role("table", name="Articles of each instrument, by topic")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == [
        "Topic",
        "Budapest Convention",  # in the order the filter lists them: by date
        "Lanzarote Convention",
        "Strategic areas (editorial classification)",
    ]
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Solicitation of children"))
    expect(row.get_by_role("link", name="Article 23")).to_be_visible()


def test_too_many_instruments_say_so_and_keep_the_filter(page):
    response = page.goto(BAD)
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Compare at most 4 instruments at a time; you chose 5.")
    expect(page.get_by_role("button", name="Compare")).to_be_visible()


def test_the_printed_concordance_is_its_table(page):
    page.goto("/concordance/?instrument=crc&instrument=opsc")
    page.emulate_media(media="print")
    expect(page.locator(".concordance-filter")).to_be_hidden()
    expect(page.get_by_role("table", name="Articles of each instrument, by topic")).to_be_visible()
