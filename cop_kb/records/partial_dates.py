"""Dates of which only part may be known: a treaty's full date, a declaration's month, a launch's year.

Each is a date field ``<name>_on`` plus a precision field; ``PartialDate`` is declared once per date on the model,
as the ``<name>_on_display`` attribute pages show, and gives the model its constraint and its form errors.
"""

from django.db import models
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .models import date_precision_ok, format_partial_date


class DateYear(ExtractYear):
    """The year of a date (not a date and time), as ``ExtractYear`` gives it. SQLite reads it from the stored text
    itself: Django's ``ExtractYear`` there calls back into Python for every row (``django_date_extract``), which at
    100,000 records was most of the timeline's time, its window over 15,000 instruments' years."""

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps a date as its ISO text, "2008-11-28"; the year is its first four characters.
        sql, params = compiler.compile(self.lhs)
        return f"CAST(SUBSTR({sql}, 1, 4) AS INTEGER)", params


class PartialDate:
    """One partial date of a model: shows it as far as it is known, and checks date and precision go together."""

    def __init__(self, date_field: str, precision_field: str):
        self.date_field = date_field
        self.precision_field = precision_field

    def __get__(self, record, owner=None):
        if record is None:
            return self
        return format_partial_date(getattr(record, self.date_field), getattr(record, self.precision_field))

    def constraint(self, name: str) -> models.CheckConstraint:
        """The database's version of the rule: a precision exactly when there is a date."""
        return models.CheckConstraint(condition=date_precision_ok(self.date_field, self.precision_field), name=name)

    def errors(self, record) -> dict:
        """The form's version of the rule, as a message on the precision field (empty when it holds)."""
        has_date = getattr(record, self.date_field) is not None
        has_precision = bool(getattr(record, self.precision_field))
        if has_date and not has_precision:
            return {self.precision_field: _("Say how much of the date is known (day, month or year).")}
        if has_precision and not has_date:
            return {self.precision_field: _("Leave the precision empty when there is no date.")}
        return {}
