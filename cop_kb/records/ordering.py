"""A record type's own order as expressions, for reading it through a link (lists, link groups, facet values)."""

from django.db import models


def natural_order(model, path: str = "") -> list:
    """``model``'s own order (its ``Meta.ordering``: strategic areas by position, provisions by instrument and
    article number, instruments by date) as expressions over the record at ``path`` (a link's name and ``__``)."""
    terms = []
    for term in model._meta.ordering:
        if isinstance(term, str):
            expression = models.F(path + term.removeprefix("-"))
            terms.append(expression.desc() if term.startswith("-") else expression.asc())
        else:
            terms.append(_under(term, path))
    return terms


def _under(expression, path: str):
    """An ordering expression with every field it names read through ``path``."""
    if isinstance(expression, models.F):
        return models.F(path + expression.name)
    expression = expression.copy()
    expression.set_source_expressions([_under(part, path) for part in expression.get_source_expressions()])
    return expression
