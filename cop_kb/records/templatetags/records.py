"""Template helpers for records of any type."""

import functools
from html import escape

from django import template
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language

register = template.Library()


@register.filter
def verbose_name(record) -> str:
    """The record's type as a reader says it ("optional protocol" is a kind; this gives "instrument")."""
    return capfirst(record._meta.verbose_name)


def _title_html(record, script_prefix: str) -> str:
    """``record_title``'s HTML, escaped as Django escapes (``html.escape``), written without ``format_html``: each of
    its calls checks every argument for lazy text and escapes it again through a wrapper, some 20 µs a link."""
    link = f'<a href="{escape(record.get_absolute_url(script_prefix))}">{escape(record.title)}</a>'
    subtitle = record.subtitle
    return f'{link} <span class="subtitle">{escape(subtitle)}</span>' if subtitle else link


@register.simple_tag
def record_title(record) -> str:
    """A record's title as a link to its page, and its short name ("CRC") beside it when it has one."""
    return mark_safe(_title_html(record, get_script_prefix()))  # noqa: S308 - every value escaped in _title_html


@register.simple_tag
def link_items(records) -> str:
    """The items of one group of links on a record's page. Written here rather than as a template included for each
    link: a record linked to thousands shows up to 50 of each relation (and kind), some 900 for the UN General
    Assembly at 100,000 records, and the includes took about a third of its page."""
    type_names: dict[type, str] = {}
    items = []
    script_prefix = get_script_prefix()
    for record in records:
        model = type(record)
        if model not in type_names:
            type_names[model] = escape(verbose_name(record))
        title = _title_html(record, script_prefix)
        items.append(f'\n    <li>{title} <span class="type">{type_names[model]}</span></li>\n    ')
    return mark_safe("".join(items))  # noqa: S308 - every value escaped in _title_html or above


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
