"""Printable briefs: everything public linked to a country, an instrument or a strategic area, on one page."""

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from cop_kb.records.briefs import brief_url
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.records.links import _link_fields
from cop_kb.records.models import Status
from cop_kb.records.registry import record_types
from instruments.models import Provision, Topic
from strategy.models import StrategicArea

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


def test_an_instruments_brief_does_not_look_up_the_instrument_of_its_own_articles(client):
    make_instrument(slug="bare")
    with_articles = make_instrument(slug="with-articles")
    for number in ("1", "2"):
        make(Provision, instrument=with_articles, number=number, title=f"Article {number}")

    def queries(slug: str) -> int:
        client.get(f"/instruments/{slug}/brief/")  # warm per-process caches (content types)
        for alias in settings.CACHES:
            caches[alias].clear()  # a fresh page, not the page cache's copy
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/instruments/{slug}/brief/").status_code == 200
        return len(captured)

    assert queries("with-articles") == queries("bare")


def brief_group(html: str, heading: str) -> str:
    """The section of a brief whose heading starts with ``heading``."""
    start = html.index(f">{heading}")
    return html[start : html.index("</section>", start)]


def test_a_strategic_areas_brief_lists_the_provisions_of_its_topics_under_their_instruments(client):
    area = make(StrategicArea, slug="recovery-area", title="Promoting recovery")
    recovery, justice = make(Topic, title="Recovery"), make(Topic, title="Justice")
    hidden_topic = make(Topic, title="Hidden topic", status=Status.DRAFT)
    area.topics.add(recovery, justice, hidden_topic)
    crc, opsc = make_instrument(title="Sylvanian Convention"), make_instrument(title="Optional Protocol")
    withdrawn = make_instrument(title="Withdrawn Convention", status=Status.WITHDRAWN)

    def article(instrument, number: str, *topics, status=Status.PUBLISHED) -> None:
        provision = make(
            Provision,
            instrument=instrument,
            number=number,
            position=int(number),
            title=f"Article {number}",
            status=status,
        )
        provision.topics.add(*topics)

    article(crc, "39", recovery, justice)  # on two of its topics: listed once
    article(crc, "19", recovery)
    article(opsc, "9", justice)
    article(withdrawn, "5", recovery)  # its instrument is hidden: listed under "Others"
    article(crc, "40", recovery, status=Status.DRAFT)
    article(crc, "41", hidden_topic)  # reached only through a hidden topic
    article(crc, "42")  # on none of its topics

    html = client.get("/strategic-areas/recovery-area/brief/").content.decode()
    group = brief_group(html, "Editorial classification: provisions on its topics")
    names = re.findall(r">([^<>]+)</a>", group[group.index('<ul class="by-whole">') :])

    assert "(4)</span>" in group
    assert "the instruments do not say so" in group
    # Instruments by title, each with its provisions by number; the one whose instrument is hidden last.
    assert names == [
        *("Optional Protocol", "Article 9"),
        *("Sylvanian Convention", "Article 19", "Article 39"),
        "Article 5",
    ]
    for hidden in ("Withdrawn Convention", "Hidden topic", "Article 40", "Article 41", "Article 42"):
        assert hidden not in html


def test_a_strategic_areas_provisions_on_its_topics_are_bounded_and_lead_to_its_topics(client):
    area = make(StrategicArea, slug="crowded-area")
    topic = make(Topic)
    area.topics.add(topic)
    instrument = make_instrument()
    for number in range(1, BACKLINKS_SHOWN + 4):
        make(Provision, instrument=instrument, number=str(number)).topics.add(topic)

    html = client.get("/strategic-areas/crowded-area/brief/").content.decode()
    group = brief_group(html, "Editorial classification: provisions on its topics")

    assert f"({BACKLINKS_SHOWN} of {BACKLINKS_SHOWN + 3})" in group
    topics_page = "http://testserver/strategic-areas/crowded-area/links/topics/"
    assert f'<a href="{topics_page}">All {BACKLINKS_SHOWN + 3} online, through its topics</a>' in group
    assert client.get(topics_page).status_code == 200


@pytest.mark.parametrize(
    "entry", [entry for entry in record_types() if entry.brief_through], ids=lambda entry: entry.label
)
def test_what_a_brief_gathers_through_links_follows_declared_links(entry):
    for through in entry.brief_through:
        model = entry.model
        for step, name in enumerate(through.path.split("__")):
            links = {link.name: (role, link) for role, link in _link_fields(model)}
            assert name in links, f"{through.path}: {name} is not a link of {model.__name__}"
            role, link = links[name]
            assert step or role != "single", "the first step needs a page of every record it leads to"
            model = link.related_model


def test_an_instrument_linked_beside_articles_heads_its_own_articles_and_takes_no_others(client):
    area = make(StrategicArea, slug="drawing-area")
    zeta = make_instrument(title="Zeta Treaty")
    # The instrument the area draws on has the same key as an article it does not: neither may be taken for the other.
    taken = max(Provision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0, zeta.pk) + 1000
    make(Provision, id=taken, instrument=zeta, number="77", title="Article 77")
    sylvania = make_instrument(id=taken, title="Sylvanian Convention")
    protocol = make_instrument(title="Optional Protocol")
    area.instruments.add(sylvania)
    area.provisions.add(
        make(Provision, instrument=sylvania, number="3", title="Article 3"),
        make(Provision, instrument=protocol, number="9", title="Article 9"),
    )

    html = client.get("/strategic-areas/drawing-area/brief/").content.decode()
    group = brief_group(html, "Draws on")
    names = re.findall(r">([^<>]+)</a>", group)

    assert names == ["Optional Protocol", "Article 9", "Sylvanian Convention", "Article 3"]
    assert "Zeta Treaty" not in html and "Others" not in group
