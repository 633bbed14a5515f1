"""Filters of each record type's API list, made from the facets its list page has (``list_facets``), so the API and
the pages narrow by the same names and values: ``?country=viet-nam``, ``?tag=grooming``, ``?kind=convention``.

A value that names nothing is an error here (400), not an empty list: a partner's program should learn that it asked
for something that does not exist. Only public records are valid values, so a draft's slug is as unknown as a typo.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cop_kb.records.facets import RelatedFacet
from cop_kb.records.selectors import YEAR_MAX, YEAR_MIN, list_facets

YEAR_SCHEMA = {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}


@extend_schema_field(YEAR_SCHEMA)
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    """A linked record (or tag) named by its slug."""


class InstantField(forms.DateTimeField):
    """An ISO 8601 date or date and time (naive values are UTC); one that cannot be a UTC instant is refused."""

    def to_python(self, value):
        instant = super().to_python(value)
        try:
            return instant and instant.astimezone(datetime.UTC)
        except OverflowError as error:
            raise ValidationError("Enter a date and time between the years 1 and 9999.", code="invalid") from error


@extend_schema_field(OpenApiTypes.DATETIME)
class UpdatedSinceFilter(django_filters.Filter):
    field_class = InstantField


class StableOrdering(django_filters.OrderingFilter):
    """The chosen order, then the primary key, so pages never repeat or skip a record of equal rank."""

    def filter(self, queryset, value):
        queryset = super().filter(queryset, value)
        return queryset.order_by(*queryset.query.order_by, "pk") if value else queryset


def _facet_filter(model, facet) -> django_filters.Filter:
    """A filter applying ``facet`` as the list page does, accepting only values that name something public."""
    title = str(facet.title(model))
    if isinstance(facet, RelatedFacet):
        targets = facet.public_targets(model)
        if not hasattr(targets, "public"):
            # Tags have no status: a tag is known here only while a published record of this type has it, so a tag
            # that only drafts carry answers like one that never existed.
            targets = targets.filter(pk__in=model.objects.public().values(facet.path))
        return SlugFilter(
            queryset=targets,
            to_field_name="slug",
            error_messages={"invalid_choice": f"No published {title} has this slug."},
            method=lambda queryset, _name, value: facet.filter(queryset, value.slug),
            label=f"Only records linked to this {title} (its slug).",
        )
    model_field = model._meta.get_field(facet.field_name)
    apply = lambda queryset, _name, value: facet.filter(queryset, str(value))  # noqa: E731
    if model_field.choices:
        return django_filters.ChoiceFilter(
            choices=model_field.choices,
            method=apply,
            label=f"Only this {title}.",
            error_messages={"invalid_choice": f"Not a {title}; the schema lists the values."},
        )
    return YearFilter(method=apply, label=f"Only this {title}.")


def filterset_for(model) -> type[django_filters.FilterSet]:
    """The FilterSet of ``model``'s API list: its facets, the year range if it has years, ``updated_since`` and
    ``ordering``."""
    filters: dict[str, django_filters.Filter] = {
        facet.param: _facet_filter(model, facet) for facet in list_facets(model)
    }
    orders = [("title", "title"), ("updated_at", "updated")]
    if model.year_expression is not None:
        filters["year_from"] = YearFilter(field_name="list_year", lookup_expr="gte", label="Only from this year on.")
        filters["year_to"] = YearFilter(field_name="list_year", lookup_expr="lte", label="Only up to this year.")
        orders.append(("list_year", "year"))
    filters["updated_since"] = UpdatedSinceFilter(
        field_name="updated_at", lookup_expr="gte", label="Only records changed at or after this ISO 8601 date or time."
    )
    filters["ordering"] = StableOrdering(fields=orders, label="Sort order; a leading '-' reverses it.")
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}Filters", (django_filters.FilterSet,), {**filters, "Meta": meta})
