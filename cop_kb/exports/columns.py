"""The columns of a record type's CSV, generated from its model fields and link declarations, and how a cell is
written: links as slugs, several values joined with ``SEPARATOR``, formulas neutralised.

No column is written for one type in particular: a new field or link declaration becomes a column by itself.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from cop_kb.records.chunks import Loaded
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField, typed_link_relations
from cop_kb.records.models import DatePrecision, Record
from cop_kb.records.partial_dates import PartialDate
from cop_kb.records.registry import record_type_of

# Several values in one cell (links, tags, aliases) are joined with this; a value holding it (or a backslash, the
# escape) has it escaped with a backslash, so a cell always splits back into its values.
SEPARATOR = "|"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such a cell gets a leading "'".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Editorial fields of the record base that are not public facts; the raw Markdown body is left out too, since a
# link in it may name a record that is not public (``body_html`` is the body as the public page shows it).
_NOT_EXPORTED = {"body", "status", "created_at", "last_verified_on", "last_verified_by", "review_interval_days"}
_BASE_FIELDS = [model_field.name for model_field in Record._meta.local_fields]


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[Loaded], object]  # a value, or a list of values for a multi-valued cell


def cell(value) -> str:
    """One CSV cell: text as a spreadsheet should show it, never something it would run."""
    text = SEPARATOR.join(_escaped(_text(item)) for item in value) if isinstance(value, list) else _text(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return str(value)


def _partial_dates(model) -> dict[str, str]:
    """{date field: its precision field} for every ``PartialDate`` the model declares."""
    found = {}
    for klass in model.__mro__:
        for attribute in vars(klass).values():
            if isinstance(attribute, PartialDate):
                found[attribute.date_field] = attribute.precision_field
    return found


def _partial_date(date_field: str, precision_field: str) -> Callable[[Loaded], str]:
    """The date as far as it is known, in ISO 8601: 1989-11-20, 2008-11 or 2006."""
    length = {DatePrecision.DAY: 10, DatePrecision.MONTH: 7, DatePrecision.YEAR: 4}

    def read(loaded: Loaded) -> str:
        record = loaded.record
        value = getattr(record, date_field)
        return value.isoformat()[: length.get(getattr(record, precision_field), 10)] if value else ""

    return read


def _field(name: str) -> Callable[[Loaded], object]:
    return lambda loaded: getattr(loaded.record, name)


def _single_link(name: str) -> Callable[[Loaded], str]:
    """The slug of the record a single link leads to, when it is public."""
    return lambda loaded: next((target.slug for target in loaded.targets(name)), "")


def _links(relation: str) -> Callable[[Loaded], list[str]]:
    """The slugs of the public records one many-to-many link or kind of typed link leads to."""
    return lambda loaded: sorted(target.slug for target in loaded.targets(relation))


def forward_links(model) -> list:
    """The link fields ``model`` declares (single and many), in declaration order."""
    declared = (*model._meta.fields, *model._meta.many_to_many)
    return [model_field for model_field in declared if isinstance(model_field, LinkForeignKey | LinkManyToManyField)]


def typed_links_from(model) -> list[tuple[str, type, str]]:
    """(accessor, typed link model, target field) for each kind of typed link row whose source is ``model``."""
    return [
        (accessor, typed, typed.target_field)
        for accessor, typed, own_field in typed_link_relations(model)
        if own_field == typed.source_field
    ]


def common_columns(site: str) -> list[Column]:
    """What every record type has: slug, title, address, summary and the body as its page shows it."""
    return [
        Column("slug", _field("slug")),
        Column("title", _field("title")),
        Column("page_url", lambda loaded: site + loaded.record.get_absolute_url()),
        Column("summary", _field("summary")),
        Column("body_html", _field("body_html")),
    ]


def closing_columns() -> list[Column]:
    return [
        Column("tags", lambda loaded: sorted(loaded.tags)),
        Column("aliases", lambda loaded: loaded.aliases),
        Column("updated_at", _field("updated_at")),
    ]


def record_columns(model, site: str) -> list[Column]:
    """Every column of ``model``'s CSV, in a stable order: the common ones, the type's own fields (partial dates in
    ISO form), its links (single, many, then typed link kinds, as target slugs), tags, aliases, last update."""
    partial = _partial_dates(model)
    skipped = {*_BASE_FIELDS, *_NOT_EXPORTED, *partial.values()}
    columns = common_columns(site)
    for model_field in model._meta.concrete_fields:
        if model_field.name in skipped or model_field.primary_key or model_field.is_relation:
            continue
        if model_field.name in partial:
            columns.append(Column(model_field.name, _partial_date(model_field.name, partial[model_field.name])))
        else:
            columns.append(Column(model_field.name, _field(model_field.name)))
    for link in forward_links(model):
        read = _single_link(link.name) if isinstance(link, LinkForeignKey) else _links(link.name)
        columns.append(Column(link.name, read))
    for _accessor, typed, _target_field in typed_links_from(model):
        columns += [Column(str(kind), _links(kind)) for kind in typed.LABELS]
    return columns + closing_columns()


def type_slug(model) -> str:
    """The public name of ``model``'s record type (``strategic-areas``)."""
    return record_type_of(model._meta.label_lower).slug


def single_links(model) -> list[str]:
    return [link.name for link in forward_links(model) if isinstance(link, models.ForeignKey)]
