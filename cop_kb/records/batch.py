"""Several small reads in one query, so a page's query count does not grow with the number of record types,
facets or relations it shows.

Django's ``union()`` refuses parts with their own ORDER BY or LIMIT on SQLite. Wrapping each part in a subquery
lets both databases keep them, and numbering each part's rows keeps every part's order in the combined result.

Building and compiling those querysets can cost a fresh page far more than the database spends answering them (a
programme page's bounded links, 8 windowed parts: 21 ms of Python for 0.4 ms of SQLite, on this 2-core machine at
load 5). A read whose SQL depends only on the code, the registry's declarations and a few record keys is therefore
prepared once per process and database (``prepared_rows``), and later requests only bind the keys (0.3 ms in all).
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import Promise

from .registry import record_models

# Stand-ins for the record keys a prepared read is built with: no record has a negative primary key, so a bound
# parameter equal to one of them is that key's place in the statement.
_KEY_STAND_IN = -(2**62)


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    keys: tuple[tuple[int, int], ...]  # (parameter's position, which key goes there)
    parts: int


def _compiled(queryset: QuerySet, alias: str, *, keyed: bool = False) -> tuple[str, tuple] | None:
    """A part's SQL and values, or None for a part known to match nothing (``none()``). ``keyed``: the part was
    built with stand-in keys, and one that matches nothing is refused: Django leaves out a lookup whose value is out
    of its field's range, as a stand-in (negative) is for a positive field (``object_id``), and the statement kept
    would then read nothing for every real key. Such a key is passed as an expression (``Value(key)``)."""
    try:
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:
        if keyed:
            raise ValueError("a part built with stand-in keys matches nothing: pass its keys as Value()") from None
        return None
    return sql, tuple(params)


def _union(compiled: list[tuple[str, tuple] | None], over: tuple[tuple[str, ...], str] | None = None) -> _Statement:
    """One statement reading every compiled part (None: a part left out, which reads no rows): their rows in order,
    or with ``over`` (columns, select) the rows of ``select`` over ``batch``, every part's rows under those names."""
    parts, params = [], []
    for number, found in enumerate(compiled):
        if found is None:
            continue
        sql, part_params = found
        # The part's SQL is Django's, its values are bound parameters; only the part's number is written in.
        part = f"SELECT {number} AS batch_part, ROW_NUMBER() OVER () AS batch_row, * FROM ({sql}) AS p{number}"  # noqa: S608
        parts.append(part)
        params.extend(part_params)
    if not parts:
        return _Statement("", (), (), len(compiled))
    union = " UNION ALL ".join(parts)
    if over is None:
        sql = f"{union} ORDER BY batch_part, batch_row"
    else:
        # A common table expression names the columns on both databases (SQLite takes no column list after a
        # subquery's alias); PostgreSQL inlines it, so each part still reads through its own order and limit.
        columns, select = over
        sql = f"WITH batch({', '.join(('batch_part', 'batch_row', *columns))}) AS ({union}) {select}"
    return _Statement(sql, tuple(params), (), len(compiled))


def _statement(querysets: list[QuerySet], alias: str, *, keyed: bool = False, over=None) -> _Statement:
    return _union([_compiled(queryset, alias, keyed=keyed) for queryset in querysets], over)


def any_of(querysets: list[QuerySet]) -> RawSQL:
    """The rows of every queryset (each selecting the same one column, each with its own order and limit) as one
    subquery, for ``pk__in``: PostgreSQL reads ``IN (…) OR IN (…)`` by testing every row of the table against each
    part, and ``IN`` one ``UNION ALL`` of them by reading the few rows they name."""
    alias = querysets[0].db
    parts, params = [], []
    for number, queryset in enumerate(querysets):
        sql, part_params = queryset.query.get_compiler(using=alias).as_sql()
        parts.append(f"SELECT * FROM ({sql}) AS p{number}")  # noqa: S608 - Django's SQL, values bound
        params.extend(part_params)
    return RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611 - the same: Django's SQL, values bound


def _read(alias: str, statement: _Statement, params) -> list[list[tuple]]:
    found: list[list[tuple]] = [[] for _ in range(statement.parts)]
    if not statement.sql:
        return found
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.sql, params)
        for part, _row, *columns in cursor.fetchall():
            found[part].append(tuple(columns))
    return found


def rows_of_each(querysets: list[QuerySet]) -> list[list[tuple]]:
    """The rows of every ``values_list()`` queryset in ``querysets``, read with one query, each part in its order.

    Parts must select the same number of columns with compatible types (cast numbers to text where a column
    mixes them); rows come back as the database sends them, without the ORM's conversions.
    """
    if not querysets:
        return []
    alias = querysets[0].db
    statement = _statement(querysets, alias)
    return _read(alias, statement, statement.params)


# shape -> the model whose reads are routed (its first part's), and the statement prepared for each database.
_prepared: dict[Hashable, tuple[type, dict[str, _Statement]]] = {}
# The same for the parts ``prepared_parts`` reads: shape -> (model, {database: the part's SQL, values and keys}).
_prepared_parts: dict[Hashable, tuple[type, dict[str, _Statement]]] = {}


def _content_type_ids() -> tuple[int, ...]:
    """The content type ids of the record types, from Django's cache of them (a query only when it is empty)."""
    models = record_models()
    types = ContentType.objects.get_for_models(*models)
    return tuple(types[model].pk for model in models)


