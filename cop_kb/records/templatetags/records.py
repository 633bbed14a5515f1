"""Template helpers for records of any type."""

import functools

from django import template
from django.utils.text import capfirst
from django.utils.translation import get_language

register = template.Library()


@register.filter
def verbose_name(record) -> str:
    """The record's type as a reader says it ("optional protocol" is a kind; this gives "instrument")."""
    return capfirst(record._meta.verbose_name)


@functools.cache
def _choice_labels(model_field, language: str | None) -> dict:
    """A choice field's labels by stored value, in one language: what ``get_<name>_display()`` gives, which builds
    this dictionary and translates the label again at every call (some 40 µs, for each row of a list)."""
    return {value: str(label) for value, label in model_field.flatchoices}


@register.filter
def list_meta(record) -> list[str]:
    """A list row's short facts: the record's kind or level and its year, where the type has them."""
    items = []
    for name in ("kind", "level", "side", "scope"):
        value = getattr(record, name, "")
        if value:
            items.append(_choice_labels(record._meta.get_field(name), get_language()).get(value, value))
    year = getattr(record, "list_year", None)
    if year:
        items.append(str(year))
    return items


@register.filter
def list_cell(record, column):
    """What one column of a list's table shows of ``record`` (``cop_kb.records.list_columns``)."""
    return column.cell(record)
