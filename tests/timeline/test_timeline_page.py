"""The timeline as a reader finds it: dated public records grouped by year in order, each date only as precise as it
is known, narrowed by record type and strategic area, bounded per year, with clear answers to bad choices."""

import datetime
import re

import pytest
from django.urls import reverse

from cop_kb.records.facet_counts import EVERY, FacetCount
from cop_kb.records.models import Status
from cop_kb.timeline.selectors import PER_YEAR

from ..factories import (
    make_activity,
    make_instrument,
    make_output,
    make_partnership,
    make_programme,
    make_strategic_area,
)

pytestmark = pytest.mark.django_db

TIMELINE = "/timeline/"
ENTRY = re.compile(r'<li><time datetime="([^"]+)">([^<]+)</time> <a href="[^"]+">([^<]+)</a>')


def years(html: str) -> dict[int, list[tuple[str, str, str]]]:
    """Year -> its entries in page order, each (datetime attribute, shown date, title)."""
    start = html.index('<ol class="tl-years"')
    found = {}
    for block in html[start:].split('<li class="tl-year">')[1:]:
        year = int(re.search(r'<h2[^>]*><time datetime="(\d{4})">', block).group(1))
        entries = block[: block.index("</ol>")]
        found[year] = ENTRY.findall(entries)
    return found


def get(client, query: str = "", status: int = 200) -> str:
    response = client.get(TIMELINE + query)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


@pytest.fixture
def dated():
    """Records of every dated type, with day, month and year-only dates, in an order creation cannot give."""
    partnership = make_partnership(
        title="Alliance Launched in November", launched_on=datetime.date(2008, 11, 1), launched_precision="month"
    )
    return {
        "late_partnership": partnership,
        "output": make_output(title="Report of 2008", year=2008),
        "crc": make_instrument(
            title="Convention of 1989", adopted_on=datetime.date(1989, 11, 20), adopted_precision="day"
        ),
        "year_only": make_instrument(
            title="Declaration Known by Year",
            adopted_on=datetime.date(2006, 1, 1),
            adopted_precision="year",
            opened_for_signature_on=None,
            opened_for_signature_precision="",
            entry_into_force_on=None,
            entry_into_force_precision="",
        ),
        "activity": make_activity(title="A Meeting of 2006", year=2006, partnership=partnership),
    }


def test_records_are_grouped_by_year_in_order_with_dates_as_precise_as_known(client, dated):
    shown = years(get(client))
    assert list(shown) == [1989, 2006, 2008]
    assert shown[1989] == [("1989-11-20", "20 November 1989", "Convention of 1989")]
    # Both 2006 dates are year-only: by title within the year, each shown as the year alone.
    assert shown[2006] == [("2006", "2006", "A Meeting of 2006"), ("2006", "2006", "Declaration Known by Year")]
    # A year-only date sorts before a month of the same year; the month is kept to the month.
    assert shown[2008] == [
        ("2008", "2008", "Report of 2008"),
        ("2008-11", "November 2008", "Alliance Launched in November"),
    ]


def test_opened_for_signature_dates_an_instrument_with_no_adoption_date(client):
    make_instrument(
        title="Opened Only",
        adopted_on=None,
        adopted_precision="",
        opened_for_signature_on=datetime.date(1966, 12, 1),
        opened_for_signature_precision="month",
    )
    assert years(get(client)) == {1966: [("1966-12", "December 1966", "Opened Only")]}


def test_types_that_declare_no_date_are_not_placed(client):
    make_programme(title="Programme with a Year", year=2011)
    html = get(client)
    assert "Programme with a Year" not in html
    assert "tl-years" not in html
    assert "No published records with a date" in html


def test_unpublished_records_are_absent(client, dated):
    make_instrument(title="Draft Treaty", status=Status.DRAFT, adopted_on=datetime.date(1970, 1, 5))
    make_output(title="Withdrawn Report", status=Status.WITHDRAWN, year=2008)
    html = get(client)
    assert "Draft Treaty" not in html and "Withdrawn Report" not in html
    assert 1970 not in years(html)


def test_records_without_a_date_are_counted_not_placed(client, dated):
    make_output(title="Undated Report", year=None)
    make_output(title="Another Undated Report", year=None)
    html = get(client)
    assert "Undated Report" not in html
    assert "Not placed, because they have no date: 2 outputs." in html


def test_record_type_filter_keeps_only_the_chosen_types(client, dated):
    shown = years(get(client, "?type=instruments&type=activities"))
    titles = {title for entries in shown.values() for _, _, title in entries}
    assert titles == {"Convention of 1989", "Declaration Known by Year", "A Meeting of 2006"}


def test_strategic_area_filter_keeps_records_linked_to_it(client, dated):
    area = make_strategic_area(title="Area of Laws")
    other = make_strategic_area(title="Area of Other Things")
    dated["crc"].strategic_areas.add(area)
    dated["activity"].strategic_areas.add(other)
    html = get(client, f"?area={area.slug}")
    # The output's programme (the factory's) is in no area, so the output is not placed either.
    assert years(html) == {1989: [("1989-11-20", "20 November 1989", "Convention of 1989")]}
    # Partnerships link to no strategic area, not even through a record they belong to: the page says so.
    assert "left out while an area is chosen: Partnerships." in html
    assert "through the record they belong to: Outputs, by their programme's strategic areas." in html


def test_an_output_is_placed_in_the_areas_of_its_public_programme(client, dated):
    area = make_strategic_area(title="Area of Research")
    programme = make_programme(title="Programme in the Area")
    programme.strategic_areas.add(area)
    make_output(title="Report of the Programme", year=2008, programme=programme)
    draft = make_programme(title="Draft Programme in the Area", status=Status.DRAFT)
    draft.strategic_areas.add(area)
    make_output(title="Report of a Draft Programme", year=2008, programme=draft)

    html = get(client, f"?area={area.slug}")

    # Only through a published programme: a draft one gives its outputs no area.
    assert years(html) == {2008: [("2008", "2008", "Report of the Programme")]}
    assert "Report of 2008" not in html  # an output of a programme in no area


