"""Printable briefs: for a record whose type declares ``brief=True`` in the registry, everything public linked to it
on one page, grouped by the kind of record linked (instruments, provisions, programmes, partnerships, activities,
research…) in registry order, each group bounded like a detail page's links and counted. Records that are parts of
another (a provision of its instrument, as the registry's ``part_of`` says) are listed under that whole: a topic's
brief shows each instrument with its articles on the topic."""

from dataclasses import dataclass, field

from django.urls import reverse

from .batch import rows_of_each
from .link_groups import LinkGroup
from .link_pages import LoadedLinks, load_link_groups
from .models import public_q
from .registry import record_models, record_type_of


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
    return BriefGroup(label=group.label, records=group.records, total=total, more_url=more_url)


def brief_groups(record, loaded: LoadedLinks | None = None) -> list[BriefGroup]:
    """``record``'s public links and backlinks as brief groups, in the registry's order of the types they lead to
    (instruments before programmes before activities), then by relation; read in the queries of
    ``load_link_groups`` (one for every relation, whatever the number of links), or from what ``load_links``
    ``loaded``."""
    order = {model: place for place, model in enumerate(record_models())}

    def type_place(group: LinkGroup) -> int:
        return order.get(type(group.records[0]), len(order)) if group.records else len(order)

    groups = sorted(load_link_groups(record, loaded), key=lambda group: (type_place(group), group.inverse))
    found = [_brief_group(group) for group in groups if group.records]
    _nest_parts(record, found)
    return found


def _part_of(group: BriefGroup) -> str:
    entry = record_type_of(type(group.records[0])._meta.label_lower)
    return entry.part_of if entry else ""


def _nest_parts(record, groups: list[BriefGroup]) -> None:
    """Give each group of records that are parts of a whole (``part_of``) its records under their public wholes,
    wholes by title, parts in the group's order; one query for every such group. A group whose parts all belong to
    the brief's own record (an instrument's articles) stays as it is."""
    nested = [group for group in groups if _part_of(group)]
    parts = [
        type(group.records[0])
        .objects.filter(public_q(_part_of(group)), pk__in=[linked.pk for linked in group.records])
        .values_list("pk", f"{_part_of(group)}_id", f"{_part_of(group)}__slug", f"{_part_of(group)}__title")
        for group in nested
    ]
    for group, rows in zip(nested, rows_of_each(parts), strict=True):
        whole_model = type(group.records[0])._meta.get_field(_part_of(group)).related_model
        wholes = {pk: (whole_pk, slug, title) for pk, whole_pk, slug, title in rows}
        if {whole_pk for whole_pk, _slug, _title in wholes.values()} <= {record.pk} and type(record) is whole_model:
            continue
        by_whole: dict[int, BriefPart] = {}
        # A part whose whole the public cannot see is still listed, after the others, under no whole.
        unplaced = BriefPart(whole=None)
        for linked in group.records:
            if linked.pk not in wholes:
                unplaced.records.append(linked)
                continue
            whole_pk, slug, title = wholes[linked.pk]
            whole = whole_model(pk=whole_pk, slug=slug, title=title, status="published")
            by_whole.setdefault(whole_pk, BriefPart(whole=whole)).records.append(linked)
        group.parts = sorted(by_whole.values(), key=lambda part: (part.whole.title, part.whole.pk))
        if unplaced.records:
            group.parts.append(unplaced)
