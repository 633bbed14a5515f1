"""What a page shows stays bounded at any size: a detail page's groups of links, search facets, the tag index,
coverage and sitemap sections show a bounded number of entries and lead to pages (paginated) with all of them."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.urls import reverse

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.facet_counts import EVERY, FacetCount
from cop_kb.records.facets import TOP_VALUES
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.sitemaps import RecordSitemap
from instruments.models import Instrument
from programmes.models import Activity, Programme, ProgrammeOrganisation
from strategy.models import StrategicArea

from .factories import make, make_typed_link
from .test_list_facets import assert_every_value_is_paginated, facet_links, option_counts
from .test_pages import get_page

pytestmark = pytest.mark.django_db

HOSTILE = ["abc", "x\x00y", "' OR 1=1 --", "x" * 5_000, "-1", "0", "99999999999999999999"]


def show_all(page) -> list:
    return [link for link in page.links if link.text.startswith("Show all")]


def main_record_links(page, model) -> list[str]:
    prefix = model.get_list_url()
    return [link.href for link in page.links if link.inside("main") and re.fullmatch(rf"{prefix}[^/]+/", link.href)]


# ---- detail pages: every group of links ----------------------------------------------------------------------------


@pytest.fixture
def programme_in_many_countries() -> tuple[Programme, list[Country]]:
    """A programme that takes place in 101 countries: more than a group shows, and more than a page lists."""
    programme = make(Programme)
    countries = [make(Country, title=f"Country {number:03d}") for number in range(101)]
    programme.countries.add(*countries)
    return programme, countries


def test_a_group_of_forward_links_shows_the_first_ones_and_links_to_them_all(client, programme_in_many_countries):
    programme, countries = programme_in_many_countries

    _, page = get_page(client, programme.get_absolute_url())

    label = str(Programme._meta.get_field("countries").label)
    every_url = f"{programme.get_absolute_url()}links/countries/"
    first = [country.get_absolute_url() for country in countries[:BACKLINKS_SHOWN]]
    assert page.groups()[label] == [*first, every_url]
    assert [link.text for link in show_all(page)] == ["Show all 101 countries"]


def test_the_page_of_every_linked_record_is_paginated(client, programme_in_many_countries):
    programme, countries = programme_in_many_countries
    links_url = f"{programme.get_absolute_url()}links/countries/"

    _, first = get_page(client, links_url)
    _, second = get_page(client, f"{links_url}?page=2")

    assert main_record_links(first, Country) == [country.get_absolute_url() for country in countries[:100]]
    assert main_record_links(second, Country) == [countries[100].get_absolute_url()]
    assert first.h1 == f"{programme.title}: {Programme._meta.get_field('countries').label}"
    for page in ["3", "abc", "0"]:
        assert client.get(f"{links_url}?page={page}").status_code == 404


def test_a_group_of_typed_links_shows_the_first_ones_of_each_kind_and_links_to_them_all(client):
    organisation = make(Organisation)
    programmes = [make(Programme, title=f"Programme {number:03d}") for number in range(BACKLINKS_SHOWN + 1)]
    for programme in programmes:
        make_typed_link(ProgrammeOrganisation, programme, organisation, "lead")
    make_typed_link(ProgrammeOrganisation, programmes[0], organisation, "supporter")

    _, page = get_page(client, organisation.get_absolute_url())

    first = [programme.get_absolute_url() for programme in programmes[:BACKLINKS_SHOWN]]
    assert page.groups()["Leads"] == [*first, show_all(page)[0].href]
    assert page.groups()["Supports"] == [programmes[0].get_absolute_url()]
    assert [link.text for link in show_all(page)] == [f"Show all {BACKLINKS_SHOWN + 1} programmes"]
    target = urlsplit(show_all(page)[0].href)
    assert parse_qs(target.query) == {"kind": ["lead"]}
    _, every = get_page(client, show_all(page)[0].href)
    assert main_record_links(every, Programme) == [programme.get_absolute_url() for programme in programmes]


def test_a_backlink_a_list_narrows_by_still_leads_to_that_list(client):
    area = make(StrategicArea)
    for _number in range(BACKLINKS_SHOWN + 1):
        make(Programme).strategic_areas.add(area)

    _, page = get_page(client, area.get_absolute_url())

    links = [link for link in show_all(page) if "programmes" in link.text]
    assert [link.href for link in links] == [f"{Programme.get_list_url()}?strategic_area={area.slug}"]


def test_show_all_counts_the_public_records_of_a_relation_kept_or_counted(client):
    """A detail page reads a relation's first records and how many there are apart: the total comes from the kept
    facet counts where a list facet keeps them (a strategic area's programmes), else it is counted (a programme's
    countries). Either way a record that is not public is neither shown nor counted."""
    area, programme = make(StrategicArea), make(Programme)
    countries = []
    for number in range(BACKLINKS_SHOWN + 3):
        status = "draft" if number < 2 else "published"
        make(Programme, status=status).strategic_areas.add(area)
        countries.append(make(Country, title=f"Country {number:03d}", status=status))
    programme.countries.add(*countries)

    _, area_page = get_page(client, area.get_absolute_url())
    _, programme_page = get_page(client, programme.get_absolute_url())

    assert [link.text for link in show_all(area_page)] == [f"Show all {BACKLINKS_SHOWN + 1} programmes"]
    assert [link.text for link in show_all(programme_page)] == [f"Show all {BACKLINKS_SHOWN + 1} countries"]
    label = str(Programme._meta.get_field("countries").label)
    first = [country.get_absolute_url() for country in countries[2 : BACKLINKS_SHOWN + 2]]
    assert programme_page.groups()[label] == [*first, f"{programme.get_absolute_url()}links/countries/"]


@pytest.mark.parametrize(
    "suffix",
    ["links/no-such-relation/", "links/countries/?kind=lead", "links/programmeorganisation_set/"],
)
def test_a_relation_page_that_names_nothing_is_not_found(client, suffix):
    programme = make(Programme)
    organisation = make(Organisation)

    assert client.get(f"{programme.get_absolute_url()}{suffix}").status_code == 404
    kinds = ["", "?kind=nonsense", "?kind=x%00y"]
    for kind in kinds:
        assert client.get(f"{organisation.get_absolute_url()}links/programmeorganisation_set/{kind}").status_code == 404


def test_a_relation_page_of_a_hidden_record_is_not_found(client):
    programme = make(Programme, status="draft")
    programme.countries.add(make(Country))

    assert client.get(f"{programme.get_absolute_url()}links/countries/").status_code == 404


def test_a_relation_page_lists_only_public_records(client):
    programme = make(Programme)
    shown, hidden = make(Country), make(Country, status="draft")
    programme.countries.add(shown, hidden)

    _, page = get_page(client, f"{programme.get_absolute_url()}links/countries/")

    assert main_record_links(page, Country) == [shown.get_absolute_url()]


# ---- search facets ---------------------------------------------------------------------------------------------------


@pytest.fixture
def tagged_wombats() -> list[str]:
    """``TOP_VALUES + 2`` tags on records mentioning "wombat": tag ``k`` is on ``k + 1`` of them."""
    total = TOP_VALUES + 2
    tags = [f"topic {99 - k:02d}" for k in range(total)]
    for number in range(total):
        make(Programme, title=f"Wombat {number}", tags=tags[number:])
    return tags


def test_search_shows_the_most_used_tags_and_a_link_to_all_of_them(client, tagged_wombats):
    _, page = get_page(client, f"{reverse('search:search')}?q=wombat")

    shown = option_counts(facet_links(page, "tag"))
    assert shown == {tag: k + 1 for k, tag in enumerate(tagged_wombats) if k >= 2}
    links = show_all(page)
    assert [link.text for link in links if "tag" in link.text] == [f"Show all {TOP_VALUES + 2} tag values"]
    target = urlsplit(next(link.href for link in links if "tag" in link.text))
    assert target.path == reverse("search:facet", args=["tag"])
    assert parse_qs(target.query) == {"q": ["wombat"]}


def test_search_shows_the_chosen_tag_even_when_it_is_not_among_the_most_used(client, tagged_wombats):
    least_used = tagged_wombats[0]

    _, page = get_page(client, f"{reverse('search:search')}?q=wombat&tag={least_used.replace(' ', '-')}")

    selected = [link.text for link in facet_links(page, "tag") if "(selected; follow to remove)" in link.text]
    assert selected == [f"{least_used} 1 (selected; follow to remove)"]


def test_the_page_of_every_search_facet_value_counts_over_the_search(client, tagged_wombats):
    _, page = get_page(client, f"{reverse('search:facet', args=['tag'])}?q=wombat")

    assert option_counts(page.links) == {tag: k + 1 for k, tag in enumerate(tagged_wombats)}
    chosen = next(link for link in page.links if link.text.startswith(tagged_wombats[0]))
    assert urlsplit(chosen.href).path == reverse("search:search")
    assert parse_qs(urlsplit(chosen.href).query) == {"q": ["wombat"], "tag": [tagged_wombats[0].replace(" ", "-")]}


def test_the_page_of_every_search_facet_value_is_paginated(client):
    assert_every_value_is_paginated(client, f"{reverse('search:facet', args=['tag'])}?q=numbat", title="Numbat")


def test_an_unknown_search_facet_is_not_found(client):
    assert client.get(f"{reverse('search:search')}facets/title/?q=x").status_code == 404


@pytest.mark.parametrize("value", HOSTILE)
def test_the_page_of_every_search_facet_value_survives_hostile_input(client, value):
    make(Programme, title="Quoll", tags=["online safety"])

    response = client.get(reverse("search:facet", args=["tag"]), {"q": value, "country": value, "year": value})

    assert response.status_code == 200


# ---- the tag index, coverage and the sitemap ------------------------------------------------------------------------


def test_the_tag_index_is_paginated(client, monkeypatch):
    monkeypatch.setattr("cop_kb.views.TAGS_PER_PAGE", 2)
    make(Programme, tags=["alpha", "beta"])
    make(Instrument, tags=["beta", "gamma"])

    _, first = get_page(client, reverse("tag-list"))
    _, second = get_page(client, f"{reverse('tag-list')}?page=2")

    tags = reverse("tag-list")
    assert option_counts([link for link in first.links if link.href.startswith(tags) and link.href != tags]) == {
        "alpha": 1,
        "beta": 2,
    }
    assert option_counts([link for link in second.links if link.href.startswith(f"{tags}gamma")]) == {"gamma": 1}
    for page in ["3", "abc"]:
        assert client.get(f"{tags}?page={page}").status_code == 404


def test_the_tag_pages_count_from_the_counts_the_lists_keep(client):
    """The tag index and a tag's page say how many public records carry a tag as the lists' tag facets keep it."""
    make(Programme, tags=["alpha"])
    make(Programme, tags=["alpha"], status="draft")
    make(Instrument, tags=["alpha"])
    tags = reverse("tag-list")
    alpha = reverse("tag-detail", args=["alpha"])
    _, index = get_page(client, tags)
    assert option_counts([link for link in index.links if link.href == alpha]) == {"alpha": 2}

    FacetCount.objects.filter(record_type="programmes.programme", facet="tag").update(records=7)
    caches["pages"].clear()  # the counts were changed behind the content version's back
    _, index = get_page(client, tags)
    _, page = get_page(client, alpha)

    assert option_counts([link for link in index.links if link.href == alpha]) == {"alpha": 8}
    every = f"{Programme.get_list_url()}?tag=alpha"
    assert [link.text for link in page.links if link.href == every] == ["All 7 programmes tagged “alpha”"]


def test_coverage_counts_each_area_and_lists_records_linked_to_none(client, monkeypatch):
    monkeypatch.setattr("programmes.selectors.UNLINKED_SHOWN", 2)
    area = make(StrategicArea, title="Area A")
    linked = [make(Programme) for _number in range(3)]
    for programme in linked:
        programme.strategic_areas.add(area)
    unlinked = [make(Programme, title=f"Unlinked {number}") for number in range(3)]
    make(Programme, title="Hidden", status="draft")

    _, page = get_page(client, reverse("programmes:coverage"))

    count_link = next(
        link for link in page.links if link.href == f"{Programme.get_list_url()}?strategic_area={area.slug}"
    )
    assert count_link.text == "3"
    shown = main_record_links(page, Programme)
    assert shown == [programme.get_absolute_url() for programme in unlinked[:2]]
    every_url = reverse("programmes:coverage-unlinked", args=["programmes"])
    assert [link.href for link in show_all(page)] == [every_url]
    _, every = get_page(client, every_url)
    assert main_record_links(every, Programme) == [programme.get_absolute_url() for programme in unlinked]


def test_coverage_counts_come_from_the_counts_the_lists_keep(client):
    """The same numbers as the programme list's area facet, read from the kept counts, not counted again."""
    area = make(StrategicArea)
    make(Programme).strategic_areas.add(area)
    FacetCount.objects.filter(record_type="programmes.programme", facet="strategic_area").update(records=7)

    _, page = get_page(client, reverse("programmes:coverage"))

    url = f"{Programme.get_list_url()}?strategic_area={area.slug}"
    assert [link.text for link in page.links if link.href == url] == ["7"]


