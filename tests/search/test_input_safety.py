"""Whatever is typed, the search page and autocomplete answer with results or a clear message, never an error."""

import pytest

from programmes.models import Programme

from ..factories import make
from .support import AUTOCOMPLETE_URL, get_search, search_for

pytestmark = pytest.mark.django_db


NASTY = [
    "",
    " ",
    "\t\n",
    "wombat " * 1500,
    "OR",
    "OR OR wombat OR",
    "-",
    '"',
    '""',
    '-"x"',
    "-wombat",
    '"unbalanced wombat',
    'wombat "half',
    "\x00",
    "wombat\x00study",
    "\x1b[31mwombat",
    "'; DROP TABLE x; --",
    "wombat'; DROP TABLE search_searchdocument; --",
    "%",
    "_",
    "\\",
    "wombat%",
    "NEAR(a b)",
    "NEAR(wombat study, 2)",
    "title:foo",
    "title:wombat",
    "{title body}: wombat",
    "*",
    "wombat*",
    "^a",
    "a & | !b",
    "wombat & !study",
    "a:*",
    "wombat:*A",
    "(wombat",
    "AND NOT wombat",
    "😀",
    "wombat 🐨",
    "حقوق الطفل",
    "\u202ewombat\u202c",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "the of and",
]


@pytest.fixture(scope="module")
def wombats(module_db):
    return [make(Programme, title=f"Wombat study {number}") for number in range(3)]


@pytest.mark.parametrize("query", NASTY)
def test_any_query_gives_a_page_with_a_message_or_results(client, wombats, query):
    response = get_search(client, query)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="count"' in page or 'class="notice"' in page or "Type a word" in page


@pytest.mark.parametrize("query", NASTY)
def test_any_text_as_a_facet_value_gives_a_page_not_an_error(client, wombats, query):
    response = get_search(client, "wombat", type=query, tag=query, country=query, year=query)

    assert response.status_code == 200


@pytest.mark.parametrize("query", NASTY)
def test_any_autocomplete_input_gives_json(client, wombats, query):
    response = client.get(AUTOCOMPLETE_URL, {"q": query})

    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("query", ["wombat*", "^wombat", "(wombat AND", "wombat!", "'wombat'", "%wombat%"])
def test_symbols_around_a_word_are_ignored(wombats, query):
    assert search_for(query).total == 3


def test_only_common_words_say_so():
    page = search_for("the of and")

    assert page.total == 0
    assert page.notices == ["Those words are too common to search for; add a more specific word."]


def test_only_excluded_words_say_a_word_to_look_for_is_needed():
    page = search_for("-wombat")

    assert page.notices == ["Add at least one word to look for; excluded words alone match nothing."]


def test_long_query_is_shortened_with_a_notice(client, wombats):
    response = get_search(client, "wombat " * 1500)

    assert response.context["results"].total == 3
    assert "Your search was shortened" in response.content.decode()


def test_query_with_too_many_words_is_shortened_with_a_notice():
    page = search_for(" ".join(f"word{number}" for number in range(20)))

    assert any("shortened" in notice for notice in page.notices)


def test_short_query_has_no_notice(wombats):
    assert search_for("wombat").notices == []
