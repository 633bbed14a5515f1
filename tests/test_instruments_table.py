"""The instruments list is a table with a column per key fact, sorted by any column both ways through plain links
(``?sort=<column>``, ``?sort=-<column>``) that keep the filters; and an instrument's short name is shown under its
title wherever instruments are listed."""

import csv
import datetime
import io
import re

import pytest

from cop_kb.directory.models import Organisation
from cop_kb.records.models import Status
from instruments.models import Instrument, Provision
from strategy.models import Right, StrategicArea

from .factories import NO_DATES, make
from .test_pages import get_page

pytestmark = pytest.mark.django_db

LIST = "/instruments/"


def adopted_instrument(title: str, short_title: str, kind: str, number: str, body: str, adopted: int, in_force: int):
    """An instrument with every fact the table shows: adopted on 1 March ``adopted``, in force in ``in_force``."""
    return make(
        Instrument,
        title=title,
        short_title=short_title,
        kind=kind,
        reference_number=number,
        issuing_body=make(Organisation, title=body),
        **{
            **NO_DATES,
            "adopted_on": datetime.date(adopted, 3, 1),
            "adopted_precision": "day",
            "entry_into_force_on": datetime.date(in_force, 1, 1),
            "entry_into_force_precision": "year",
        },
    )


@pytest.fixture
def three(db) -> dict[str, Instrument]:
    """Three instruments whose order differs by every column (and from the order they were made in); the one with
    the fewest facts ("charlie") has empty values that sort last both ways."""
    charlie = make(
        Instrument,
        title="Charlie charter",
        short_title="",
        acronym="",
        kind=Instrument.Kind.CONVENTION,
        reference_number="",
        **{**NO_DATES, "opened_for_signature_on": datetime.date(1999, 1, 1), "opened_for_signature_precision": "year"},
    )
    alpha = adopted_instrument("Alpha accord", "Zeta Pact", Instrument.Kind.DECLARATION, "N-2", "Mid body", 2005, 2009)
    bravo = adopted_instrument("Bravo bond", "Beta Pact", Instrument.Kind.STUDY, "N-1", "Apex body", 2010, 2011)
    return {"alpha": alpha, "bravo": bravo, "charlie": charlie}


def row_titles(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>', html)


def header(html: str, label: str) -> str:
    found = re.search(rf'<th scope="col"[^>]*><a href="[^"]*">{label}<.*?</th>', html)
    assert found, f"no column headed {label}"
    return found.group(0)


# Each column's ascending order; descending is the reverse, but for "charlie"'s empty values, last both ways.
ORDERS = {
    "short-name": (["bravo", "alpha", "charlie"], ["alpha", "bravo", "charlie"]),
    "title": (["alpha", "bravo", "charlie"], ["charlie", "bravo", "alpha"]),
    "kind": (["charlie", "alpha", "bravo"], ["bravo", "alpha", "charlie"]),
    "adopted": (["charlie", "alpha", "bravo"], ["bravo", "alpha", "charlie"]),
    "in-force": (["alpha", "bravo", "charlie"], ["bravo", "alpha", "charlie"]),
    "number": (["bravo", "alpha", "charlie"], ["alpha", "bravo", "charlie"]),
    "body": (["bravo", "alpha", "charlie"], ["alpha", "bravo", "charlie"]),
}


@pytest.mark.parametrize("key", ORDERS)
def test_every_column_sorts_the_table_both_ways(client, three, key):
    ascending, descending = ORDERS[key]
    for sort, expected in ((key, ascending), (f"-{key}", descending)):
        response, _page = get_page(client, f"{LIST}?sort={sort}")

        assert row_titles(response.content.decode()) == [three[name].title for name in expected], sort
        assert "not available" not in response.content.decode()


def test_a_row_shows_each_key_fact(client, three):
    response, _page = get_page(client, LIST)
    html = response.content.decode()
    row = re.search(r"<tr><td>Zeta Pact</td>.*?</tr>", html).group(0)

    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
    assert cells == [
        "Zeta Pact",
        f'<a href="{three["alpha"].get_absolute_url()}">Alpha accord</a>',
        "Declaration or outcome document",
        "1 March 2005",
        "2009",
        "N-2",
        f'<a href="{three["alpha"].issuing_body.get_absolute_url()}">Mid body</a>',
    ]
    # Known only by its opening for signature, an instrument says so rather than pass it off as its adoption.
    assert "1999 (opened for signature)" in html


def test_the_sorted_column_says_so_and_its_link_reverses_it_keeping_the_filters(client, three):
    response, _page = get_page(client, f"{LIST}?kind=study&sort=number&page=1")
    html = response.content.decode()

    number = header(html, "Number")
    assert 'aria-sort="ascending"' in number
    assert 'href="?kind=study&amp;sort=-number"' in number
    title = header(html, "Title")
    assert "aria-sort" not in title
    assert 'href="?kind=study&amp;sort=title"' in title
    assert "sorted by Number (ascending)" in html
    assert row_titles(html) == ["Bravo bond"]

    descending = header(get_page(client, f"{LIST}?sort=-number")[0].content.decode(), "Number")
    assert 'aria-sort="descending"' in descending and 'href="?sort=number"' in descending


def test_an_unknown_sort_is_ignored_with_a_notice_as_before(client, three):
    response, _page = get_page(client, f"{LIST}?sort=-nonsense")
    html = response.content.decode()

    assert "That sort order is not available; showing the default order." in html
    # The default order, oldest first by year: charlie (1999), alpha (2005), bravo (2010).
    assert row_titles(html) == ["Charlie charter", "Alpha accord", "Bravo bond"]
    assert "aria-sort" not in html


def test_the_csv_export_follows_a_column_sort(client, three):
    response = client.get(f"{LIST}?sort=-short-name&format=csv")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Alpha accord", "Bravo bond", "Charlie charter"]


def test_a_hidden_issuing_body_is_neither_shown_nor_sorted_by(client, three):
    hidden = make(Organisation, title="Aaa hidden body", status="draft")
    Instrument.objects.filter(pk=three["charlie"].pk).update(issuing_body=hidden)

    response, _page = get_page(client, f"{LIST}?sort=body")
    html = response.content.decode()

    assert "Aaa hidden body" not in html
    assert row_titles(html) == ["Bravo bond", "Alpha accord", "Charlie charter"]


def test_lists_of_other_types_stay_lists_with_their_sort_menu(client):
    make(StrategicArea)

    response, _page = get_page(client, StrategicArea.get_list_url())
    html = response.content.decode()

    assert '<ul class="record-list">' in html and "<table" not in html


# ---- short names under titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short_title", "acronym", "shown"),
    [
        ("Zeta Pact", "ZP", "Zeta Pact"),
        ("", "ZP", "ZP"),
        ("Same as the title", "ZP", "ZP"),  # the title again is no short name
        ("same AS the TITLE", "", ""),
        ("", "", ""),
    ],
)
def test_short_name_is_the_first_of_short_title_and_acronym_that_is_not_the_title(db, short_title, acronym, shown):
    instrument = make(Instrument, title="Same as the title", short_title=short_title, acronym=acronym)

    assert instrument.subtitle == shown
    # The SQL twin that row-reading loaders (link groups) use agrees.
    annotated = Instrument.objects.annotate(short_name=Instrument.subtitle_expression()).get(pk=instrument.pk)
    assert annotated.short_name == shown


