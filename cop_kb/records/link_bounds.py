"""Records' links, each relation's first few with how many there are in all, for outputs that must stay bounded
however many records link to them (the API's lists and details).

The detail pages read the same rows (``link_pages.load_link_groups``), grouped by label for display; here each group
is one relation (and kind, for typed links) with its names, so a client can page through the rest at the relation's
own address (``link_pages.relation_records`` gives them all).
"""

from dataclasses import dataclass

from .chunks import LinkedRecord
from .link_groups import LinkEntry, _single_links
from .link_pages import _relation_name, linked_rows_by_record, many_link_fields
from .links import _typed_ends


@dataclass
class BoundedGroup:
    """One relation of a record (one kind of a typed link): its first links, and how many there are."""

    relation: str  # as a link names it: the link field's name, or the typed link's kind
    path: str  # the relation's name in addresses (``relation_records``, the pages' relation page); "" for a single link
    kind: str
    count: int
    entries: list[LinkEntry]


def bounded_link_groups(records: list, bound: int) -> dict[int, list[BoundedGroup]]:
    """Every public link of each of ``records`` (all of one type) both ways, grouped by relation, at most ``bound``
    per group, by record pk: one query for all records and relations (single links come with the records:
    ``link_select_related``)."""
    if not records:
        return {}
    relations = many_link_fields(type(records[0]))
    rows_by_record = linked_rows_by_record([record.pk for record in records], relations, bound)
    return {record.pk: _groups(record, relations, rows_by_record[record.pk]) for record in records}


def _groups(record, relations: list, every_rows: list[list[tuple]]) -> list[BoundedGroup]:
    groups = [BoundedGroup(entry.relation, "", "", 1, [entry]) for entry in _single_links(record)]
    for (role, model_field), rows in zip(relations, every_rows, strict=True):
        path = _relation_name(role, model_field)
        if role == "typed":
            groups += _typed_groups(model_field, path, rows)
        elif rows:
            declared = model_field if role == "many" else model_field.field
            labels = (declared.name, str(declared.label), str(declared.inverse_label), role == "backlink")
            target = model_field.related_model
            entries = [
                LinkEntry(*labels, LinkedRecord(target, pk, slug, title), declared.linked_data)
                for pk, slug, title, *_rest in rows
            ]
            groups.append(BoundedGroup(declared.name, path, "", rows[0][4], entries))
    return groups


def _typed_groups(model_field, path: str, rows) -> list[BoundedGroup]:
    typed = model_field.related_model
    forward, other = _typed_ends(model_field)
    target = typed._meta.get_field(other).related_model
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row[3], []).append(row)
    groups = []
    for kind, kind_rows in by_kind.items():
        label, inverse_label = (str(text) for text in typed.LABELS[kind])
        term = typed.linked_data_of(kind)
        entries = [
            LinkEntry(kind, label, inverse_label, not forward, LinkedRecord(target, pk, slug, title), term)
            for pk, slug, title, *_rest in kind_rows
        ]
        groups.append(BoundedGroup(kind, path, kind, kind_rows[0][4], entries))
    return groups
