"""How a record's own values are written in JSON-LD: the context, and dates, identifiers and addresses as values.

Which property each field and link is published as is declared on the models (``linked_data_type``,
``linked_data_fields``, a link's ``linked_data``, a typed link's ``LINKED_DATA``); this module only knows how to
write a value for a property, whatever the record type.
"""

import calendar
import datetime
import functools

from django.db import models

from cop_kb.records.models import DatePrecision
from cop_kb.records.partial_dates import PartialDate

SCHEMA = "http://schema.org/"
ELI = "http://data.europa.eu/eli/ontology#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Written inline in every document, so no reader (and no test) has to fetch schema.org's context. schema.org's own
# context still names its terms with http://, so ours does too: the same IRIs its consumers expect.
CONTEXT = {
    "@vocab": SCHEMA,
    "schema": SCHEMA,
    "eli": ELI,
    "dct": DCT,
    "xsd": XSD,
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}

# A link whose declaration names no closer property: Dublin Core's "a related resource".
GENERIC_LINK = "dct:relation"
IN_FORCE_SINCE = "eli:first_date_entry_in_force"
IN_FORCE = {"@id": "schema:InForce"}
# Properties whose values are dates (an integer field published as one of them holds a year).
DATE_TERMS = {"legislationDate", IN_FORCE_SINCE, "startDate", "datePublished", "foundingDate"}

_PRECISION_TYPES = {
    DatePrecision.DAY: "xsd:date",
    DatePrecision.MONTH: "xsd:gYearMonth",
    DatePrecision.YEAR: "xsd:gYear",
}


@functools.cache
def _precision_fields(model) -> dict[str, str]:
    """Each partial date field of ``model`` and the field holding its precision."""
    return {
        value.date_field: value.precision_field
        for klass in model.__mro__
        for value in vars(klass).values()
        if isinstance(value, PartialDate)
    }


def _precision(record, name: str) -> str:
    """How much of the date in ``record``'s field ``name`` is known (a plain date field: all of it)."""
    precision_field = _precision_fields(type(record)).get(name)
    return getattr(record, precision_field) if precision_field else DatePrecision.DAY


def partial_date(value: datetime.date, precision: str) -> dict:
    """A date written only as far as it is known: "1989-11-20", "2008-11" or "2006", typed to say which."""
    text = {DatePrecision.YEAR: f"{value:%Y}", DatePrecision.MONTH: f"{value:%Y-%m}"}.get(precision, value.isoformat())
    return {"@value": text, "@type": _PRECISION_TYPES.get(precision, "xsd:date")}


def last_day(value: datetime.date, precision: str) -> datetime.date:
    """The last day a partial date may mean (the end of its month or year)."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def field_value(record, name: str, term: str):
    """The JSON-LD value of ``record``'s field ``name`` published as ``term``, or None when the field is empty.

    Choices are written as their labels; partial dates with their precision; a whole number published as a date is
    a year; web addresses as IRIs; a value published as ``identifier`` says which identifier it is.
    """
    model_field = record._meta.get_field(name)
    value = getattr(record, name)
    if value in (None, ""):
        return None
    if model_field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, datetime.date):
        return partial_date(value, _precision(record, name))
    if isinstance(model_field, models.IntegerField) and term in DATE_TERMS:
        return {"@value": f"{value:04d}", "@type": "xsd:gYear"}
    if isinstance(model_field, models.URLField):
        return {"@id": value}
    if term == "identifier":
        return {"@type": "PropertyValue", "propertyID": str(model_field.verbose_name), "value": str(value)}
    return value


def in_force(record, today: datetime.date) -> bool:
    """Whether ``record`` gives a first date of entry into force that has come. The records never say an instrument
    ceased to be in force, so "in force" is stated only on that evidence, and nothing otherwise."""
    for name, term in type(record).linked_data_fields.items():
        value = getattr(record, name)
        if term == IN_FORCE_SINCE and isinstance(value, datetime.date):
            return last_day(value, _precision(record, name)) <= today
    return False
