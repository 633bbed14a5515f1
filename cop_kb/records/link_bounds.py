"""A record's links, each relation's first ``BACKLINKS_SHOWN`` with how many there are in all, for outputs that show
one record and must stay bounded however many records link to it (the API's detail answer).

The detail pages read the same rows (``links.load_link_groups``), grouped by label for display; here each group is one
relation (and kind, for typed links) with its names, so a client can page through the rest at the relation's own
address (``links.relation_records`` gives them all).
"""

from dataclasses import dataclass

from .batch import rows_of_each
from .chunks import LinkedRecord
from .link_groups import LinkEntry, _single_links
from .link_pages import _linked_rows, _relation_name
from .links import _link_fields, _typed_ends


@dataclass
class BoundedGroup:
    """One relation of a record (one kind of a typed link): its first links, and how many there are."""

    relation: str  # as a link names it: the link field's name, or the typed link's kind
    path: str  # the relation's name in addresses (``relation_records``, the pages' relation page); "" for a single link
    kind: str
    count: int
    entries: list[LinkEntry]


def bounded_link_groups(record) -> list[BoundedGroup]:
    """Every public link of ``record`` both ways, grouped by relation, at most ``BACKLINKS_SHOWN`` per group, in one
    query for all relations (single links come with the record: ``link_select_related``)."""
    groups = [BoundedGroup(entry.relation, "", "", 1, [entry]) for entry in _single_links(record)]
    relations = [(role, model_field) for role, model_field in _link_fields(type(record)) if role != "single"]
    every_rows = rows_of_each([_linked_rows(record, role, model_field) for role, model_field in relations])
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
