"""List pages as a reader uses them: facets, the year range and sort order narrow and reorder the list, every state
is a URL, nothing a reader can type in the address bar breaks the page, and all of it works without JavaScript."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from cop_kb.directory.models import Organisation
from cop_kb.records.facets import TOP_VALUES
from cop_kb.records.models import Status
from cop_kb.records.services import record_create
from programmes.models import Programme

pytestmark = pytest.mark.django_db(transaction=True)

BUDAPEST = "Council of Europe Convention on Cybercrime"
LANZAROTE = "Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse"


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def facet(page: Page, name: str):
    return page.get_by_role("complementary", name="Narrow the list").get_by_role("region", name=name, exact=True)


def record_count(page: Page):
    return page.locator(".results-bar .count")


def titles(page: Page) -> list[str]:
    # A list's records are headed by their titles; the instruments table's rows are.
    return page.locator(".record-list h2, .record-table tbody th").all_inner_texts()


def years(page: Page) -> list[int]:
    # The year in a list row's short facts, or in the instruments table's "Adopted" column (its fourth).
    dated = page.locator(".record-list .meta, .record-table tbody td:nth-child(4)")
    return [int(re.search(r"\b(\d{4})\b", text).group(1)) for text in dated.all_inner_texts()]


def test_facets_year_range_and_sort_order_narrow_and_reorder_a_list(page: Page, site):
    page.goto("/programmes/")
    expect(record_count(page)).to_contain_text("5 records")
    # At desktop width the filters sit beside the list, so there is no jump link to them.
    expect(page.get_by_role("link", name="Narrow the list")).to_be_hidden()

    facet(page, "Country").get_by_role("link", name=re.compile(r"^Viet Nam")).click()
    expect(record_count(page)).to_contain_text("1 record")
    assert query(page) == {"country": ["viet-nam"]}
    expect(page.locator(".record-list h2")).to_have_text(["Digital Citizenship and Safety Project"])
    selected = facet(page, "Country").locator('a[aria-current="true"]')
    expect(selected).to_contain_text("Viet Nam")
    expect(selected).to_contain_text("selected; follow to remove")

    facet(page, "Country").get_by_role("link", name="Any country").click()
    expect(record_count(page)).to_contain_text("5 records")
    assert query(page) == {}

    page.goto("/instruments/")
    facet(page, "Kind").get_by_role("link", name=re.compile(r"^Convention")).click()
    expect(record_count(page)).to_contain_text("4 records")
    assert query(page) == {"kind": ["convention"]}

    years_form = page.get_by_role("group", name="Years")
    years_form.get_by_label("From").fill("2000")
    years_form.get_by_role("button", name="Apply").click()
    expect(record_count(page)).to_contain_text("2 records")
    assert query(page)["kind"] == ["convention"]
    assert query(page)["year_from"] == ["2000"]
    expect(page.get_by_label("From")).to_have_value("2000")
    # The default order is oldest first: the Budapest Convention (2001) before Lanzarote (2007).
    assert titles(page) == [BUDAPEST, LANZAROTE]
    assert years(page) == [2001, 2007]

    page.get_by_role("navigation", name="Sort order").get_by_role("link", name="Newest first").click()
    expect(page.get_by_role("link", name="Newest first")).to_have_attribute("aria-current", "true")
    assert titles(page) == [LANZAROTE, BUDAPEST]
    assert query(page)["sort"] == ["-year"]
    assert query(page)["kind"] == ["convention"]
    assert query(page)["year_from"] == ["2000"]

    page.get_by_role("link", name="Clear all filters").click()
    expect(record_count(page)).to_contain_text("8 records")
    page.get_by_role("link", name="Newest first").click()
    expect(page.get_by_role("link", name="Newest first")).to_have_attribute("aria-current", "true")
    shown = years(page)
    assert len(shown) == 8
    assert shown == sorted(shown, reverse=True)


# What a reader may type or paste into the address bar, the status it must get, and what the page then says.
MALFORMED = [
    ("/instruments/?year_from=abc", 200, "“abc” is not a year, so it was ignored."),
    ("/instruments/?year_to=99999999999999999999", 200, "is not a year, so it was ignored."),
    ("/instruments/?year_from=2010&year_to=1990", 200, "No published instruments match these filters."),
    ("/programmes/?country=nowhere", 200, "No published programmes match these filters."),
    ("/programmes/?country=" + "x" * 5000, 200, "No published programmes match these filters."),
    ("/programmes/?country=%00", 200, "No published programmes match these filters."),
    ("/instruments/?kind=%00", 200, "No published instruments match these filters."),
    ("/instruments/?tag=%00", 200, "No published instruments match these filters."),
    ("/instruments/?tag=%E2%80%AE", 200, "No published instruments match these filters."),
    ("/instruments/?sort=evil", 200, "That sort order is not available; showing the default order."),
    ("/instruments/?sort=-updated_at", 200, "That sort order is not available; showing the default order."),
    ("/instruments/?page=abc", 404, "Page not found"),
    ("/instruments/?page=0", 404, "Page not found"),
    ("/instruments/?page=99", 404, "Page not found"),
    ("/instruments/?page=1.5", 404, "Page not found"),
    ("/search/?q=%00", 200, "Search"),
    ("/search/?q=" + "%22" * 300, 200, "Your search was shortened"),
]


def test_malformed_list_parameters_never_give_a_server_error(page: Page, site):
    problems = []
    for path, status, shows in MALFORMED:
        response = page.goto(path)
        if response.status != status:
            problems.append(f"{path[:80]}: status {response.status}, expected {status}")
            continue
        if shows not in page.get_by_role("main").inner_text():
            problems.append(f"{path[:80]}: the page does not say {shows!r}")
        # Every answer, the 404 included, is a page of the site: its header, navigation, search and stylesheet.
        if not page.get_by_role("navigation", name="Main").is_visible():
            problems.append(f"{path[:80]}: no main navigation")
        if not page.get_by_role("banner").get_by_role("search").is_visible():
            problems.append(f"{path[:80]}: no search form in the header")
        header = page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        if header != "rgb(7, 63, 120)":
            problems.append(f"{path[:80]}: header background {header}, so the stylesheet is missing")
    assert not problems, "\n".join(problems)


def make_organisations(count: int) -> None:
    for number in range(count):
        record_create(
            model=Organisation,
            fields={
                "slug": f"browser-test-organisation-{number:03d}",
                "title": f"Browser test organisation {number:03d}",
                "kind": Organisation.Kind.CONFERENCE,
                "status": Status.PUBLISHED,
            },
        )


def test_facets_year_range_sort_pagination_and_search_work_without_javascript(no_js_page: Page, site):
    page = no_js_page
    page.goto("/programmes/")
    facet(page, "Country").get_by_role("link", name=re.compile(r"^Viet Nam")).click()
    expect(record_count(page)).to_contain_text("1 record")
    facet(page, "Country").get_by_role("link", name="Any country").click()
    expect(record_count(page)).to_contain_text("5 records")

    page.goto("/instruments/")
    page.get_by_label("From").fill("2000")
    page.get_by_label("to", exact=True).fill("2001")
    page.get_by_label("to", exact=True).press("Enter")
    expect(record_count(page)).to_contain_text("3 records")
    assert set(years(page)) == {2000, 2001}
    page.get_by_role("link", name="Newest first").click()
    expect(page.get_by_role("link", name="Newest first")).to_have_attribute("aria-current", "true")
    assert years(page) == [2001, 2000, 2000]
    assert query(page)["year_from"] == ["2000"]

    make_organisations(45)  # 14 loaded + 45 = 59, more than one page of 50
    page.goto("/organisations/?sort=title")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 2")
    expect(page.locator(".record-list > li")).to_have_count(50)
    pages.get_by_role("link", name="Next").click()
    expect(pages).to_contain_text("Page 2 of 2")
    expect(page.locator(".record-list > li")).to_have_count(9)
    assert query(page) == {"sort": ["title"], "page": ["2"]}
    pages.get_by_role("link", name="Previous").click()
    expect(pages).to_contain_text("Page 1 of 2")

    site_search = page.get_by_role("banner").get_by_role("search")
    site_search.get_by_label("Search the framework").fill("convention")
    site_search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    assert query(page) == {"q": ["convention"]}
    expect(page.get_by_role("main").get_by_role("link", name="Convention on the Rights of the Child")).to_be_visible()

    # Without JavaScript the citation stays readable in its field, and no dead "Copy" button is offered.
    page.goto("/instruments/crc/")
    expect(page.get_by_label("Citation of the instrument")).to_contain_text("Convention on the Rights of the Child")
    expect(page.get_by_role("button", name=re.compile("^Copy"))).to_have_count(0)


def test_show_all_leads_to_every_value_of_a_facet_and_back_without_javascript(no_js_page: Page, site):
    # The framework's programmes carry a few tags; one more programme with TOP_VALUES more takes the tag facet
    # past what a list shows.
    record_create(
        model=Programme,
        fields={
            "slug": "browser-tagged",
            "title": "Browser tagged programme",
            "kind": "research",
            "level": "global",
            "status": Status.PUBLISHED,
        },
        tags=[f"browser topic {number:02d}" for number in range(TOP_VALUES)],
    )
    page = no_js_page
    page.goto("/programmes/?kind=research")
    tags = facet(page, "Tag")
    expect(tags.locator("li")).to_have_count(TOP_VALUES)
    tags.get_by_role("link", name=re.compile(r"^Show all \d+ tag values$")).click()

    assert urlsplit(page.url).path == "/programmes/facets/tag/"
    assert query(page) == {"kind": ["research"]}
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes by tag")
    values = page.get_by_role("region", name="Tag").get_by_role("listitem")
    assert values.count() > TOP_VALUES
    page.get_by_role("link", name=re.compile(r"^browser topic 00 1$")).click()
    assert query(page) == {"kind": ["research"], "tag": ["browser-topic-00"]}
    expect(page.locator(".record-list h2")).to_have_text(["Browser tagged programme"])
