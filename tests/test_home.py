"""The home page as a way in: what serves each strategic area, where the work reaches, and what changed last."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cop_kb.directory.models import Country
from cop_kb.records.models import Status
from instruments.models import Instrument, Provision
from programmes import selectors
from programmes.selectors import classified_articles
from strategy.models import StrategicArea

from .test_pages import get_page, section_links, url

pytestmark = pytest.mark.django_db


def served_line(client, area: StrategicArea) -> str:
    """The text of the line under ``area``'s card that says what serves it, tags stripped."""
    html = client.get("/").content.decode()
    card = html[html.index(f'href="{url(area)}"') :]
    line = card[card.index('<p class="served">') : card.index("</p>", card.index('<p class="served">'))]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip()


def test_each_area_says_how_many_articles_of_how_many_instruments_serve_it(client, framework):
    classified = classified_articles()
    recovery = StrategicArea.objects.get(slug="promoting-recovery")
    instruments = classified[recovery.pk]
    articles = sum(len(item.provisions) for item in instruments)
    assert articles > 1 and len(instruments) > 1

    assert served_line(client, recovery) == (
        f"{articles} articles of {len(instruments)} instruments serve it (editorial classification)"
    )


def test_the_served_line_leads_to_the_areas_articles_on_the_coverage_page(client, framework):
    _, home = get_page(client, "/")
    coverage = client.get(reverse("programmes:coverage")).content.decode()

    targets = [link.href for link in section_links(home, "areas-heading") if link.inside("p", **{"class": "served"})]

    assert targets == [
        f"{reverse('programmes:coverage')}#classified-{area.slug}" for area in StrategicArea.objects.public()
    ]
    for target in targets:
        assert f'id="{target.partition("#")[2]}"' in coverage


def test_an_area_nothing_is_classified_under_says_so(client, framework):
    area = StrategicArea.objects.get(slug="promoting-recovery")
    area.topics.clear()
    area.classified_provisions.clear()

    assert served_line(client, area) == "No article is classified under it yet (editorial classification)."


def test_an_article_that_leaves_the_site_no_longer_counts(client, framework):
    area = StrategicArea.objects.get(slug="promoting-recovery")
    before = int(served_line(client, area).split()[0])
    article = Provision.objects.public().filter(topics__classified_areas=area).first()
    Provision.objects.filter(pk=article.pk).update(status=Status.WITHDRAWN)

    assert int(served_line(client, area).split()[0]) == before - 1


def served_numbers(client, area: StrategicArea) -> tuple[int, int]:
    """The articles and instruments ``area``'s card says serve it (0, 0 when none)."""
    found = re.match(r"(\d+) articles? of (\d+) instruments?", served_line(client, area))
    return (int(found[1]), int(found[2])) if found else (0, 0)


def real_numbers(area: StrategicArea) -> tuple[int, int]:
    """The public articles of public instruments on the area's public topics or classified under it on their own,
    each once, and their instruments: counted here record by record, apart from the page's own count."""
    articles = {article for topic in area.topics.public() for article in topic.provisions.public()}
    articles |= set(area.classified_provisions.public())
    articles = {article for article in articles if article.instrument.is_public}
    return len(articles), len({article.instrument_id for article in articles})


def test_the_numbers_shown_are_the_real_counts_with_hidden_instruments_and_articles(client, framework, monkeypatch):
    # The page counts in the database: reading fewer rows (the coverage page's bound) changes nothing it says.
    monkeypatch.setattr(selectors, "CLASSIFIED_READ", 3)
    area = StrategicArea.objects.get(slug="promoting-recovery")
    serving = Provision.objects.public().filter(topics__classified_areas=area).order_by("instrument__title", "pk")
    hidden_instrument = serving.first().instrument
    Instrument.objects.filter(pk=hidden_instrument.pk).update(status=Status.WITHDRAWN)
    hidden_article = serving.exclude(instrument=hidden_instrument).first()
    Provision.objects.filter(pk=hidden_article.pk).update(status=Status.DRAFT)

    shown = {area.slug: served_numbers(client, area) for area in StrategicArea.objects.public()}

    assert shown == {area.slug: real_numbers(area) for area in StrategicArea.objects.public()}
    assert sum(articles for articles, _instruments in shown.values()) > selectors.CLASSIFIED_READ


def test_the_map_link_names_how_many_countries_there_are(client, framework):
    countries = Country.objects.public().count()
    _, home = get_page(client, "/")

    [link] = [link for link in home.links if link.href == reverse("map:world")]

    assert f"the {countries} countries in the knowledge base" in link.text


def test_recently_updated_lists_the_latest_public_changes_newest_first(client, framework):
    now = timezone.now()
    seen, hidden = Country.objects.public().order_by("pk")[:2]
    Country.objects.filter(pk=seen.pk).update(updated_at=now + timedelta(days=2))
    Country.objects.filter(pk=hidden.pk).update(updated_at=now + timedelta(days=3), status=Status.WITHDRAWN)

    _, home = get_page(client, "/")
    changes = [link.href for link in section_links(home, "changes-heading")]

    assert changes[0] == url(seen), "the newest public change comes first"
    assert url(hidden) not in changes, "a withdrawn record is not announced"
    assert changes[-1] == reverse("feeds:site")
    assert len(changes) == 6 + 1


def test_one_instrument_is_named_in_the_singular(client, framework):
    area = StrategicArea.objects.get(slug="promoting-recovery")
    kept = classified_articles()[area.pk][0].instrument.slug
    Instrument.objects.exclude(slug=kept).update(status=Status.WITHDRAWN)
    articles, instruments = real_numbers(area)
    assert (instruments, articles > 1) == (1, True)

    assert served_line(client, area) == f"{articles} articles of 1 instrument serve it (editorial classification)"


def standard_line(client, instrument: Instrument) -> str:
    """The text of ``instrument``'s line under the home page's international standards, tags stripped."""
    html = client.get("/").content.decode()
    section = html[html.index('id="instruments-heading"') :]
    start = section.rindex("<li>", 0, section.index(f'href="{url(instrument)}"'))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", section[start : section.index("</li>", start)])).strip()


def test_a_standard_shows_its_year_short_name_and_issuing_body_while_the_body_is_public(client, framework):
    crc = Instrument.objects.select_related("issuing_body").get(slug="crc")
    issuer = crc.issuing_body.title
    assert standard_line(client, crc) == f"1989 {crc.title} CRC {issuer}"

    type(crc.issuing_body).objects.filter(pk=crc.issuing_body_id).update(status=Status.WITHDRAWN)
    assert standard_line(client, crc) == f"1989 {crc.title} CRC"