def _stand_ins(count: int) -> list[int]:
    return [_KEY_STAND_IN - number for number in range(count)]


def _keyed(shape: Hashable, statement: _Statement, count: int) -> _Statement:
    """``statement``, built with ``_stand_ins(count)`` for its keys, with where each key goes noted."""
    places = {stand_in: number for number, stand_in in enumerate(_stand_ins(count))}
    # PostgreSQL's backend may pass a key wrapped in a subclass of int (psycopg's ``Int8`` for a bigint column),
    # and binding keeps the wrapper.
    filled = [
        (position, places.get(value))
        for position, value in enumerate(statement.params)
        if isinstance(value, int) and not isinstance(value, bool)
    ]
    keys_at = tuple((position, number) for position, number in filled if number is not None)
    if statement.sql and {number for _position, number in keys_at} != set(range(count)):
        # A key the ORM did not pass as a parameter of its own could not be bound: fail, never read other rows.
        raise ValueError(f"the read {shape!r} does not take each of its keys as a parameter")
    return _Statement(statement.sql, statement.params, keys_at, statement.parts)


def _keeps(statement: _Statement) -> bool:
    """Whether a statement may serve later requests: not with a translatable value, which would speak the language
    of the request that prepared it."""
    return not any(isinstance(value, Promise) for value in statement.params)


def _bound(statement: _Statement, keys) -> list:
    params = list(statement.params)
    for position, number in statement.keys:
        params[position] = type(params[position])(keys[number])
    return params


def prepared_rows(shape: Hashable, build: Callable[..., list[QuerySet]], *keys: int) -> list[list[tuple]]:
    """``rows_of_each(build(*keys))``, with the statement built and compiled only the first time a process reads
    ``shape`` from a database; later reads bind ``keys`` (record primary keys) into it.

    ``shape`` must name everything the statement depends on besides ``keys`` (the models, relations and facets
    it reads, and how many keys): it is reused for every read under the same shape, so ``build`` may use nothing
    a request chooses (a filter value) but the keys. A statement with a translatable value is not kept: it would
    speak the language of the request that prepared it.
    """
    alias, statement = _prepared_statement(shape, build, keys)
    return _read(alias, statement, _bound(statement, keys)) if statement else []


def prepared_over(shape: Hashable, build: Callable[[], list[QuerySet]], columns: tuple[str, ...], select: str):
    """The rows of ``select``, a query over ``batch``: the rows of every ``values_list()`` queryset ``build()``
    returns, all together, as the columns ``batch_part`` (the queryset's place in the list), ``batch_row`` (the row's
    place in its part) and ``columns``. For what is worked out over all the parts, such as the newest rows of several
    record types or counts, so the database sends the answer rather than every part's rows. One statement, built and
    compiled once per process and database, as ``prepared_rows`` (without keys); ``select`` is SQL written by the
    caller, never a request's value."""
    alias, statement = _prepared_statement((shape, columns, select), build, (), over=(columns, select))
    if not statement or not statement.sql:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.fetchall()


def _prepared_statement(shape: Hashable, build: Callable[..., list[QuerySet]], keys: tuple, *, over=None):
    """The database to read and the statement ``shape`` keeps for it, built and compiled from ``build`` (with
    stand-ins for ``keys``) the first time; (None, None) when ``build`` returns no queryset."""
    # Content type ids are bound into a statement as plain values (tags, aliases and kept counts name them), and are
    # not the same in every database state (a flushed test database makes them anew): they belong to the shape.
    shape = (shape, _content_type_ids())
    known = _prepared.get(shape)
    alias = router.db_for_read(known[0]) if known else None
    statement = known[1].get(alias) if known else None
    if statement is None:
        querysets = build(*_stand_ins(len(keys)))
        if not querysets:
            return None, None
        alias = querysets[0].db
        statement = _keyed(shape, _statement(querysets, alias, keyed=bool(keys), over=over), len(keys))
        if _keeps(statement):
            _prepared.setdefault(shape, (querysets[0].model, {}))[1][alias] = statement
    return alias, statement


def prepared_parts(parts: list[tuple[Hashable, Callable[..., QuerySet], tuple[int, ...]]]) -> list[list[tuple]]:
    """``rows_of_each`` of one queryset per part, each part given as ``(shape, build, keys)``: ``prepared_rows`` for
    a read whose parts vary from request to request (the explore page's steps: which relations of which record
    types, from how many records). Each part is built and compiled the first time a process reads its shape from a
    database, then only given its keys; the parts are still read with one query. Shapes are as for
    ``prepared_rows``, one queryset each."""
    types = _content_type_ids()
    alias = None
    compiled = []
    for shape, build, keys in parts:
        shape = (shape, types)
        known = _prepared_parts.get(shape)
        if alias is None and known:
            alias = router.db_for_read(known[0])
        statement = known[1].get(alias) if known else None
        if statement is None:
            queryset = build(*_stand_ins(len(keys)))
            alias = alias or queryset.db
            sql, params = _compiled(queryset, alias, keyed=bool(keys)) or ("", ())
            statement = _keyed(shape, _Statement(sql, params, (), 1), len(keys))
            if _keeps(statement):
                _prepared_parts.setdefault(shape, (queryset.model, {}))[1][alias] = statement
        compiled.append((statement.sql, tuple(_bound(statement, keys))) if statement.sql else None)
    if alias is None:
        return []
    statement = _union(compiled)
    return _read(alias, statement, statement.params)
