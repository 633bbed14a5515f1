"""A record type's list shown as a table (instruments): its columns, declared on the model as ``list_columns``, each
what a cell shows of a record and an order the list can be sorted in (``?sort=<key>``, ``?sort=-<key>``)."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import NullIf

from .models import Record, public_q


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class ListColumn:
    key: str  # its sort value in the address
    label: str
    attribute: str  # what a cell shows: a field, a property, or a single link (its title, linking to it if public)
    order: tuple = ()  # what it sorts by, ascending (field names or expressions); by ``attribute`` when empty
    primary: bool = False  # the record's own title, linking to it: the row's header cell

    def ordering(self, model, *, descending: bool = False) -> list:
        """The list's ``order_by()`` for this column, empty values last either way, then by title."""
        terms = []
        for term in self.order or (self._sort_term(model),):
            expression = F(term) if isinstance(term, str) else term
            terms.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return [*terms, "title", "pk"]

    def _sort_term(self, model):
        try:
            model_field = model._meta.get_field(self.attribute)
        except FieldDoesNotExist:
            # A property with its SQL twin (``subtitle`` / ``subtitle_expression``); empty text sorts last.
            return NullIf(getattr(model, f"{self.attribute}_expression")(), Value(""))
        if model_field.is_relation:
            # By the linked record's title, as far as the public may see it: a hidden one sorts as empty.
            path = self.attribute
            return Case(When(public_q(path), then=F(f"{path}__title")), output_field=models.CharField())
        if isinstance(model_field, models.CharField):
            return NullIf(F(self.attribute), Value(""))
        return self.attribute

    def cell(self, record) -> Cell:
        """What the column shows of ``record``: text, and the page it links to (the record's own, or a public
        linked record's)."""
        value = getattr(record, self.attribute)
        if self.primary:
            return Cell(str(value), record.get_absolute_url())
        if isinstance(value, Record):
            return Cell(value.title, value.get_absolute_url()) if value.is_public else Cell("")
        if callable(value):
            value = value()
        return Cell("" if value is None else str(value))
