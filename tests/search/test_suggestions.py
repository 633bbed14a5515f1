""" "Did you mean": when nothing matches, the titles that look most like what was typed, found among a bounded set of
candidates (titles with words starting like the typed ones) however large the index is."""

import pytest

from cop_kb.search.backends import postgres, sqlite
from instruments.models import Instrument
from programmes.models import Programme

from .support import get_search, record, search_for

pytestmark = pytest.mark.django_db


def suggested(text: str) -> list[str]:
    page = search_for(text)
    assert page.total == 0
    return [document.title for document in page.suggestions]


def test_a_misspelt_word_is_offered_the_closest_title(client):
    record(Programme, title="Narwhal charter")
    record(Programme, title="Walrus plan")

    response = get_search(client, "narwhl")

    assert "Did you mean:" in response.content.decode()
    assert suggested("narwhl") == ["Narwhal charter"]


def test_several_misspelt_words_are_offered_the_title_with_all_of_them():
    record(Programme, title="Narwhal charter")
    record(Programme, title="Narwhal survey")

    assert suggested("narwhl chrter")[0] == "Narwhal charter"


def test_the_longest_shared_word_start_picks_the_candidates(monkeypatch):
    # Far more titles share "cyb" than there are candidates; only the one sharing "cyberc" is the right one.
    for module in (postgres, sqlite):
        monkeypatch.setattr(module, "SUGGESTION_CANDIDATES", 5)
    for number in range(12):
        record(Programme, title=f"Cyberbullying plan {number}")
    record(Instrument, title="Convention on Cybercrime")

    assert suggested("cybercrme")[0] == "Convention on Cybercrime"


def test_nothing_alike_offers_nothing():
    record(Programme, title="Narwhal charter")

    assert suggested("zyxwvut") == []
