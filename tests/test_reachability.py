"""The loaded framework as a reader meets it: crawled from the home page, every page works, every published record
is reached, and every link between two records can be followed back.

The crawl runs once per module (inside a transaction that is rolled back) and the tests read what it found.
"""

import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from cop_kb.directory.models import Country, Organisation
from instruments.models import Instrument
from programmes.models import Partnership, Programme

from .factories import record_models
from .security.support import internal_target
from .test_pages import read_page

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("/static/", "/admin/")

DIGITAL_CITIZENSHIP_COUNTRIES = [
    "South Africa",
    "Russian Federation",
    "Ukraine",
    "Türkiye",
    "Viet Nam",
    "Indonesia",
    "Zambia",
    "Argentina",
]


@dataclass
class Crawl:
    statuses: dict[str, int] = field(default_factory=dict)
    # Page -> internal pages it links to (anywhere on the page).
    edges: dict[str, set[str]] = field(default_factory=dict)
    # Record page -> record pages listed in its link groups (forward links and backlinks).
    record_links: dict[str, set[str]] = field(default_factory=dict)
    # Record page -> record pages it leads back to: its link groups, and the section that names a backlink apart
    # (a topic's or article's strategic areas, with the classification's basis: ``shown_apart``).
    ways_back: dict[str, set[str]] = field(default_factory=dict)
    # What the database holds after loading, read inside the crawl's transaction.
    published: dict[str, list[str]] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)

    def reached_from_home(self, *, through_lists: bool) -> set[str]:
        """Pages reachable from the home page; without lists, only through the home page and record pages."""
        seen, todo = {"/"}, ["/"]
        while todo:
            page = todo.pop()
            if page != "/" and not through_lists and not is_record_page(page):
                continue
            for target in self.edges.get(page, ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen


def url_name(page: str) -> str:
    try:
        return resolve(urlsplit(page).path).url_name or ""
    except Resolver404:
        return ""


def is_record_page(page: str) -> bool:
    return "?" not in page and url_name(page).endswith("detail") and url_name(page) != "tag-detail"


def crawl(client) -> Crawl:
    result = Crawl()
    todo = ["/"]
    while todo:
        page = todo.pop()
        if page in result.statuses:
            continue
        response = client.get(page)
        result.statuses[page] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = read_page(response)
        targets = {internal_target(page, link.href, SKIPPED_PREFIXES) for link in reader.links} - {None}
        result.edges[page] = targets
        if "?" not in page:
            # Filter, sort and page links combine without end; each one met on a plain page is checked, and the
            # pages it leads to (other combinations of the same list) are not crawled further.
            todo.extend(targets - set(result.statuses))
        if is_record_page(page):
            in_groups = [link for link in reader.links if link.inside("main") and link.group is not None]
            apart = [link for link in reader.links if link.inside("section", **{"class": "classification"})]
            result.record_links[page] = _record_pages(page, in_groups)
            result.ways_back[page] = _record_pages(page, [*in_groups, *apart])
    return result


def _record_pages(page: str, links: list) -> set[str]:
    targets = {internal_target(page, link.href, SKIPPED_PREFIXES) for link in links}
    return {target for target in targets - {None} if is_record_page(target)}


@pytest.fixture(scope="module")
def framework_crawl(django_db_setup, django_db_blocker) -> Crawl:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_framework", stdout=io.StringIO())
        # As `make run` and `make serve` do at start: the whole-data downloads exist before anyone asks for them.
        call_command("build_downloads", stdout=io.StringIO())
        result = crawl(Client())
        for model in record_models():
            result.published[model.__name__] = [record.get_absolute_url() for record in model.objects.public()]
        expected = {
            **{f"country {c.title}": c for c in Country.objects.filter(title__in=DIGITAL_CITIZENSHIP_COUNTRIES)},
            **{f"instrument {i.slug}": i for i in Instrument.objects.all()},
            "guidance note": Programme.objects.get(slug="guidance-note-child-online-protection"),
        }
        for partnership in Partnership.objects.prefetch_related("activities"):
            expected[f"partnership {partnership.slug}"] = partnership
            for activity in partnership.activities.all():
                expected[f"activity {activity.slug} of {partnership.slug}"] = activity
        result.expected = {name: record.get_absolute_url() for name, record in expected.items()}
        transaction.set_rollback(True)
    return result


def test_every_crawled_page_works(framework_crawl):
    broken = {page: status for page, status in framework_crawl.statuses.items() if status != 200}

    assert len(framework_crawl.statuses) > 100
    assert not broken


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model.__name__)
def test_every_published_record_is_reached(framework_crawl, model):
    published = framework_crawl.published[model.__name__]

    assert published, f"the framework should have published {model._meta.verbose_name_plural}"
    assert set(published) <= set(framework_crawl.statuses)


def test_every_link_between_records_can_be_followed_back(framework_crawl):
    links = framework_crawl.record_links
    one_way = sorted(
        f"{source} -> {target}"
        for source, targets in links.items()
        for target in targets
        if source not in framework_crawl.ways_back.get(target, set())
    )

    assert sum(len(targets) for targets in links.values()) > 100
    assert not one_way


def test_seed_items_are_reached_from_home_through_record_links(framework_crawl):
    # Not through the "browse every record" lists: the framework itself leads to them.
    reached = framework_crawl.reached_from_home(through_lists=False)
    expected = framework_crawl.expected

    assert len([name for name in expected if name.startswith("country ")]) == 8
    assert len([name for name in expected if name.startswith("instrument ")]) == 8
    assert len([name for name in expected if name.startswith("partnership ")]) == 2
    assert len([name for name in expected if name.startswith("activity ")]) == 6
    assert not sorted(name for name, page in expected.items() if page not in reached)


def test_seed_organisation_is_shown_with_its_parts(framework_crawl):
    # A spot check that the crawl read link groups: UNICEF lists its units, and a unit names UNICEF as its whole.
    unicef = Organisation(slug="unicef").get_absolute_url()
    headquarters = Organisation(slug="unicef-headquarters").get_absolute_url()

    assert headquarters in framework_crawl.record_links[unicef]
    assert unicef in framework_crawl.record_links[headquarters]
