"""Links on a record's public page, bounded: each relation shows its first ``BACKLINKS_SHOWN`` records and links
to a page (or a narrowed list) of them all, whatever the number of links."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.db.models.functions import RowNumber
from django.urls import reverse

from .batch import prepared_rows
from .facet_counts import linked_count, rows_counted
from .kept_copies import COPY_PREFIX, public_copy_q, reads_copies
from .link_groups import LinkGroup, _grouped, _single_links
from .links import _link_fields, _public, _typed_ends, public_end
from .ordering import natural_order

# A group of links or backlinks on a detail page shows at most this many records, then links to them all.
BACKLINKS_SHOWN = 50


def _narrowed_list(record, model_field) -> str:
    """For a backlink: the list of the linking records narrowed to ``record`` by one of its facets, or ""."""
    linking = model_field.related_model
    for facet in linking.list_facets:
        if getattr(facet, "path", None) == model_field.field.name:
            return f"{linking.get_list_url()}?{urlencode({facet.param: record.slug})}"
    return ""


def many_link_fields(model) -> list:
    """(role, field) of every relation of ``model`` that can lead to many records: all but its single links."""
    return [(role, model_field) for role, model_field in _link_fields(model) if role != "single"]


def _relation_name(role: str, model_field) -> str:
    """How a relation of a record is named in the address of its page of every linked record."""
    return model_field.name if role == "many" else model_field.get_accessor_name()


def relation_url(record, role: str, model_field, kind: str = "") -> str:
    """The page listing every public record one relation of ``record`` leads to (of one ``kind`` of typed link)."""
    url = reverse(
        type(record).url_name.removesuffix("detail") + "links",
        kwargs={"slug": record.slug, "relation": _relation_name(role, model_field)},
    )
    return f"{url}?{urlencode({'kind': kind})}" if kind else url


def _kinds_apart(role: str, model_field, count: int) -> list[str]:
    """The kinds of typed link read as parts of their own, each its first ones from an index, when one record's
    links keep copies of the other end (``kept_copies``); else [] (all kinds numbered together)."""
    if role != "typed" or count != 1:
        return []
    typed = model_field.related_model
    return sorted(typed.LABELS) if reads_copies(typed, _typed_ends(model_field)[1]) else []


def _linked_rows(pks: list[int], role: str, model_field, bound: int) -> list[models.QuerySet]:
    """The first ``bound`` public records one relation of each record of ``pks`` leads to (of each kind, for typed
    links) in their type's own order, as (linking record's pk, pk, slug, title, typed link kind, how many in all,
    short name) rows, by linking record: numbered within each record (and kind) by a window function, so a page of
    many records reads every relation in one query however many links each has; for one record, its first ones.
    One queryset, or for one record's typed links kept with copies one a kind (``_kinds_apart``)."""
    if role == "typed":
        typed = model_field.related_model
        source = model_field.field.name
        _forward, other = _typed_ends(model_field)
        target = typed._meta.get_field(other).related_model
        by_kind = ["kind"]
        if reads_copies(typed, other):
            # The row's own copies (``kept_copies``): read from one index, without the linked records' table.
            rows = typed.objects.filter(public_copy_q(), **{f"{source}__in": pks})
            order = [*natural_order(target, COPY_PREFIX), models.F(other).asc()]
            columns = (other, f"{COPY_PREFIX}slug", f"{COPY_PREFIX}title", "kind")
            short_name = models.Value("", output_field=models.CharField())
        else:
            rows = typed.objects.filter(public_end(typed, other), **{f"{source}__in": pks})
            order = [*natural_order(target, f"{other}__"), models.F(f"{other}__pk").asc()]
            columns = (f"{other}__pk", f"{other}__slug", f"{other}__title", "kind")
            short_name = target.subtitle_expression(f"{other}__")
    else:
        target = model_field.related_model
        # The linking record's end: a backlink's field on the target, or the target's way back along a many-link.
        source = model_field.related_query_name() if role == "many" else model_field.field.name
        rows = _public(target).filter(**{f"{source}__in": pks})
        order = [*natural_order(target), models.F("pk").asc()]
        rows = rows.annotate(bounded_kind=models.Value("", output_field=models.CharField()))
        columns = ("pk", "slug", "title", "bounded_kind")
        by_kind = []
        short_name = target.subtitle_expression()

    def first(rows: models.QuerySet, total) -> models.QuerySet:
        rows = rows.annotate(bounded_source=models.F(source), bounded_count=total, bounded_short_name=short_name)
        rows = rows.order_by(*order).values_list("bounded_source", *columns, "bounded_count", "bounded_short_name")
        return rows[:bound]

    if kinds := _kinds_apart(role, model_field, len(pks)):
        # Each kind's first ones from the copies' index and its count from the same index entries: numbering every
        # link of an organisation with thousands read all of them (at 100,000 records, 26 ms of SQLite's time).
        return [first(part, rows_counted(part, source)) for part in (rows.filter(kind=kind) for kind in kinds)]
    if role != "typed" and len(pks) == 1:
        # One record's relation (its page, its API detail): the first ``bound`` in order, which the database takes
        # from an index on that order without reading the rest. Numbering every link (the window below) read and
        # sorted all of them: at 100,000 records, 52 ms of SQLite's time for a strategic area's 12,000 programmes.
        return [first(rows, linked_count(rows, target, source, pks[0]))]
    partition = [models.F(source), *map(models.F, by_kind)]
    # Prefixed names, so that no record type's own field (a country's ``place``) is shadowed.
    rows = rows.annotate(
        bounded_source=models.F(source),
        bounded_count=models.Window(models.Count("*"), partition_by=partition),
        bounded_place=models.Window(RowNumber(), order_by=order, partition_by=partition),
        bounded_short_name=short_name,
    ).filter(bounded_place__lte=bound)
    rows = rows.order_by("bounded_source", *by_kind, *order)
    return [rows.values_list("bounded_source", *columns, "bounded_count", "bounded_short_name")]


