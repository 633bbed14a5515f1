"""Reading the timeline: one grouped query counts every type's public records by year, then per record type one
query takes the first ``PER_YEAR`` of each year (from an index on the year field, or by a window function where
the date is the first known of several); the types are merged here, so the page runs the same few queries at any
size."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import Cast, Coalesce, RowNumber

from cop_kb.records.batch import any_of
from cop_kb.records.facet_counts import kept_values
from cop_kb.records.link_groups import link_select_related
from cop_kb.records.models import DatePrecision, Record, format_partial_date, public_q
from cop_kb.records.partial_dates import DateYear
from cop_kb.records.registry import RecordType, record_types

PER_YEAR = 8  # records shown per year; the rest are counted and linked to their type's list of that year
AREA_FACET = "strategic_area"  # the search facet whose records are the strategic areas a timeline can be narrowed to


def timeline_types() -> list[RecordType]:
    """The record types on the timeline: those that declare what dates them, in registry order."""
    return [entry for entry in record_types() if entry.model.dated_by is not None]


def area_type() -> RecordType | None:
    """The record type of the strategic areas (the values of the strategic-area facet), or None."""
    return next((entry for entry in record_types() if entry.model.search_facet_self == AREA_FACET), None)


def _area_link(entry: RecordType) -> str | None:
    """For a type that does not link to strategic areas itself, the single link of its to a type that does (an
    output's programme); None when it has none."""
    return next(
        (
            name
            for name in link_select_related(entry.model)
            if AREA_FACET in entry.model._meta.get_field(name).related_model.search_facet_links
        ),
        None,
    )


def placed_by_area(entry: RecordType) -> bool:
    """Whether a type's records can be narrowed to a strategic area: linked to areas themselves, as their search
    facet declares it, or through the record a single link of theirs leads to (an output's programme's areas)."""
    return AREA_FACET in entry.model.search_facet_links or _area_link(entry) is not None


def area_through(entry: RecordType) -> str:
    """The name of the link through which a type's records reach strategic areas ("programme"), or "" when they
    link to areas themselves (or not at all)."""
    if AREA_FACET in entry.model.search_facet_links:
        return ""
    link = _area_link(entry)
    return str(entry.model._meta.get_field(link).verbose_name) if link else ""


def _in_area(entry: RecordType, area, *, counted: bool) -> Q:
    """A condition on the type's records: linked to ``area``, themselves or through the public record their single
    link leads to (a draft programme gives its outputs no area). To count them all (``counted``), asked as one list
    of those records (``programme IN (…)``, read from ``output_programme_year_idx``): joined output by output,
    SQLite looked up the programme of each of 20,000 outputs (100 ms at 100,000 records). To take each year's first
    few, joined: the outputs are walked in title order and the walk stops at the few, where the list was made again
    for every year (640 ms)."""
    own = entry.model.search_facet_links.get(AREA_FACET)
    if own:
        return Q(**{own: area.pk})
    link = _area_link(entry)
    target = entry.model._meta.get_field(link).related_model
    path = target.search_facet_links[AREA_FACET]
    if counted:
        linked = target.objects.public().filter(**{path: area.pk})
        return Q(**{f"{link}__in": linked.values("pk")})
    return public_q(link) & Q(**{f"{link}__{path}": area.pk})


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
    """Records of one type in a year that are counted but not shown, and the type's list of that year (``every_area``:
    that list cannot be narrowed to the strategic area chosen, and shows them all)."""

    type: RecordType
    count: int
    url: str
    every_area: bool = False


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
    # Types placed in a chosen area through a record they belong to, and that link's name: (outputs, "programme").
    through: list[tuple[RecordType, str]] = field(default_factory=list)


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
    return DateYear(date), date, precision


def _public(entry: RecordType, area, *, counted: bool = False):
    """The type's public records, narrowed to the strategic area ``area`` if one is given (``counted``: to count
    them all, see ``_in_area``)."""
    queryset = entry.model.objects.public().order_by()
    return queryset if area is None else queryset.filter(_in_area(entry, area, counted=counted))


def _year_facet(entry: RecordType):
    """The list facet that counts the type's records by the year field that dates them, if it has one."""
    return next(
        (facet for facet in entry.list_facets if getattr(facet, "field_name", None) == entry.model.dated_by), None
    )


def _counted_by_year(entry: RecordType, area) -> list[models.QuerySet]:
    """(type, year, records) rows of a type: from its list's kept counts by year when it has them and no area is
    chosen (activities, outputs: tens of thousands of records), otherwise grouped by year."""
    facet = _year_facet(entry) if area is None else None
    if facet is None:
        return [
            _public(entry, area, counted=True)
            .annotate(tl_year=_dating(entry.model)[0])
            .values("tl_year")
            .annotate(tl_count=Count("pk"), tl_type=Value(entry.slug))
            .values_list("tl_type", "tl_year", "tl_count")
        ]
    dated, undated = kept_values(entry.model, facet)
    return [
        dated.annotate(
            tl_type=Value(entry.slug), tl_year=Cast("value", models.IntegerField()), tl_count=F("records")
        ).values_list("tl_type", "tl_year", "tl_count"),
        undated.annotate(tl_type=Value(entry.slug), tl_year=Value(None, models.IntegerField()))
        .filter(unvalued__gt=0)
        .values_list("tl_type", "tl_year", "unvalued"),
    ]


def _year_counts(entries: list[RecordType], area) -> dict[tuple[str, int | None], int]:
    """How many public records each type has in each year (None: undated), in one query for every type."""
    parts = [part for entry in entries for part in _counted_by_year(entry, area)]
    rows = parts[0].union(*parts[1:], all=True) if parts else []
    return {(slug, year): count for slug, year, count in rows}


def _first(entry: RecordType, area, years: list[int]) -> list:
    """The type's first ``PER_YEAR`` public records of each of ``years``, in the timeline's order, in one query."""
    year, date, precision = _dating(entry.model)
    queryset = _public(entry, area)
    if isinstance(entry.model.dated_by, str):
        # A year field is indexed with status and title (outputs, activities: tens of thousands of records): each
        # year's first few are read from the index by a subquery with a limit, so the cost follows the years shown
        # (at most 201: year fields are held to 1900-2100, within SQLite's limit of 500 parts to a UNION).
        firsts = [
            queryset.filter(**{entry.model.dated_by: each}).order_by("title", "pk").values("pk")[:PER_YEAR]
            for each in years
        ]
        if not firsts:
            return []
        queryset = entry.model.objects.filter(pk__in=any_of(firsts))
    else:
        # No index orders the first known of several dates (instruments, partnerships: a few thousand records):
        # they are numbered within each year by a window function, the first few kept.
        ordering = [date.asc(nulls_first=True), F("title").asc(), F("pk").asc()]
        queryset = queryset.annotate(tl_rank=Window(RowNumber(), partition_by=[year], order_by=ordering)).filter(
            tl_rank__lte=PER_YEAR
        )
    return list(
        queryset.annotate(tl_year=year, tl_date=date, tl_precision=precision)
        .order_by()
        .only("pk", "slug", "title", "status")
    )


def _more(entry: RecordType, year: int, count: int, area) -> More:
    """The type's own list narrowed to ``year`` (and to the strategic area, where its list offers that facet)."""
    query = {"year_from": year, "year_to": year, "sort": "year"}
    narrowed = area is not None and any(facet.param == AREA_FACET for facet in entry.list_facets)
    if narrowed:
        query[AREA_FACET] = area.slug
    return More(entry, count, f"{entry.list_url()}?{urlencode(query)}", every_area=area is not None and not narrowed)


def timeline(types: list[RecordType], area=None) -> Timeline:
    """The public records of ``types`` by year, oldest first, at most ``PER_YEAR`` a year, narrowed to the
    strategic area ``area`` if one is given (types not linked to strategic areas are then left out)."""
    left_out = [entry for entry in types if area is not None and not placed_by_area(entry)]
    shown = [entry for entry in types if entry not in left_out]
    counts = _year_counts(shown, area)
    years: dict[int, Year] = {}
    for entry in shown:
        dated_years = sorted(year for slug, year in counts if slug == entry.slug and year is not None)
        for record in _first(entry, area, dated_years):
            if record.tl_year is None:  # the window also numbers the undated, which are counted, not placed
                continue
            years.setdefault(record.tl_year, Year(record.tl_year)).entries.append(
                Entry(record, entry, record.tl_year, record.tl_date, record.tl_precision or DatePrecision.YEAR)
            )
    for year in years.values():
        year.entries = sorted(year.entries, key=lambda item: item.sort_key)[:PER_YEAR]
        for entry in shown:
            hidden = counts.get((entry.slug, year.year), 0) - sum(item.type == entry for item in year.entries)
            if hidden > 0:
                year.more.append(_more(entry, year.year, hidden, area))
    undated = [(entry, counts[entry.slug, None]) for entry in shown if (entry.slug, None) in counts]
    through = [(entry, link) for entry in shown if area is not None and (link := area_through(entry))]
    return Timeline(sorted(years.values(), key=lambda item: item.year), undated, left_out, through)
