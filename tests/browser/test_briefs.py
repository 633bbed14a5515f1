"""Briefs print well: Chromium's print to PDF on A4 gives a few pages, with no navigation, every group heading
whole in the text, every word the page shows in print on paper in its order, and the address of every link printed
after it (a key fact's linked record included); the page itself passes axe."""

import io
import re
import unicodedata
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

# One brief of each type that has one, from the framework; none of them should need more pages than this.
BRIEFS = {
    "/countries/viet-nam/brief/": 6,
    "/instruments/crc/brief/": 6,
    "/strategic-areas/promoting-recovery/brief/": 6,
    "/topics/recovery/brief/": 6,
}
A4_POINTS = (595, 842)  # 210 × 297 mm
# What a brief must print beyond its headings: a strategic area's provisions on its topics, said to be the editors'
# classification, under their instruments.
PRINTED = {
    "/strategic-areas/promoting-recovery/brief/": [
        "Editorial classification: provisions on its topics",
        "the instruments do not say so",
        "Palermo Protocol on trafficking in persons",
    ],
}


def printed(page: Page) -> tuple[int, str, tuple[int, int]]:
    """The page printed to PDF on A4 by Chromium: its number of pages, its text (ligatures such as "ﬁ" spelt out,
    whitespace made single spaces) and the size of its first page in points."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    text = unicodedata.normalize("NFKC", " ".join(sheet.extract_text() for sheet in reader.pages))
    box = reader.pages[0].mediabox
    return len(reader.pages), re.sub(r"\s+", " ", text), (round(box.width), round(box.height))


@pytest.mark.parametrize(("path", "most_pages"), BRIEFS.items())
def test_brief_prints_on_a_few_a4_pages_with_every_heading_and_no_navigation(page: Page, site, path, most_pages):
    page.goto(path)
    headings = [re.sub(r"\s+", " ", text).strip() for text in page.locator("main h1, main h2").all_inner_texts()]
    # Every link on paper but one whose text is its address: the records in the key facts, the groups, the sources
    # (the breadcrumbs are not printed).
    page.emulate_media(media="print")
    addresses = page.eval_on_selector_all(
        "main a[href]:not(.address)", "links => links.filter(link => link.offsetParent !== null).map(link => link.href)"
    )
    assert len(headings) >= 3, headings  # the title, at least one group of links, the citation
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", page.locator("main").inner_text()))

    pages, text, size = printed(page)

    assert size == A4_POINTS
    assert 1 <= pages <= most_pages
    missing = [heading for heading in headings if heading not in text]
    assert not missing, f"headings cut or missing from the printed brief: {missing}"
    for chrome in ("Skip to main content", "Search the framework", "Menu"):
        assert chrome not in text
    for phrase in PRINTED.get(path, ()):
        assert phrase in text
    # Link targets are printed after the links, as full addresses (long ones may break across lines).
    unbroken = text.replace(" ", "")
    assert f"<{site}{path.removesuffix('brief/')}>" in unbroken
    # Counted: a record may be linked twice (a key fact and a group), and each link needs its address.
    unprinted = [address for address, links in Counter(addresses).items() if unbroken.count(f"<{address}>") < links]
    assert not unprinted, f"links printed without their address: {unprinted}"
    # No text cut: every word the page shows in print is on paper, in the same order.
    at = 0
    for number, word in enumerate(words):
        found = unbroken.find(word, at)
        assert found >= 0, f"printed text stops after word {number} of {len(words)}: {' '.join(words[number:][:12])}"
        at = found + len(word)


def test_detail_page_links_to_its_brief_and_the_brief_passes_axe(open_page, site):
    page = open_page()
    page.goto("/instruments/crc/")
    page.get_by_role("link", name="Brief", exact=True).click()
    expect(page).to_have_url(f"{site}/instruments/crc/brief/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Convention on the Rights of the Child")
    expect(page.get_by_role("heading", name=re.compile(r"^Provisions \(\d+\)$"))).to_be_visible()

    problems = []
    for viewport_page in (page, open_page(viewport=PHONE)):
        for path in BRIEFS:
            viewport_page.goto(path)
            results = Axe().run(viewport_page)
            if results.violations_count:
                problems.append(f"{path} ({viewport_page.viewport_size['width']}px): {results.generate_report()}")
    assert not problems, "\n\n".join(problems)