def linked_rows_by_record(pks: list[int], relations: list, bound: int) -> dict[int, list[list[tuple]]]:
    """For each record of ``pks`` (all of one type), the rows of each of ``relations`` (``_link_fields`` pairs, in
    that order) as ``_linked_rows`` reads them without the linking record's pk: at most ``bound`` per relation and
    kind, in one query for every record and relation. The one reader of bounded links: detail pages, and the API's
    lists and details."""
    by_record = {pk: [[] for _ in relations] for pk in pks}
    if not pks or not relations:
        return by_record

    # The statement depends on the relations, the bound and how many records there are; their keys are bound.
    def parts(*keys: int) -> list[models.QuerySet]:
        return [part for role, model_field in relations for part in _linked_rows(list(keys), role, model_field, bound)]

    # Which relation each part reads: a relation read a kind at a time has a part for each.
    numbers = [
        number
        for number, (role, model_field) in enumerate(relations)
        for _part in _kinds_apart(role, model_field, len(pks)) or [None]
    ]
    every_rows = prepared_rows(("linked rows", *relations, bound, len(pks)), parts, *pks)
    for number, rows in zip(numbers, every_rows, strict=True):
        for linking, *row in rows:
            by_record[linking][number].append(tuple(row))
    return by_record


def shown_rows(target, records: models.QuerySet) -> models.QuerySet:
    """``records`` (public records of ``target``) as a group of links shows them: the first ``BACKLINKS_SHOWN`` in
    their type's own order, as (pk, slug, title, "" for the kind, how many in all, short name) rows."""
    kind = models.Value("", output_field=models.CharField())
    rows = records.annotate(
        link_kind=kind, linked=models.Window(models.Count("*")), short_name=target.subtitle_expression()
    ).order_by(*natural_order(target), "pk")
    return rows.values_list("pk", "slug", "title", "link_kind", "linked", "short_name")[:BACKLINKS_SHOWN]


def shown_record(target, row: tuple, own_names: set):
    """The record a row of ``shown_rows`` (or of a relation's rows) names, with its short name unless that only
    repeats one of ``own_names`` (the record on the page's: its articles need not repeat "CRC")."""
    pk, slug, title, _kind, _linked, short_name = row
    linked = target.shown(pk=pk, slug=slug, title=title, status="published")  # read through public()
    linked.subtitle = "" if short_name in own_names else short_name
    return linked


def _more(record, role: str, model_field, rows) -> list:
    """(label, inverse, (where to see them all, how many, their type's plural name)) for each group of a relation
    that has more records than it shows: a backlink's list narrowed to ``record`` when there is one, else the
    relation's own page."""
    if role == "typed":
        forward, other = _typed_ends(model_field)
        plural = model_field.related_model._meta.get_field(other).related_model._meta.verbose_name_plural
        shown: dict[str, list] = {}
        for row in rows:
            shown.setdefault(row[3], []).append(row)
        labels = model_field.related_model.LABELS
        return [
            (
                labels[kind][0 if forward else 1],
                not forward,
                (relation_url(record, role, model_field, kind), kind_rows[0][4], plural),
            )
            for kind, kind_rows in shown.items()
            if kind_rows[0][4] > len(kind_rows)
        ]
    if not rows or rows[0][4] <= len(rows):
        return []
    plural = model_field.related_model._meta.verbose_name_plural
    if role == "many":
        return [(model_field.label, False, (relation_url(record, role, model_field), rows[0][4], plural))]
    rest = _narrowed_list(record, model_field) or relation_url(record, role, model_field)
    return [(model_field.field.inverse_label, True, (rest, rows[0][4], plural))]


