"""Reads that take user input: the filtered, sorted list of one record type with its facet counts."""

from dataclasses import dataclass, field

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _

from .facets import TAG_FACET, FacetResult, apply_facets

YEAR_MIN, YEAR_MAX = 1000, 2999


@dataclass(frozen=True)
class SortOption:
    value: str
    label: str
    url: str
    selected: bool


@dataclass
class RecordList:
    queryset: models.QuerySet
    facets: list[FacetResult]
    sort_options: list[SortOption]
    year_from: int | None = None
    year_to: int | None = None
    has_year: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def is_filtered(self) -> bool:
        return any(facet.clear_url for facet in self.facets) or self.year_from is not None or self.year_to is not None


def _sorts(model) -> dict[str, tuple[str, list]]:
    sorts = {"title": (_("Title A–Z"), ["title"])}
    if model.year_expression is not None:
        sorts["-year"] = (_("Newest first"), [models.F("list_year").desc(nulls_last=True), "title"])
        sorts["year"] = (_("Oldest first"), [models.F("list_year").asc(nulls_last=True), "title"])
    sorts["-updated"] = (_("Recently updated"), ["-updated_at", "title"])
    return sorts


def _year(params: QueryDict, name: str, notices: list[str]) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    notices.append(_("“%(value)s” is not a year, so it was ignored.") % {"value": raw[:20]})
    return None


def records_for_list(model, params: QueryDict) -> RecordList:
    """Public records of ``model`` narrowed by the facets, year range and sort order given in ``params``.

    Everything comes from the query string, so the page is bookmarkable; bad values are ignored with a notice or
    match nothing, never an error. Facet counts, the page of records and the total each take one query.
    """
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
    queryset, facets = apply_facets(queryset, params, (*model.list_facets, TAG_FACET))

    sorts = _sorts(model)
    default_sort = next(iter(sorts)) if model.year_expression is None else "year"
    chosen = params.get("sort", default_sort)
    if chosen not in sorts:
        notices.append(_("That sort order is not available; showing the default order."))
        chosen = default_sort
    queryset = queryset.order_by(*sorts[chosen][1])
    sort_options = []
    for value, (label, _ordering) in sorts.items():
        query = params.copy()
        query.pop("page", None)
        query["sort"] = value
        sort_options.append(SortOption(value=value, label=label, url=f"?{query.urlencode()}", selected=value == chosen))
    return RecordList(
        queryset=queryset,
        facets=facets,
        sort_options=sort_options,
        year_from=year_from,
        year_to=year_to,
        has_year=model.year_expression is not None,
        notices=notices,
    )
