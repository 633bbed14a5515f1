"""What the world map shows: every published country record and how many published records are linked to it.

Countries are found through the registry (the record type whose records are the values of the "country" search
facet) and their links through the link declarations, so the map imports no content app. Two queries at any size:
the countries, and one ``UNION ALL`` of each relation's public records per country: read from the kept facet counts
(``FacetCount``, one row per country) where a list facet counts the relation (programmes by country), else counted
in the database.
"""

from dataclasses import dataclass

from django.db import models

from cop_kb.records.batch import rows_of_each
from cop_kb.records.facet_counts import kept_link_counts
from cop_kb.records.links import _link_fields, _typed_ends
from cop_kb.records.registry import record_types


@dataclass(frozen=True)
class CountryCount:
    country: object  # the record (pk, slug, title, ISO alpha-2), read through public()
    count: int


def country_model():
    """The record type whose records are countries (the values of the "country" search facet), or None."""
    return next((entry.model for entry in record_types() if entry.search_facet_self == "country"), None)


def _public(model) -> models.QuerySet:
    return model._default_manager.public()


def _count_parts(model, countries: models.QuerySet) -> list[models.QuerySet]:
    """One ``(country pk, how many)`` query per relation of ``model``: public records at the other end, per country."""
    parts = []
    for role, model_field in _link_fields(model):
        if role == "typed":
            typed = model_field.related_model
            _forward, other = _typed_ends(model_field)
            own = model_field.field.name
            target = typed._meta.get_field(other).related_model
            rows = typed.objects.filter(**{f"{own}__in": countries, f"{other}__in": _public(target)})
            parts.append(rows.values(own).annotate(n=models.Count(other, distinct=True)).values_list(own, "n"))
            continue
        if role == "backlink":
            target, path = model_field.related_model, model_field.field.name
            kept = kept_link_counts(target, path)
            if kept is not None:
                parts.append(kept.filter(target__in=countries))
                continue
        else:
            target, path = model_field.related_model, model_field.related_query_name()
        rows = _public(target).filter(**{f"{path}__in": countries})
        parts.append(rows.values(path).annotate(n=models.Count("pk", distinct=True)).values_list(path, "n"))
    return parts


def country_counts() -> list[CountryCount]:
    """Every published country with the number of published records linked to it (summed over relations: a record
    linked to one country in two ways counts twice), by title."""
    model = country_model()
    if model is None:
        return []
    countries = _public(model)
    rows = countries.order_by("title", "pk").values_list("pk", "slug", "title", "iso_alpha2")
    found = [
        model.shown(pk=pk, slug=slug, title=title, iso_alpha2=code, status="published")
        for pk, slug, title, code in rows
    ]
    counts: dict[int, int] = {}
    for part in rows_of_each(_count_parts(model, countries.values("pk"))):
        for pk, number in part:
            counts[pk] = counts.get(pk, 0) + number
    return [CountryCount(country, counts.get(country.pk, 0)) for country in found]
