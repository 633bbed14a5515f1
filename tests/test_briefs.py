"""Printable briefs: everything public linked to a country, an instrument or a strategic area, on one page."""

import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from cop_kb.records.briefs import brief_url
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.records.models import Status
from cop_kb.records.registry import record_types
from instruments.models import Provision, Topic

from .factories import make, make_country, make_instrument, make_programme

pytestmark = pytest.mark.django_db


def test_country_brief_lists_public_links_by_group_with_counts_date_and_citation(client):
    country = make_country(title="Freedonia", slug="freedonia")
    instrument = make_instrument(title="Treaty of Sylvania")
    for title in ("Zeta programme", "Alpha programme"):
        make_programme(title=title).countries.add(country)
    draft = make_programme(title="Secret programme", status=Status.DRAFT)
    draft.countries.add(country)
    make_programme(title="Treaty work").instruments.add(instrument)

    response = client.get("/countries/freedonia/brief/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha programme" in html and "Zeta programme" in html
    assert "Secret programme" not in html
    assert "(2)</span>" in html  # the group's count: the draft is not counted
    assert html.index("Alpha programme") < html.index("Zeta programme")
    assert "Prepared on" in html
    assert f"“Freedonia”. Country, {settings.SITE_NAME}" in html
    # Link targets are absolute, so the addresses printed after them work on paper.
    assert 'href="http://testserver/programmes/' in html


def test_brief_group_is_bounded_and_says_how_many_there_are(client):
    country = make_country(slug="crowded")
    for number in range(BACKLINKS_SHOWN + 3):
        make_programme(title=f"Programme {number:03}").countries.add(country)

    html = client.get("/countries/crowded/brief/").content.decode()

    assert html.count('<li><a href="http://testserver/programmes/') == BACKLINKS_SHOWN
    assert f"{BACKLINKS_SHOWN} of {BACKLINKS_SHOWN + 3}" in html
    assert f"All {BACKLINKS_SHOWN + 3} online" in html


def test_brief_of_an_unknown_or_unpublished_record_is_not_found(client):
    make_country(slug="hidden", status=Status.DRAFT)

    assert client.get("/countries/no-such-country/brief/").status_code == 404
    assert client.get("/countries/hidden/brief/").status_code == 404


@pytest.mark.parametrize("entry", record_types(), ids=lambda entry: entry.label)
def test_only_types_declaring_a_brief_have_one_and_their_pages_link_to_it(client, entry):
    record = make(entry.model)
    detail = client.get(record.get_absolute_url()).content.decode()
    brief = record.get_absolute_url() + "brief/"

    if entry.brief:
        assert brief_url(record) == brief
        assert f'<a href="{brief}">Brief</a>' in detail
        assert client.get(brief).status_code == 200
    else:
        assert brief_url(record) == ""
        assert "/brief/" not in detail
        assert client.get(brief).status_code == 404
        with pytest.raises(NoReverseMatch):
            reverse(entry.model.url_name.removesuffix("detail") + "brief", kwargs={"slug": record.slug})


def test_country_instrument_strategic_area_and_topic_have_briefs():
    assert {entry.label for entry in record_types() if entry.brief} >= {
        "directory.country",
        "instruments.instrument",
        "strategy.strategicarea",
        "instruments.topic",
    }


def test_a_topics_brief_lists_its_articles_under_their_instruments(client):
    topic = make(Topic, slug="grooming", title="Grooming")
    lanzarote = make_instrument(title="Lanzarote Convention")
    budapest = make_instrument(title="Budapest Convention")
    hidden = make_instrument(title="Withdrawn Convention", status=Status.WITHDRAWN)
    for instrument, number in ((lanzarote, "23"), (budapest, "9"), (lanzarote, "18"), (hidden, "5")):
        make(
            Provision, instrument=instrument, number=number, position=int(number), title=f"Article {number}"
        ).topics.add(topic)

    html = client.get("/topics/grooming/brief/").content.decode()
    nested = html[html.index('<ul class="by-whole">') :]
    names = re.findall(r">([^<>]+)</a>", nested[: nested.index("</section>")])

    # Instruments by title, each with its articles on the topic; the article whose instrument was withdrawn last.
    assert names == [
        *("Budapest Convention", "Article 9"),
        *("Lanzarote Convention", "Article 18", "Article 23"),
        "Article 5",
    ]
    assert "Withdrawn Convention" not in html


def test_an_instruments_brief_lists_its_own_articles_without_repeating_it(client):
    instrument = make_instrument(title="Treaty of Sylvania", slug="sylvania")
    make(Provision, instrument=instrument, number="1", title="Article 1")

    html = client.get("/instruments/sylvania/brief/").content.decode()

    assert "Article 1" in html
    assert 'class="by-whole"' not in html
