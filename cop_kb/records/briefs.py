"""Printable briefs: for a record whose type declares ``brief=True`` in the registry, everything public linked to it
on one page, grouped by the kind of record linked (instruments, provisions, programmes, partnerships, activities,
research…) in registry order, each group bounded like a detail page's links and counted. Records that are parts of
another (a provision of its instrument, as the registry's ``part_of`` says) are listed under that whole: a topic's
brief shows each instrument with its articles on the topic. A type's ``brief_through`` adds the records reached
through its links (a strategic area's provisions through the topics the editors classify under it), each declaration
a group of its own, bounded and nested alike."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from .batch import rows_of_each
from .link_groups import LinkGroup
from .link_pages import LoadedLinks, load_link_groups, relation_url, shown_record, shown_rows
from .links import _link_fields, _public
from .models import public_q
from .registry import Through, record_models, record_type_of


@dataclass
class BriefPart:
    """A whole (an instrument) and the records of a brief group that are parts of it (its articles)."""

    whole: object
    records: list = field(default_factory=list)


@dataclass
class BriefGroup:
    """One relation's records on a brief, with how many there are in all (the brief lists at most 50)."""

    label: str
    records: list
    total: int
    more_url: str = ""  # the page of them all, when the brief lists only some
    parts: list[BriefPart] = field(default_factory=list)  # the records under their wholes, when they have one
    inverse: bool = False  # a backlink: what other records say about the brief's record
    note: str = ""  # how the records are reached, for those gathered through links (``brief_through``)
    more_via: str = ""  # what ``more_url`` lists instead, for those (its "topics", each with its own)

    @property
    def shown(self) -> int:
        return len(self.records)


def has_brief(model) -> bool:
    """Whether ``model``'s registry entry declares a brief."""
    entry = record_type_of(model._meta.label_lower)
    return entry is not None and entry.brief


def brief_url(record) -> str:
    """The address of ``record``'s brief, or "" when its type has none."""
    if not has_brief(type(record)):
        return ""
    return reverse(type(record).url_name.removesuffix("detail") + "brief", kwargs={"slug": record.slug})


def _brief_group(group: LinkGroup) -> BriefGroup:
    more_url, total = "", len(group.records)
    for url, count, _plural in group.more:
        more_url, total = url, count
    return BriefGroup(label=group.label, records=group.records, total=total, more_url=more_url, inverse=group.inverse)


def brief_groups(record, loaded: LoadedLinks | None = None) -> list[BriefGroup]:
    """``record``'s public links and backlinks as brief groups, in the registry's order of the types they lead to
    (instruments before programmes before activities), then by relation, each type's groups reached through links
    (``brief_through``) after its own; read in the queries of ``load_link_groups`` (one for every relation, whatever
    the number of links) or from what ``load_links`` ``loaded``, one for all the groups reached through links and one
    to nest parts under their wholes."""
    order = {model: place for place, model in enumerate(record_models())}

    def type_place(group: BriefGroup) -> int:
        return order.get(type(group.records[0]), len(order))

    found = [_brief_group(group) for group in load_link_groups(record, loaded) if group.records]
    found.sort(key=lambda group: (type_place(group), group.inverse))
    found.extend(_through_groups(record))
    found.sort(key=type_place)  # stable: groups reached through links follow those of their type
    _nest_parts(record, found)
    return found


def _reached(record, path: str) -> tuple[type, QuerySet]:
    """The model at the end of ``path`` and its public records reached from ``record`` through public records only,
    at every step (a hidden topic leads to none of its provisions)."""
    model, records = type(record), type(record).objects.filter(pk=record.pk)
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
        records = _public(model).filter(pk__in=records.values(name))
    return model, records


def _first_step(record, path: str) -> tuple[str, object]:
    """The link ``path`` starts with, as (role, field) of ``record``'s type: where its page of them all is."""
    first = path.partition("__")[0]
    return next((role, link) for role, link in _link_fields(type(record)) if link.name == first and role != "single")


def _through_groups(record) -> list[BriefGroup]:
    """A group for each ``brief_through`` of ``record``'s type that reaches a public record, bounded like a link
    group; one query for all of them. When a group lists only some, it leads to the page of its first step (the
    area's topics), each of which lists its own."""
    entry = record_type_of(type(record)._meta.label_lower)
    throughs: tuple[Through, ...] = entry.brief_through if entry else ()
    reached = [_reached(record, through.path) for through in throughs]
    own_names = record.own_names()
    groups = []
    every_rows = rows_of_each([shown_rows(model, records) for model, records in reached])
    for through, (model, _records), rows in zip(throughs, reached, every_rows, strict=True):
        if not rows:
            continue
        group = BriefGroup(
            label=str(through.label),
            records=[shown_record(model, row, own_names) for row in rows],
            total=rows[0][4],
            note=str(through.note),
        )
        if group.total > group.shown:
            role, link = _first_step(record, through.path)
            group.more_url = relation_url(record, role, link)
            group.more_via = str(link.related_model._meta.verbose_name_plural)
        groups.append(group)
    return groups


def _part_of(group: BriefGroup) -> str:
    entry = record_type_of(type(group.records[0])._meta.label_lower)
    return entry.part_of if entry else ""


def _own_parts(record, group: BriefGroup) -> bool:
    """Whether ``group`` is the backlink of its records' ``part_of`` link to ``record`` (an instrument's brief's
    "Provisions"): every record in it is a part of the brief's own record, so there is no whole to look up. Groups
    are keyed by label and direction, so that backlink is the group with its inverse label."""
    part_link = type(group.records[0])._meta.get_field(_part_of(group))
    return group.inverse and type(record) is part_link.related_model and group.label == str(part_link.inverse_label)


def _nest_parts(record, groups: list[BriefGroup]) -> None:
    """Give each group of records that are parts of a whole (``part_of``) its records under their public wholes,
    wholes by title, parts in the group's order; one query for all such groups. The brief's own parts (an
    instrument's articles) stay as they are, without a query. A group with wholes of its own too (an area drawing on
    an instrument and on articles) lists each of them with its articles in the group beneath it."""
    nested = [group for group in groups if _part_of(group) and not _own_parts(record, group)]
    parts = [
        type(group.records[0])
        .objects.filter(
            public_q(_part_of(group)),
            pk__in=[linked.pk for linked in group.records if type(linked) is type(group.records[0])],
        )
        .values_list("pk", f"{_part_of(group)}_id", f"{_part_of(group)}__slug", f"{_part_of(group)}__title")
        for group in nested
    ]
    for group, rows in zip(nested, rows_of_each(parts), strict=True):
        part_model = type(group.records[0])
        whole_model = part_model._meta.get_field(_part_of(group)).related_model
        wholes = {pk: (whole_pk, slug, title) for pk, whole_pk, slug, title in rows}
        by_whole: dict[int, BriefPart] = {}
        # A part whose whole the public cannot see is still listed, after the others, under no whole.
        unplaced = BriefPart(whole=None)
        for linked in group.records:
            if type(linked) is whole_model:
                by_whole.setdefault(linked.pk, BriefPart(whole=linked)).whole = linked
                continue
            if type(linked) is not part_model or linked.pk not in wholes:
                unplaced.records.append(linked)
                continue
            whole_pk, slug, title = wholes[linked.pk]
            whole = whole_model.shown(pk=whole_pk, slug=slug, title=title, status="published")
            by_whole.setdefault(whole_pk, BriefPart(whole=whole)).records.append(linked)
        group.parts = sorted(by_whole.values(), key=lambda part: (part.whole.title, part.whole.pk))
        if unplaced.records:
            group.parts.append(unplaced)