@pytest.mark.parametrize("kind", ["countries", "no-such-type"])
def test_coverage_of_a_type_it_does_not_cover_is_not_found(client, kind):
    assert client.get(reverse("programmes:coverage-unlinked", args=[kind])).status_code == 404


@pytest.mark.parametrize("page", ["2", "abc", "0"])
def test_a_page_of_unlinked_records_past_the_end_is_not_found(client, page):
    make(Activity)

    url = reverse("programmes:coverage-unlinked", args=["activities"])
    assert client.get(f"{url}?page={page}").status_code == 404


def test_a_sitemap_section_is_split_into_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(RecordSitemap, "limit", 2)
    countries = [make(Country) for _number in range(5)]

    index = client.get(reverse("sitemap-index")).content.decode()
    section = reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": "directory.country"})

    assert re.findall(rf"<loc>http://testserver{re.escape(section)}(\?p=\d)?</loc>", index) == ["", "?p=2", "?p=3"]
    third = client.get(f"{section}?p=3").content.decode()
    assert re.findall(r"<loc>http://testserver([^<]*)</loc>", third) == [countries[4].get_absolute_url()]
    for page in ["4", "abc"]:
        assert client.get(f"{section}?p={page}").status_code == 404


def test_the_sitemap_index_counts_each_section_as_the_database_keeps_it(client, monkeypatch):
    monkeypatch.setattr(RecordSitemap, "limit", 2)
    make(Country)
    FacetCount.objects.filter(record_type="directory.country", facet=EVERY).update(records=5)

    index = client.get(reverse("sitemap-index")).content.decode()

    section = reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": "directory.country"})
    assert re.findall(rf"<loc>http://testserver{re.escape(section)}(\?p=\d)?</loc>", index) == ["", "?p=2", "?p=3"]
