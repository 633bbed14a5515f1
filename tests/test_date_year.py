"""``DateYear``, the year of a date that lists' year filters and the timeline group by: the same year Django's own
``ExtractYear`` gives, on either database, read on SQLite from the stored text without calling back into Python."""

import datetime

import pytest
from django.db import connection
from django.db.models.functions import Coalesce, ExtractYear
from django.test.utils import CaptureQueriesContext

from cop_kb.records.models import DatePrecision
from cop_kb.records.partial_dates import DateYear
from instruments.models import Instrument

from .factories import make

pytestmark = pytest.mark.django_db

DATES = [
    (datetime.date(1989, 11, 20), None),
    (datetime.date(2008, 1, 1), datetime.date(2007, 12, 31)),
    (datetime.date(999, 12, 31), None),
    (None, datetime.date(2001, 11, 23)),
    (None, None),
]


def test_the_year_of_a_date_is_extract_years_with_or_without_a_date():
    for number, (adopted, opened) in enumerate(DATES):
        make(
            Instrument,
            title=f"Dated {number}",
            adopted_on=adopted,
            adopted_precision=DatePrecision.DAY if adopted else "",
            opened_for_signature_on=opened,
            opened_for_signature_precision=DatePrecision.DAY if opened else "",
            entry_into_force_on=None,
            entry_into_force_precision="",
        )
    dated = Instrument.objects.filter(title__startswith="Dated ").order_by("title")

    with CaptureQueriesContext(connection) as captured:
        years = list(
            dated.annotate(
                year=DateYear("adopted_on"),
                either=Coalesce(DateYear("adopted_on"), DateYear("opened_for_signature_on")),
                django=ExtractYear("adopted_on"),
            ).values_list("year", "either", "django")
        )

    assert years == [(1989, 1989, 1989), (2008, 2008, 2008), (999, 999, 999), (None, 2001, None), (None, None, None)]
    if connection.vendor == "sqlite":
        # Only Django's own column calls back into Python.
        assert captured.captured_queries[0]["sql"].count("django_date_extract") == 1
