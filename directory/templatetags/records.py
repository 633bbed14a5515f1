"""Template helpers for records of any type."""

from django import template

register = template.Library()


@register.filter
def verbose_name(record) -> str:
    """The record's type as a reader says it ("optional protocol" is a kind; this gives "instrument")."""
    name = str(record._meta.verbose_name)
    return name[:1].upper() + name[1:]
