"""The row triggers that keep ``FacetCount`` current (see ``cop_kb.records.facet_counts``), on SQLite and PostgreSQL.

Each counted change is one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` adding +1 or -1 to the counts of the values
a row brings or takes away: the same statements on both databases, with the row named ``NEW`` or ``OLD``. An update
of a record's own row counts only when its status or a counted column changes, so saving a body costs nothing here.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connections
from taggit.managers import TaggableManager

from .facet_counts import EVERY, TRIGGER_PREFIX, FacetCount, _facets, facet_counts_rebuild
from .facets import ChoiceFacet
from .models import Status
from .post_migrate import drop_triggers, sent_by_flush
from .registry import record_models


@dataclass
class _Table:
    """What one table's triggers do: the selects of the (record type, facet, value, target, ±1) rows a changed row
    counts, with ``{row}`` and ``{sign}`` left to fill, and the columns whose update changes a count (or any update
    does: a link table's)."""

    selects: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    any_update: bool = False


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _content_type(model) -> str:
    """The content type's id, looked up by the trigger: ids differ between databases and may not exist yet."""
    opts = model._meta
    # Both values are Django's own names of a registered model, quoted as literals.
    return (
        f"(SELECT id FROM django_content_type WHERE app_label = {_literal(opts.app_label)}"  # noqa: S608
        f" AND model = {_literal(opts.model_name)})"
    )


def _link_table(model, model_field) -> tuple[str, str, str, str]:
    """The table holding a facet's links to many values, its columns naming the record and the value, and the
    condition (on a row ``{row}``) that a row is of ``model``'s records: a many-to-many through table (either
    direction), taggit's tagged items, or the table of records pointing at this one."""
    if isinstance(model_field, TaggableManager):
        return (
            model_field.through._meta.db_table,
            "object_id",
            "tag_id",
            f"{{row}}.content_type_id = {_content_type(model)}",
        )
    if model_field.many_to_many:
        forward = model_field.concrete
        field = model_field if forward else model_field.remote_field
        through = field.remote_field.through._meta.db_table
        own, other = field.m2m_column_name(), field.m2m_reverse_name()
        return (through, own, other, "") if forward else (through, other, own, "")
    related = model_field.related_model._meta  # records whose foreign key points here
    return related.db_table, model_field.field.column, related.pk.column, ""


PUBLISHED = _literal(Status.PUBLISHED)


def _count_links(tables: dict[str, "_Table"], model, model_field, head: str, quote) -> None:
    """The selects of a facet whose values are links to many: from the record's row (its links' values) and from
    the link table's row (the value of one link of a public record)."""
    opts = model._meta
    pk, status = quote(opts.pk.column), quote(opts.get_field("status").column)
    links, source, target, of_type = _link_table(model, model_field)
    tables[links].columns.append(source)
    tables[links].any_update |= model_field.many_to_many
    source, target = quote(source), quote(target)
    tables[opts.db_table].selects.append(
        f"{head}'', l.{target}, {{sign}} FROM {quote(links)} l WHERE l.{source} = {{row}}.{pk}"
        + (f" AND {of_type.replace('{row}', 'l')}" if of_type else "")
        + f" AND {{row}}.{status} = {PUBLISHED}"
    )
    tables[links].selects.append(
        f"{head}'', {{row}}.{target}, {{sign}} FROM {quote(opts.db_table)} r"
        f" WHERE r.{pk} = {{row}}.{source} AND r.{status} = {PUBLISHED}" + (f" AND {of_type}" if of_type else "")
    )


def _tables(quote) -> dict[str, _Table]:
    """Every counted table and its triggers' selects, from the registry: each type's public records, and its list
    facets."""
    tables: dict[str, _Table] = defaultdict(_Table)
    for model in record_models():
        opts = model._meta
        own = tables[opts.db_table]
        own.columns.append(opts.get_field("status").column)
        public = f"{{row}}.{quote(opts.get_field('status').column)} = {PUBLISHED}"
        own.selects.append(f"SELECT {_literal(opts.label_lower)}, {_literal(EVERY)}, '', 0, {{sign}} WHERE {public}")
        for facet in _facets(model):
            head = f"SELECT {_literal(opts.label_lower)}, {_literal(facet.param)}, "
            if isinstance(facet, ChoiceFacet):
                column = opts.get_field(facet.field_name).column
                own.columns.append(column)
                text = f"CAST({{row}}.{quote(column)} AS TEXT)"
                own.selects.append(f"{head}{text}, 0, {{sign}} WHERE {public} AND {text} IS NOT NULL AND {text} <> ''")
                continue
            model_field = opts.get_field(facet.path)
            if not model_field.many_to_one:
                _count_links(tables, model, model_field, head, quote)
                continue
            own.columns.append(model_field.column)
            linked = f"{{row}}.{quote(model_field.column)}"
            own.selects.append(f"{head}'', {linked}, {{sign}} WHERE {public} AND {linked} IS NOT NULL")
    return tables


def _statements(selects: list[str], row: str, sign: int) -> list[str]:
    counts = FacetCount._meta.db_table
    key = "record_type, facet, value, target"
    return [
        f"INSERT INTO {counts} ({key}, records) {select.format(row=row, sign=sign)}"
        f" ON CONFLICT ({key}) DO UPDATE SET records = {counts}.records + excluded.records"
        for select in selects
    ]


def _changed(spec: _Table, quote, differ: str) -> str:
    if spec.any_update:
        return ""
    return " OR ".join(f"OLD.{quote(column)} {differ} NEW.{quote(column)}" for column in dict.fromkeys(spec.columns))


def _postgres(table: str, spec: _Table, quote) -> list[str]:
    function = f"{TRIGGER_PREFIX}_{table}"[:63]
    old = "; ".join(_statements(spec.selects, "OLD", -1))
    new = "; ".join(_statements(spec.selects, "NEW", 1))
    changed = _changed(spec, quote, "IS DISTINCT FROM")
    when = f" WHEN ({changed})" if changed else ""
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF TG_OP <> 'INSERT' THEN {old}; END IF;"
        f" IF TG_OP <> 'DELETE' THEN {new}; END IF;"
        " RETURN NULL; END $$",
        f"CREATE TRIGGER {TRIGGER_PREFIX} AFTER INSERT OR DELETE ON {quote(table)}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {TRIGGER_PREFIX}_update AFTER UPDATE ON {quote(table)}"
        f" FOR EACH ROW{when} EXECUTE FUNCTION {function}()",
    ]


