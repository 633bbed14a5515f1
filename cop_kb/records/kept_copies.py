"""Typed link rows that keep a copy of their source record's columns (``TypedLink.kept_source_fields``), on SQLite
and PostgreSQL.

A UN body's page lists the first 50 programmes of each role it plays, newest first, out of thousands. Reading them
through the programmes meant reading, checking and sorting every one of its links (at 100,000 records, 35 of the
page's 50 ms on PostgreSQL). With each role row holding its programme's status, slug, title and year, an index on
(organisation, status, role, year, title) gives the first 50 of each role and their count without touching the
programmes' table.

The database keeps the copies, so no writer can forget them: a link row takes them from its source when written
(also when a stale model instance is saved over it), and a source's change of a copied column is passed to its
rows, as is a source written after its rows in the same transaction. The triggers are made from the declarations
after every migrate, which also fills every row whose copies differ.
"""

from django.db import connections
from django.db.models import Q

from .links import TypedLink, _link_fields
from .models import public_q
from .post_migrate import drop_triggers, sent_by_flush
from .registry import record_models

TRIGGER_PREFIX = "kept_copy"
# A copy of the source's column ``name`` is the link row's column ``source_<name>``.
COPY_PREFIX = "source_"
# How each database says that two values (or rows of values) differ, NULL being a value like any other.
DIFFERS = {"postgresql": "IS DISTINCT FROM", "sqlite": "IS NOT"}


def public_copy_q() -> Q:
    """The one visibility rule (``public_q``), asked of the copies a link row keeps of its source's columns."""
    rule = public_q()
    return Q(*((COPY_PREFIX + name, value) for name, value in rule.children), _connector=rule.connector)


def reads_copies(typed, other: str) -> bool:
    """Whether links of ``typed`` read from the end opposite ``other`` can be read from the copies the rows keep of
    ``other``'s columns: its visibility, slug, title and every column of its order, and no short name to show."""
    target = typed._meta.get_field(other).related_model
    if other != typed.source_field or target.subtitle_fields:
        return False
    order = {term.removeprefix("-") for term in target._meta.ordering if isinstance(term, str)}
    if len(order) != len(target._meta.ordering):  # an order by expression cannot be asked of copies
        return False
    visibility = {name for name, _value in public_q().children}
    return {"slug", "title", *visibility, *order} <= set(typed.kept_source_fields)


def kept_models() -> list[type[TypedLink]]:
    """Every typed link model of the registry's record types that keeps copies of its source's columns."""
    typed = {
        model_field.related_model
        for model in record_models()
        for role, model_field in _link_fields(model)
        if role == "typed" and model_field.related_model.kept_source_fields
    }
    return sorted(typed, key=lambda model: model._meta.label)


def _parts(model, quote) -> tuple[str, str, str, str, list[tuple[str, str]]]:
    """The link table, its column naming the source, the source's table and key column, and (source column, copy
    column) pairs."""
    field = model._meta.get_field(model.source_field)
    source = field.related_model._meta
    pairs = [
        (quote(source.get_field(name).column), quote(model._meta.get_field(f"{COPY_PREFIX}{name}").column))
        for name in model.kept_source_fields
    ]
    return quote(model._meta.db_table), quote(field.column), quote(source.db_table), quote(source.pk.column), pairs


def _fill(model, quote, row: str = "", differ: str = "") -> str:
    """The update giving the link row ``row`` (``NEW``) its source's current values; without a row, every row whose
    copies are not those values (``differ``: the database's "is distinct from"), so that a migrate that changes
    nothing rewrites no row."""
    links, key, sources, source_pk, pairs = _parts(model, quote)
    copies = ", ".join(copy for _column, copy in pairs)
    columns = ", ".join(f"s.{column}" for column, _copy in pairs)
    # Table and column names come from the models' metadata, quoted by the database's own rules.
    source = f"FROM {sources} s WHERE s.{source_pk} = {links}.{key}"
    own_pk = quote(model._meta.pk.column)
    if row:
        where = f"{links}.{own_pk} = {row}.{own_pk}"
    else:
        stale = " OR ".join(f"s.{column} {differ} {links}.{copy}" for column, copy in pairs)
        where = f"EXISTS (SELECT 1 {source} AND ({stale}))"
    return f"UPDATE {links} SET ({copies}) = (SELECT {columns} {source}) WHERE {where}"  # noqa: S608


