"""Facets for list pages: declared per record type, counted over the filtered public records.

A facet narrows a list by one value given in the URL (``?kind=convention``, ``?country=viet-nam``), so every
filtered list is a link people can share. Unknown or malformed values never fail: an unknown value simply
matches nothing, and a malformed year is ignored with a message.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

MAX_PARAM_LENGTH = 120


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


def query_url(params: QueryDict, **changes: str | None) -> str:
    """The same query string with ``changes`` (None removes a parameter), back on its first page unless one is
    given: for facet links, clear links and pagination, on list pages and search alike."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


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

    def counts(self, queryset: models.QuerySet) -> list[tuple[str, str, int]]:
        model_field = queryset.model._meta.get_field(self.field_name)
        choices = dict(model_field.flatchoices) if model_field.choices else {}
        rows = (
            queryset.exclude(**{f"{self.field_name}__isnull": True})
            .order_by()
            .values_list(self.field_name)
            .annotate(n=Count("pk"))
            .order_by(self.field_name)
        )
        if self.field_name == "year":
            rows = rows.order_by(f"-{self.field_name}")
        return [(str(value), str(choices.get(value, value)), n) for value, n in rows if value not in ("", None)]

    def title(self, model) -> str:
        return self.label or str(model._meta.get_field(self.field_name).verbose_name)


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

    def _reverse_name(self, model) -> str:
        """How the linked model's queries reach back to ``model`` along this path (either direction of a link)."""
        model_field = model._meta.get_field(self.path)
        if model_field.auto_created and not model_field.concrete:
            return model_field.field.name
        return model_field.related_query_name()

    def _public_targets(self, model) -> models.QuerySet:
        target = self._target(model)
        manager = target._default_manager
        return manager.public() if hasattr(manager, "public") else manager.all()

    def filter(self, queryset: models.QuerySet, value: str) -> models.QuerySet:
        targets = self._public_targets(queryset.model).filter(slug=value)
        return queryset.filter(**{f"{self.path}__in": targets}).distinct()

    def counts(self, queryset: models.QuerySet) -> list[tuple[str, str, int]]:
        model = queryset.model
        reverse = self._reverse_name(model)
        within = Q(**{f"{reverse}__in": queryset.values("pk")})
        rows = self._public_targets(model).annotate(n=Count(reverse, filter=within, distinct=True)).filter(n__gt=0)
        # Tags (django-taggit) are named, records titled; both sort alphabetically.
        rows = rows.order_by("name" if self.path == "tags" else "title")
        return [(row.slug, str(row), row.n) for row in rows]

    def title(self, model) -> str:
        return self.label or str(self._target(model)._meta.verbose_name)


TAG_FACET = RelatedFacet("tag", "tags", _("tag"))


def apply_facets(queryset: models.QuerySet, params: QueryDict, facets) -> tuple[models.QuerySet, list[FacetResult]]:
    """Filter ``queryset`` by every facet value in ``params`` and count each facet's options over the result."""
    model = queryset.model
    chosen = {}
    for facet in facets:
        value = params.get(facet.param, "")[:MAX_PARAM_LENGTH]
        if value:
            chosen[facet.param] = value.replace("\x00", "")
            # No stored value contains NUL (PostgreSQL refuses it in text), so such a value matches nothing.
            queryset = queryset.none() if "\x00" in value else facet.filter(queryset, value)
    results = []
    for facet in facets:
        title = facet.title(model)
        result = FacetResult(param=facet.param, label=capfirst(title))
        for value, label, count in facet.counts(queryset):
            selected = chosen.get(facet.param) == value
            url = query_url(params, **{facet.param: None if selected else value})
            result.options.append(FacetOption(value=value, label=label, count=count, url=url, selected=selected))
            if selected:
                result.selected_label = label
        if facet.param in chosen:
            result.clear_url = query_url(params, **{facet.param: None})
            result.selected_label = result.selected_label or chosen[facet.param]
        if result.options or result.clear_url:
            results.append(result)
    return queryset, results
