"""The cite box on an instrument's page: the instrument's own citation and the page's, each copied by its own
button (or selected without JavaScript), the BibTeX file downloaded by its link, and no axe violation at desktop or
phone width."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

LANZAROTE = "/instruments/lanzarote-convention/"
LANZAROTE_CITATION = (
    "Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse, "
    "Lanzarote (Spain), 25 October 2007, CETS No. 201"
)


def test_the_instruments_citation_is_copied_by_its_own_button_and_its_file_downloads(page: Page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.goto(LANZAROTE + "#cite")
    box = page.locator("#cite")
    expect(box.get_by_role("heading", level=2)).to_have_text("Cite this record")
    document = box.get_by_role("textbox", name="Citation of the instrument")
    expect(document).to_have_value(LANZAROTE_CITATION)
    record = box.get_by_role("textbox", name=f"Citation of this record in the {settings.SITE_NAME}")
    expect(record).to_contain_text(f"{site}{LANZAROTE}")

    box.get_by_role("button", name="Copy the citation of the instrument").click()
    expect(box.locator("[role=status]").first).to_have_text("Copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == LANZAROTE_CITATION

    with page.expect_download() as download:
        box.get_by_role("link", name="BibTeX (.bib)").click()
    assert download.value.suggested_filename == "lanzarote-convention.bib"
    assert "Lanzarote (Spain)" in Path(download.value.path()).read_text(encoding="utf-8")


def test_without_javascript_the_citation_can_be_selected_and_no_copy_button_is_offered(no_js_page: Page, site):
    no_js_page.goto(LANZAROTE)
    document = no_js_page.get_by_role("textbox", name="Citation of the instrument")
    document.focus()
    no_js_page.keyboard.press("Control+A")

    assert (
        no_js_page.evaluate(
            "() => { const f = document.activeElement; return f.value.slice(f.selectionStart, f.selectionEnd); }"
        )
        == LANZAROTE_CITATION
    )
    expect(no_js_page.locator("#cite button")).to_have_count(0)


def test_the_cite_box_fits_a_phone_and_the_page_passes_axe_at_both_widths(open_page, site):
    problems = []
    for page in (open_page(), open_page(viewport=PHONE)):
        page.goto(LANZAROTE)
        width = page.viewport_size["width"]
        box = page.locator("#cite").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        results = Axe().run(page)
        if results.violations_count:
            problems.append(f"{width}px: {results.generate_report()}")
    assert not problems, "\n\n".join(problems)
