"""The world map page as a reader and a crawler find it: each published country a link whose name gives the number
of published records linked to it, the same numbers in the table, drafts neither drawn nor counted, small countries
listed beside the map, countries without a record drawn but not links."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from cop_kb.map.drawing import CLASSES, NO_RECORD
from cop_kb.map.world import numeric_codes, world
from cop_kb.records.models import Status

from ..factories import make_activity, make_country, make_partnership, make_programme

pytestmark = pytest.mark.django_db

COUNTRY_LINK = re.compile(r'<a class="map-country" href="([^"]+)" aria-label="([^"]+)">.*?fill="(#[0-9a-f]{6})"', re.S)
SVG = "{http://www.w3.org/2000/svg}"
TABLE_ROW = re.compile(r'<tr><td><a href="([^"]+)">([^<]+)</a></td><td>([A-Z]{2})</td><td class="number">(\d+)</td>')


@pytest.fixture
def countries():
    """Argentina with two programmes and an activity published (and a draft programme); Costa Rica (small) with
    one; Zambia with none; a draft country linked from a published programme."""
    argentina = make_country(slug="argentina", title="Argentina", iso_alpha2="AR", iso_alpha3="ARG")
    costa_rica = make_country(slug="costa-rica", title="Costa Rica", iso_alpha2="CR", iso_alpha3="CRI")
    zambia = make_country(slug="zambia", title="Zambia", iso_alpha2="ZM", iso_alpha3="ZMB")
    hidden = make_country(slug="ukraine", title="Ukraine", iso_alpha2="UA", iso_alpha3="UKR", status=Status.DRAFT)
    for programme in (make_programme(), make_programme(), make_programme(status=Status.DRAFT)):
        programme.countries.add(argentina)
    make_activity(partnership=make_partnership()).countries.add(argentina)
    make_programme().countries.add(costa_rica, hidden)
    return {"argentina": argentina, "costa_rica": costa_rica, "zambia": zambia, "hidden": hidden}


def map_links(html: str) -> dict[str, tuple[str, str]]:
    svg = html[html.index('id="world-map"') : html.index("</svg>")]
    return {href: (name, fill) for href, name, fill in COUNTRY_LINK.findall(svg)}


def test_each_published_country_is_a_link_named_with_its_count(client, countries):
    response = client.get(reverse("map:world"))

    assert response.status_code == 200
    links = map_links(response.content.decode())
    assert links == {
        countries["argentina"].get_absolute_url(): ("Argentina: 3 published records linked", CLASSES[2][2]),
        countries["costa_rica"].get_absolute_url(): ("Costa Rica: 1 published record linked", CLASSES[1][2]),
        countries["zambia"].get_absolute_url(): ("Zambia: 0 published records linked", CLASSES[0][2]),
    }


def test_the_table_gives_the_same_numbers(client, countries):
    html = client.get(reverse("map:world")).content.decode()

    rows = {href: (title, code, int(count)) for href, title, code, count in TABLE_ROW.findall(html)}
    assert rows == {
        countries["argentina"].get_absolute_url(): ("Argentina", "AR", 3),
        countries["costa_rica"].get_absolute_url(): ("Costa Rica", "CR", 1),
        countries["zambia"].get_absolute_url(): ("Zambia", "ZM", 0),
    }


def test_drafts_are_neither_drawn_nor_counted(client, countries):
    html = client.get(reverse("map:world")).content.decode()

    assert "Ukraine" not in html and countries["hidden"].get_absolute_url() not in html
    assert "Argentina: 3 " in html  # the draft programme linked to Argentina is not counted


def test_small_countries_are_listed_beside_the_map_and_circled(client, countries):
    html = client.get(reverse("map:world")).content.decode()

    aside = html[html.index('class="map-small"') : html.index("</aside>")]
    assert countries["costa_rica"].get_absolute_url() in aside
    assert countries["argentina"].get_absolute_url() not in aside
    costa_rica = html[html.index('aria-label="Costa Rica:') :]
    assert '<circle class="map-marker"' in costa_rica[: costa_rica.index("</a>")]


def test_a_country_whose_code_has_no_shape_is_listed_not_drawn(client):
    country = make_country(slug="nowhere", title="Nowhere Land", iso_alpha2="XQ", iso_alpha3="XQQ")

    html = client.get(reverse("map:world")).content.decode()

    assert country.get_absolute_url() not in map_links(html)
    aside = html[html.index('class="map-small"') : html.index("</aside>")]
    assert country.get_absolute_url() in aside


def test_countries_without_a_record_are_drawn_but_not_links(client, countries):
    html = client.get(reverse("map:world")).content.decode()

    base = html[html.index('class="map-base"') : html.index("</g>", html.index('class="map-base"'))]
    assert base.count("<path ") == 176 and "<a " not in base
    assert len(map_links(html)) == 3


def test_an_empty_knowledge_base_still_draws_the_world(client):
    html = client.get(reverse("map:world")).content.decode()

    assert html.count("<path ") >= 176 and not map_links(html)
    assert "There are no published countries yet." in html


def _shaded(svg: str) -> list[tuple[str, str]]:
    """The picture's shaded countries as (path, fill), after the grey layer of every country."""
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own picture
    base, countries = root.findall(f"{SVG}g")
    assert all(path.get("fill") is None for path in base.iter(f"{SVG}path")) and base.get("fill") == NO_RECORD
    return [(path.get("d"), path.get("fill")) for path in countries.iter(f"{SVG}path")]


def test_the_picture_is_the_map_shaded_alike_without_links(client, countries):
    page = client.get(reverse("map:world")).content.decode()
    response = client.get(reverse("map:picture"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    drawn = re.findall(r'<a class="map-country"[^>]*>.*?<path d="([^"]+)" fill="(#[0-9a-f]{6})"', page, re.S)
    # Argentina, Costa Rica and Zambia as on the map page (the draft Ukraine is not shaded), and nothing to follow.
    assert _shaded(svg) == drawn and len(drawn) == 3
    ukraine = next(shape for shape in world().shapes if shape.numeric == numeric_codes()["UA"])
    assert ukraine.path not in [path for path, _fill in _shaded(svg)]
    assert "<a " not in svg
    # Drawn small on the home page, its borders keep their width (the page's CSS does not reach into an image).
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own picture
    shapes = [*root.iter(f"{SVG}path"), *root.iter(f"{SVG}circle")]
    assert shapes and all(shape.get("vector-effect") == "non-scaling-stroke" for shape in shapes)
    assert client.get(reverse("map:picture")).headers["ETag"]  # revalidated like every page
    assert client.post(reverse("map:picture")).status_code == 405


def test_the_home_page_shows_the_picture_inside_its_link_to_the_map(client, countries):
    html = client.get(reverse("home")).content.decode()

    link = html[html.index('<p class="home-map">') :]
    link = link[: link.index("</p>")]
    assert f'<a href="{reverse("map:world")}"><img src="{reverse("map:picture")}" alt=""' in link
    # The image is decorative inside the link: the sentence after it is the link's name.
    assert "World map: the 3 countries in the knowledge base" in link
