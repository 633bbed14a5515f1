"""Search facets as a results page shows them: each facet's most used values (and the chosen one, always) with a
link to a page of every value, labelled with one query whatever the number of values."""

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from cop_kb.records.batch import rows_of_each
from cop_kb.records.facets import TOP_VALUES, FacetOption, FacetResult, query_url
from cop_kb.records.registry import record_types

from .models import SearchDocument

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
    """Readable names for facet values: record types and years as they are, tags and linked records looked up."""
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
    # Tags are named by taggit; strategic areas and countries are records themselves, and their documents give
    # their titles. The index holds only public records (migration 0004), so a value whose record is not public
    # gets no label and is not offered. One query for both.
    facet_types = {facet: model._meta.label_lower for facet, model in record_facets().items()}
    named_facets = {facet_types[facet]: facet for facet in wanted if facet in facet_types}
    slugs = set().union(*(values for facet, values in wanted.items() if facet != "tag"))
    tags, named = rows_of_each(
        [
            Tag.objects.filter(slug__in=wanted.get("tag", ()))
            .order_by()
            .annotate(facet=Value("tag", output_field=CharField()))
            .values_list("facet", "slug", "name"),
            SearchDocument.objects.filter(record_type__in=named_facets, slug__in=slugs)
            .order_by()
            .values_list("record_type", "slug", "title"),
        ]
    )
    for _facet, slug, name in tags:
        labels[("tag", slug)] = name
    for record_type, slug, title in named:
        labels[(named_facets[record_type], slug)] = title
    return labels


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
        if param == "year":
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
    """One page of every value of the facet ``param`` (years newest first, other values in their order: names
    by their slugs), and the labels of the values on it. Raises django's ``InvalidPage`` for a bad page."""
    rows = sorted((row for row in counts if row["facet"] == param), key=lambda row: row["value"])
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
