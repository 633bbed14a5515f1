"""The home page's lines of work: each focus area with its first programmes (newest first, with their years),
partnerships and sectors, a link to the rest, and the programmes under no public focus area listed apart, so none
disappears with its focus area."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records.models import Status
from cop_kb.views import HOME_LIMIT
from programmes.models import Partnership, Programme
from strategy.models import FocusArea, Sector

from .factories import make
from .test_pages import get_page, section_links, url

pytestmark = pytest.mark.django_db


def global_area(title: str, position: int) -> FocusArea:
    return make(FocusArea, title=title, level="global", position=position)


def links_under(page, heading_id: str) -> list[str]:
    return [link.href for link in section_links(page, heading_id)]


def test_an_area_shows_its_newest_programmes_with_years_then_partnerships_and_links_to_the_rest(client):
    area = global_area("Quokka work", 1)
    programmes = [make(Programme, title=f"Programme {n:02}", year=2000 + n % 5, focus_area=area) for n in range(15)]
    partnership = make(Partnership, title="Quokka partnership", focus_area=area)
    newest_first = sorted(programmes, key=lambda programme: (-programme.year, programme.title))

    response, page = get_page(client, "/")
    shown = links_under(page, "global-heading")

    assert shown[0] == url(area)
    assert shown[1 : HOME_LIMIT + 1] == [url(programme) for programme in newest_first[:HOME_LIMIT]]
    # Past the limit: the partnership after the programmes it shows, then the way to everything in the area.
    assert shown[HOME_LIMIT + 1 :] == [url(partnership), url(area)]
    first = newest_first[0]
    assert f"{first.title}</a> ({first.year})" in response.content.decode()


def test_a_country_level_area_shows_its_first_sectors(client):
    area = make(FocusArea, title="Quokka systems", level="country", position=1)
    sectors = [make(Sector, title=f"Sector {n}") for n in range(2)]
    area.sectors.set(sectors)

    _, page = get_page(client, "/")

    assert links_under(page, "country-heading")[:3] == [url(area), *(url(sector) for sector in sectors)]


def test_programmes_under_no_focus_area_or_a_hidden_one_are_listed_apart_and_only_they(client):
    shown_area = global_area("Quokka work", 1)
    hidden_area = global_area("Withdrawn work", 2)
    in_shown = make(Programme, title="Under a public area", year=2020, focus_area=shown_area)
    in_hidden = make(Programme, title="Under a withdrawn area", year=2019, focus_area=hidden_area)
    on_its_own = make(Programme, title="Under no area", year=2021, focus_area=None)
    FocusArea.objects.filter(pk=hidden_area.pk).update(status=Status.WITHDRAWN)

    _, page = get_page(client, "/")
    shown = links_under(page, "global-heading")

    assert url(in_shown) in shown
    assert url(hidden_area) not in shown
    # Newest first, as in every list of programmes.
    assert shown[shown.index(url(in_shown)) + 1 :] == [url(on_its_own), url(in_hidden)]


def test_the_focus_areas_public_and_hidden_are_read_in_one_query(client):
    global_area("Quokka work", 1)
    FocusArea.objects.filter(pk=global_area("Withdrawn work", 2).pk).update(status=Status.WITHDRAWN)
    for cache in caches.all():
        cache.clear()

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    # Statements reading the focus areas' level, which the page sorts them by (the latest changes read focus areas
    # too, but only what every record type has).
    quote = connection.ops.quote_name
    level = f"{quote(FocusArea._meta.db_table)}.{quote('level')}"
    reads = [query["sql"] for query in queries if level in query["sql"]]
    assert len(reads) == 1, reads


def test_the_other_programmes_stop_at_the_limit_and_link_to_all_programmes(client):
    for number in range(HOME_LIMIT + 1):
        make(Programme, title=f"Unfiled {number:02}", year=2010, focus_area=None)

    _, page = get_page(client, "/")
    shown = links_under(page, "global-heading")

    assert len(shown) == HOME_LIMIT + 1
    assert shown[-1] == Programme.get_list_url()
