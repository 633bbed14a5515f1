"""Template helpers for records of any type."""

import functools
from html import escape

from django import template
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import get_language, gettext

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


def _item(heading: str, url: str, title: str, subtitle: str, meta: str, ending: str) -> str:
    """One item of a list of records or of search hits: the title, linking to the record, under ``heading``, then
    what there is of its short name, its ``meta`` line (HTML) and an ``ending`` paragraph (HTML)."""
    parts = [f'<li>\n        <{heading}><a href="{escape(url)}">{escape(title)}</a></{heading}>']
    if subtitle:
        parts.append(f'<p class="subtitle">{escape(subtitle)}</p>')
    if meta:
        parts.append(f'<p class="meta">{meta}</p>')
    if ending:
        parts.append(ending)
    return "\n      " + "\n        ".join(parts) + "\n      </li>"


def _list_item(record, script_prefix: str) -> str:
    meta = " · ".join(f"<span>{escape(item)}</span>" for item in list_meta(record))
    summary = f"<p>{escape(Truncator(record.summary).words(40, truncate=' …'))}</p>" if record.summary else ""
    url = record.get_absolute_url(script_prefix)
    return _item("h2", url, record.title, record.subtitle, meta, summary)


@register.simple_tag
def list_items(records) -> str:
    """The rows of a record type's list: each record's title linking to its page, its short name, short facts
    (``list_meta``) and the start of its summary. Written here rather than as a loop in the template, whose
    variable lookups and filters were a fifth of the work of a page of 50 provisions."""
    script_prefix = get_script_prefix()
    return mark_safe("".join(_list_item(record, script_prefix) for record in records))  # noqa: S308 - escaped in _item


def _table_cell(record, column) -> str:
    cell = column.cell(record)
    text = escape(cell.text)
    if column.primary:
        return f'<th scope="row"><a href="{escape(cell.url)}">{text}</a></th>'
    return f'<td><a href="{escape(cell.url)}">{text}</a></td>' if cell.url else f"<td>{text}</td>"


@register.simple_tag
def table_rows(records, headers) -> str:
    """The rows of a list shown as a table (``cop_kb.records.list_columns``): one cell per column, the record's own
    title as the row's header, linked cells where a column leads to a record. Written here for the reason
    ``list_items`` is."""
    columns = [header.column for header in headers]
    rows = ("".join(_table_cell(record, column) for column in columns) for record in records)
    return mark_safe("".join(f"\n    <tr>{row}</tr>" for row in rows))  # noqa: S308 - escaped in _table_cell


def _hit_item(hit, heading: str) -> str:
    alias = ""
    if hit.matched_alias:
        said = gettext("matched alias: %(alias)s") % {"alias": escape(hit.matched_alias)}
        alias = f' · <span class="alias">{said}</span>'
    # Already HTML: the backend's highlights made <mark> after the rest was escaped (``highlight``).
    snippet = f'<p class="snippet">{conditional_escape(hit.snippet)}</p>' if hit.snippet else ""
    meta = f"<span>{escape(hit.type_label)}</span>{alias}"
    return _item(heading, hit.url, hit.title, hit.subtitle, meta, snippet)


@register.simple_tag
def search_hits(hits, heading: str) -> str:
    """Search results (``SearchHit``), each under a ``heading`` the template names ("h2", "h3"): its title linking
    to its record, short name, type, the alias it was found by and its highlighted snippet. Written here for the
    reason ``list_items`` is: a template included for each of a page's 20 hits."""
    return mark_safe("".join(_hit_item(hit, heading) for hit in hits))  # noqa: S308 - escaped in _item and here
