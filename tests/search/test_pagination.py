"""Results come 20 to a page; page links keep the search and its filters, and a page that is not there is a 404."""

import pytest

from cop_kb.search.selectors import PER_PAGE
from programmes.models import Programme

from ..factories import make
from .support import SEARCH_URL, get_search, shown_hits

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def forty_five(module_db):
    return [make(Programme, title=f"Wombat study {number:02d}") for number in range(45)]


def test_forty_five_results_make_three_pages_the_last_with_five(client, forty_five):
    pages = [get_search(client, "wombat", page=str(number)) for number in (1, 2, 3)]

    assert [len(shown_hits(response)) for response in pages] == [PER_PAGE, PER_PAGE, 5]
    titles = [hit.title for response in pages for hit in shown_hits(response)]
    assert sorted(titles) == sorted(made.title for made in forty_five)
    assert "Page 3 of 3" in pages[2].content.decode()
    assert 'start="41"' in pages[2].content.decode()


@pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "", "1.5", "99999999999999999999", "²", "\x00"])
def test_page_that_does_not_exist_is_not_found(client, forty_five, page):
    assert get_search(client, "wombat", page=page).status_code == 404


def test_next_link_leads_to_the_next_page_keeping_the_search_and_its_filters(client, forty_five):
    first = get_search(client, "wombat", type="programmes.programme")

    next_url = first.context["results"].next_url
    second = client.get(SEARCH_URL + next_url)

    assert "q=wombat" in next_url and "type=programmes.programme" in next_url and "page=2" in next_url
    assert second.context["results"].page == 2
    assert not {hit.title for hit in shown_hits(first)} & {hit.title for hit in shown_hits(second)}


def test_the_url_reproduces_the_same_results(client, forty_five):
    url = SEARCH_URL + "?q=wombat+study&type=programmes.programme&page=2"

    first, again = client.get(url), client.get(url)

    assert len(shown_hits(first)) == PER_PAGE
    assert [hit.url for hit in shown_hits(first)] == [hit.url for hit in shown_hits(again)]
