"""List facets at scale: a list shows each facet's most used values (and the chosen one, always) and links to a
page with every value of a facet, which keeps the list's filters, counts over them and is paginated."""

from urllib.parse import parse_qs, urlsplit

import pytest

from cop_kb.directory.models import Country
from cop_kb.records.facets import TOP_VALUES
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from instruments.models import Instrument
from programmes.models import Activity, Programme
from strategy.models import Sector

from .factories import make
from .test_pages import get_page

pytestmark = pytest.mark.django_db

EXTRA = 2  # values beyond the top ones


@pytest.fixture
def countries() -> list[Country]:
    """``TOP_VALUES + EXTRA`` countries; country ``k`` is linked to programmes ``0..k`` (so to ``k + 1`` of them).

    Programme ``i`` is from 2011 when ``i`` is even, 2012 when odd. Titles run backwards ("Country 99" is country
    0), so the least used countries sort last by name too and only their counts can bring them onto a list.
    """
    total = TOP_VALUES + EXTRA
    programmes = [make(Programme, year=2011 + i % 2) for i in range(total)]
    found = []
    for k in range(total):
        country = make(Country, title=f"Country {99 - k:02d}")
        for programme in programmes[: k + 1]:
            programme.countries.add(country)
        found.append(country)
    return found


def facet_links(page, param: str) -> list:
    return [link for link in page.links if link.inside("section", **{"aria-labelledby": f"facet-{param}"})]


def option_counts(links) -> dict[str, int]:
    """Facet option links as {label: count}; the count is the last word of each link's text."""
    counts = {}
    for link in links:
        words = link.text.replace("(selected; follow to remove)", "").split()
        if words and words[-1].isdigit():
            counts[" ".join(words[:-1])] = int(words[-1])
    return counts


def test_list_shows_the_most_used_values_and_a_link_to_all_of_them(client, countries):
    response, page = get_page(client, "/programmes/?kind=research")

    shown = option_counts(facet_links(page, "country"))
    assert shown == {country.title: k + 1 for k, country in enumerate(countries) if k >= EXTRA}
    show_all = [link for link in facet_links(page, "country") if link.text.startswith("Show all")]
    assert [link.text for link in show_all] == [f"Show all {TOP_VALUES + EXTRA} country values"]
    target = urlsplit(show_all[0].href)
    assert target.path == Programme.get_facet_url("country")
    assert parse_qs(target.query) == {"kind": ["research"]}


def test_a_facet_with_few_values_has_no_show_all_link(client, countries):
    _, page = get_page(client, "/programmes/")

    assert not [link for link in facet_links(page, "year") if link.text.startswith("Show all")]
    half = (TOP_VALUES + EXTRA) // 2
    assert option_counts(facet_links(page, "year")) == {"2012": half, "2011": half}


def test_the_chosen_value_is_shown_even_when_it_is_not_among_the_most_used(client, countries):
    # Programme 0 is linked to every country, so within its list each country counts 1 and "Country 99" sorts last.
    least_used = countries[0]

    _, page = get_page(client, f"/programmes/?country={least_used.slug}")

    links = facet_links(page, "country")
    selected = [link.text for link in links if "(selected; follow to remove)" in link.text]
    assert selected == [f"{least_used.title} 1 (selected; follow to remove)"]
    assert len(option_counts(links)) == TOP_VALUES


def test_the_page_of_every_value_counts_over_the_other_filters(client, countries):
    _, page = get_page(client, f"{Programme.get_facet_url('country')}?year=2012")

    # Country k is linked to programmes 0..k, of which (k + 1) // 2 are from 2012; country 0 has none.
    expected = {country.title: (k + 1) // 2 for k, country in enumerate(countries) if (k + 1) // 2}
    assert option_counts(page.links) == expected
    first = next(link for link in page.links if link.text.startswith(countries[-1].title))
    assert urlsplit(first.href).path == Programme.get_list_url()
    assert parse_qs(urlsplit(first.href).query) == {"year": ["2012"], "country": [countries[-1].slug]}
    back = next(link for link in page.links if link.text.startswith("Back to the"))
    assert back.href == f"{Programme.get_list_url()}?year=2012"


def assert_every_value_is_paginated(client, facet_url: str, **programme) -> None:
    """With one programme (``programme``: its fields) tagged 101 ways, the page of every value at ``facet_url``
    shows 100 of them, the second page the last one, and a page beyond or not a number is not found."""
    make(Programme, tags=[f"topic {number:03d}" for number in range(101)], **programme)
    page = f"{facet_url}{'&' if '?' in facet_url else '?'}page="

    _, first = get_page(client, facet_url)
    _, second = get_page(client, f"{page}2")

    assert len(option_counts(first.links)) == 100
    assert option_counts(second.links) == {"topic 100": 1}
    assert client.get(f"{page}3").status_code == 404
    assert client.get(f"{page}abc").status_code == 404


def test_the_page_of_every_value_is_paginated(client):
    assert_every_value_is_paginated(client, Programme.get_facet_url("tag"))


def test_an_unknown_facet_is_not_found(client):
    make(Programme)

    assert client.get(Programme.get_facet_url("no-such-facet")).status_code == 404
    assert client.get("/programmes/facets/title/").status_code == 404


@pytest.mark.parametrize("value", ["abc", "x\x00y", "' OR 1=1 --", "x" * 5_000])
def test_the_page_of_every_value_survives_hostile_filters(client, value):
    make(Programme, tags=["online safety"])

    response = client.get(Programme.get_facet_url("tag"), {"country": value, "year_from": value, "tag": value})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("param", "linked_type", "links"), [("instrument", Instrument, "instruments"), ("sector", Sector, "sectors")]
)
def test_activities_are_narrowed_by_what_they_concern_as_programmes_are(client, param, linked_type, links):
    assert param in {facet.param for facet in Programme.list_facets}
    narrowing, other = make(linked_type, title="Narrowing one"), make(linked_type, title="Other one")
    concerning = [make(Activity, title=f"Concerning activity {number}") for number in range(BACKLINKS_SHOWN + 1)]
    unrelated = make(Activity, title="Unrelated activity")
    for activity in concerning:
        getattr(activity, links).add(narrowing)
    getattr(unrelated, links).add(other)

    _response, page = get_page(client, Activity.get_list_url())
    assert option_counts(facet_links(page, param)) == {narrowing.title: BACKLINKS_SHOWN + 1, other.title: 1}

    # Its page shows its first activities and leads to the list narrowed to it, not a page of its own.
    narrowed = f"{Activity.get_list_url()}?{param}={narrowing.slug}"
    _response, narrowing_page = get_page(client, narrowing.get_absolute_url())
    assert any(link.href == narrowed for link in narrowing_page.links)
    response, _page = get_page(client, narrowed)
    listed = response.content.decode()
    assert f"{BACKLINKS_SHOWN + 1} records" in listed and unrelated.title not in listed
