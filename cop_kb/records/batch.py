"""Several small reads in one query, so a page's query count does not grow with the number of record types,
facets or relations it shows.

Django's ``union()`` refuses parts with their own ORDER BY or LIMIT on SQLite. Wrapping each part in a subquery
lets both databases keep them, and numbering each part's rows keeps every part's order in the combined result.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def rows_of_each(querysets: list[QuerySet]) -> list[list[tuple]]:
    """The rows of every ``values_list()`` queryset in ``querysets``, read with one query, each part in its order.

    Parts must select the same number of columns with compatible types (cast numbers to text where a column
    mixes them); rows come back as the database sends them, without the ORM's conversions.
    """
    if not querysets:
        return []
    alias = querysets[0].db
    parts, params = [], []
    for number, queryset in enumerate(querysets):
        try:
            sql, part_params = queryset.query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # a part known to match nothing (``none()``) is left out of the query
            continue
        # The part's SQL is Django's, its values are bound parameters; only the part's number is written in.
        part = f"SELECT {number} AS batch_part, ROW_NUMBER() OVER () AS batch_row, * FROM ({sql}) AS p{number}"  # noqa: S608
        parts.append(part)
        params.extend(part_params)
    found: list[list[tuple]] = [[] for _ in querysets]
    if not parts:
        return found
    with connections[alias].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY batch_part, batch_row", params)
        for part, _row, *columns in cursor.fetchall():
            found[part].append(tuple(columns))
    return found