def _sqlite(table: str, spec: _Table, quote) -> list[str]:
    changed = _changed(spec, quote, "IS NOT")
    when = f" WHEN {changed}" if changed else ""
    bodies = {
        "insert": ("INSERT", "", _statements(spec.selects, "NEW", 1)),
        "delete": ("DELETE", "", _statements(spec.selects, "OLD", -1)),
        "update": ("UPDATE", when, _statements(spec.selects, "OLD", -1) + _statements(spec.selects, "NEW", 1)),
    }
    return [
        f"CREATE TRIGGER {TRIGGER_PREFIX}_{table}_{name} AFTER {event} ON {quote(table)}{condition}"
        f" BEGIN {'; '.join(statements)}; END"
        for name, (event, condition, statements) in bodies.items()
    ]


def remove_facet_triggers(connection) -> None:
    """Drop every trigger that keeps facet counts: before installing them again, when migrating back, and before
    every migrate (pre_migrate), since a trigger on a shared table (tagged items) reads every record type's table
    and would fail once a migration drops one; the counts are rebuilt after it."""
    drop_triggers(connection, TRIGGER_PREFIX)


def facet_triggers_drop(*, using: str = "default", **_kwargs) -> None:
    """``remove_facet_triggers`` on the database being migrated (pre_migrate)."""
    connection = connections[using]
    if FacetCount._meta.db_table in connection.introspection.table_names():
        remove_facet_triggers(connection)


def install_facet_counts(*, using: str = "default", **kwargs) -> None:
    """Install the triggers afresh for the registry as it is and rebuild every count (post_migrate): a facet
    added or removed since the last migrate is counted, or forgotten, from now on. Safe to run again."""
    if sent_by_flush(kwargs):
        # SQLite's flush deletes rows with the triggers on, which may leave counts of records just deleted behind.
        facet_counts_rebuild(using)
        return
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if FacetCount._meta.db_table not in existing:  # migrated back before the counts existed
        return
    remove_facet_triggers(connection)
    tables = _tables(connection.ops.quote_name)
    if not set(tables) <= existing:  # a record type's app not migrated yet: its tables cannot be watched
        return
    build = _postgres if connection.vendor == "postgresql" else _sqlite
    with connection.cursor() as cursor:
        for table, spec in tables.items():
            if not spec.selects:
                continue
            for statement in build(table, spec, connection.ops.quote_name):
                cursor.execute(statement)
    facet_counts_rebuild(using)


@contextmanager
def facet_counts_paused(using: str = "default"):
    """Write in bulk with the triggers off, then count once (inside the caller's transaction, which undoes it all on
    an error). Row triggers add to the same few count rows for every link written, each addition a new version of
    the row in one long transaction: on PostgreSQL 10,000 demo records took 25 s with them and 11 s without.
    Only for bulk tools: dropping the triggers locks the tables being written."""
    remove_facet_triggers(connections[using])
    yield
    install_facet_counts(using=using)
