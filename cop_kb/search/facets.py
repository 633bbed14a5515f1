"""Search facets as a results page shows them: each facet's most used values (and the chosen one, always) with a
link to a page of every value, labelled with one query whatever the number of values. Values that are records (a
strategic area, a country) are listed in their type's natural order (strategic areas by position)."""

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from cop_kb.records.batch import rows_of_each
from cop_kb.records.facets import TOP_VALUES, FacetOption, FacetResult, query_url
from cop_kb.records.ordering import natural_order
from cop_kb.records.registry import record_types

FACETS = (
    ("type", _("Record type")),
    ("strategic_area", _("Strategic area")),
    ("country", _("Country")),
    ("year", _("Year")),
    ("tag", _("Tag")),
)
# The page of every value of one facet lists this many a page.
VALUES_PER_PAGE = 100


def record_type_labels() -> dict[str, str]:
    return {entry.label: entry.name for entry in record_types()}


def record_facets() -> dict[str, type]:
    """Facets whose values are records themselves (a country, a strategic area), each with its record type."""
    return {entry.search_facet_self: entry.model for entry in record_types() if entry.search_facet_self}


def _facet_labels(counts: list[dict]) -> dict[tuple[str, str], str]:
    """Readable names for facet values: record types and years as they are, tags and linked records looked up.
    Values that are records come in their type's natural order, so the labels' order is also theirs."""
    type_labels = record_type_labels()
    labels = {}
    wanted: dict[str, set[str]] = {}
    for row in counts:
        facet, value = row["facet"], row["value"]
        if facet == "type":
            labels[(facet, value)] = type_labels.get(value, value)
        elif facet == "year":
            labels[(facet, value)] = value
        else:
            wanted.setdefault(facet, set()).add(value)
    # Tags are named by taggit; strategic areas and countries are records themselves, read through ``public()`` in
    # their type's order: a value whose record is not public gets no label and is not offered. One query for all.
    models = record_facets()
    named = [facet for facet in wanted if facet in models]
    as_facet = {"output_field": CharField()}
    parts = rows_of_each(
        [
            Tag.objects.filter(slug__in=wanted.get("tag", ()))
            .order_by()
            .annotate(facet=Value("tag", **as_facet))
            .values_list("facet", "slug", "name"),
            *(
                models[facet]
                .objects.public()
                .filter(slug__in=wanted[facet])
                .order_by(*natural_order(models[facet]), "pk")
                .annotate(facet=Value(facet, **as_facet))
                .values_list("facet", "slug", "title")
                for facet in named
            ),
        ]
    )
    for facet, slug, name in (row for part in parts for row in part):
        labels[(facet, slug)] = name
    return labels


def _in_order(rows: list[dict], labels: dict[tuple[str, str], str]) -> list[dict]:
    """``rows`` of one facet that have a label, in the labels' order (a record type's natural order)."""
    places = {key: place for place, key in enumerate(labels)}
    return sorted(
        (row for row in rows if (row["facet"], row["value"]) in places),
        key=lambda row: places[(row["facet"], row["value"])],
    )


def _option(row: dict, label: str, params: QueryDict, chosen: dict[str, str], base: str = "") -> FacetOption:
    param, value = row["facet"], row["value"]
    selected = chosen.get(param) == value
    url = base + query_url(params, **{param: None if selected else value})
    return FacetOption(value=value, label=label, count=row["n"], url=url, selected=selected)


def facet_groups(counts: list[dict], params: QueryDict, chosen: dict[str, str]) -> list[FacetResult]:
    """Each facet's ``TOP_VALUES`` most used values (the chosen one first, whatever its count) as the results page
    shows them, with a link to every value when a facet has more; only the values shown are labelled."""
    tops = {}
    for param, _label in FACETS:
        rows = [row for row in counts if row["facet"] == param]
        rows.sort(key=lambda row: (row["value"] != chosen.get(param), -row["n"], row["value"]))
        tops[param] = (rows[:TOP_VALUES], len(rows))
    labels = _facet_labels([row for top, _count in tops.values() for row in top])
    groups = []
    for param, label in FACETS:
        group = FacetResult(param=param, label=str(label))
        top, group.value_count = tops[param]
        rows = [row for row in top if (param, row["value"]) in labels]
        if param in record_facets():
            rows = _in_order(rows, labels)
        elif param == "year":
            rows.sort(key=lambda row: row["value"], reverse=True)
        else:
            rows.sort(key=lambda row: (-row["n"], labels[(param, row["value"])].casefold()))
        group.options = [_option(row, labels[(param, row["value"])], params, chosen) for row in rows]
        if group.value_count > len(top):
            group.all_url = reverse("search:facet", kwargs={"param": param}) + query_url(params)
        if param in chosen:
            group.clear_url = query_url(params, **{param: None})
        if group.options or group.clear_url:
            groups.append(group)
    return groups


def facet_page(counts: list[dict], param: str, page_number: str) -> tuple[Page, dict[tuple[str, str], str]]:
    """One page of every value of the facet ``param`` (records in their type's natural order, labelled all at
    once to be put in it; years newest first; other values by their slugs), and the labels of the values on it.
    Raises django's ``InvalidPage`` for a bad page."""
    rows = sorted((row for row in counts if row["facet"] == param), key=lambda row: row["value"])
    if param in record_facets():
        labels = _facet_labels(rows)
        return Paginator(_in_order(rows, labels), VALUES_PER_PAGE, allow_empty_first_page=True).page(
            page_number
        ), labels
    if param == "year":
        rows.reverse()
    page = Paginator(rows, VALUES_PER_PAGE, allow_empty_first_page=True).page(page_number)
    return page, _facet_labels(page.object_list)


def facet_options(page: Page, labels: dict, params: QueryDict, chosen: dict[str, str]) -> list[FacetOption]:
    """The options of one page of a facet's values, each linking to the search with that value added."""
    search_url = reverse("search:search")
    return [
        _option(row, labels[(row["facet"], row["value"])], params, chosen, search_url)
        for row in page.object_list
        if (row["facet"], row["value"]) in labels
    ]
