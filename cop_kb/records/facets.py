"""Facets for list pages: declared per record type, counted over the filtered public records.

A facet narrows a list by one value given in the URL (``?kind=convention``, ``?country=viet-nam``), so every
filtered list is a link people can share. Unknown or malformed values never fail: an unknown value simply
matches nothing, and a malformed year is ignored with a message.

A list shows each facet's ``TOP_VALUES`` most used values (and the chosen one, always) in the facet's natural
order (a linked type's own: strategic areas by position), and when a facet has more, a link leads to a page with
every value of it, in that order too. All the facets of a list are counted in one query, each facet by one
grouped subquery that also says how many values it has, so neither the query count nor what a page renders grows
with the data.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, CharField, Count, F, Q, Value, When, Window
from django.db.models.functions import Cast, Lower, RowNumber
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .batch import prepared_rows, rows_of_each
from .models import public_q
from .ordering import natural_order

MAX_PARAM_LENGTH = 120
TOP_VALUES = 10
# The columns every facet's grouped rows have: the value in the URL, its label, how many records have it, and its
# place in the facet's natural order.
VALUE, LABEL, COUNT, PLACE = "facet_value", "facet_label", "facet_count", "facet_place"


def placed(rows: models.QuerySet, order: list) -> models.QuerySet:
    """A facet's grouped ``rows`` numbered (``PLACE``) in ``order``, the facet's natural order of its values: the
    order key travels as one number, so the rows of every facet still read together (``rows_of_each``)."""
    return rows.annotate(**{PLACE: Window(RowNumber(), order_by=order)})


# One facet group and its values as a page shows them, on list pages and search results alike.
@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    url: str
    selected: bool


@dataclass
class FacetResult:
    param: str
    label: str
    options: list[FacetOption] = field(default_factory=list)
    clear_url: str = ""
    selected_label: str = ""
    # Set when the facet has more values than the list shows: where to see them all, and how many there are.
    all_url: str = ""
    value_count: int = 0


def query_url(params: QueryDict, **changes: str | None) -> str:
    """The same query string with ``changes`` (None removes a parameter), back on its first page unless one is
    given: for facet links, clear links and pagination, on list pages and search alike.

    A changed parameter keeps its place and a new one goes last, as setting it on a copy of ``params`` would; the
    pairs are encoded without copying the QueryDict, which deep-copies every list (a page builds one link per facet
    value shown, about 40 on a search page)."""
    kept = [(key, values) for key, values in params.lists() if key != "page"]
    pairs = []
    for key, values in kept:
        if key not in changes:
            pairs += [(key, value) for value in values]
        elif changes[key] is not None:
            pairs.append((key, changes[key]))
    present = {key for key, _values in kept}
    pairs += [(key, value) for key, value in changes.items() if value is not None and key not in present]
    return f"?{urlencode(pairs)}" if pairs else "?"


@dataclass(frozen=True)
class ChoiceFacet:
    """Narrow by a field of the record itself: its kind, level, year."""

    param: str
    field_name: str
    label: str = ""

    def filter(self, queryset: models.QuerySet, value: str) -> models.QuerySet:
        try:
            value = queryset.model._meta.get_field(self.field_name).to_python(value)
        except ValidationError:
            return queryset.none()  # "?year=abc" names no year: nothing matches
        return queryset.filter(**{self.field_name: value})

    def grouped(self, records: models.QuerySet) -> models.QuerySet:
        """One row per value the records have (value, label, count, place), unordered; labels come from
        ``label_of``."""
        as_text = Cast(self.field_name, CharField())
        rows = (
            records.exclude(**{f"{self.field_name}__isnull": True})
            .values(**{VALUE: as_text, LABEL: as_text})
            .exclude(**{VALUE: ""})
            .annotate(**{COUNT: Count("pk")})
        )
        return placed(rows, self.value_order())

    def value_order(self) -> list:
        """How every value is listed (over rows with a ``VALUE``): years newest first, other choices by their
        stored value."""
        return [F(VALUE).desc() if self.field_name == "year" else F(VALUE).asc()]

    def label_of(self, model, value: str, label: str) -> str:
        model_field = model._meta.get_field(self.field_name)
        return (
            str(dict(model_field.flatchoices).get(model_field.to_python(value), label))
            if model_field.choices
            else label
        )

    def title(self, model) -> str:
        return self.label or str(model._meta.get_field(self.field_name).verbose_name)


def named_field(target) -> str:
    """What a linked value is called by: records are titled; tags (django-taggit), which have no status, named."""
    return "title" if any(f.name == "title" for f in target._meta.fields) else "name"


@dataclass(frozen=True)
class RelatedFacet:
    """Narrow by a linked record (issuing body, country, strategic area, tag), named by its slug in the URL.

    Only public linked records are offered and counted, so a draft organisation never shows up as a facet.
    """

    param: str
    path: str
    label: str = ""

    def _target(self, model):
        return model._meta.get_field(self.path).related_model

    def public_targets(self, model) -> models.QuerySet:
        target = self._target(model)
        manager = target._default_manager
        return manager.public() if hasattr(manager, "public") else manager.all()

    def filter(self, queryset: models.QuerySet, value: str) -> models.QuerySet:
        targets = self.public_targets(queryset.model).filter(slug=value)
        return queryset.filter(**{f"{self.path}__in": targets}).distinct()

    def grouped(self, records: models.QuerySet) -> models.QuerySet:
        """One row per public linked record (slug, title or name, count of records linked to it, place in the
        linked type's order), unordered."""
        target = self._target(records.model)
        named = named_field(target)
        public = public_q(self.path) if hasattr(target._default_manager, "public") else Q()
        rows = (
            records.filter(public, **{f"{self.path}__isnull": False})
            .values(**{VALUE: F(f"{self.path}__slug"), LABEL: F(f"{self.path}__{named}")})
            .annotate(**{COUNT: Count("pk", distinct=True)})
        )
        # The order's columns join the grouping; each is one linked record's, so the groups stay the same.
        return placed(rows, self.value_order(records.model, f"{self.path}__"))

    def value_order(self, model, path: str = "") -> list:
        """How every value is listed: in the linked type's natural order (its ``Meta.ordering``: strategic areas
        by position, instruments by date; tags, which have none, by name whatever its case), over the linked
        record at ``path``."""
        target = self._target(model)
        by_name = Lower(path + named_field(target)).asc()
        return [*(natural_order(target, path) or [by_name]), F(path + "slug").asc()]

    def label_of(self, model, value: str, label: str) -> str:
        return label

    def title(self, model) -> str:
        return self.label or str(self._target(model)._meta.verbose_name)


TAG_FACET = RelatedFacet("tag", "tags", _("tag"))


def chosen_values(params: QueryDict, facets) -> dict[str, str]:
    """The value given for each facet in ``params``, cut to a sane length; NUL kept, so it can match nothing."""
    chosen = {}
    for facet in facets:
        value = params.get(facet.param, "")[:MAX_PARAM_LENGTH]
        if value:
            chosen[facet.param] = value
    return chosen


def filter_by_facets(queryset: models.QuerySet, chosen: dict[str, str], facets) -> models.QuerySet:
    """``queryset`` narrowed by every chosen facet value."""
    for facet in facets:
        value = chosen.get(facet.param)
        if value:
            # No stored value contains NUL (PostgreSQL refuses it in text), so such a value matches nothing.
            queryset = queryset.none() if "\x00" in value else facet.filter(queryset, value)
    return queryset


def counted_records(queryset: models.QuerySet) -> models.QuerySet:
    """The records a list shows, as a plain query to count facets over: filters by linked records join and
    de-duplicate, which grouping by another link must not inherit."""
    return queryset.model._default_manager.filter(pk__in=queryset.order_by().values("pk"))


def _top_values(grouped: models.QuerySet, chosen: str | None) -> models.QuerySet:
    """A facet's most used values (of its ``grouped`` rows), the chosen one first whatever its count, with their
    places in the facet's order and the facet's number of values."""
    order = [F(COUNT).desc(), F(LABEL), F(VALUE)]
    # PostgreSQL refuses NUL in text; such a value names nothing, so nothing needs to come first.
    if chosen and "\x00" not in chosen:
        order.insert(0, Case(When(**{VALUE: chosen}, then=Value(0)), default=Value(1)))
    return (
        grouped.annotate(facet_values=Window(Count("*")))
        .order_by(*order)
        .values_list(VALUE, LABEL, COUNT, PLACE, "facet_values")[:TOP_VALUES]
    )


def count_facets(
    records: models.QuerySet, params: QueryDict, facets, *, all_url=None, grouped=None, shape=None
) -> list[FacetResult]:
    """Each facet's most used values over ``records`` (see ``counted_records``) with their counts, in one query
    for all facets.

    ``all_url(param)`` gives the page listing every value of a facet; it is linked, with the current filters,
    when a facet has more values than are shown. ``grouped(facet)`` gives a facet's (value, label, count, place)
    rows when they are not counted over ``records`` (the kept counts of an unfiltered list). The values chosen by
    count are shown in the facet's natural order (``PLACE``). ``shape`` names the counting query when it depends on
    nothing the request chose (an unfiltered list: ``prepared_rows``); with a value chosen it is not used.
    """
    model = records.model
    chosen = chosen_values(params, facets)
    grouped = grouped or (lambda facet: facet.grouped(records))

    def parts() -> list[models.QuerySet]:
        return [_top_values(grouped(facet), chosen.get(facet.param)) for facet in facets]

    every_top = prepared_rows((shape, *facets), parts) if shape and not chosen else rows_of_each(parts())
    results = []
    for facet, top in zip(facets, every_top, strict=True):
        result = FacetResult(param=facet.param, label=capfirst(facet.title(model)))
        for value, stored_label, count, _place, _total in sorted(top, key=lambda row: row[3]):
            label = facet.label_of(model, value, stored_label)
            selected = chosen.get(facet.param) == value
            url = query_url(params, **{facet.param: None if selected else value})
            result.options.append(FacetOption(value=value, label=label, count=count, url=url, selected=selected))
            if selected:
                result.selected_label = label
        result.value_count = top[0][4] if top else 0
        if all_url is not None and result.value_count > len(top):
            result.all_url = all_url(facet.param) + query_url(params)
        if facet.param in chosen:
            result.clear_url = query_url(params, **{facet.param: None})
            result.selected_label = result.selected_label or chosen[facet.param].replace("\x00", "")
        if result.options or result.clear_url:
            results.append(result)
    return results
