"""Reads that take user input: the filtered, sorted list of one record type with its facet counts."""

from dataclasses import dataclass, field

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _

from .facet_counts import kept_grouped, kept_total
from .facets import (
    COUNT,
    LABEL,
    PLACE,
    TAG_FACET,
    VALUE,
    FacetResult,
    chosen_values,
    count_facets,
    counted_records,
    filter_by_facets,
)

YEAR_MIN, YEAR_MAX = 1000, 2999


@dataclass(frozen=True)
class SortOption:
    value: str
    label: str
    url: str
    selected: bool


@dataclass(frozen=True)
class ColumnHeader:
    """A table column's header: following its link sorts by it (ascending, or descending when it already is)."""

    column: object  # the ``ListColumn``
    url: str
    sorted: str  # "ascending", "descending" or "" (its ``aria-sort``)


@dataclass
class RecordList:
    queryset: models.QuerySet
    facets: list[FacetResult]
    sort_options: list[SortOption]
    columns: list[ColumnHeader] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    has_year: bool = False
    notices: list[str] = field(default_factory=list)
    # How many records the list holds, when known without counting them: unfiltered, from the kept counts (None:
    # count them).
    total: int | None = None

    @property
    def is_filtered(self) -> bool:
        return any(facet.clear_url for facet in self.facets) or self.year_from is not None or self.year_to is not None


def _menu_sorts(model) -> dict[str, tuple[str, list]]:
    """The orders a list's sort menu offers, by ``sort`` value, the first the default unless the type has years."""
    sorts = {}
    if model.year_expression is None and list(model._meta.ordering) != ["title"]:
        # The type's own order comes first: strategic areas by position, provisions by article number.
        sorts["default"] = (_("Default order"), [*model._meta.ordering, "pk"])
    sorts["title"] = (_("Title A–Z"), ["title"])
    if model.year_expression is not None:
        sorts["-year"] = (_("Newest first"), [models.F("list_year").desc(nulls_last=True), "title"])
        sorts["year"] = (_("Oldest first"), [models.F("list_year").asc(nulls_last=True), "title"])
    sorts["-updated"] = (_("Recently updated"), ["-updated_at", "title"])
    return sorts


def _sorts(model) -> dict[str, tuple[str, list]]:
    """Every order a list can be in: its menu's, then each table column's both ways (``key``, ``-key``: the
    column headers' links)."""
    sorts = _menu_sorts(model)
    for column in model.list_columns:
        sorts.setdefault(column.key, (column.label, column.ordering(model)))
        sorts[f"-{column.key}"] = (column.label, column.ordering(model, descending=True))
    return sorts


def _column_headers(model, params: QueryDict, chosen: str) -> list[ColumnHeader]:
    headers = []
    for column in model.list_columns:
        sorted_as = {column.key: "ascending", f"-{column.key}": "descending"}.get(chosen, "")
        following = f"-{column.key}" if sorted_as == "ascending" else column.key
        headers.append(ColumnHeader(column=column, url=_sort_url(params, following), sorted=sorted_as))
    return headers


def _sort_url(params: QueryDict, value: str) -> str:
    """The list as it is (filters kept) from its first page, in the order ``value``."""
    query = params.copy()
    query.pop("page", None)
    query["sort"] = value
    return f"?{query.urlencode()}"


def _year(params: QueryDict, name: str, notices: list[str]) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    notices.append(_("“%(value)s” is not a year, so it was ignored.") % {"value": raw[:20]})
    return None


@dataclass
class _Filtered:
    queryset: models.QuerySet
    countable: models.QuerySet  # the same records, as a plain query for counting facets over
    year_from: int | None
    year_to: int | None
    notices: list[str]
    narrowed: bool  # by a facet or the year range; unfiltered, facets read the kept counts

    def grouped(self, facet) -> models.QuerySet:
        """A facet's (value, label, count) rows over these records."""
        if self.narrowed:
            return facet.grouped(self.countable)
        return kept_grouped(self.countable.model, facet)


