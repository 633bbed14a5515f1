"""Printable briefs: for a record whose type declares ``brief=True`` in the registry, everything public linked to it
on one page, grouped by the kind of record linked (instruments, provisions, programmes, partnerships, activities,
research…) in registry order, each group bounded like a detail page's links and counted."""

from dataclasses import dataclass

from django.urls import reverse

from .link_groups import LinkGroup
from .link_pages import load_link_groups
from .registry import record_models, record_type_of


@dataclass
class BriefGroup:
    """One relation's records on a brief, with how many there are in all (the brief lists at most 50)."""

    label: str
    records: list
    total: int
    more_url: str = ""  # the page of them all, when the brief lists only some

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


def brief_groups(record) -> list[BriefGroup]:
    """``record``'s public links and backlinks as brief groups, in the registry's order of the types they lead to
    (instruments before programmes before activities), then by relation; read in the queries of
    ``load_link_groups`` (one for every relation, whatever the number of links)."""
    order = {model: place for place, model in enumerate(record_models())}

    def type_place(group: LinkGroup) -> int:
        return order.get(type(group.records[0]), len(order)) if group.records else len(order)

    groups = sorted(load_link_groups(record), key=lambda group: (type_place(group), group.inverse))
    return [_brief_group(group) for group in groups if group.records]
