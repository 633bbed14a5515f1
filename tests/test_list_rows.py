"""What each row of a list shows, written by the ``list_items`` and ``table_rows`` tags: the record's title linking
to its page, its short name, its kind and year, the start of its summary, every value escaped; in a table, a cell
per column with the record's title as the row's header."""

import datetime
import re

import pytest
from django.utils.html import escape

from cop_kb.directory.models import Organisation
from instruments.models import Instrument, Provision
from programmes.models import Programme
from strategy.models import Sector

from .factories import NO_DATES, make

pytestmark = pytest.mark.django_db

HOSTILE = "<b>Bold</b> & \"quoted\" 'single'"


def _row(html: str, title: str) -> str:
    """The list item or table row that names ``title``."""
    rows = re.findall(r"<li>.*?</li>|<tr>.*?</tr>", html, re.S)
    found = [row for row in rows if escape(title) in row]
    assert len(found) == 1, f"one row should name {title!r}"
    return found[0]


def test_a_list_row_shows_the_title_short_name_kind_year_and_the_start_of_the_summary(client):
    words = [f"word{number}" for number in range(60)]
    programme = make(
        Programme, title=f"Programme {HOSTILE}", kind="research", level="regional", year=2014, summary=" ".join(words)
    )

    row = _row(client.get("/programmes/").content.decode(), programme.title)

    assert f'<h2><a href="{programme.get_absolute_url()}">{escape(programme.title)}</a></h2>' in row
    assert '<p class="meta"><span>Research</span> · <span>Regional level</span> · <span>2014</span></p>' in row
    assert f"<p>{' '.join(words[:40])} …</p>" in row, "the summary is cut after 40 words"
    assert "<b>" not in row


def test_a_list_row_without_summary_or_facts_shows_only_what_there_is(client):
    sector = make(Sector, title="Quiet sector", summary="")

    row = _row(client.get(Sector.get_list_url()).content.decode(), sector.title)

    assert 'class="meta"' not in row and "<p>" not in row and 'class="subtitle"' not in row


def test_a_list_row_shows_the_short_name_of_a_provisions_instrument_escaped(client):
    instrument = make(Instrument, title="Convention of rows", acronym=f"CR {HOSTILE}", **NO_DATES)
    provision = make(Provision, title="Article 9 of rows", instrument=instrument, summary=HOSTILE)

    row = _row(client.get("/provisions/").content.decode(), provision.title)

    assert f'<p class="subtitle">{escape(instrument.acronym)}</p>' in row
    assert f"<p>{escape(HOSTILE)}</p>" in row


def test_a_table_row_has_the_title_as_its_header_and_a_cell_per_column(client):
    instrument = make(
        Instrument,
        title=f"Table accord {HOSTILE}",
        short_title="",
        acronym="",
        kind=Instrument.Kind.CONVENTION,
        reference_number="T-1",
        issuing_body=make(Organisation, title=f"Body {HOSTILE}"),
        **{**NO_DATES, "adopted_on": datetime.date(2001, 5, 2), "adopted_precision": "day"},
    )
    body = instrument.issuing_body

    row = _row(client.get("/instruments/").content.decode(), instrument.title)

    cells = re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)
    assert f'<th scope="row"><a href="{instrument.get_absolute_url()}">{escape(instrument.title)}</a></th>' in cells
    assert cells[0] == "<td></td>", "no short name: an empty cell"
    assert f'<td><a href="{body.get_absolute_url()}">{escape(body.title)}</a></td>' in cells
    assert "<td>T-1</td>" in cells
    assert len(cells) == len(re.findall(r'<th scope="col"', client.get("/instruments/").content.decode()))
