"""Template helpers for records of any type."""

from django import template
from django.utils.text import capfirst

register = template.Library()


@register.filter
def verbose_name(record) -> str:
    """The record's type as a reader says it ("optional protocol" is a kind; this gives "instrument")."""
    return capfirst(record._meta.verbose_name)


@register.filter
def list_meta(record) -> list[str]:
    """A list row's short facts: the record's kind or level and its year, where the type has them."""
    items = []
    for name in ("kind", "level", "side", "scope"):
        if getattr(record, name, ""):
            items.append(getattr(record, f"get_{name}_display")())
    year = getattr(record, "list_year", None)
    if year:
        items.append(str(year))
    return items


@register.filter
def list_cell(record, column):
    """What one column of a list's table shows of ``record`` (``cop_kb.records.list_columns``)."""
    return column.cell(record)
