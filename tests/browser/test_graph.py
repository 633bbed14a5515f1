"""The relationship graphs in Chromium: no axe violations at desktop and phone width, a keyboard-only way through
the nodes, the explore page without JavaScript, and with it nodes that move and re-centre."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cop_kb.graph.neighbourhood import COMPACT_NODES

from .conftest import DESKTOP, PHONE
from .test_accessibility import scan

pytestmark = pytest.mark.django_db(transaction=True)

CRC = "/instruments/crc/"
EXPLORE_CRC = "/explore/instruments/crc/"
OPSC_NAME = "Optional Protocol to the CRC on the sale of children, child prostitution and child pornography"
PAGES = [
    CRC,
    "/organisations/unicef/",
    EXPLORE_CRC,
    f"{EXPLORE_CRC}?depth=2",
    "/explore/organisations/unicef/?depth=2",
    "/explore/countries/viet-nam/?depth=2&type=programmes&type=activities",
]


def test_graph_pages_have_no_axe_violations_at_desktop_and_phone_width(open_page):
    page = open_page()
    problems = scan(page, PAGES)
    problems += scan(page, [f"{EXPLORE_CRC}?depth=9"], expected_status=400)  # the form says what is wrong
    problems += scan(open_page(viewport=PHONE), PAGES)
    assert not problems, "\n\n".join(problems)


def test_the_phone_layout_fits_the_screen(phone_page: Page):
    for path in PAGES:
        phone_page.goto(path)
        width = phone_page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{path} is {width}px wide"
        expect(phone_page.locator("svg[data-graph]")).to_be_visible()


def tab_to_graph(page: Page, limit: int = 120) -> str:
    """Press Tab until a graph node has focus; return its accessible name."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => { const a = document.activeElement; return a && a.matches('svg a.graph-node') ?"
            " a.getAttribute('aria-label') : null; }"
        )
        if name:
            return name
    raise AssertionError("Tab never reached a node of the graph")


def test_keyboard_alone_reaches_the_graph_nodes_and_follows_them(page: Page):
    page.goto(CRC)
    name = tab_to_graph(page)
    assert re.match(r".+ \((Organisation|Instrument|Provision): .+\)$", name), name
    # Focus is visible on the node: its shape's outline thickens.
    width = page.evaluate("() => getComputedStyle(document.activeElement.querySelector('path')).strokeWidth")
    assert width == "5px", width

    # Every node is reachable, one Tab each, and Enter follows the one that has focus.
    names = [name]
    while True:
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.matches('svg a.graph-node') ?"
            " document.activeElement.getAttribute('aria-label') : null"
        )
        if not focused:
            break
        names.append(focused)
    nodes = page.locator("#record-graph a.graph-node").count()
    assert len(names) == nodes and 2 <= nodes <= COMPACT_NODES
    page.keyboard.press("Shift+Tab")
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))

    # From the caption, on to the explore page, and through its nodes the same way.
    page.goto(CRC)
    page.get_by_role("link", name="Explore the links on a larger graph").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(EXPLORE_CRC) + "$"))
    opsc = page.locator("#explore-graph").get_by_role("link", name=re.compile(re.escape(OPSC_NAME)))
    opsc.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(OPSC_NAME)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_table_under_a_detail_pages_graph_opens_from_the_keyboard_with_a_row_per_node(open_page, viewport):
    page = open_page(viewport=viewport)
    page.goto(CRC)
    table = page.locator(".graph-links table")
    expect(table).to_be_hidden()
    page.locator(".graph-links > summary").focus()
    page.keyboard.press("Enter")
    expect(table).to_be_visible()

    def hrefs(links) -> list[str]:
        return sorted(links.evaluate_all("links => links.map(link => link.getAttribute('href'))"))

    assert hrefs(table.locator("tbody a")) == hrefs(page.locator("#record-graph a.graph-node"))
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, f"the page is {width}px wide with the table open"


def test_without_javascript_the_explore_page_is_a_complete_picture_and_form(no_js_page: Page):
    page = no_js_page
    page.goto(f"{EXPLORE_CRC}?depth=2")
    graph = page.locator("#explore-graph")
    expect(graph).to_be_visible()
    assert graph.locator("a.graph-node.ring-2").count() > 0
    expect(page.locator("[data-graph-hint]")).to_be_hidden()
    # The table lists what the graph draws.
    drawn = graph.locator("a.graph-node.ring-1, a.graph-node.ring-2").count()
    assert page.locator(".graph-table tbody tr").count() >= drawn

    # The form narrows the graph with a plain GET.
    page.get_by_role("checkbox", name="Provisions", exact=True).check()
    page.get_by_role("radio", name="1: its own links").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"depth=1"))
    kinds = {
        re.sub(r"^.*\((\w+)[:)].*$", r"\1", name)
        for name in graph.locator("a.ring-1").evaluate_all(
            "nodes => nodes.map(node => node.getAttribute('aria-label'))"
        )
    }
    assert kinds == {"Provision"}


def translate(page: Page, locator) -> tuple[float, float]:
    found = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", locator.get_attribute("transform"))
    return float(found[1]), float(found[2])


def test_with_javascript_nodes_can_be_dragged_and_recentred(page: Page):
    page.goto(f"{EXPLORE_CRC}?depth=2")
    expect(page.locator("[data-graph-hint]")).to_be_visible()
    node = page.locator("#explore-graph a.graph-node.ring-1").first
    node.scroll_into_view_if_needed()
    before = translate(page, node)
    shape = node.locator("path").bounding_box()
    page.mouse.move(shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
    page.mouse.down()
    page.mouse.move(shape["x"] + 80, shape["y"] + 60, steps=6)
    page.mouse.up()
    page.wait_for_timeout(300)
    after = translate(page, node)
    assert after != before
    expect(page).to_have_url(re.compile(r"/explore/instruments/crc/\?depth=2$")), "a drag does not follow the link"
    # Its edges moved with it.
    node_id = node.get_attribute("data-node")
    line = page.locator(f'#explore-graph line[data-to="{node_id}"]').first
    assert abs(float(line.get_attribute("x2")) - after[0]) < 1.5

    # C puts the focused record in the middle of the picture.
    other = page.locator("#explore-graph a.graph-node.ring-2").first
    other.focus()
    page.keyboard.press("c")
    page.wait_for_timeout(500)
    box = [float(value) for value in page.locator("#explore-graph").get_attribute("viewBox").split()]
    middle = (box[0] + box[2] / 2, box[1] + box[3] / 2)
    x, y = translate(page, other)
    assert abs(x - middle[0]) < 2 and abs(y - middle[1]) < 2

    page.get_by_role("button", name="Put back as drawn").click()
    assert translate(page, node) == before


def test_without_javascript_a_detail_page_shows_its_graph_and_its_brief_lists_its_links(no_js_page: Page):
    page = no_js_page
    page.goto(CRC)
    graph = page.locator("#record-graph")
    expect(graph).to_be_visible()
    assert graph.locator("a.graph-node").count() >= 2
    expect(page.get_by_role("link", name="Explore the links on a larger graph")).to_be_visible()
    # The brief, also without a script: its groups of links and its citation are all there.
    page.get_by_role("link", name="Brief", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convention on the Rights of the Child")
    expect(page.get_by_role("heading", name=re.compile(r"^Provisions \(\d+\)$"))).to_be_visible()
    assert page.locator("main a[href^='http']").count() > 10