@dataclass(frozen=True)
class LoadedLinks:
    """A record's relations to many records (role and field each) and, for each, its first ``BACKLINKS_SHOWN``
    public records as ``_linked_rows`` reads them: what its page's key facts and link groups both show."""

    relations: list
    rows: list

    def of(self, relation: str) -> tuple[str, object, list]:
        """The role, field and rows of the relation named ``relation`` in addresses; LookupError if it has none."""
        for (role, model_field), rows in zip(self.relations, self.rows, strict=True):
            if _relation_name(role, model_field) == relation:
                return role, model_field, rows
        raise LookupError(relation)


def load_links(record, only: tuple[str, ...] | None = None) -> LoadedLinks:
    """Every relation of ``record`` to many records (or ``only`` those named, as in addresses) with its first public
    records, all read in one query whatever the number of relations and links."""
    relations = [
        (role, model_field)
        for role, model_field in many_link_fields(type(record))
        if only is None or _relation_name(role, model_field) in only
    ]
    return LoadedLinks(relations, linked_rows_by_record([record.pk], relations, BACKLINKS_SHOWN)[record.pk])


def _said(role: str, model_field) -> tuple[type, dict]:
    """For one relation to many records, on the page of the record it starts from: the linked records' type, and by
    kind of link ("" but for typed links) what is said of them (label, whether it is a backlink, linked-data
    property). Labels are translated here once, not for each link: some 2 µs each."""
    if role == "typed":
        typed = model_field.related_model
        forward, other = _typed_ends(model_field)
        said = {
            kind: (str(labels[0 if forward else 1]), not forward, typed.linked_data_of(kind))
            for kind, labels in typed.LABELS.items()
        }
        return typed._meta.get_field(other).related_model, said
    if role == "many":
        return model_field.related_model, {"": (str(model_field.label), False, model_field.linked_data)}
    declared = model_field.field
    return model_field.related_model, {"": (str(declared.inverse_label), True, declared.linked_data)}


def load_link_groups(record, loaded: LoadedLinks | None = None) -> list[LinkGroup]:
    """Group ``record``'s public links and backlinks by relation, reading every relation in one query (its single
    links come with the record, ``link_select_related``), or from what ``load_links`` already ``loaded``. For public
    pages, whatever the number of links: each group shows its first ``BACKLINKS_SHOWN`` records and links to a page
    of them all (for a backlink a list can be narrowed by, such as programmes by strategic area, that list)."""
    loaded = loaded or load_links(record)
    relations, every_rows = loaded.relations, loaded.rows
    more = [
        entry
        for (role, model_field), rows in zip(relations, every_rows, strict=True)
        for entry in _more(record, role, model_field, rows)
    ]

    # On a record's own page its articles need not repeat its short name under each of them ("Article 3 · CRC").
    own_names = record.own_names()

    def entries():
        for entry in _single_links(record):
            yield entry.shown_label, entry.inverse, entry.linked_data, entry.target
        for (role, model_field), rows in zip(relations, every_rows, strict=True):
            target, said = _said(role, model_field)
            for row in rows:
                yield *said[row[3]], shown_record(target, row, own_names)

    return _grouped(entries(), more)


@dataclass
class Relation:
    """Every public record one relation of a record leads to, for the page that lists them all."""

    label: str
    model: type
    records: models.QuerySet  # in their type's own order, to be paginated


def relation_records(record, relation: str, kind: str) -> Relation:
    """The public records the relation named ``relation`` of ``record`` leads to (typed links: of ``kind``).

    Raises LookupError for a relation the record's type does not have, a typed relation without a known kind, or
    a kind given to a relation that has none.
    """
    found = next(
        (
            (role, model_field)
            for role, model_field in _link_fields(type(record))
            if role != "single" and _relation_name(role, model_field) == relation
        ),
        None,
    )
    if found is None:
        raise LookupError(relation)
    role, model_field = found
    if role == "typed":
        typed = model_field.related_model
        if kind not in typed.LABELS:
            raise LookupError(kind)
        forward, other = _typed_ends(model_field)
        target = typed._meta.get_field(other).related_model
        rows = typed.objects.filter(**{model_field.field.name: record.pk, "kind": kind}).values(other)
        label = typed.LABELS[kind][0 if forward else 1]
        return Relation(str(label), target, _public(target).filter(pk__in=rows).order_by(*natural_order(target), "pk"))
    if kind:
        raise LookupError(kind)
    target = model_field.related_model
    query_name = model_field.related_query_name() if role == "many" else model_field.field.name
    label = model_field.label if role == "many" else model_field.field.inverse_label
    records = _public(target).filter(**{query_name: record.pk}).order_by(*natural_order(target), "pk")
    return Relation(str(label), target, records)
