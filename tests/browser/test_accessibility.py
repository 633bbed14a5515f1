"""An axe-core scan of every kind of page the public sees, at desktop width and, for the main templates, on a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from cop_kb.views import record_models

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

# One detail page per record type, chosen for having much on it: facts, aliases, links both ways, tags, sources.
DETAIL_PAGES = {
    "/instruments/": "/instruments/crc/",
    "/provisions/": "/provisions/crc-article-39/",
    "/topics/": "/topics/recovery/",
    "/strategic-areas/": "/strategic-areas/promoting-recovery/",
    "/principles/": "/principles/multi-stakeholder-approach/",
    "/rights/": "/rights/privacy/",
    "/stakeholders/": "/stakeholders/children/",
    "/sectors/": "/sectors/education/",
    "/focus-areas/": "/focus-areas/laws-policies-and-services/",
    "/programmes/": "/programmes/digital-citizenship-and-safety/",
    "/partnerships/": "/partnerships/itu-child-online-protection/",
    "/activities/": "/activities/be-safe-be-smart-bynd-2015/",
    "/outputs/": "/outputs/global-agenda-childrens-rights-digital-age-report/",
    "/countries/": "/countries/viet-nam/",
    "/organisations/": "/organisations/unicef/",
}
OTHER_PAGES = [
    "/",
    "/programmes/?country=viet-nam",
    "/programmes/facets/country/?kind=research",
    "/instruments/crc/links/relations_in/?kind=supplements",
    "/coverage/",
    "/coverage/unlinked/programmes/",
    "/tags/",
    "/tags/childrens-rights/",
    "/search/?q=convention",
    "/search/facets/tag/?q=convention",
    "/search/?q=zzzz",
    "/search/?q=Innocenti+youth",  # no results, near misses
    "/search/?q=Rio+2008+Stockholm",  # one result, then near misses
    "/data/",
]
NOT_FOUND = "/no-such-page/"
PHONE_PAGES = ["/", "/programmes/", "/instruments/crc/", "/data/"]


def scan(page: Page, paths: list[str], expected_status: int = 200) -> list[str]:
    """Visit each path and return a report for every one that has a status other than expected or axe violations."""
    axe = Axe()
    problems = []
    for path in paths:
        response = page.goto(path)
        if response.status != expected_status:
            problems.append(f"{path}: status {response.status}, expected {expected_status}")
            continue
        results = axe.run(page)
        if results.violations_count:
            problems.append(f"{path} ({page.viewport_size['width']}px): {results.generate_report()}")
    return problems


def test_every_page_type_has_no_axe_violations(open_page, site):
    # Every record type is in the scan: a new type must add its list and detail page here.
    assert set(DETAIL_PAGES) == {model.get_list_url() for model in record_models()}
    page = open_page()
    problems = scan(page, [*OTHER_PAGES, *DETAIL_PAGES, *DETAIL_PAGES.values()])
    problems += scan(page, [NOT_FOUND], expected_status=404)
    problems += scan(open_page(viewport=PHONE), PHONE_PAGES)
    assert not problems, "\n\n".join(problems)