def test_a_full_year_of_outputs_in_an_area_counts_only_that_area_and_says_their_list_shows_every_area(client):
    area = make_strategic_area(title="Area of Reports")
    programme = make_programme(title="Programme of Reports")
    programme.strategic_areas.add(area)
    make_output(title="A Report Elsewhere", year=2013)  # first by title, but its programme is in no area
    for number in range(PER_YEAR + 2):
        make_output(title=f"Report {number:02d}", year=2013, programme=programme)

    html = get(client, f"?area={area.slug}")

    assert [title for _, _, title in years(html)[2013]] == [f"Report {number:02d}" for number in range(PER_YEAR)]
    more = re.search(r'<a href="([^"]+)">And 2 more outputs of 2013 \(the list of outputs shows every area\)</a>', html)
    assert more, html
    assert "year_from=2013" in more.group(1) and "strategic_area" not in more.group(1)


@pytest.mark.parametrize("query", ["?type=nothing", "?type=programmes", "?area=no-such-area", "?area=draft-area"])
def test_a_choice_the_form_does_not_offer_is_a_400_that_shows_the_whole_timeline(client, dated, query):
    make_strategic_area(title="Draft Area", slug="draft-area", status=Status.DRAFT)
    html = get(client, query, status=400)
    assert "Some choices could not be used" in html
    field, message = (
        ("Strategic area", "choose one of the areas offered.")
        if "area" in query
        else ("Record types", "choose among the record types offered.")
    )
    assert f"<li>{field}: {message}</li>" in html
    notice = html[html.index('<div class="notice" role="alert">') : html.index("</form>")]
    assert query.partition("=")[2] not in notice  # the value asked for is not repeated
    assert list(years(html)) == [1989, 2006, 2008]


def test_each_year_shows_a_bounded_number_and_links_to_the_rest(client):
    for number in range(PER_YEAR + 3):
        make_output(title=f"Report {number:02d}", year=2013)
    make_activity(title="Meeting of 2013", year=2013)
    html = get(client)
    entries = years(html)[2013]
    assert len(entries) == PER_YEAR
    assert entries[0][2] == "Meeting of 2013"
    more = re.search(r'<p class="tl-more"><a href="([^"]+)">And 4 more outputs of 2013</a>', html)
    assert more, html
    listing = client.get(more.group(1).replace("&amp;", "&"))
    assert listing.status_code == 200
    assert "Report 10" in listing.content.decode()


def test_a_full_year_keeps_its_first_records_across_types_and_counts_the_rest_of_each(client):
    # Created latest date first, so that neither creation order nor the primary key gives the date order.
    for number in range(PER_YEAR + 2):
        make_instrument(title=f"Treaty {number:02d}", adopted_on=datetime.date(1999, 12 - number, 1))
    make_instrument(
        title="Treaty Opened Only",
        adopted_on=None,
        adopted_precision="",
        opened_for_signature_on=datetime.date(1999, 2, 1),
        opened_for_signature_precision="month",
    )
    for title in ("Meeting C", "Meeting A", "Meeting B"):
        make_activity(title=title, year=1999)
    html = get(client)
    # Year-only dates first (by title), then by date; eight in all, the rest of each type counted.
    assert [title for _, _, title in years(html)[1999]] == [
        "Meeting A",
        "Meeting B",
        "Meeting C",
        "Treaty Opened Only",
        "Treaty 09",
        "Treaty 08",
        "Treaty 07",
        "Treaty 06",
    ]
    assert "And 6 more instruments of 1999</a>" in html
    assert "more activities of 1999" not in html


def test_a_full_year_narrowed_to_an_area_counts_and_links_only_that_area(client):
    area = make_strategic_area(title="Area of Meetings")
    make_activity(title="A Meeting Elsewhere", year=2001)  # first by title, but not in the area
    for number in range(PER_YEAR + 2):
        make_activity(title=f"Meeting {9 - number:02d}", year=2001).strategic_areas.add(area)
    html = get(client, f"?area={area.slug}")
    assert [title for _, _, title in years(html)[2001]] == [f"Meeting {number:02d}" for number in range(PER_YEAR)]
    more = re.search(r'<p class="tl-more"><a href="([^"]+)">And 2 more activities of 2001</a>', html)
    assert more, html
    listing = client.get(more.group(1).replace("&amp;", "&")).content.decode()
    assert "Meeting 09" in listing and "A Meeting Elsewhere" not in listing


def test_only_get_and_head_are_answered(client):
    assert client.post(TIMELINE).status_code == 405


def test_the_home_page_links_to_the_timeline(client):
    assert f'href="{reverse("timeline:timeline")}"' in client.get("/").content.decode()


def test_the_whole_timeline_counts_by_year_and_undated_from_the_counts_the_lists_keep(client):
    """Types whose list counts their year field (outputs, activities) are counted from those kept counts, and their
    undated records are every public record less the dated ones; a strategic area is still counted afresh."""
    for number in range(PER_YEAR + 1):
        make_output(title=f"Report {number:02d}", year=2013)
    make_output(title="Undated Report", year=None)
    FacetCount.objects.filter(record_type="programmes.output", facet="year", value="2013").update(records=20)
    FacetCount.objects.filter(record_type="programmes.output", facet=EVERY).update(records=25)

    html = get(client)

    assert "And 12 more outputs of 2013" in html
    assert "Not placed, because they have no date: 5 outputs." in html