def _filtered(model, params: QueryDict) -> _Filtered:
    """Public records of ``model`` narrowed by the year range and facet values in ``params``, with the range
    understood and notices about values that were ignored."""
    queryset = model.objects.for_list()
    notices: list[str] = []
    year_from = year_to = None
    if model.year_expression is not None:
        queryset = queryset.annotate(list_year=model.year_expression)
        year_from = _year(params, "year_from", notices)
        year_to = _year(params, "year_to", notices)
        if year_from is not None:
            queryset = queryset.filter(list_year__gte=year_from)
        if year_to is not None:
            queryset = queryset.filter(list_year__lte=year_to)
    facets = list_facets(model)
    chosen = chosen_values(params, facets)
    queryset = filter_by_facets(queryset, chosen, facets)
    # Unfiltered, the records to count are simply the public ones, without a subquery to match against.
    narrowed = bool(chosen) or year_from is not None or year_to is not None
    countable = counted_records(queryset) if narrowed else model.objects.public()
    return _Filtered(queryset, countable, year_from, year_to, notices, narrowed)


def _sort_chosen(model, sorts: dict, params: QueryDict, notices: list[str]) -> str:
    default_sort = next(iter(sorts)) if model.year_expression is None else "year"
    chosen = params.get("sort", default_sort)
    if chosen not in sorts:
        notices.append(_("That sort order is not available; showing the default order."))
        chosen = default_sort
    return chosen


def records_for_export(model, params: QueryDict) -> models.QuerySet:
    """Every record the list page for ``params`` counts (all its pages), in the page's order, without facet counts:
    the same filters, year range and sort, so an export holds exactly what the page lists."""
    sorts = _sorts(model)
    chosen = _sort_chosen(model, sorts, params, [])
    return _filtered(model, params).queryset.order_by(*sorts[chosen][1])


def list_facets(model) -> tuple:
    """The facets a record type's list is narrowed by: its own, then tags."""
    return (*model.list_facets, TAG_FACET)


def records_for_list(model, params: QueryDict) -> RecordList:
    """Public records of ``model`` narrowed by the facets, year range and sort order given in ``params``.

    Everything comes from the query string, so the page is bookmarkable; bad values are ignored with a notice or
    match nothing, never an error. The facet counts (every facet together), the page of records and the total
    each take one query; unfiltered, the facet counts and the total are the ones the database keeps
    (``facet_counts``), so their cost does not grow with the number of records.
    """
    found = _filtered(model, params)
    queryset, notices = found.queryset, found.notices
    facets = count_facets(
        found.countable,
        params,
        list_facets(model),
        all_url=model.get_facet_url,
        grouped=found.grouped,
        # Unfiltered, the counts read the same rows of the kept counts at every request.
        shape=None if found.narrowed else ("kept facet counts", model),
    )

    sorts = _sorts(model)
    chosen = _sort_chosen(model, sorts, params, notices)
    queryset = queryset.order_by(*sorts[chosen][1])
    sort_options = [
        SortOption(value=value, label=label, url=_sort_url(params, value), selected=value == chosen)
        for value, (label, _ordering) in _menu_sorts(model).items()
    ]
    return RecordList(
        queryset=queryset,
        facets=facets,
        sort_options=sort_options,
        columns=_column_headers(model, params, chosen),
        year_from=found.year_from,
        year_to=found.year_to,
        has_year=model.year_expression is not None,
        notices=notices,
        total=None if found.narrowed else kept_total(model),
    )


@dataclass
class FacetValues:
    """Every value of one facet over a filtered list, for the page that lists them all."""

    facet: object
    title: str
    rows: models.QuerySet  # (value, label, count) rows in the facet's order, to be paginated
    chosen: str
    notices: list[str]


def facet_values(model, param: str, params: QueryDict) -> FacetValues:
    """Every value of the facet named ``param`` over the list ``params`` describe, each with its count.

    Raises LookupError when ``model``'s list has no such facet. Counting and paging take one query each.
    """
    facet = next((facet for facet in list_facets(model) if facet.param == param), None)
    if facet is None:
        raise LookupError(param)
    found = _filtered(model, params)
    rows = found.grouped(facet).order_by(PLACE)
    return FacetValues(
        facet=facet,
        title=str(facet.title(model)),
        rows=rows.values_list(VALUE, LABEL, COUNT),
        chosen=chosen_values(params, [facet]).get(param, ""),
        notices=found.notices,
    )
