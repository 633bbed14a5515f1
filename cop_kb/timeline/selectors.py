"""Reading the timeline: per record type one query that ranks its public records within each year and counts them
(window functions), keeping the first ``PER_YEAR`` of each year; the types are merged here, so the page runs one
query per type (plus one for the strategic areas) at any size."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.db.models import Case, Count, F, Value, When, Window
from django.db.models.functions import Coalesce, ExtractYear, RowNumber

from cop_kb.records.models import DatePrecision, Record, format_partial_date
from cop_kb.records.registry import RecordType, record_types

PER_YEAR = 8  # records shown per year; the rest are counted and linked to their type's list of that year
AREA_FACET = "strategic_area"  # the search facet whose records are the strategic areas a timeline can be narrowed to


def timeline_types() -> list[RecordType]:
    """The record types on the timeline: those that declare what dates them, in registry order."""
    return [entry for entry in record_types() if entry.model.dated_by is not None]


def area_type() -> RecordType | None:
    """The record type of the strategic areas (the values of the strategic-area facet), or None."""
    return next((entry for entry in record_types() if entry.model.search_facet_self == AREA_FACET), None)


def area_path(entry: RecordType) -> str | None:
    """How a type's records link to strategic areas, as its search facet declares it; None when they do not."""
    return entry.model.search_facet_links.get(AREA_FACET)


@dataclass
class Entry:
    """One record on the timeline, with its date as far as it is known."""

    record: Record
    type: RecordType
    year: int
    date: datetime.date | None
    precision: str

    @property
    def sort_key(self) -> tuple:
        # A year-only date sorts at the start of its year: nothing later is known about it.
        return (self.date or datetime.date(self.year, 1, 1), self.record.title, self.record.pk)

    @property
    def text(self) -> str:
        return format_partial_date(self.date, self.precision) if self.date else str(self.year)

    @property
    def datetime(self) -> str:
        """The ``<time datetime>`` value, only as precise as the date is known: 1989-11-20, 2008-11 or 2006."""
        if self.date is None or self.precision == DatePrecision.YEAR:
            return f"{self.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


@dataclass
class More:
    """Records of one type in a year that are counted but not shown, and the type's list of that year."""

    type: RecordType
    count: int
    url: str


@dataclass
class Year:
    year: int
    entries: list[Entry] = field(default_factory=list)
    more: list[More] = field(default_factory=list)


@dataclass
class Timeline:
    years: list[Year]
    undated: list[tuple[RecordType, int]]  # types with public records that have no date, and how many
    left_out: list[RecordType]  # types not linked to strategic areas, left out when an area is chosen


def _dating(model) -> tuple:
    """The year, the date and its precision of a type's records, as SQL expressions from its ``dated_by``."""
    if isinstance(model.dated_by, str):
        return F(model.dated_by), Value(None, output_field=models.DateField()), Value(DatePrecision.YEAR)
    dates = [F(partial.date_field) for partial in model.dated_by]
    date = Coalesce(*dates, output_field=models.DateField()) if len(dates) > 1 else dates[0]
    precision = Case(
        *[When(**{f"{p.date_field}__isnull": False}, then=F(p.precision_field)) for p in model.dated_by],
        default=Value(""),
        output_field=models.CharField(),
    )
    return ExtractYear(date), date, precision


def _ranked(entry: RecordType, area) -> list:
    """The type's first ``PER_YEAR`` public records of each year (and of the undated), with each year's count."""
    year, date, precision = _dating(entry.model)
    queryset = entry.model.objects.public()
    if area is not None:
        queryset = queryset.filter(**{area_path(entry): area.pk})
    ordering = [date.asc(nulls_first=True), F("title").asc(), F("pk").asc()]
    return list(
        queryset.annotate(
            tl_year=year,
            tl_date=date,
            tl_precision=precision,
            tl_rank=Window(RowNumber(), partition_by=[year], order_by=ordering),
            tl_in_year=Window(Count("pk"), partition_by=[year]),
        )
        .filter(tl_rank__lte=PER_YEAR)
        .only("pk", "slug", "title", "status")
    )


def _more_url(entry: RecordType, year: int, area) -> str:
    """The type's own list narrowed to ``year`` (and to the strategic area, where its list offers that facet)."""
    query = {"year_from": year, "year_to": year, "sort": "year"}
    if area is not None and any(facet.param == AREA_FACET for facet in entry.list_facets):
        query[AREA_FACET] = area.slug
    return f"{entry.list_url()}?{urlencode(query)}"


def timeline(types: list[RecordType], area=None) -> Timeline:
    """The public records of ``types`` by year, oldest first, at most ``PER_YEAR`` a year, narrowed to the
    strategic area ``area`` if one is given (types not linked to strategic areas are then left out)."""
    left_out = [entry for entry in types if area is not None and area_path(entry) is None]
    years: dict[int, Year] = {}
    counts: dict[tuple[int, str], int] = {}
    undated = []
    for entry in types:
        if entry in left_out:
            continue
        for record in _ranked(entry, area):
            if record.tl_year is None:
                undated.append((entry, record.tl_in_year))
                continue
            years.setdefault(record.tl_year, Year(record.tl_year))
            counts[record.tl_year, entry.label] = record.tl_in_year
            years[record.tl_year].entries.append(
                Entry(record, entry, record.tl_year, record.tl_date, record.tl_precision or DatePrecision.YEAR)
            )
    for year in years.values():
        year.entries = sorted(year.entries, key=lambda item: item.sort_key)[:PER_YEAR]
        for entry in types:
            hidden = counts.get((year.year, entry.label), 0) - sum(item.type == entry for item in year.entries)
            if hidden > 0:
                year.more.append(More(entry, hidden, _more_url(entry, year.year, area)))
    return Timeline(sorted(years.values(), key=lambda item: item.year), list(dict.fromkeys(undated)), left_out)
