"""Search hits show the short name lists show under a title: an instrument's own, an article's instrument's, and
only while the instrument may be seen."""

import pytest

from cop_kb.records.models import Status
from instruments.models import Instrument, Provision

from .support import AUTOCOMPLETE_URL, get_search, record, shown_hits

pytestmark = pytest.mark.django_db

BUDAPEST_TITLE = "Council of Europe Convention on Cybercrime"


@pytest.mark.usefixtures("framework")
@pytest.mark.parametrize("query", ["Budapest", "cybercrime"])
def test_a_hit_for_the_budapest_convention_shows_its_short_name(client, query):
    hits = shown_hits(get_search(client, query))

    budapest = next(hit for hit in hits if hit.title == BUDAPEST_TITLE)
    assert budapest.subtitle == "Budapest Convention"


@pytest.mark.usefixtures("framework")
def test_autocomplete_gives_the_short_name_with_the_title(client):
    results = client.get(AUTOCOMPLETE_URL, {"q": "cybercri"}).json()["results"]

    assert {"title": BUDAPEST_TITLE, "subtitle": "Budapest Convention"} in [
        {"title": result["title"], "subtitle": result["subtitle"]} for result in results
    ]


@pytest.mark.parametrize(("status", "shown"), [(Status.PUBLISHED, "QZC"), (Status.DRAFT, ""), (Status.WITHDRAWN, "")])
def test_an_article_hit_names_its_instrument_only_while_the_instrument_is_public(client, status, shown):
    instrument = record(Instrument, title="Quokka Zone Convention", acronym="QZC", short_title="", status=status)
    record(Provision, instrument=instrument, number="16", title="Article 16 on wombats")

    # The instrument is found too while public (by its article's title), and shows its own short name.
    hits = {hit.title: hit.subtitle for hit in shown_hits(get_search(client, "wombats"))}
    suggested = client.get(AUTOCOMPLETE_URL, {"q": "wombat"}).json()["results"]

    assert hits["Article 16 on wombats"] == shown
    assert {result["title"]: result["subtitle"] for result in suggested}["Article 16 on wombats"] == shown
    if not shown:
        assert "QZC" not in get_search(client, "wombats").content.decode()


def test_a_record_without_a_short_name_shows_none(client):
    record(Instrument, title="Wombat Accord", short_title="", acronym="")

    (hit,) = shown_hits(get_search(client, "wombat"))

    assert hit.subtitle == ""