def test_short_name_is_under_the_title_on_the_home_page_and_in_link_groups(client):
    body = make(Organisation, title="Council of Shorts")
    instrument = make(
        Instrument, title="Convention on Short Names", short_title="Shortland Convention", issuing_body=body
    )
    subtitle = '<span class="subtitle">Shortland Convention</span>'
    linked = f'<a href="{instrument.get_absolute_url()}">Convention on Short Names</a> {subtitle}'

    home = get_page(client, "/")[0].content.decode()
    # The body's page lists the instruments it issued; so does that relation's page of every record.
    body_page = get_page(client, body.get_absolute_url())[0].content.decode()
    relation = get_page(client, f"{body.get_absolute_url()}links/issued_instruments/")[0].content.decode()

    assert linked in home
    assert linked in body_page
    assert linked in relation


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.WITHDRAWN])
def test_an_article_is_listed_with_its_public_instruments_short_name(client, status):
    instrument = make(Instrument, title="Convention on Short Names", acronym="CSN", status=status)
    article = make(Provision, instrument=instrument, number="16", title="Article 16")
    right = make(Right, title="Privacy")
    right.provisions.add(article)
    shown = "CSN" if status == Status.PUBLISHED else ""

    assert Provision.objects.get(pk=article.pk).subtitle == shown
    annotated = Provision.objects.annotate(short_name=Provision.subtitle_expression()).get(pk=article.pk)
    assert annotated.short_name == shown
    # A right's page names the article with its instrument, where the instrument may be seen.
    page = get_page(client, right.get_absolute_url())[0].content.decode()
    named = f'<a href="{article.get_absolute_url()}">Article 16</a> <span class="subtitle">CSN</span>'
    assert (named in page) == (status == Status.PUBLISHED)
    assert "CSN" not in page or status == Status.PUBLISHED


def test_an_instruments_own_page_lists_its_articles_without_repeating_its_short_name(client):
    instrument = make(Instrument, title="Convention on Short Names", acronym="CSN")
    article = make(Provision, instrument=instrument, number="16", title="Article 16")
    listed = f'<a href="{article.get_absolute_url()}">Article 16</a>'

    for address in (instrument.get_absolute_url(), f"{instrument.get_absolute_url()}links/provisions/"):
        page = get_page(client, address)[0].content.decode()
        assert listed in page
        assert f'{listed} <span class="subtitle">CSN</span>' not in page