def _passed_on(model, quote) -> tuple[str, str, str, str]:
    """The source's table, the condition that one of its copied columns changed (``{differ}`` to fill), whether the
    source has link rows, and the update passing its new values to them. The update is only run when there are
    rows: on PostgreSQL each statement replaces the content version (a statement trigger), and the demo generator's
    thousands of new programmes, none linked yet, must not replace it once each (``test_demo_data``)."""
    links, key, sources, source_pk, pairs = _parts(model, quote)
    changed = " OR ".join(f"OLD.{column} {{differ}} NEW.{column}" for column, _copy in pairs)
    copies = ", ".join(f"{copy} = NEW.{column}" for column, copy in pairs)
    has_rows = f"EXISTS (SELECT 1 FROM {links} WHERE {key} = NEW.{source_pk})"  # noqa: S608 - names from metadata
    return sources, changed, has_rows, f"UPDATE {links} SET {copies} WHERE {key} = NEW.{source_pk}"  # noqa: S608


def _postgres(model, quote) -> list[str]:
    links, key, _sources, source_pk, pairs = _parts(model, quote)
    name = f"{TRIGGER_PREFIX}_{model._meta.db_table}"[:55]
    copies = ", ".join(f"NEW.{copy}" for _column, copy in pairs)
    columns = ", ".join(f"s.{column}" for column, _copy in pairs)
    sources, changed, has_rows, update = _passed_on(model, quote)
    fetch = f"SELECT {columns} INTO {copies} FROM {sources} s WHERE s.{source_pk} = NEW.{key}"  # noqa: S608 - the same
    return [
        # Before the row is written: the copies are whatever the source holds, not what the writer sent.
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {fetch}; RETURN NEW; END $$",
        f"CREATE TRIGGER {TRIGGER_PREFIX} BEFORE INSERT OR UPDATE ON {links} FOR EACH ROW EXECUTE FUNCTION {name}()",
        f"CREATE OR REPLACE FUNCTION {name}_source() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF {has_rows} THEN {update}; END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER UPDATE ON {sources} FOR EACH ROW"
        f" WHEN ({changed.format(differ=DIFFERS['postgresql'])}) EXECUTE FUNCTION {name}_source()",
        # Links are checked at commit: a row may be written before its source, in the same transaction.
        f"CREATE TRIGGER {name}_new AFTER INSERT ON {sources} FOR EACH ROW EXECUTE FUNCTION {name}_source()",
    ]


def _sqlite(model, quote) -> list[str]:
    links = quote(model._meta.db_table)
    name = f"{TRIGGER_PREFIX}_{model._meta.db_table}"
    sources, changed, has_rows, update = _passed_on(model, quote)
    # SQLite cannot change the row being written: each written row is updated after. Its own update does not fire
    # the update trigger again, since SQLite's triggers are not recursive unless asked to be.
    fill = _fill(model, quote, "NEW")
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {links} BEGIN {fill}; END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {links} BEGIN {fill}; END",
        f"CREATE TRIGGER {name}_source AFTER UPDATE ON {sources}"
        f" WHEN {changed.format(differ=DIFFERS['sqlite'])} BEGIN {update}; END",
        # Links are checked at commit: a row may be written before its source, in the same transaction.
        f"CREATE TRIGGER {name}_source_new AFTER INSERT ON {sources} WHEN {has_rows} BEGIN {update}; END",
    ]


def remove_kept_copy_triggers(connection) -> None:
    """Drop every trigger keeping copies (before every migrate, which may drop or remake a table they name)."""
    drop_triggers(connection, TRIGGER_PREFIX)


def kept_copy_triggers_drop(*, using: str = "default", **_kwargs) -> None:
    """``remove_kept_copy_triggers`` on the database being migrated (pre_migrate)."""
    remove_kept_copy_triggers(connections[using])


def install_kept_copies(*, using: str = "default", **kwargs) -> None:
    """Install the triggers afresh for the declarations as they are and fill every row's copies (post_migrate):
    a copy declared since the last migrate is kept from now on. Safe to run again."""
    if sent_by_flush(kwargs):
        return
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    models = [model for model in kept_models() if model._meta.db_table in existing]
    remove_kept_copy_triggers(connection)
    build = _postgres if connection.vendor == "postgresql" else _sqlite
    with connection.cursor() as cursor:
        for model in models:
            description = connection.introspection.get_table_description(cursor, model._meta.db_table)
            if not {f"{COPY_PREFIX}{name}" for name in model.kept_source_fields} <= {
                column.name for column in description
            }:
                continue  # migrated back before the copies existed
            # Filled before the triggers exist, so the fill does not fire them for every row.
            cursor.execute(_fill(model, quote, differ=DIFFERS[connection.vendor]))
            for statement in build(model, quote):
                cursor.execute(statement)
